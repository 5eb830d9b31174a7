import 'server-only'
import { createHash } from 'node:crypto'
import { withTransaction } from '../db/client'
import { UniqueViolationError } from '../db/sql'
import {
  deleteUserRecordingEvent,
  findUser,
  findUserByExternalId,
  findUsersPage,
  insertUser,
  updateUserIfVersion,
  type UserRow,
} from '../db/users'
import type { CompatLog } from '../scim/compat'
import { diffResources, type AttributeChange } from '../scim/diff'
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../scim/discovery'
import { decodeCursor, encodeCursor } from '../scim/cursor'
import { ScimError, invalidValue, notFound, uniqueness } from '../scim/errors'
import type { FilterNode } from '../scim/filter/ast'
import { parseFilter } from '../scim/filter/parse'
import { isUuid } from '../scim/ids'
import { applyPatch } from '../scim/patch'
import { ifMatchAllows } from '../scim/representation'
import type { UserSchema } from '../scim/schema/tenant-schema'
import type { UserResource } from '../scim/schema/read-value'
import { readUserInput, readUserReplacement } from '../scim/user-input'
import { deletionEventHead, EVENT_TYPE_OF_OPERATION, userEventOf } from './events'
import { recentUsers } from './recent-users'
import { userStatistics } from './user-statistics'

/** The tenant a use case runs for: one IdP and the User schema it sees. */
export type Tenant = { providerId: string; schema: UserSchema }

export type UserWriteResult = {
  user: UserRow
  operation: 'create' | 'link' | 'update' | 'deactivate' | 'reactivate'
  changes: AttributeChange[]
  discarded: string[]
}

/** The canonical resource of a stored user: custom attributes back under this IdP's extension URN. */
export function canonicalResource(user: Pick<UserRow, 'resource' | 'customAttributes'>, schema: UserSchema): UserResource {
  const resource = { ...(user.resource as UserResource) }
  const custom = user.customAttributes as Record<string, unknown>
  if (custom && Object.keys(custom).length > 0) resource[schema.extensionUrn] = { ...custom }
  return resource
}

function splitResource(resource: UserResource, schema: UserSchema) {
  const { [schema.extensionUrn]: custom, ...rest } = resource
  return { resource: rest, customAttributes: (custom ?? {}) as Record<string, unknown> }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof UniqueViolationError
}

function uniquenessError(resource: UserResource): ScimError {
  return uniqueness(
    `A user with userName '${String(resource.userName)}'` +
      (resource.externalId ? ` or externalId '${String(resource.externalId)}'` : '') +
      ' already exists for this identity provider.',
  )
}

function operationFor(before: UserResource | null, after: UserResource): UserWriteResult['operation'] {
  const wasActive = before ? before.active !== false : true
  const isActive = after.active !== false
  if (wasActive && !isActive) return 'deactivate'
  if (!wasActive && isActive) return 'reactivate'
  return 'update'
}

/**
 * POST /Users (RFC 7644 §3.3). An account of this IdP with the same externalId that SCIM does not manage
 * yet (made at SSO sign-in or by an admin) is linked: it becomes SCIM-managed and takes the posted values.
 */
export async function createOrLinkUser(tenant: Tenant, body: unknown, compat: CompatLog): Promise<UserWriteResult> {
  const { resource, discarded } = readUserInput(body, tenant.schema, compat)
  try {
    // New users are the common case: insert first, and look for an account to link only on a conflict.
    const changes = diffResources({}, resource)
    const user = await insertUser(
      tenant.providerId,
      { ...splitResource(resource, tenant.schema), source: 'scim', scimManaged: true },
      userEventOf('user.created', changes),
    )
    userStatistics.noteCreated()
    recentUsers.remember(user)
    return { user, operation: 'create', changes, discarded }
  } catch (error) {
    if (!isUniqueViolation(error)) throw error
  }
  const externalId = typeof resource.externalId === 'string' ? resource.externalId : null
  if (!externalId) throw uniquenessError(resource)
  try {
    return await withTransaction(async () => {
      // Locked, so two POSTs for one account cannot both link it.
      const existing = await findUserByExternalId(tenant.providerId, externalId, { forUpdate: true })
      if (!existing || existing.scimManaged) throw uniquenessError(resource)
      const before = canonicalResource(existing, tenant.schema)
      const changes = diffResources(before, resource)
      const linked = await updateUserIfVersion(
        existing,
        { ...splitResource(resource, tenant.schema), scimManaged: true },
        userEventOf('user.linked', changes),
      )
      if (!linked) throw new Error('A locked user row changed during its transaction.')
      recentUsers.remember(linked)
      return { user: linked, operation: 'link' as const, changes, discarded }
    })
  } catch (error) {
    if (isUniqueViolation(error)) throw uniquenessError(resource)
    throw error
  }
}

export async function getUser(tenant: Tenant, userId: string): Promise<UserRow> {
  const user = await readUser(tenant, userId)
  recentUsers.remember(user)
  return user
}

async function readUser(tenant: Tenant, userId: string): Promise<UserRow> {
  const user = isUuid(userId) ? await findUser(tenant.providerId, userId) : null
  if (!user) throw notFound(`User '${userId}' not found.`)
  return user
}

/** Pages of at most this many users are lookups: their users are remembered for the change that follows. */
const LOOKUP_ROWS = 5

export type ListUsersQuery = {
  filter?: string
  startIndex?: number
  count?: number
  sortBy?: string
  sortOrder?: 'ascending' | 'descending'
  /** RFC 9865: present (empty for the first page) asks for cursor paging instead of startIndex. */
  cursor?: string
}

export type UsersPage = { rows: UserRow[]; total: number } & (
  { paging: 'index'; startIndex: number } | { paging: 'cursor'; nextCursor: string | undefined }
)

/**
 * GET /Users (RFC 7644 §3.4.2): filtered, sorted and paged in the database, with the exact total. Pages by
 * startIndex, or by cursor (RFC 9865) when the query has one: a cursor page is read from the index after the
 * previous page's last user however deep it is, and carries the total counted for the first page.
 */
export async function listUsers(tenant: Tenant, query: ListUsersQuery): Promise<UsersPage> {
  const count = Math.min(MAX_PAGE_SIZE, Math.max(0, query.count ?? DEFAULT_PAGE_SIZE))
  const filter = query.filter ? parseFilter(query.filter) : undefined
  const descending = query.sortOrder === 'descending'
  if (query.cursor !== undefined) return listUsersByCursor(tenant, { ...query, cursor: query.cursor }, count, filter)
  // RFC 7644 §3.4.2.4: startIndex below 1 is read as 1; a negative count as 0.
  const startIndex = Math.max(1, query.startIndex ?? 1)
  const page = await findUsersPage(tenant.providerId, {
    schema: tenant.schema,
    ...(filter ? { filter } : {}),
    ...(query.sortBy ? { sortBy: query.sortBy } : {}),
    descending,
    offset: startIndex - 1,
    limit: count,
  })
  // A lookup's user (Entra's filter on userName or externalId) is usually changed next.
  if (page.rows.length <= LOOKUP_ROWS) page.rows.forEach((row) => recentUsers.remember(row))
  return { rows: page.rows, total: page.total ?? 0, paging: 'index', startIndex }
}

async function listUsersByCursor(
  tenant: Tenant,
  query: ListUsersQuery & { cursor: string },
  count: number,
  filter: FilterNode | undefined,
): Promise<UsersPage> {
  if (query.startIndex !== undefined) throw invalidValue('Page with startIndex or with cursor, not both.')
  if (query.sortBy !== undefined) {
    throw invalidValue('Cursor pages follow the order of creation (sortOrder may reverse it); sortBy needs startIndex paging.')
  }
  const fingerprint = queryFingerprint(tenant.providerId, query)
  const cursor = query.cursor === '' ? null : decodeCursor(query.cursor, fingerprint)
  // One row more than the page tells whether another page follows.
  const page = await findUsersPage(tenant.providerId, {
    schema: tenant.schema,
    ...(filter ? { filter } : {}),
    descending: query.sortOrder === 'descending',
    offset: 0,
    limit: count === 0 ? 0 : count + 1,
    ...(cursor ? { after: cursor.after, countTotal: false } : {}),
  })
  const rows = page.rows.slice(0, count)
  const total = cursor?.total ?? page.total ?? 0
  const last = rows.at(-1)
  const more = last !== undefined && (page.rows.length > count || !page.exhausted)
  const nextCursor = more
    ? encodeCursor({ after: { createdAt: last.createdAt, id: last.id }, total, query: fingerprint })
    : undefined
  return { rows, total, paging: 'cursor', nextCursor }
}

/** A cursor belongs to one query: the IdP, the filter and the order (the page size may change between pages). */
function queryFingerprint(providerId: string, query: ListUsersQuery): string {
  return createHash('sha256')
    .update(JSON.stringify([providerId, query.filter ?? '', query.sortOrder ?? 'ascending']))
    .digest('base64url')
    .slice(0, 16)
}

type UserChange = (current: UserResource) => { resource: UserResource; discarded: string[] }

/**
 * Reads, changes and writes a user so that concurrent writes all land and none is lost. The common case
 * writes optimistically (the UPDATE names the version it read: no transaction, no extra round trips), starting
 * from the row this instance last read or wrote when it has one (recent-users.ts: the read is skipped); when
 * another request wrote in between, the change is applied again to a fresh read, and then once more with the
 * row locked (`SELECT … FOR UPDATE` in a transaction), which cannot lose. If-Match is checked against the
 * version the change is applied to.
 */
async function rewriteUser(tenant: Tenant, userId: string, ifMatch: string | null, change: UserChange): Promise<UserWriteResult> {
  const remembered = recentUsers.recall(tenant.providerId, userId)
  // A remembered row may be out of date: anything but a write that proves it current (If-Match refused, no change
  // to write, a refused change, a version that moved) is decided again on a fresh read.
  // A database that is down or busy is not asked twice.
  const fromMemory =
    remembered &&
    (await applyUserChange(tenant, remembered, ifMatch, change, 'remembered').catch((error: unknown) => {
      if (error instanceof ScimError) return undefined
      throw error
    }))
  // The row read here is remembered with the write that follows, not before it.
  const optimistic = fromMemory || (await applyUserChange(tenant, await readUser(tenant, userId), ifMatch, change, 'read'))
  if (optimistic) return keptInMemory(optimistic)
  return withTransaction(async () => {
    const locked = isUuid(userId) ? await findUser(tenant.providerId, userId, { forUpdate: true }) : undefined
    if (!locked) throw notFound(`User '${userId}' not found.`)
    const result = await applyUserChange(tenant, locked, ifMatch, change, 'read')
    if (!result) throw new Error('A locked user row changed during its transaction.')
    return keptInMemory(result)
  })
}

function keptInMemory(result: UserWriteResult): UserWriteResult {
  recentUsers.remember(result.user)
  return result
}

/**
 * Applies `change` to `current` and writes it if the stored version is still current's; undefined if not. A
 * `remembered` current (maybe out of date) also gives undefined where a fresh one would answer without writing.
 */
async function applyUserChange(
  tenant: Tenant,
  current: UserRow,
  ifMatch: string | null,
  change: UserChange,
  source: 'read' | 'remembered',
): Promise<UserWriteResult | undefined> {
  if (!ifMatchAllows(ifMatch, current.version)) {
    if (source === 'remembered') return undefined
    throw new ScimError(412, `The user has changed: its version is now ${current.version}, not the one in If-Match.`)
  }
  const before = canonicalResource(current, tenant.schema)
  const { resource, discarded } = change(before)
  const changes = diffResources(before, resource)
  if (changes.length === 0) return source === 'read' ? { user: current, operation: 'update', changes, discarded } : undefined
  const operation = operationFor(before, resource)
  try {
    // The event is written by the same statement: it commits with the write or not at all.
    const updated = await updateUserIfVersion(
      current,
      splitResource(resource, tenant.schema),
      userEventOf(EVENT_TYPE_OF_OPERATION[operation], changes),
    )
    return updated && { user: updated, operation, changes, discarded }
  } catch (error) {
    if (isUniqueViolation(error)) throw uniquenessError(resource)
    throw error
  }
}

/** PUT /Users/{id} (RFC 7644 §3.5.1): the posted representation replaces the stored one; an omitted `active` keeps its state. */
export function replaceUser(tenant: Tenant, userId: string, body: unknown, ifMatch: string | null, compat: CompatLog) {
  return rewriteUser(tenant, userId, ifMatch, (current) => readUserReplacement(body, current, tenant.schema, compat))
}

/** PATCH /Users/{id} (RFC 7644 §3.5.2): all operations apply, or none. */
export function patchUser(tenant: Tenant, userId: string, body: unknown, ifMatch: string | null, compat: CompatLog) {
  return rewriteUser(tenant, userId, ifMatch, (current) => applyPatch(current, body, tenant.schema, compat))
}

/**
 * DELETE /Users/{id} (RFC 7644 §3.6): a hard delete, one statement with its `user.deleted` event (which carries
 * the user as it was).
 */
export async function deleteUser(tenant: Tenant, userId: string): Promise<UserRow> {
  const deleted = isUuid(userId) ? await deleteUserRecordingEvent(tenant.providerId, userId, deletionEventHead()) : undefined
  recentUsers.forget(userId)
  if (!deleted) throw notFound(`User '${userId}' not found.`)
  return deleted
}
