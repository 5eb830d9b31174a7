/**
 * Webhook delivery throughput: records user events at a steady rate (default 1,000/s for 10 s) while the
 * worker fans them out and delivers them, signed, to a local receiver; prints events/s recorded and
 * delivered, and how long delivery lagged behind; then records the same number again with no worker running
 * and prints how fast a fresh worker drains that backlog (the delivery capacity, whatever the recording rate
 * reached). PGlite in memory by default, PostgreSQL with DATABASE_URL.
 *
 *   npx tsx --import ./scripts/register-server-only.mjs scripts/bench-webhooks.ts [--rate 1000] [--seconds 10] [--endpoints 1]
 */
import http from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'
import { Webhook } from 'standardwebhooks'

process.env.DATA_DIR ??= 'memory://'
process.env.WEBHOOK_ALLOW_PRIVATE = 'true'

const { values } = parseArgs({
  options: { rate: { type: 'string' }, seconds: { type: 'string' }, endpoints: { type: 'string' } },
})
const rate = Number(values.rate ?? 1000)
const seconds = Number(values.seconds ?? 10)
const endpointCount = Number(values.endpoints ?? 1)

const [
  { closeDatabase, databaseKind, databaseReady, withTransaction },
  { insertProvider },
  { insertUser },
  { CLI_ACTOR },
  { recordUserEvent },
  { createWebhookWorker },
  { createWebhook },
] = await Promise.all([
  import('../lib/db/client'),
  import('../lib/db/identity-providers'),
  import('../lib/db/users'),
  import('../lib/services/audit'),
  import('../lib/services/events'),
  import('../lib/services/webhook-worker'),
  import('../lib/services/webhooks'),
])

await databaseReady()
const provider = await insertProvider({ name: `Bench ${Date.now()}`, kind: 'entra' })
const user = await insertUser(provider.id, {
  resource: { userName: `bench-${Date.now()}@example.com`, active: true, displayName: 'Bench User' },
  customAttributes: {},
  source: 'scim',
  scimManaged: true,
})

let received = 0
let verifiedSample = 0
let firstReceivedAt = 0
let lastReceivedAt = 0
let secrets: string[] = []
const server = http.createServer((request, response) => {
  const chunks: Buffer[] = []
  request.on('data', (chunk: Buffer) => chunks.push(chunk))
  request.on('end', () => {
    received++
    lastReceivedAt = performance.now()
    firstReceivedAt ||= lastReceivedAt
    // Verify one in a hundred, as a receiver would verify all (the signature check costs the receiver, not us).
    if (received % 100 === 1) {
      const headers = Object.fromEntries(
        ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(request.headers[name])]),
      )
      if (
        secrets.some((secret) => {
          try {
            new Webhook(secret).verify(Buffer.concat(chunks).toString(), headers)
            return true
          } catch {
            return false
          }
        })
      )
        verifiedSample++
    }
    response.writeHead(204).end()
  })
})
server.keepAliveTimeout = 30_000
server.listen(0, '127.0.0.1')
await once(server, 'listening')
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`
for (let index = 0; index < endpointCount; index++) {
  const { secret } = await createWebhook(CLI_ACTOR, { url: `${url}/${index}`, providerId: provider.id })
  secrets = [...secrets, secret]
}

const worker = createWebhookWorker({ allowPrivate: true, pollIntervalMs: 20 })
const total = rate * seconds
const tickMs = 50
const perTick = Math.max(1, Math.round((rate * tickMs) / 1000))
const started = performance.now()
let recorded = 0
while (recorded < total) {
  const count = Math.min(perTick, total - recorded)
  // As SCIM requests would: several transactions at once, each recording its events.
  const writers = 8
  await Promise.all(
    Array.from({ length: writers }, (_, writer) =>
      withTransaction(async () => {
        for (let index = writer; index < count; index += writers) {
          await recordUserEvent('user.updated', user, [
            { attribute: 'title', old: `t${recorded + index}`, new: `t${recorded + index + 1}` },
          ])
        }
      }),
    ),
  )
  recorded += count
  const due = started + (recorded / rate) * 1000
  const wait = due - performance.now()
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
}
const recordedAt = performance.now()
const expected = total * endpointCount
const deadline = recordedAt + 120_000
while (received < expected && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
const doneAt = performance.now()
const deliverSeconds = (lastReceivedAt - started) / 1000
await worker.stop()

// Phase 2, delivery capacity: a backlog recorded while no worker runs, then drained by a fresh worker.
const backlogStart = received
for (let start = 0; start < total; start += 500) {
  await withTransaction(async () => {
    for (let index = start; index < Math.min(total, start + 500); index++) {
      await recordUserEvent('user.updated', user, [{ attribute: 'title', old: `b${index}`, new: `b${index + 1}` }])
    }
  })
}
const drainStarted = performance.now()
const drainer = createWebhookWorker({ allowPrivate: true, pollIntervalMs: 20 })
while (received < backlogStart + expected && performance.now() < drainStarted + 120_000)
  await new Promise((resolve) => setTimeout(resolve, 5))
const drainSeconds = (performance.now() - drainStarted) / 1000
await drainer.stop()
server.close()

const recordSeconds = (recordedAt - started) / 1000
console.log(
  JSON.stringify(
    {
      database: databaseKind(),
      endpoints: endpointCount,
      eventsRecorded: total,
      recordedPerSecond: Math.round(total / recordSeconds),
      deliveriesExpected: expected,
      deliveriesReceived: backlogStart,
      deliveredPerSecond: Math.round(backlogStart / deliverSeconds),
      lagAfterLastEventMs: Math.round(doneAt - recordedAt),
      backlogDeliveries: received - backlogStart,
      backlogDrainedPerSecond: Math.round((received - backlogStart) / drainSeconds),
      signaturesVerifiedInSample: verifiedSample,
    },
    null,
    2,
  ),
)
await closeDatabase()
process.exit(received === 2 * expected ? 0 : 1)
