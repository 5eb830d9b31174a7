import { describe, expect, it } from 'vitest'
import { CLI_ACTOR } from '@/lib/services/audit'
import { getUserDetail } from '@/lib/services/portal-users'
import { createToken } from '@/lib/services/tokens'
import { createTestTenant, entraUser, flushRequestLog, sendScim } from './scim-harness'

describe("a user's timeline", () => {
  it("shows the authenticated requests of the user's own IdP, and nothing that merely named the id", async () => {
    const own = await createTestTenant()
    const other = await createTestTenant()
    const created = await own.request('POST', '/Users', entraUser(`timeline-${own.providerId.slice(0, 6)}`))
    expect(created.status).toBe(201)
    const userId = created.body.id as string
    const userUrl = `${own.tenantUrl}/Users/${userId}`

    expect((await own.request('GET', `/Users/${userId}`)).status).toBe(200)
    const patched = await own.request('PATCH', `/Users/${userId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Renamed' }],
    })
    expect(patched.status).toBe(200)

    // Noise: a wrong token (401), a token without the scope (403), another IdP naming the id (404 twice).
    expect((await sendScim('GET', userUrl, { token: 'ttscim_guess' })).status).toBe(401)
    const readOnly = await createToken(CLI_ACTOR, { providerId: own.providerId, scopes: ['users:read'] })
    expect((await sendScim('DELETE', userUrl, { token: readOnly.secret })).status).toBe(403)
    expect((await other.request('GET', `/Users/${userId}`)).status).toBe(404)
    expect((await other.request('DELETE', `/Users/${userId}`)).status).toBe(404)
    await flushRequestLog()

    const { timeline } = await getUserDetail(userId)
    expect(timeline.map((entry) => [entry.method, entry.status])).toEqual([
      ['PATCH', 200],
      ['GET', 200],
      ['POST', 201],
    ])
  })
})
