import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { claimJob, releaseJob } from '../db/background-jobs'
import { databaseReady, getSqlRunner } from '../db/client'
import { insertUserEvents } from '../db/events'
import { insertProvider } from '../db/identity-providers'
import { insertProvisioningRequests, type ProvisioningRequestInsert } from '../db/provisioning-requests'
import { insertDeliveries, insertWebhookEndpoint, markDeliveriesSucceeded } from '../db/webhooks'
import { logRecord } from '@/test/fixtures/log-record'
import { retentionPolicy, runRetention } from './retention'

const DAY = 24 * 60 * 60 * 1000
let providerId: string
const sql = (text: string, values: unknown[] = []) => getSqlRunner()(text, values)

beforeAll(async () => {
  await databaseReady()
  providerId = (await insertProvider({ name: 'Retention IdP', kind: 'entra' })).id
})

function record(daysAgo: number, marker: string): ProvisioningRequestInsert {
  return logRecord({
    createdAt: new Date(Date.now() - daysAgo * DAY),
    providerId,
    method: 'POST',
    path: `/scim/v2/${marker}`,
    status: 201,
    operation: 'create',
    userName: marker,
    requestBody: `{"userName":"${marker}"}`,
    responseBody: '{"id":"x"}',
  })
}

async function recordsOf(marker: string) {
  const { rows } = await sql(
    `SELECT "requestBody", "responseBody", "createdAt" FROM "ProvisioningRequest" WHERE "userName" = $1 ORDER BY "createdAt"`,
    [marker],
  )
  return rows as { requestBody: string | null; responseBody: string | null }[]
}

describe('retention', () => {
  it('reads its policy from the environment: 30 days of bodies, 180 of records, 30 of events by default', () => {
    expect(retentionPolicy()).toEqual({ bodyDays: 30, recordDays: 180, eventDays: 30 })
  })

  it('clears bodies past their days, deletes records past theirs, keeps the rest, in small batches', async () => {
    const marker = `ret-${randomUUID()}`
    await insertProvisioningRequests([
      ...Array.from({ length: 7 }, () => record(400, `${marker}-old`)),
      ...Array.from({ length: 9 }, (_, i) => record(100 + i / 10, `${marker}-aged`)),
      ...Array.from({ length: 3 }, () => record(2, `${marker}-fresh`)),
    ])
    const result = await runRetention({ batch: 2, pauseMs: 0 })
    expect(result.ran).toBe(true)
    expect(await recordsOf(`${marker}-old`)).toEqual([])
    const aged = await recordsOf(`${marker}-aged`)
    expect(aged).toHaveLength(9)
    expect(aged.every((row) => row.requestBody === null && row.responseBody === null)).toBe(true)
    const fresh = await recordsOf(`${marker}-fresh`)
    expect(fresh.map((row) => row.requestBody)).toEqual(Array(3).fill(`{"userName":"${marker}-fresh"}`))
    if (result.ran) {
      expect(result.recordsDeleted).toBeGreaterThanOrEqual(7)
      expect(result.bodiesCleared).toBeGreaterThanOrEqual(9)
    }
  })

  it('goes on from where it stopped: records already visited are not visited again', async () => {
    const marker = `ret-${randomUUID()}`
    await runRetention({ pauseMs: 0 })
    await insertProvisioningRequests([record(60, `${marker}-later`)])
    const result = await runRetention({ pauseMs: 0 })
    expect(result).toMatchObject({ ran: true, bodiesCleared: 1 })
    expect((await recordsOf(`${marker}-later`))[0]?.requestBody).toBeNull()
  })

  it('deletes events past their days and keeps newer ones', async () => {
    const old = { id: `evt_${randomUUID().replaceAll('-', '')}`, createdAt: new Date(Date.now() - 31 * DAY) }
    const recent = { id: `evt_${randomUUID().replaceAll('-', '')}`, createdAt: new Date(Date.now() - 29 * DAY) }
    await insertUserEvents(
      [old, recent].map((event) => ({
        ...event,
        type: 'user.updated',
        providerId,
        userId: randomUUID(),
        payload: { id: event.id },
      })),
    )
    await runRetention({ pauseMs: 0 })
    const { rows } = await sql(`SELECT "id" FROM "UserEvent" WHERE "id" = ANY($1::text[])`, [[old.id, recent.id]])
    expect(rows.map((row) => row.id)).toEqual([recent.id])
  })

  it('deletes finished webhook deliveries past WEBHOOK_DELIVERY_RETENTION_DAYS and keeps open or newer ones', async () => {
    const at = new Date(Date.now() - 40 * DAY)
    const endpoint = await insertWebhookEndpoint({
      id: randomUUID(),
      url: 'https://hooks.example.test/retention',
      description: '',
      providerId: null,
      eventTypes: [],
      secret: 'v1.sealed',
      previousSecret: null,
      previousSecretExpiresAt: null,
      enabled: false,
      disabledAt: null,
      disabledReason: null,
      failingSince: null,
      createdBy: 'retention-test',
      createdAt: at,
      updatedAt: at,
    })
    const delivery = (daysAgo: number) => ({
      id: randomUUID(),
      endpointId: endpoint.id,
      eventId: `evt_${randomUUID().replaceAll('-', '')}`,
      eventType: 'user.updated',
      payload: '{}',
      createdAt: new Date(Date.now() - daysAgo * DAY),
    })
    const [oldDone, oldOpen, recentDone] = [delivery(31), delivery(31), delivery(29)]
    await insertDeliveries([oldDone, oldOpen, recentDone])
    await markDeliveriesSucceeded([oldDone, recentDone].map(({ id }) => ({ id, at: new Date(), statusCode: 204 })))
    const result = await runRetention({ pauseMs: 0 })
    const { rows } = await sql(`SELECT "id" FROM "WebhookDelivery" WHERE "endpointId" = $1::uuid ORDER BY "id"`, [endpoint.id])
    expect(rows.map((row) => row.id).sort()).toEqual([oldOpen.id, recentDone.id].sort())
    if (result.ran) expect(result.deliveriesDeleted).toBeGreaterThanOrEqual(1)
  })

  it('runs on one instance at a time: a held lease makes another instance skip, an expired one is taken over', async () => {
    const marker = `ret-${randomUUID()}`
    await insertProvisioningRequests([record(400, marker)])
    expect(await claimJob('retention', 'other-instance', 60_000)).not.toBeNull()
    expect(await runRetention({ pauseMs: 0, holder: 'this-instance' })).toEqual({ ran: false })
    expect(await recordsOf(marker)).toHaveLength(1)
    // The other instance died: once its lease ran out, this one takes over.
    const later = new Date(Date.now() + 61_000)
    expect(await runRetention({ pauseMs: 0, holder: 'this-instance', now: later })).toMatchObject({ ran: true })
    expect(await recordsOf(marker)).toEqual([])
    await releaseJob('retention', 'other-instance')
  })
})
