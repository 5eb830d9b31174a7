import { describe, expect, it } from 'vitest'
import { callApi, createTestApiKey } from './directory-harness'

// Low limits for this file only (env is read on first use): the numbers below do not depend on timing.
Object.assign(process.env, {
  DIRECTORY_SETTLE_MS: '0',
  DIRECTORY_RATE_LIMIT: '1',
  DIRECTORY_RATE_BURST: '10',
  SCIM_FAILURE_RATE_LIMIT: '0.1',
  SCIM_FAILURE_RATE_BURST: '5',
})

describe('directory API rate limits', () => {
  it('limits requests per key, then answers 429 with Retry-After; other keys are unaffected', async () => {
    const { key } = await createTestApiKey(['directory:read'])
    const started = Date.now()
    const statuses: number[] = []
    let limited: Awaited<ReturnType<typeof callApi>> | undefined
    for (let n = 0; n < 40; n++) {
      const reply = await callApi('GET', '/users?limit=1', { key })
      statuses.push(reply.status)
      if (reply.status === 429) limited ??= reply
    }
    const seconds = (Date.now() - started) / 1000
    const ok = statuses.filter((status) => status === 200).length
    expect(ok).toBeGreaterThanOrEqual(10)
    expect(ok).toBeLessThanOrEqual(10 + Math.ceil(seconds) + 1)
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true)
    expect(limited?.headers.get('content-type')).toBe('application/problem+json')
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    const other = await createTestApiKey(['directory:read'])
    expect((await callApi('GET', '/users?limit=1', { key: other.key })).status).toBe(200)
  })

  it('stops wrong keys from an address after a few failures, still serving a key it accepted a moment ago', async () => {
    const good = await createTestApiKey(['directory:read'])
    const clientAddress = '203.0.113.9'
    expect((await callApi('GET', '/users?limit=1', { key: good.key, clientAddress })).status).toBe(200)
    const statuses: number[] = []
    for (let n = 0; n < 12; n++)
      statuses.push((await callApi('GET', '/users', { key: `ttapi_${'x'.repeat(43)}`, clientAddress })).status)
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(statuses.slice(6).every((status) => status === 429)).toBe(true)
    expect((await callApi('GET', '/users?limit=1', { key: good.key, clientAddress })).status).toBe(200)
    const fresh = await createTestApiKey(['directory:read'])
    expect((await callApi('GET', '/users?limit=1', { key: fresh.key, clientAddress })).status).toBe(429)
    expect((await callApi('GET', '/users?limit=1', { key: fresh.key, clientAddress: '203.0.113.10' })).status).toBe(200)
  })
})
