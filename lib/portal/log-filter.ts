import { z } from 'zod'
import { requestMethods, requestOperations, type LogFilterParams } from '../services/portal-logs'
import {
  dateParam,
  optionalParam as optional,
  pageCursorParams,
  readSearchParams,
  timeRangeHints,
  type RawSearchParams,
} from './search-params'

/** The provisioning log filter as the log page and its exports read it from the URL. */

export const logFilterSchema = z.object({
  idp: optional(z.uuid()).catch(undefined),
  from: dateParam.catch(undefined),
  to: dateParam.catch(undefined),
  /** `2xx`, `4xx`, `5xx` or an exact code such as `401`. */
  status: optional(z.string().regex(/^([2-5]xx|[1-5]\d\d)$/)).catch(undefined),
  operation: optional(z.enum(requestOperations)).catch(undefined),
  method: optional(z.enum(requestMethods)).catch(undefined),
  user: optional(z.string().trim().min(1).max(320)).catch(undefined),
  requestId: optional(z.string().trim().min(1).max(128)).catch(undefined),
  ...pageCursorParams,
}) satisfies z.ZodType<LogFilterParams>

/** The log filter from a URL, and a message for each filter value that had to be ignored. */
export function readLogFilter(raw: RawSearchParams) {
  return readSearchParams(logFilterSchema, raw, {
    idp: 'choose an identity provider from the list.',
    ...timeRangeHints,
    status: 'use 2xx, 4xx, 5xx or a code such as 401.',
    operation: `use one of ${requestOperations.join(', ')}.`,
    method: `use one of ${requestMethods.join(', ')}.`,
    user: 'use at most 320 characters.',
    requestId: 'use at most 128 characters.',
  })
}
