import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { getDb } from '@/lib/db/client'
import { flushRequestLog } from '@/lib/services/request-log'
import { createTestTenant, sendScim, type TestTenant } from './scim-harness'

// Small limits, read once by the funnel: this file's own module registry sees them.
vi.hoisted(() => {
  process.env.SCIM_RATE_LIMIT = '1'
  process.env.SCIM_RATE_BURST = '5'
  process.env.SCIM_FAILURE_RATE_LIMIT = '1'
  process.env.SCIM_FAILURE_RATE_BURST = '3'
})

let tenant: TestTenant
beforeAll(async () => {
  tenant = await createTestTenant()
})
afterAll(async () => {
  await flushRequestLog()
})

function expect429(reply: { status: number; headers: Headers; body: any }) {
  expect(reply.status).toBe(429)
  expect(reply.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error'])
  expect(Number(reply.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
}

describe('per-token rate limit', () => {
  it('serves the burst, then answers 429 with Retry-After, and logs it', async () => {
    const replies = []
    for (let i = 0; i < 7; i++) replies.push(await tenant.request('GET', '/Users?count=1'))
    expect(replies.slice(0, 5).map((reply) => reply.status)).toEqual([200, 200, 200, 200, 200])
    expect429(replies[6]!)
    expect(replies[6]!.body.detail).toMatch(/requests a second/)
    await flushRequestLog()
    const limited = await getDb().provisioningRequest.findMany({ where: { providerId: tenant.providerId, status: 429 } })
    expect(limited.length).toBeGreaterThanOrEqual(1)
  })

  it('limits each token on its own', async () => {
    const other = await createTestTenant()
    expect((await other.request('GET', '/Users?count=1')).status).toBe(200)
  })
})

describe('per-address failure limit', () => {
  it('refuses an address that keeps failing, without a database lookup, and keeps others served', async () => {
    const fresh = await createTestTenant()
    const flood = (token: string) => sendScim('GET', `${fresh.tenantUrl}/Users`, { token, clientAddress: '198.51.100.20' })
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) statuses.push((await flood(`ttscim_wrong${i}`)).status)
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401])
    expect(statuses.slice(3)).toEqual([429, 429])
    expect429(await flood('ttscim_wrong'))
    // Unknown tenants count the same way.
    expect429(
      await sendScim('GET', 'http://scim.test/scim/v2/enterprise-idps/00000000-0000-4000-8000-000000000000/Users', {
        clientAddress: '198.51.100.20',
      }),
    )
    // Another address is not affected.
    expect(
      (await sendScim('GET', `${fresh.tenantUrl}/Users?count=1`, { token: fresh.token, clientAddress: '198.51.100.21' })).status,
    ).toBe(200)
    // A token this instance accepted a moment ago still works from the failing address.
    expect(
      (await sendScim('GET', `${fresh.tenantUrl}/Users?count=1`, { token: fresh.token, clientAddress: '198.51.100.20' })).status,
    ).toBe(200)
  })
})
