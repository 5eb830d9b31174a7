import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { databaseKind, databaseReady, getSqlRunner, withTransaction } from '@/lib/db/client'
import { eventsSettled, findEventsAfter, findNewestEventAfter } from '@/lib/db/events'
import { insertProvider } from '@/lib/db/identity-providers'
import { insertUser } from '@/lib/db/users'
import { CLI_ACTOR } from '@/lib/services/audit'
import { recordUserEvent } from '@/lib/services/events'
import { createWebhookWorker, type WebhookWorker } from '@/lib/services/webhook-worker'
import { createWebhook } from '@/lib/services/webhooks'
import { startReceiver, type TestReceiver } from './support/webhook-receiver'

/**
 * The fan-out of a server with no webhook endpoint: it passes over events without reading them, and an
 * endpoint registered afterwards receives the events that follow it, none from before.
 */

process.env.WEBHOOK_ALLOW_PRIVATE = 'true'
process.env.NEXTAUTH_SECRET ??= 'webhook-tests-shared-secret-0123456789'

let receiver: TestReceiver | undefined
const workers: WebhookWorker[] = []

beforeAll(async () => {
  await databaseReady()
})

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()))
  await receiver?.close()
})

async function query<T>(text: string, ...values: unknown[]): Promise<T[]> {
  return (await getSqlRunner()(text, values)).rows as T[]
}

async function recordEvents(providerId: string, userName: string, count: number) {
  const user = await insertUser(providerId, {
    resource: { userName, active: true },
    customAttributes: {},
    source: 'scim',
    scimManaged: true,
  })
  for (let index = 0; index < count; index++) {
    await withTransaction(() => recordUserEvent('user.updated', user, [{ attribute: 'title', old: null, new: `t${index}` }]))
  }
  return user
}

describe('the webhook fan-out without endpoints', { timeout: 90_000 }, () => {
  it('finds the newest committed event after a position and counts those in between', async () => {
    const provider = await insertProvider({ name: 'Idle fan-out IdP A', kind: 'entra' })
    await eventsSettled()
    const [start] = await findEventsAfter({ after: null, limit: 1_000_000 }).then((events) => events.slice(-1))
    const from = start ? { txid: start.txid, seq: start.seq } : { txid: 0n, seq: 0n }
    await recordEvents(provider.id, 'newest@example.com', 3)
    await eventsSettled()
    const newest = await findNewestEventAfter(from, 1_000_000)
    const after = await findEventsAfter({ after: from, limit: 1_000_000 })
    // Other files may write events on a shared PostgreSQL server between the two reads: at least ours are there.
    expect(newest?.count).toBeGreaterThanOrEqual(3)
    expect(after.filter((event) => event.providerId === provider.id)).toHaveLength(3)
    if (databaseKind() === 'pglite') {
      expect(newest).toEqual({ position: { txid: after.at(-1)!.txid, seq: after.at(-1)!.seq }, count: after.length })
    }
    const last = after.at(-1)!
    expect(await findNewestEventAfter({ txid: last.txid, seq: last.seq }, 10)).toBeUndefined()
    // The count stops at its cap; the position is still the newest.
    expect((await findNewestEventAfter(from, 2))?.count).toBe(2)
  })

  it('moves past events while nobody listens, then delivers only what follows a new endpoint', async () => {
    const provider = await insertProvider({ name: 'Idle fan-out IdP B', kind: 'entra' })
    await recordEvents(provider.id, 'before@example.com', 4)
    await eventsSettled()
    const worker = createWebhookWorker({ allowPrivate: true, timeoutMs: 2000 }, { loop: false })
    workers.push(worker)
    const endpointsBefore = await query<{ n: number }>(`SELECT count(*)::int AS n FROM "WebhookEndpoint"`)
    const first = await worker.step()
    expect(first.fannedOut).toBeGreaterThanOrEqual(4)
    if (endpointsBefore[0]?.n === 0) {
      // Nothing to deliver to: no delivery rows, and the cursor is at the newest event.
      expect(await query(`SELECT 1 FROM "WebhookDelivery"`)).toEqual([])
      const [cursor] = await query<{ txid: string; seq: string }>(
        `SELECT "txid"::text, "seq"::text FROM "WebhookFanoutCursor" WHERE "id" = 1`,
      )
      const [newest] = await query<{ txid: string; seq: string }>(
        `SELECT "txid"::text, "seq"::text FROM "UserEvent" ORDER BY "txid" DESC, "seq" DESC LIMIT 1`,
      )
      expect(cursor).toEqual(newest)
    }

    receiver = await startReceiver()
    const { secret } = await createWebhook(CLI_ACTOR, { url: receiver.url, providerId: provider.id, eventTypes: [] })
    receiver.secrets.push(secret)
    const later = await recordEvents(provider.id, 'after@example.com', 2)
    const deadline = Date.now() + 45_000
    while (receiver.receipts.length < 2 && Date.now() < deadline) {
      const { fannedOut, attempts } = await worker.step()
      if (fannedOut === 0 && attempts === 0) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(receiver.receipts.map((receipt) => (receipt.event.data.user as { id: string }).id)).toEqual([later.id, later.id])
    expect(receiver.receipts.every((receipt) => receipt.verified)).toBe(true)
  })
})
