import 'server-only'
import { isUuid } from '../scim/ids'
import { z } from 'zod'
import { listCustomAttributes } from '../db/custom-attributes'
import { findUserRequests } from '../db/provisioning-requests'
import { findUserAnyProvider, searchUsers, userSortColumns, type UserSortColumn } from '../db/users'
import { CompatLog } from '../scim/compat'
import { buildUserSchema } from '../scim/schema/tenant-schema'
import { ENTERPRISE_USER_URN } from '../scim/schema/user'
import { withTransaction } from '../db/client'
import { recordAudit, type Actor } from './audit'
import { getIdentityProvider } from './identity-providers'
import { canonicalResource, patchUser, type Tenant } from './users'
import { NotFoundError } from './errors'
import { listEventsOfUser } from './events'

/** Users as the portal sees them: search across IdPs, one user's attributes and timeline, admin fixes. */

export const USER_PAGE_SIZE = 25

/** The columns the user list can be sorted by. */
export const userSortKeys = Object.keys(userSortColumns) as [UserSortColumn, ...UserSortColumn[]]

/** A parsed user search (the portal reads it from the URL). */
export type UserSearchParams = {
  idp?: string | undefined
  q?: string | undefined
  status?: 'active' | 'inactive' | undefined
  managed?: 'scim' | 'other' | undefined
  missing?: 'custom' | undefined
  sort?: UserSortColumn | undefined
  dir?: 'asc' | 'desc' | undefined
  page?: number | undefined
}

export async function findUsers(params: UserSearchParams) {
  const page = params.page ?? 1
  const { rows, total } = await searchUsers({
    ...(params.idp ? { providerId: params.idp } : {}),
    ...(params.q ? { q: params.q } : {}),
    ...(params.status ? { active: params.status === 'active' } : {}),
    ...(params.managed ? { scimManaged: params.managed === 'scim' } : {}),
    missingCustom: params.missing === 'custom',
    sort: params.sort ?? 'updatedAt',
    descending: (params.dir ?? (params.sort ? 'asc' : 'desc')) === 'desc',
    offset: (page - 1) * USER_PAGE_SIZE,
    limit: USER_PAGE_SIZE,
  })
  return { rows, total, page, pageCount: Math.max(1, Math.ceil(total / USER_PAGE_SIZE)) }
}

/** The tenant the SCIM use cases need, built as a SCIM request for this IdP would build it. */
export async function portalTenant(providerId: string): Promise<Tenant> {
  const provider = await getIdentityProvider(providerId)
  const customAttributes = await listCustomAttributes(providerId)
  return { providerId, schema: buildUserSchema({ extensionName: provider.extensionName, customAttributes }) }
}

export type AttributeRow = { path: string; label: string; value: unknown; clearable: boolean }

const NOT_CLEARABLE = new Set(['userName', 'active', 'schemas', 'id', 'meta'])

/** Flattens a resource into rows with the SCIM PATCH path that clears each value. */
export function attributeRows(resource: Record<string, unknown>, extensionUrn: string): AttributeRow[] {
  const rows: AttributeRow[] = []
  const push = (path: string, label: string, value: unknown, clearable = true) => rows.push({ path, label, value, clearable })
  for (const [key, value] of Object.entries(resource)) {
    if (key === 'schemas' || key === 'meta') continue
    if (key === ENTERPRISE_USER_URN || key === extensionUrn) {
      const prefix = key === ENTERPRISE_USER_URN ? 'enterprise' : 'custom'
      for (const [name, inner] of Object.entries((value ?? {}) as Record<string, unknown>))
        push(`${key}:${name}`, `${prefix}: ${name}`, inner)
      continue
    }
    if (Array.isArray(value)) {
      push(key, key, value)
      continue
    }
    if (value && typeof value === 'object') {
      for (const [sub, inner] of Object.entries(value as Record<string, unknown>)) push(`${key}.${sub}`, `${key}.${sub}`, inner)
      continue
    }
    push(key, key, value, !NOT_CLEARABLE.has(key))
  }
  return rows
}

export async function getUserDetail(userId: string) {
  const user = isUuid(userId) ? await findUserAnyProvider(userId) : null
  if (!user) throw new NotFoundError(`No user '${userId}'.`)
  const [tenant, registered, timeline, events] = await Promise.all([
    portalTenant(user.providerId),
    listCustomAttributes(user.providerId),
    findUserRequests(user.providerId, userId, 200),
    listEventsOfUser(userId, 50),
  ])
  const resource = canonicalResource(user, tenant.schema)
  const custom = (user.customAttributes ?? {}) as Record<string, unknown>
  return {
    user,
    rows: attributeRows(resource, tenant.schema.extensionUrn),
    extensionUrn: tenant.schema.extensionUrn,
    missingCustom: registered.filter((attribute) => !(attribute.name in custom)).map((attribute) => attribute.name),
    timeline,
    events,
  }
}

export const clearAttributeSchema = z.object({
  userId: z.uuid(),
  path: z.string().min(1).max(300),
})

/**
 * Removes one attribute value the way a SCIM PATCH would: the fix for Entra never sending cleared values.
 * The change and its audit event commit together.
 */
export async function clearUserAttribute(actor: Actor, userId: string, path: string) {
  const detail = await getUserDetail(userId)
  const row = detail.rows.find((candidate) => candidate.path === path && candidate.clearable)
  if (!row) throw new NotFoundError(`The user has no value at '${path}' to clear.`)
  const tenant = await portalTenant(detail.user.providerId)
  const providerId = detail.user.providerId
  return withTransaction(async () => {
    const result = await patchUser(tenant, userId, { Operations: [{ op: 'remove', path }] }, null, new CompatLog())
    await recordAudit(actor, 'user.clearAttribute', { type: 'user', id: userId, providerId }, { path, changes: result.changes })
    return { providerId, changes: result.changes }
  })
}

/** Deactivates or reactivates a user as the IdP would, with its audit event in the same transaction. */
export async function setUserActive(actor: Actor, userId: string, active: boolean) {
  const user = isUuid(userId) ? await findUserAnyProvider(userId) : null
  if (!user) throw new NotFoundError(`No user '${userId}'.`)
  const tenant = await portalTenant(user.providerId)
  const providerId = user.providerId
  return withTransaction(async () => {
    const result = await patchUser(
      tenant,
      userId,
      { Operations: [{ op: 'replace', path: 'active', value: active }] },
      null,
      new CompatLog(),
    )
    await recordAudit(
      actor,
      active ? 'user.reactivate' : 'user.deactivate',
      { type: 'user', id: userId, providerId },
      { changes: result.changes },
    )
    return { providerId, changes: result.changes }
  })
}
