import { z } from 'zod'
import type { UserRow } from '../db/users'
import { invalidValue } from '../scim/errors'
import { parseAttributeList, projectResource, type Projection } from '../scim/projection'
import { etagFor, etagListMatches, listResponse, toScimUser } from '../scim/representation'
import { listUsers, type ListUsersQuery, type UsersPage, type UserWriteResult } from '../services/users'
import { ScimError } from '../scim/errors'
import type { ScimOutcome, ScimRequestContext } from './scim-route'

/** Turning service results into SCIM answers: representation, projection, ETag and Location headers. */

function projectionOf(url: URL): Projection {
  return projectionFrom(url.searchParams.get('attributes'), url.searchParams.get('excludedAttributes'))
}

function projectionFrom(attributesParam: string | null, excludedParam: string | null): Projection {
  const attributes = parseAttributeList(attributesParam)
  const excludedAttributes = parseAttributeList(excludedParam)
  return { ...(attributes ? { attributes } : {}), ...(excludedAttributes ? { excludedAttributes } : {}) }
}

function affectedUser(user: UserRow) {
  return { id: user.id, userName: user.userName, email: user.primaryEmail }
}

function representation(context: ScimRequestContext, user: UserRow, projection = projectionOf(context.url)) {
  const full = toScimUser(
    {
      ...user,
      resource: user.resource as Record<string, unknown>,
      customAttributes: user.customAttributes as Record<string, unknown>,
    },
    context.tenant.schema,
    `${context.baseUrl}/Users/${user.id}`,
  )
  return projectResource(full, projection, context.tenant.schema)
}

/** One user, as GET /Users/{id} answers it; 304 when If-None-Match names the current version. */
export function userOutcome(context: ScimRequestContext, user: UserRow): ScimOutcome {
  const ifNoneMatch = context.request.header('if-none-match')
  if (ifNoneMatch && etagListMatches(ifNoneMatch, user.version)) {
    return { status: 304, headers: { etag: etagFor(user.version) }, operation: 'read', user: affectedUser(user) }
  }
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
  page: UsersPage,
  projection = projectionOf(context.url),
): ScimOutcome {
  // When a filter matched exactly one user (Entra's lookups), the log names that user.
  const single = page.rows.length === 1 && page.rows[0] ? affectedUser(page.rows[0]) : null
  return {
    status: 200,
    body: listResponse(
      page.rows.map((user) => representation(context, user, projection)),
      page.total,
      page.paging === 'index' ? { startIndex: page.startIndex } : { nextCursor: page.nextCursor },
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
  // RFC 9865: the nextCursor of a previous page, or empty for the first; decoded by the list use case.
  cursor: z.string().max(1024, 'cursor is longer than 1024 characters.').optional(),
})

function parsed<T>(result: z.ZodSafeParseResult<T>): T {
  if (!result.success) throw invalidValue(result.error.issues.map((issue) => issue.message).join(' '))
  return result.data
}

/** RFC 7644 §3.4.2 query parameters; unknown ones (such as Entra's aadOptscim062020 flag) are ignored. */
export function readListQuery(url: URL): ListUsersQuery {
  const raw: Record<string, string> = {}
  for (const key of ['filter', 'startIndex', 'count', 'sortBy', 'sortOrder']) {
    const value = url.searchParams.get(key)
    if (value !== null && value !== '') raw[key] = value
  }
  // An empty (or bare) cursor is meaningful: it asks for the first page by cursor.
  const cursor = url.searchParams.get('cursor')
  if (cursor !== null) raw.cursor = cursor
  return parsed(listQuerySchema.safeParse(raw))
}

export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest'

const attributeNames = z
  .union([z.string(), z.array(z.string()).max(200, 'at most 200 attribute names.')])
  .transform((names) => (Array.isArray(names) ? names.join(',') : names))
  .optional()

const integer = (name: string) =>
  z
    .number({ error: `${name} must be an integer.` })
    .int(`${name} must be an integer.`)
    .optional()

const searchRequestSchema = z.object({
  schemas: z
    .array(z.string())
    .refine((schemas) => schemas.includes(SEARCH_REQUEST_SCHEMA), `schemas must include '${SEARCH_REQUEST_SCHEMA}'.`)
    .optional(),
  filter: listQuerySchema.shape.filter,
  startIndex: integer('startIndex'),
  count: integer('count'),
  sortBy: listQuerySchema.shape.sortBy,
  sortOrder: listQuerySchema.shape.sortOrder,
  cursor: listQuerySchema.shape.cursor,
  attributes: attributeNames,
  excludedAttributes: attributeNames,
})

/**
 * RFC 7644 §3.4.3: POST /Users/.search carries the query in its body (no user data in URLs), read with the
 * same rules as GET /Users's parameters.
 */
export function readSearchRequest(body: unknown): { query: ListUsersQuery; projection: Projection } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidValue('A SearchRequest must be a JSON object.')
  const { attributes, excludedAttributes, schemas: _schemas, ...query } = parsed(searchRequestSchema.safeParse(body))
  const defined = Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined)) as ListUsersQuery
  return { query: defined, projection: projectionFrom(attributes ?? null, excludedAttributes ?? null) }
}

export const SEARCH_ID = '.search'

/**
 * POST on …/Users/{id}: `/Users/.search` is a search (RFC 7644 §3.4.3); a user id is never created by POST,
 * so anything else answers 405 with the methods a user supports.
 */
export async function searchOutcome(context: ScimRequestContext): Promise<ScimOutcome> {
  if (context.resourceId !== SEARCH_ID) {
    const error = new ScimError(405, 'POST is not supported on a user: use PUT or PATCH, or POST /Users/.search to search.')
    return { status: 405, body: error.toJSON(), headers: { allow: 'GET, PUT, PATCH, DELETE' }, operation: 'error' }
  }
  const { query, projection } = readSearchRequest(context.body)
  return userListOutcome(context, await listUsers(context.tenant, query), projection)
}
