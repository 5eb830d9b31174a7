import { z } from 'zod'
import type { UserRow } from '../db/users'
import { invalidValue } from '../scim/errors'
import { parseAttributeList, projectResource, type Projection } from '../scim/projection'
import { etagFor, listResponse, toScimUser } from '../scim/representation'
import type { ListUsersQuery, UserWriteResult } from '../services/users'
import type { ScimOutcome, ScimRequestContext } from './scim-route'

/** Turning service results into SCIM answers: representation, projection, ETag and Location headers. */

function projectionOf(url: URL): Projection {
  const attributes = parseAttributeList(url.searchParams.get('attributes'))
  const excludedAttributes = parseAttributeList(url.searchParams.get('excludedAttributes'))
  return { ...(attributes ? { attributes } : {}), ...(excludedAttributes ? { excludedAttributes } : {}) }
}

function affectedUser(user: UserRow) {
  return { id: user.id, userName: user.userName, email: user.primaryEmail }
}

function representation(context: ScimRequestContext, user: UserRow, projection = projectionOf(context.url)) {
  const full = toScimUser(
    { ...user, resource: user.resource as Record<string, unknown>, customAttributes: user.customAttributes as Record<string, unknown> },
    context.tenant.schema,
    `${context.baseUrl}/Users/${user.id}`,
  )
  return projectResource(full, projection, context.tenant.schema)
}

/** One user, as GET /Users/{id} answers it. */
export function userOutcome(context: ScimRequestContext, user: UserRow): ScimOutcome {
  return {
    status: 200,
    body: representation(context, user),
    headers: { etag: etagFor(user.version) },
    operation: 'read',
    user: affectedUser(user),
  }
}

/** A user after POST, PUT or PATCH. RFC 7644 §3.5.2: a PATCH answers 200 with the resource. */
export function writtenUserOutcome(context: ScimRequestContext, result: UserWriteResult, status: 200 | 201): ScimOutcome {
  const body = representation(context, result.user)
  return {
    status,
    body,
    headers: {
      etag: etagFor(result.user.version),
      ...(status === 201 ? { location: `${context.baseUrl}/Users/${result.user.id}` } : {}),
    },
    operation: result.operation,
    user: affectedUser(result.user),
    changes: result.changes,
    discarded: result.discarded,
  }
}

export function deletedUserOutcome(user: UserRow): ScimOutcome {
  return { status: 204, operation: 'delete', user: affectedUser(user), changes: [] }
}

export function userListOutcome(
  context: ScimRequestContext,
  page: { rows: UserRow[]; total: number; startIndex: number },
): ScimOutcome {
  // When a filter matched exactly one user (Entra's lookups), the log names that user.
  const single = page.rows.length === 1 && page.rows[0] ? affectedUser(page.rows[0]) : null
  const projection = projectionOf(context.url)
  return {
    status: 200,
    body: listResponse(
      page.rows.map((user) => representation(context, user, projection)),
      page.total,
      page.startIndex,
    ),
    operation: 'list',
    user: single,
  }
}

const integerParam = (name: string) =>
  z
    .string()
    .regex(/^-?\d{1,9}$/, `${name} must be an integer.`)
    .transform(Number)
    .optional()

const listQuerySchema = z.object({
  filter: z.string().max(4096, 'filter is longer than 4096 characters.').optional(),
  startIndex: integerParam('startIndex'),
  count: integerParam('count'),
  sortBy: z.string().max(256).optional(),
  sortOrder: z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(['ascending', 'descending'], { error: 'sortOrder must be ascending or descending.' }))
    .optional(),
})

/** RFC 7644 §3.4.2 query parameters; unknown ones (such as Entra's aadOptscim062020 flag) are ignored. */
export function readListQuery(url: URL): ListUsersQuery {
  const raw: Record<string, string> = {}
  for (const key of ['filter', 'startIndex', 'count', 'sortBy', 'sortOrder']) {
    const value = url.searchParams.get(key)
    if (value !== null && value !== '') raw[key] = value
  }
  const parsed = listQuerySchema.safeParse(raw)
  if (!parsed.success) throw invalidValue(parsed.error.issues.map((issue) => issue.message).join(' '))
  return parsed.data
}

