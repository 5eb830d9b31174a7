import 'server-only'
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
import { MAX_PAGE_SIZE } from '../scim/discovery'
import { ScimError, notFound, uniqueness } from '../scim/errors'
import { parseFilter } from '../scim/filter/parse'
import { isUuid } from '../scim/ids'
import { applyPatch } from '../scim/patch'
import { ifMatchAllows } from '../scim/representation'
import type { UserSchema } from '../scim/schema/tenant-schema'
import type { UserResource } from '../scim/schema/read-value'
import { readUserInput, readUserReplacement } from '../scim/user-input'
import { deletionEventHead, EVENT_TYPE_OF_OPERATION, userEventOf } from './events'

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
      return { user: linked, operation: 'link' as const, changes, discarded }
    })
  } catch (error) {
    if (isUniqueViolation(error)) throw uniquenessError(resource)
    throw error
  }
}

export async function getUser(tenant: Tenant, userId: string): Promise<UserRow> {
  const user = isUuid(userId) ? await findUser(tenant.providerId, userId) : null
  if (!user) throw notFound(`User '${userId}' not found.`)
  return user
}

export type ListUsersQuery = {
  filter?: string
  startIndex?: number
  count?: number
  sortBy?: string
  sortOrder?: 'ascending' | 'descending'
}

/** GET /Users (RFC 7644 §3.4.2): filtered, sorted and paged in the database, with the exact total. */
export async function listUsers(tenant: Tenant, query: ListUsersQuery) {
  // RFC 7644 §3.4.2.4: startIndex below 1 is read as 1; a negative count as 0.
  const startIndex = Math.max(1, query.startIndex ?? 1)
  const count = Math.min(MAX_PAGE_SIZE, Math.max(0, query.count ?? 100))
  const page = await findUsersPage(tenant.providerId, {
    schema: tenant.schema,
    ...(query.filter ? { filter: parseFilter(query.filter) } : {}),
    ...(query.sortBy ? { sortBy: query.sortBy } : {}),
    descending: query.sortOrder === 'descending',
    offset: startIndex - 1,
    limit: count,
  })
  return { ...page, startIndex }
}

type UserChange = (current: UserResource) => { resource: UserResource; discarded: string[] }

/**
 * Reads, changes and writes a user so that concurrent writes all land and none is lost. The common case
 * writes optimistically (the UPDATE names the version it read: no transaction, no extra round trips); when
 * another request wrote in between, the change is applied again with the row locked (`SELECT … FOR UPDATE`
 * in a transaction), which cannot lose. If-Match is checked against the version the change is applied to.
 */
async function rewriteUser(tenant: Tenant, userId: string, ifMatch: string | null, change: UserChange): Promise<UserWriteResult> {
  const optimistic = await applyUserChange(tenant, await getUser(tenant, userId), ifMatch, change)
  if (optimistic) return optimistic
  return withTransaction(async () => {
    const locked = isUuid(userId) ? await findUser(tenant.providerId, userId, { forUpdate: true }) : undefined
    if (!locked) throw notFound(`User '${userId}' not found.`)
    const result = await applyUserChange(tenant, locked, ifMatch, change)
    if (!result) throw new Error('A locked user row changed during its transaction.')
    return result
  })
}

/** Applies `change` to `current` and writes it if the stored version is still current's; undefined if not. */
async function applyUserChange(
  tenant: Tenant,
  current: UserRow,
  ifMatch: string | null,
  change: UserChange,
): Promise<UserWriteResult | undefined> {
  if (!ifMatchAllows(ifMatch, current.version)) {
    throw new ScimError(412, `The user has changed: its version is now ${current.version}, not the one in If-Match.`)
  }
  const before = canonicalResource(current, tenant.schema)
  const { resource, discarded } = change(before)
  const changes = diffResources(before, resource)
  if (changes.length === 0) return { user: current, operation: 'update', changes, discarded }
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
  if (!deleted) throw notFound(`User '${userId}' not found.`)
  return deleted
}
