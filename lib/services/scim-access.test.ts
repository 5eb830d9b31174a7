import { describe, expect, it } from 'vitest'
import { getSqlRunner } from '@/lib/db/client'
import { createTestTenant } from '@/test/scim-harness'
import { CLI_ACTOR } from './audit'
import { addCustomAttribute } from './custom-attributes'
import { deleteIdentityProvider, setScimEnabled } from './identity-providers'
import { authenticateFromCache, authenticateScimRequest, invalidateScimAccessCache, ScimAuthError } from './scim-access'
import { revokeToken, rotateToken } from './tokens'

/** The error a rejected SCIM request gets, as status and detail. */
async function rejection(providerId: string, token: string) {
  const error = await authenticateScimRequest(providerId, `Bearer ${token}`).then(
    () => null,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(ScimAuthError)
  return { status: (error as ScimAuthError).status, detail: (error as ScimAuthError).message }
}

describe('the SCIM access cache', () => {
  it('keeps an accepted token for a moment, so a change made behind the services is only seen once it is cleared', async () => {
    const tenant = await createTestTenant()
    // One instant for every check, so the cache's two seconds cannot run out on a slow machine.
    const now = new Date()
    await expect(authenticateScimRequest(tenant.providerId, `Bearer ${tenant.token}`, now)).resolves.toMatchObject({
      tokenId: tenant.tokenId,
    })
    // Revoked in the database directly, as another instance would: this process still has it cached.
    await getSqlRunner()(`UPDATE "ScimToken" SET "revokedAt" = now() WHERE "id" = $1::uuid`, [tenant.tokenId])
    await expect(authenticateScimRequest(tenant.providerId, `Bearer ${tenant.token}`, now)).resolves.toMatchObject({
      tokenId: tenant.tokenId,
    })
    expect(authenticateFromCache(tenant.providerId, `Bearer ${tenant.token}`, now)).toMatchObject({ tokenId: tenant.tokenId })
    invalidateScimAccessCache()
    expect(authenticateFromCache(tenant.providerId, `Bearer ${tenant.token}`, now)).toBeUndefined()
    expect(await rejection(tenant.providerId, tenant.token)).toMatchObject({
      status: 401,
      detail: expect.stringMatching(/revoked/),
    })
  })

  it('stops accepting a token revoked through the portal at once, also from the cache', async () => {
    const tenant = await createTestTenant()
    await authenticateScimRequest(tenant.providerId, `Bearer ${tenant.token}`)
    expect(authenticateFromCache(tenant.providerId, `Bearer ${tenant.token}`)).toBeDefined()
    await revokeToken(CLI_ACTOR, tenant.tokenId)
    expect(authenticateFromCache(tenant.providerId, `Bearer ${tenant.token}`)).toBeUndefined()
    expect(await rejection(tenant.providerId, tenant.token)).toEqual({
      status: 401,
      detail: 'The bearer token has been revoked. Ask your administrator for a new token.',
    })
  })

  it('refuses an IdP whose SCIM was disabled at once, and accepts it again once enabled', async () => {
    const tenant = await createTestTenant()
    await authenticateScimRequest(tenant.providerId, `Bearer ${tenant.token}`)
    await setScimEnabled(CLI_ACTOR, tenant.providerId, false)
    expect(authenticateFromCache(tenant.providerId, `Bearer ${tenant.token}`)).toBeUndefined()
    expect(await rejection(tenant.providerId, tenant.token)).toEqual({
      status: 403,
      detail: 'SCIM provisioning is disabled for this identity provider.',
    })
    await setScimEnabled(CLI_ACTOR, tenant.providerId, true)
    await expect(authenticateScimRequest(tenant.providerId, `Bearer ${tenant.token}`)).resolves.toMatchObject({
      tokenId: tenant.tokenId,
    })
  })

  it('forgets a deleted IdP at once', async () => {
    const tenant = await createTestTenant()
    await authenticateScimRequest(tenant.providerId, `Bearer ${tenant.token}`)
    await deleteIdentityProvider(CLI_ACTOR, tenant.providerId)
    expect(authenticateFromCache(tenant.providerId, `Bearer ${tenant.token}`)).toBeUndefined()
    expect((await rejection(tenant.providerId, tenant.token)).status).toBe(404)
  })

  it('serves a newly registered custom attribute in the schema of the very next request', async () => {
    const tenant = await createTestTenant()
    const before = await authenticateScimRequest(tenant.providerId, `Bearer ${tenant.token}`)
    const customNames = (tenant: {
      schema: { extensionUrn: string; schemas: readonly { id: string; attributes: readonly { name: string }[] }[] }
    }) =>
      tenant.schema.schemas
        .find((schema) => schema.id === tenant.schema.extensionUrn)!
        .attributes.map((attribute) => attribute.name)
    expect(customNames(before)).toEqual([])
    await addCustomAttribute(CLI_ACTOR, { providerId: tenant.providerId, name: 'CostCenter', type: 'string' })
    const after = await authenticateScimRequest(tenant.providerId, `Bearer ${tenant.token}`)
    expect(customNames(after)).toEqual(['CostCenter'])
  })

  it('keeps the rotated token working through its overlap, and the new one works at once', async () => {
    const tenant = await createTestTenant()
    await authenticateScimRequest(tenant.providerId, `Bearer ${tenant.token}`)
    const { secret, token } = await rotateToken(CLI_ACTOR, { tokenId: tenant.tokenId, overlapDays: 1 })
    await expect(authenticateScimRequest(tenant.providerId, `Bearer ${secret}`)).resolves.toMatchObject({ tokenId: token.id })
    await expect(authenticateScimRequest(tenant.providerId, `Bearer ${tenant.token}`)).resolves.toMatchObject({
      tokenId: tenant.tokenId,
    })
    // After the overlap the old one has expired.
    const afterOverlap = new Date(Date.now() + 24 * 3_600_000 + 60_000)
    await expect(authenticateScimRequest(tenant.providerId, `Bearer ${tenant.token}`, afterOverlap)).rejects.toThrow(/expired/)
  })
})
