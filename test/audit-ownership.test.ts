import { beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { listAuditEvents } from '@/lib/db/audit-events'
import { runAdminAction } from '@/lib/http/admin-action'
import { CLI_ACTOR, type Actor } from '@/lib/services/audit'
import { addCustomAttribute, editCustomAttribute, removeCustomAttribute } from '@/lib/services/custom-attributes'
import { createIdentityProvider, deleteIdentityProvider, setScimEnabled } from '@/lib/services/identity-providers'
import { clearUserAttribute, setUserActive } from '@/lib/services/portal-users'
import { createToken, revokeToken, rotateToken } from '@/lib/services/tokens'
import { createTestTenant, entraUser, type TestTenant } from './scim-harness'

/**
 * Every use case records its own audit event, so the CLI (which calls the services directly, as this file
 * does), the portal and tests leave the same trail; the portal's action wrapper adds none.
 */

// Other test files share the PostgreSQL database: each test here looks only at its own actor's or target's events.
const actor: Actor = { name: `owner-${crypto.randomUUID()}@audit.test` }
let tenant: TestTenant
let userId: string

async function eventsOf(match: (event: { actor: string; targetId: string | null }) => boolean) {
  return (await listAuditEvents({ take: 10_000 })).filter(match).reverse()
}

beforeAll(async () => {
  tenant = await createTestTenant({ customAttributes: [{ name: 'CostCenter' }] })
  const created = await tenant.request('POST', '/Users', entraUser(`audit-${tenant.providerId.slice(0, 6)}`))
  expect(created.status).toBe(201)
  userId = created.body.id
})

describe('services own their audit events', () => {
  it('user fixes: clear attribute, deactivate, reactivate, each with its changes', async () => {
    await clearUserAttribute(actor, userId, 'title')
    await setUserActive(actor, userId, false)
    await setUserActive(CLI_ACTOR, userId, true)
    const events = await eventsOf((event) => event.targetId === userId)
    expect(events.map((event) => [event.actor, event.action, event.targetId, event.providerId])).toEqual([
      [actor.name, 'user.clearAttribute', userId, tenant.providerId],
      [actor.name, 'user.deactivate', userId, tenant.providerId],
      ['cli', 'user.reactivate', userId, tenant.providerId],
    ])
    expect(events[0]?.details).toMatchObject({ path: 'title', changes: [{ attribute: 'title', old: 'Engineer', new: null }] })
    expect(events[1]?.details).toMatchObject({ changes: [{ attribute: 'active', old: true, new: false }] })
  })

  it('a user fix that fails writes no event and changes nothing', async () => {
    const failing: Actor = { name: `failing-${crypto.randomUUID()}` }
    await expect(clearUserAttribute(failing, userId, 'userName')).rejects.toThrow(/no value at 'userName'/)
    await expect(setUserActive(failing, crypto.randomUUID(), false)).rejects.toThrow(/No user/)
    expect(await eventsOf((event) => event.actor === failing.name)).toEqual([])
  })

  it('identity providers, custom attributes and tokens', async () => {
    const provider = await createIdentityProvider(actor, { name: `Audited ${Math.random().toString(36).slice(2, 8)}` })
    await setScimEnabled(actor, provider.id, false)
    await addCustomAttribute(actor, { providerId: provider.id, name: 'Badge', type: 'string' })
    await editCustomAttribute(actor, provider.id, 'Badge', { type: 'integer', description: 'Badge number' })
    await removeCustomAttribute(actor, provider.id, 'Badge')
    const { token } = await createToken(actor, { providerId: provider.id })
    const rotated = await rotateToken(actor, { tokenId: token.id })
    await revokeToken(actor, rotated.token.id)
    await deleteIdentityProvider(actor, provider.id)
    const events = await eventsOf((event) => event.actor === actor.name && event.targetId !== userId)
    expect(events.map((event) => event.action)).toEqual([
      'idp.create',
      'idp.disable',
      'attribute.add',
      'attribute.edit',
      'attribute.remove',
      'token.create',
      'token.rotate',
      'token.revoke',
      'idp.delete',
    ])
  })
})

describe('the portal wrapper', () => {
  const operator = { id: crypto.randomUUID(), email: `portal-${crypto.randomUUID()}@audit.test`, role: 'admin' as const }

  it('adds no event of its own to the one the service writes', async () => {
    const state = await runAdminAction(
      operator,
      { role: 'admin', schema: z.object({ userId: z.uuid() }) },
      async (input, context) => {
        await setUserActive(context.actor, input.userId, false)
        return { message: 'User deactivated.' }
      },
      { userId },
    )
    expect(state).toMatchObject({ ok: true })
    const events = await eventsOf((event) => event.actor === operator.email)
    expect(events.map((event) => [event.action, event.targetId])).toEqual([['user.deactivate', userId]])
  })
})
