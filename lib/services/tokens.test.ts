import { describe, expect, it } from 'vitest'
import { listAuditEvents } from '@/lib/db/audit-events'
import { createTestTenant, sendScim } from '@/test/scim-harness'
import { CLI_ACTOR } from './audit'
import { authenticateScimRequest } from './scim-access'
import { ConflictError } from './errors'
import { createToken, listProviderTokens, MAX_ACTIVE_TOKENS, revokeToken, rotateToken } from './tokens'

const DAY = 86_400_000
const admin = { name: 'admin@tokens.test' }

async function auditOf(targetId: string) {
  return (await listAuditEvents({ take: 10_000 })).filter((event) => event.targetId === targetId)
}

describe('token lifetimes', () => {
  it('expire after 365 days unless asked otherwise; 0 and null mean never, flagged in the list', async () => {
    const tenant = await createTestTenant()
    const now = new Date()
    const byDefault = await createToken(admin, { providerId: tenant.providerId }, now)
    expect(byDefault.token.expiresAt?.getTime()).toBe(now.getTime() + 365 * DAY)
    const zero = await createToken(CLI_ACTOR, { providerId: tenant.providerId, expiresInDays: 0 })
    const never = await createToken(CLI_ACTOR, { providerId: tenant.providerId, expiresInDays: null })
    expect(zero.token.expiresAt).toBeNull()
    expect(never.token.expiresAt).toBeNull()
    const listed = await listProviderTokens(tenant.providerId)
    expect(listed.find((token) => token.id === zero.token.id)?.neverExpires).toBe(true)
    expect(listed.find((token) => token.id === never.token.id)?.neverExpires).toBe(true)
    expect(listed.find((token) => token.id === byDefault.token.id)?.neverExpires).toBe(false)
    const [created] = await auditOf(byDefault.token.id)
    expect(created).toMatchObject({ actor: admin.name, action: 'token.create', providerId: tenant.providerId })
    expect(created?.details).toMatchObject({ expiresAt: byDefault.token.expiresAt?.toISOString() })
  })

  it(`refuses a token beyond ${MAX_ACTIVE_TOKENS} active ones, counting neither revoked nor expired tokens`, async () => {
    const tenant = await createTestTenant()
    const extra = []
    for (let n = 1; n < MAX_ACTIVE_TOKENS; n++) extra.push(await createToken(CLI_ACTOR, { providerId: tenant.providerId }))
    await expect(createToken(CLI_ACTOR, { providerId: tenant.providerId })).rejects.toThrow(ConflictError)
    await expect(createToken(CLI_ACTOR, { providerId: tenant.providerId })).rejects.toThrow(/already has 5 active tokens/)
    await expect(rotateToken(CLI_ACTOR, { tokenId: tenant.tokenId })).rejects.toThrow(/already has 5 active tokens/)
    await revokeToken(CLI_ACTOR, extra[0]!.token.id)
    const sixth = await createToken(CLI_ACTOR, { providerId: tenant.providerId })
    expect((await listProviderTokens(tenant.providerId)).filter((token) => token.status === 'active')).toHaveLength(
      MAX_ACTIVE_TOKENS,
    )
    expect(sixth.token.expiresAt).not.toBeNull()
  })

  it('lets a parallel burst of creations through only up to the limit', async () => {
    const tenant = await createTestTenant()
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => createToken(CLI_ACTOR, { providerId: tenant.providerId })),
    )
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(MAX_ACTIVE_TOKENS - 1)
    expect((await listProviderTokens(tenant.providerId)).filter((token) => token.status === 'active')).toHaveLength(
      MAX_ACTIVE_TOKENS,
    )
  })
})

describe('token rotation', () => {
  it('issues a successor; the old token works during the overlap and is refused after it', async () => {
    const tenant = await createTestTenant()
    const url = `${tenant.tenantUrl}/Users`
    expect((await sendScim('GET', url, { token: tenant.token })).status).toBe(200)
    const now = new Date()
    const rotated = await rotateToken(admin, { tokenId: tenant.tokenId, overlapDays: 3 }, now)
    expect(rotated.previous.expiresAt.getTime()).toBe(now.getTime() + 3 * DAY)
    expect(rotated.token.expiresAt?.getTime()).toBe(now.getTime() + 365 * DAY)
    expect(rotated.token.rotatedFromId).toBe(tenant.tokenId)

    // Both work now, through the real handlers.
    expect((await sendScim('GET', url, { token: tenant.token })).status).toBe(200)
    expect((await sendScim('GET', url, { token: rotated.secret })).status).toBe(200)

    // Within the overlap the old one still authenticates; after it, it is refused and the new one is not.
    const inOverlap = new Date(now.getTime() + 2 * DAY)
    const afterOverlap = new Date(now.getTime() + 3 * DAY + 1000)
    await expect(authenticateScimRequest(tenant.providerId, `Bearer ${tenant.token}`, inOverlap)).resolves.toMatchObject({
      tokenId: tenant.tokenId,
    })
    await expect(authenticateScimRequest(tenant.providerId, `Bearer ${tenant.token}`, afterOverlap)).rejects.toMatchObject({
      status: 401,
      message: expect.stringMatching(/expired/),
    })
    await expect(authenticateScimRequest(tenant.providerId, `Bearer ${rotated.secret}`, afterOverlap)).resolves.toMatchObject({
      tokenId: rotated.token.id,
    })

    const listed = await listProviderTokens(tenant.providerId)
    const old = listed.find((token) => token.id === tenant.tokenId)
    expect(old).toMatchObject({ status: 'active', replacedById: rotated.token.id })
    expect(listed.find((token) => token.id === rotated.token.id)).toMatchObject({
      scopes: old?.scopes,
      label: old?.label,
      rotatedFromId: tenant.tokenId,
    })
    expect(listed.filter((token) => token.usedLast)).toHaveLength(1)

    const [event] = await auditOf(tenant.tokenId).then((events) => events.filter((entry) => entry.action === 'token.rotate'))
    expect(event).toMatchObject({ actor: admin.name, providerId: tenant.providerId })
    expect(event?.details).toMatchObject({
      newTokenId: rotated.token.id,
      overlapDays: 3,
      oldExpiresAt: rotated.previous.expiresAt.toISOString(),
    })
  })

  it('defaults to a 7-day overlap and never lengthens an old token that expires sooner', async () => {
    const tenant = await createTestTenant({ token: { expiresInDays: 2 } })
    const now = new Date()
    const rotated = await rotateToken(CLI_ACTOR, { tokenId: tenant.tokenId }, now)
    const listed = await listProviderTokens(tenant.providerId)
    const old = listed.find((token) => token.id === tenant.tokenId)!
    expect(old.expiresAt!.getTime()).toBeLessThan(now.getTime() + 2 * DAY + 1000)
    expect(rotated.previous.expiresAt.getTime()).toBe(old.expiresAt!.getTime())

    const other = await createTestTenant()
    const plain = await rotateToken(CLI_ACTOR, { tokenId: other.tokenId }, now)
    expect(plain.previous.expiresAt.getTime()).toBe(now.getTime() + 7 * DAY)
  })

  it('rotates a token once: a second or parallel rotation of it is refused, pointing at the successor', async () => {
    const tenant = await createTestTenant()
    const results = await Promise.allSettled([1, 2, 3].map(() => rotateToken(CLI_ACTOR, { tokenId: tenant.tokenId })))
    const done = results.filter((result) => result.status === 'fulfilled')
    expect(done).toHaveLength(1)
    for (const result of results) {
      if (result.status === 'rejected')
        expect(String(result.reason)).toMatch(/has already been rotated: its successor is ttscim_/)
    }
    expect((await listProviderTokens(tenant.providerId)).filter((token) => token.rotatedFromId === tenant.tokenId)).toHaveLength(
      1,
    )
  })

  it('rotates only active tokens and validates the overlap', async () => {
    const tenant = await createTestTenant()
    await expect(rotateToken(CLI_ACTOR, { tokenId: tenant.tokenId, overlapDays: 0 })).rejects.toThrow(/at least 1 day/)
    await expect(rotateToken(CLI_ACTOR, { tokenId: tenant.tokenId, overlapDays: 91 })).rejects.toThrow(/at most 90 days/)
    await expect(rotateToken(CLI_ACTOR, { tokenId: crypto.randomUUID() })).rejects.toThrow(/No token/)
    await revokeToken(CLI_ACTOR, tenant.tokenId)
    await expect(rotateToken(CLI_ACTOR, { tokenId: tenant.tokenId })).rejects.toThrow(/is revoked: only an active token/)
  })
})
