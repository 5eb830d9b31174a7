import { beforeAll, describe, expect, it } from 'vitest'
import { databaseReady } from '../db/client'
import { insertProvider } from '../db/identity-providers'
import { insertProvisioningRequests, type ProvisioningRequestInsert } from '../db/provisioning-requests'
import { logRecord } from '@/test/fixtures/log-record'
import { failureRatios, quarantineWarnings } from './quarantine-warning'

beforeAll(async () => {
  await databaseReady()
})

const MINUTE = 60_000

function request(providerId: string, minutesAgo: number, status: number, extra: Partial<ProvisioningRequestInsert> = {}) {
  return logRecord({
    createdAt: new Date(Date.now() - minutesAgo * MINUTE),
    providerId,
    method: 'POST',
    status,
    operation: status >= 400 ? 'error' : 'create',
    ...extra,
  })
}

async function providerWith(requests: (providerId: string) => ProvisioningRequestInsert[]) {
  const provider = await insertProvider({ name: `Quarantine ${Math.random().toString(36).slice(2, 8)}`, kind: 'entra' })
  await insertProvisioningRequests(requests(provider.id))
  return provider.id
}

const times = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i))

describe('quarantine early warning', () => {
  it('warns when a fifth of the last 40 minutes failed and at least ten did, naming the commonest causes first', async () => {
    const providerId = await providerWith((id) => [
      ...times(28, (i) => request(id, i % 39, 201)),
      ...times(8, (i) => request(id, i, 400, { scimType: 'invalidValue', errorDetail: 'emails[0].value is not a string' })),
      ...times(3, (i) => request(id, i, 409, { scimType: 'uniqueness', errorDetail: 'A user with userName x already exists' })),
      request(id, 5, 401, { errorDetail: 'The bearer token is not valid for this identity provider.', repeatCount: 2 }),
      // Outside the window: not counted.
      ...times(50, (i) => request(id, 41 + i, 500)),
    ])
    const [warning] = await quarantineWarnings(new Date(), providerId)
    expect(warning).toMatchObject({ providerId, total: 41, failures: 13, windowMinutes: 40 })
    expect(warning?.ratio).toBeCloseTo(13 / 41)
    expect(warning?.causes).toEqual([
      { status: 400, scimType: 'invalidValue', detail: 'emails[0].value is not a string', count: 8 },
      { status: 409, scimType: 'uniqueness', detail: 'A user with userName x already exists', count: 3 },
      { status: 401, scimType: null, detail: 'The bearer token is not valid for this identity provider.', count: 2 },
    ])
    expect((await quarantineWarnings()).some((w) => w.providerId === providerId)).toBe(true)
  })

  it('stays quiet below ten failures, or below a fifth of the requests', async () => {
    const fewFailures = await providerWith((id) => [...times(9, () => request(id, 1, 500)), request(id, 1, 201)])
    const lowRatio = await providerWith((id) => [
      ...times(15, () => request(id, 1, 500)),
      ...times(90, () => request(id, 2, 200)),
    ])
    expect(await quarantineWarnings(new Date(), fewFailures)).toEqual([])
    expect(await quarantineWarnings(new Date(), lowRatio)).toEqual([])
    const ratios = new Map((await failureRatios()).map((row) => [row.providerId, row]))
    expect(ratios.get(fewFailures)).toMatchObject({ failures: 9, total: 10, atRisk: false })
    expect(ratios.get(lowRatio)).toMatchObject({ failures: 15, total: 105, atRisk: false })
  })
})
