import { z } from 'zod'
import type { AuditFilterParams } from '../services/portal-audit'
import {
  dateParam,
  optionalParam as optional,
  pageCursorParams,
  readSearchParams,
  timeRangeHints,
  type RawSearchParams,
} from './search-params'

/** The audit log filter as the audit page and its exports read it from the URL. */

export const auditFilterSchema = z.object({
  actor: optional(z.string().trim().min(1).max(320)).catch(undefined),
  action: optional(
    z
      .string()
      .trim()
      .regex(/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*\.?$/)
      .max(100),
  ).catch(undefined),
  target: optional(z.string().trim().min(1).max(200)).catch(undefined),
  from: dateParam.catch(undefined),
  to: dateParam.catch(undefined),
  ...pageCursorParams,
}) satisfies z.ZodType<AuditFilterParams>

export function readAuditFilter(raw: RawSearchParams) {
  return readSearchParams(auditFilterSchema, raw, {
    actor: 'use an operator email or cli, at most 320 characters.',
    action: 'use an action such as token.rotate, or a family such as token.',
    target: 'use an id, at most 200 characters.',
    ...timeRangeHints,
  })
}
