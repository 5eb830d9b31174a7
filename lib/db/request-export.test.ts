import { beforeAll, describe, expect, it } from 'vitest'
import { databaseReady } from './client'
import { insertProvider } from './identity-providers'
import { logRecord } from '@/test/fixtures/log-record'
import { insertProvisioningRequests, streamRequests, type ProvisioningRequestInsert } from './provisioning-requests'

/** Exports read the log in batches sized by their bodies, so large records never pile up in memory. */

let providerId: string

beforeAll(async () => {
  await databaseReady()
  providerId = (await insertProvider({ name: 'Export batches IdP', kind: 'entra' })).id
})

function record(index: number, bodyChars: number): ProvisioningRequestInsert {
  return logRecord({
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, index)),
    providerId,
    responseBody: `${index}:`.padEnd(bodyChars, 'x'),
  })
}

describe('streamRequests', () => {
  it('stops each batch before its bodies pass four million bytes, and loses or repeats no record', async () => {
    for (let start = 0; start < 150; start += 25) {
      await insertProvisioningRequests(Array.from({ length: 25 }, (_, offset) => record(start + offset, 100_000)))
    }
    const sizes: number[] = []
    const seen: string[] = []
    for await (const batch of streamRequests({ providerId }, 1000, 60)) {
      sizes.push(batch.length)
      seen.push(...batch.map((row) => row.responseBody!.split(':', 1)[0]!))
    }
    // 100,000 bytes a record: 40 fit in four million, though 60 were asked for.
    expect(sizes).toEqual([40, 40, 40, 30])
    expect(seen).toEqual(Array.from({ length: 150 }, (_, index) => String(149 - index)))
    // A record larger than the budget comes alone.
    const single: number[] = []
    for await (const batch of streamRequests({ providerId }, 5, 60, 50_000)) single.push(batch.length)
    expect(single).toEqual([1, 1, 1, 1, 1])
  })

  it('keeps whole batches of small records, and stops at the limit', async () => {
    const other = (await insertProvider({ name: 'Export small IdP', kind: 'entra' })).id
    await insertProvisioningRequests(Array.from({ length: 30 }, (_, index) => ({ ...record(index, 10), providerId: other })))
    const sizes: number[] = []
    for await (const batch of streamRequests({ providerId: other }, 25, 10)) sizes.push(batch.length)
    expect(sizes).toEqual([10, 10, 5])
  })
})
