import { beforeAll, describe, expect, it } from 'vitest'
import {
  countFailuresSince,
  countRequestsByBucket,
  insertProvisioningRequests,
  type ProvisioningRequestInsert,
} from '@/lib/db/provisioning-requests'
import { logRecord } from './fixtures/log-record'
import { createTestTenant, type TestTenant } from './scim-harness'

/** A folded flood row counts as the requests it stands for wherever the portal counts failures. */
let tenant: TestTenant
beforeAll(async () => {
  tenant = await createTestTenant()
})

function row(status: number, repeatCount: number, createdAt: Date): ProvisioningRequestInsert {
  return logRecord({
    createdAt,
    providerId: tenant.providerId,
    path: '/scim/v2/x/Users',
    status,
    operation: status === 401 ? 'auth_failure' : 'list',
    clientIp: '198.51.100.9',
    repeatCount,
  })
}

describe('failure counts with folded floods', () => {
  it('sums repeatCount instead of counting rows', async () => {
    const now = new Date()
    await insertProvisioningRequests([row(401, 1, now), row(401, 250, now), row(200, 1, now)])
    const since = new Date(now.getTime() - 60_000)
    expect(await countFailuresSince(tenant.providerId, since)).toBe(251)
    const buckets = await countRequestsByBucket(tenant.providerId, since, 3_600_000)
    expect(buckets.reduce((sum, bucket) => sum + bucket.total, 0)).toBe(252)
    expect(buckets.reduce((sum, bucket) => sum + bucket.failures, 0)).toBe(251)
  })
})
