import { beforeAll, describe, expect, it } from 'vitest'
import { signInResultSchema } from '@/lib/http/directory-api'
import { eventsSettled } from '@/lib/db/events'
import { CLI_ACTOR } from '@/lib/services/audit'
import { listEvents } from '@/lib/services/events'
import { setJitEnabled } from '@/lib/services/sign-ins'
import { callApi, createTestApiKey, queryFirst, queryRows, sql } from './directory-harness'
import { createTestTenant, entraUser, type TestTenant } from './scim-harness'

process.env.DIRECTORY_SETTLE_MS = '0'

// POST /api/v1/enterprise-idps/{providerId}/sign-ins: the SSO sign-in link.

let tenant: TestTenant
let key: string

beforeAll(async () => {
  tenant = await createTestTenant()
  key = (await createTestApiKey(['sign-ins:write'])).key
})

const signIn = (claims: Record<string, unknown>, providerId = tenant.providerId) =>
  callApi('POST', `/enterprise-idps/${providerId}/sign-ins`, { key, body: claims })

async function eventsOf(userId: string) {
  // Other transactions on the server (other test files) may hold the commit-safe horizon back for a moment.
  await eventsSettled()
  const page = await listEvents({ limit: 1000, providerId: tenant.providerId })
  return page.data.filter((event) => event.data.user.id === userId)
}

const patch = (...Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations })

describe('the SSO sign-in link', () => {
  it('creates an SSO account just in time, with its user.created event, then SCIM links to it keeping the id', async () => {
    const claims = {
      externalId: 'oid-jit-1',
      userName: 'Jit.Person@Contoso.example',
      email: 'jit.person@contoso.example',
      displayName: 'Jit Person',
    }
    const created = await signIn(claims)
    expect(created.status).toBe(201)
    const { user } = signInResultSchema.parse(created.body)
    expect(user).toMatchObject({
      externalId: 'oid-jit-1',
      userName: 'Jit.Person@Contoso.example',
      email: 'jit.person@contoso.example',
      displayName: 'Jit Person',
      active: true,
      source: 'sso',
      scimManaged: false,
    })
    const events = await eventsOf(user.id)
    expect(events.map((event) => event.type)).toEqual(['user.created'])
    expect(events[0]?.data.user).toEqual(user)

    // Signing in again, by externalId, and by userName in another case with a new externalId: the same account.
    const again = await signIn(claims)
    expect(again.status).toBe(200)
    expect(again.body.user.id).toBe(user.id)
    const byName = await signIn({ externalId: 'oid-other', userName: 'jit.person@contoso.EXAMPLE' })
    expect(byName.status).toBe(200)
    expect(byName.body.user.id).toBe(user.id)
    expect((await eventsOf(user.id)).length).toBe(1)

    // Entra provisions the same person later: the POST links to the SSO account and keeps its id.
    const scim = await tenant.request(
      'POST',
      '/Users',
      entraUser('jit', { externalId: 'oid-jit-1', userName: 'Jit.Person@Contoso.example' }),
    )
    expect(scim.status).toBe(201)
    expect(scim.body.id).toBe(user.id)
    const linked = await callApi('GET', `/users/${user.id}`, { key: (await createTestApiKey(['directory:read'])).key })
    expect(linked.body).toMatchObject({
      id: user.id,
      source: 'sso',
      scimManaged: true,
      title: 'Engineer',
      employeeNumber: 'Ejit',
    })
    expect((await eventsOf(user.id)).map((event) => event.type)).toEqual(['user.created', 'user.linked'])
    const count = await queryFirst<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM "User" WHERE "providerId" = ${tenant.providerId}::uuid AND "externalId" = 'oid-jit-1'`,
    )
    expect(count?.n).toBe(1)

    // Entra deactivates the user: the next sign-in is refused at once.
    expect(
      (await tenant.request('PATCH', `/Users/${user.id}`, patch({ op: 'replace', path: 'active', value: 'False' }))).status,
    ).toBe(200)
    const refused = await signIn(claims)
    expect(refused.status).toBe(403)
    expect(refused.headers.get('content-type')).toBe('application/problem+json')
    expect(refused.body).toMatchObject({
      status: 403,
      title: 'Account deactivated',
      type: '/api/v1/problems/account-deactivated',
    })
    expect(refused.body.detail).toMatch(/deactivated/)
    expect((await signIn({ externalId: 'oid-x', userName: 'JIT.person@contoso.example' })).status).toBe(403)

    // Reactivated: signing in works again.
    expect(
      (await tenant.request('PATCH', `/Users/${user.id}`, patch({ op: 'replace', path: 'active', value: true }))).status,
    ).toBe(200)
    expect((await signIn(claims)).status).toBe(200)
  })

  it('matches a SCIM-provisioned account by externalId first', async () => {
    const scim = await tenant.request('POST', '/Users', entraUser('prov'))
    const reply = await signIn({ externalId: 'ext-prov', userName: 'renamed@contoso.example' })
    expect(reply.status).toBe(200)
    expect(reply.body.user).toMatchObject({ id: scim.body.id, source: 'scim', scimManaged: true })
  })

  it('refuses to create an account when the IdP has just-in-time accounts off (audited), still signs existing ones in', async () => {
    const strict = await createTestTenant()
    const existing = await strict.request('POST', '/Users', entraUser('strict'))
    await setJitEnabled(CLI_ACTOR, strict.providerId, false)
    const refused = await signIn({ externalId: 'oid-new', userName: 'new@contoso.example' }, strict.providerId)
    expect(refused.status).toBe(403)
    expect(refused.body).toMatchObject({ type: '/api/v1/problems/jit-disabled' })
    const rows = await queryRows(
      sql`SELECT 1 FROM "User" WHERE "providerId" = ${strict.providerId}::uuid AND "externalId" = 'oid-new'`,
    )
    expect(rows).toHaveLength(0)
    const ok = await signIn({ externalId: 'ext-strict', userName: 'userstrict@contoso.example' }, strict.providerId)
    expect(ok.status).toBe(200)
    expect(ok.body.user.id).toBe(existing.body.id)
    await setJitEnabled(CLI_ACTOR, strict.providerId, true)
    expect((await signIn({ externalId: 'oid-new', userName: 'new@contoso.example' }, strict.providerId)).status).toBe(201)
    const audit = await queryRows<{ action: string }>(
      sql`SELECT "action" FROM "AuditEvent" WHERE "targetId" = ${strict.providerId} AND "action" LIKE 'idp.jit.%' ORDER BY "createdAt"`,
    )
    expect(audit.map((row) => row.action)).toEqual(['idp.jit.disable', 'idp.jit.enable'])
    await expect(setJitEnabled(CLI_ACTOR, crypto.randomUUID(), false)).rejects.toThrow(/No identity provider/)
  })

  it('makes exactly one account for concurrent first sign-ins', async () => {
    const claims = { externalId: 'oid-burst', userName: 'burst@contoso.example' }
    const replies = await Promise.all(Array.from({ length: 12 }, () => signIn(claims)))
    expect(replies.map((reply) => reply.status).sort((a, b) => a - b)).toEqual([...Array(11).fill(200), 201])
    expect(new Set(replies.map((reply) => reply.body.user.id)).size).toBe(1)
    const id = replies[0]!.body.user.id as string
    expect((await eventsOf(id)).map((event) => event.type)).toEqual(['user.created'])
  })

  it('answers 404 for an unknown provider and 400 for bad claims', async () => {
    expect((await signIn({ externalId: 'a', userName: 'b' }, crypto.randomUUID())).status).toBe(404)
    const missing = await signIn({ userName: 'b@contoso.example' })
    expect(missing.status).toBe(400)
    expect(missing.body.errors).toEqual([{ field: 'externalId', message: 'externalId is a string.' }])
    expect((await signIn({ externalId: '   ', userName: 'b' })).status).toBe(400)
    expect((await signIn({ externalId: 'a'.repeat(257), userName: 'b' })).status).toBe(400)
  })
})
