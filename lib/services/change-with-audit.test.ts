import { beforeAll, describe, expect, it } from 'vitest'
import { databaseReady } from '@/lib/db/client'
import { listAuditEvents } from '@/lib/db/audit-events'
import { findUserAnyProvider } from '@/lib/db/users'
import { createTestTenant, entraUser } from '@/test/scim-harness'
import { CLI_ACTOR, type Actor } from './audit'
import { addCustomAttribute, editCustomAttribute, listProviderCustomAttributes, removeCustomAttribute } from './custom-attributes'
import { ConflictError } from './errors'
import {
  createIdentityProvider,
  deleteIdentityProvider,
  getIdentityProvider,
  listIdentityProviders,
  setScimEnabled,
} from './identity-providers'
import { createOperator, listOperators } from './operators'
import { setOperatorRole } from './portal-auth'
import { setUserActive } from './portal-users'
import { createToken, listProviderTokens, revokeToken, rotateToken } from './tokens'

/**
 * A change and its audit event commit together or not at all. The audit insert is made to fail in the database
 * itself: PostgreSQL (and PGlite) refuse a NUL character in text, so an actor named with one writes the change
 * first and then fails on the audit row; the change must be rolled back with it.
 */
const broken: Actor & { id: string } = { name: 'broken\u0000actor', id: '00000000-0000-4000-8000-000000000000' }
const unique = () => Math.random().toString(36).slice(2, 10)

beforeAll(async () => {
  await databaseReady()
})

async function auditActions(targetId: string) {
  return (await listAuditEvents({ take: 10_000, filter: { target: targetId } })).map((event) => event.action)
}

describe('identity providers: change and audit commit together', () => {
  it('create, enable/disable and delete leave nothing behind when the audit event fails', async () => {
    const name = `Rolled back ${unique()}`
    await expect(createIdentityProvider(broken, { name })).rejects.toThrow()
    expect((await listIdentityProviders()).some((provider) => provider.name === name)).toBe(false)

    const tenant = await createTestTenant()
    await expect(setScimEnabled(broken, tenant.providerId, false)).rejects.toThrow()
    expect((await getIdentityProvider(tenant.providerId)).scimEnabled).toBe(true)
    await expect(deleteIdentityProvider(broken, tenant.providerId)).rejects.toThrow()
    expect((await getIdentityProvider(tenant.providerId)).id).toBe(tenant.providerId)
    expect(await auditActions(tenant.providerId)).not.toContain('idp.disable')

    // And the same changes with a working audit trail land with their events.
    await setScimEnabled(CLI_ACTOR, tenant.providerId, false)
    expect((await getIdentityProvider(tenant.providerId)).scimEnabled).toBe(false)
    await deleteIdentityProvider(CLI_ACTOR, tenant.providerId)
    await expect(getIdentityProvider(tenant.providerId)).rejects.toThrow(/No identity provider/)
    expect(await auditActions(tenant.providerId)).toEqual(expect.arrayContaining(['idp.create', 'idp.disable', 'idp.delete']))
  })
})

describe('custom attributes: change and audit commit together', () => {
  it('add, edit and remove are rolled back when the audit event fails', async () => {
    const tenant = await createTestTenant()
    await expect(addCustomAttribute(broken, { providerId: tenant.providerId, name: 'costCenter' })).rejects.toThrow()
    expect(await listProviderCustomAttributes(tenant.providerId)).toEqual([])

    await addCustomAttribute(CLI_ACTOR, { providerId: tenant.providerId, name: 'costCenter', description: 'before' })
    await expect(editCustomAttribute(broken, tenant.providerId, 'costCenter', { description: 'after' })).rejects.toThrow()
    await expect(removeCustomAttribute(broken, tenant.providerId, 'COSTCENTER')).rejects.toThrow()
    const [attribute] = await listProviderCustomAttributes(tenant.providerId)
    expect(attribute).toMatchObject({ name: 'costCenter', description: 'before', type: 'string' })
  })

  it('a second attribute of the same name, in any case, is a ConflictError (the unique violation from lib/db)', async () => {
    const tenant = await createTestTenant()
    await addCustomAttribute(CLI_ACTOR, { providerId: tenant.providerId, name: 'badge' })
    await expect(addCustomAttribute(CLI_ACTOR, { providerId: tenant.providerId, name: 'BADGE' })).rejects.toThrow(ConflictError)
    expect((await listProviderCustomAttributes(tenant.providerId)).map((row) => row.name)).toEqual(['badge'])
  })
})

describe('operators: change and audit commit together', () => {
  it('create and role change are rolled back when the audit event fails', async () => {
    const email = `rolled-back-${unique()}@audit.test`
    await expect(createOperator(broken, { email, role: 'admin' })).rejects.toThrow()
    expect((await listOperators()).some((operator) => operator.email === email)).toBe(false)

    const { operator } = await createOperator(CLI_ACTOR, { email, role: 'support' })
    await expect(createOperator(CLI_ACTOR, { email: email.toUpperCase(), role: 'admin' })).rejects.toThrow(ConflictError)
    await expect(setOperatorRole(broken, operator.id, 'admin')).rejects.toThrow()
    expect((await listOperators()).find((row) => row.id === operator.id)?.role).toBe('support')
    expect(await auditActions(operator.id)).toEqual(['operator.create'])
  })
})

describe('tokens: change and audit commit together', () => {
  it('create, rotate and revoke are rolled back when the audit event fails', async () => {
    const tenant = await createTestTenant()
    const before = await listProviderTokens(tenant.providerId)
    await expect(createToken(broken, { providerId: tenant.providerId })).rejects.toThrow()
    await expect(rotateToken(broken, { tokenId: tenant.tokenId })).rejects.toThrow()
    await expect(revokeToken(broken, tenant.tokenId)).rejects.toThrow()
    const after = await listProviderTokens(tenant.providerId)
    expect(after.map((token) => [token.id, token.status, token.expiresAt?.getTime()])).toEqual(
      before.map((token) => [token.id, token.status, token.expiresAt?.getTime()]),
    )
    expect(await tenant.request('GET', '/Users')).toMatchObject({ status: 200 })
  })
})

describe('portal user fixes: change and audit commit together', () => {
  it('a deactivation is rolled back when the audit event fails', async () => {
    const tenant = await createTestTenant()
    const created = await tenant.request('POST', '/Users', entraUser(`rollback-${unique()}`))
    expect(created.status).toBe(201)
    await expect(setUserActive(broken, created.body.id, false)).rejects.toThrow()
    const user = await findUserAnyProvider(created.body.id)
    expect(user).toMatchObject({ active: true, version: 1 })
    expect(await auditActions(created.body.id)).toEqual([])
  })
})
