import { z } from 'zod'
import { userSortKeys, type UserSearchParams } from '../services/portal-users'
import { optionalParam as optional, readSearchParams, type RawSearchParams } from './search-params'

/** The user search as the users page reads it from the URL. */

export const userSearchSchema = z.object({
  idp: optional(z.uuid()).catch(undefined),
  q: optional(z.string().trim().max(200)).catch(undefined),
  status: optional(z.enum(['active', 'inactive'])).catch(undefined),
  managed: optional(z.enum(['scim', 'other'])).catch(undefined),
  missing: optional(z.literal('custom')).catch(undefined),
  sort: optional(z.enum(userSortKeys)).catch(undefined),
  dir: optional(z.enum(['asc', 'desc'])).catch(undefined),
  page: optional(z.coerce.number().int().min(1).max(100_000)).catch(undefined),
}) satisfies z.ZodType<UserSearchParams>

/** The user search from a URL, and a message for each value that had to be ignored. */
export function readUserSearch(raw: RawSearchParams) {
  return readSearchParams(userSearchSchema, raw, {
    idp: 'choose an identity provider from the list.',
    q: 'search with at most 200 characters.',
    status: 'use active or inactive.',
    managed: 'use scim or other.',
    sort: `sort by one of ${userSortKeys.join(', ')}.`,
    dir: 'use asc or desc.',
    page: 'use a page number from 1.',
  })
}
