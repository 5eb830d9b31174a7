import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Webhook } from 'standardwebhooks'
import { databaseKind, databaseReady, getSqlRunner, withTransaction } from '@/lib/db/client'
import { insertProvider } from '@/lib/db/identity-providers'
import { insertUser, type UserRow } from '@/lib/db/users'
import {
  createOutboundAgents,
  OutboundUrlError,
  parseOutboundUrl,
  refusedAddressReason,
  validateOutboundUrl,
} from '@/lib/outbound-url'
import { CLI_ACTOR } from '@/lib/services/audit'
import { recordUserEvent, type UserEventType } from '@/lib/services/events'
import {
  createWebhookWorker,
  retryDelayMs,
  sendDelivery,
  type WebhookWorker,
  type WebhookWorkerSettings,
} from '@/lib/services/webhook-worker'
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDisabledWebhooks,
  listWebhookDeliveries,
  listWebhooks,
  resendDeliveries,
  resendDelivery,
  rotateWebhookSecret,
  sendTestEvent,
  setWebhookEnabled,
} from '@/lib/services/webhooks'
import { startReceiver, type TestReceiver } from './support/webhook-receiver'

// Webhooks end to end against a receiver on 127.0.0.1, so private addresses are allowed for this file.
process.env.WEBHOOK_ALLOW_PRIVATE = 'true'
// Instances share the server secret (it seals the signing secrets): the worker process below gets this one too.
process.env.NEXTAUTH_SECRET ??= 'webhook-tests-shared-secret-0123456789'

const HOUR = 3_600_000
const receivers: TestReceiver[] = []
const workers: WebhookWorker[] = []

beforeAll(async () => {
  await databaseReady()
})

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()))
  await Promise.all(receivers.map((receiver) => receiver.close()))
})

/** Reads the tables straight, as an attacker with a database dump would. */
async function query<T>(text: string, ...values: unknown[]): Promise<T[]> {
  return (await getSqlRunner()(text, values)).rows as T[]
}

/** A fake clock for schedules: starts now, moves only when the test says so. */
function testClock() {
  let at = Date.now()
  return { now: () => new Date(at), advance: (ms: number) => (at += ms) }
}

function stepWorker(settings: Partial<WebhookWorkerSettings> = {}): WebhookWorker {
  const worker = createWebhookWorker(
    { allowPrivate: true, retryBaseMs: 10, retryMaxMs: 50, timeoutMs: 2000, ...settings },
    { loop: false },
  )
  workers.push(worker)
  return worker
}

async function setUp(options: { eventTypes?: UserEventType[] } = {}) {
  const provider = await insertProvider({ name: `Webhook IdP ${Math.random().toString(36).slice(2, 8)}`, kind: 'entra' })
  const receiver = await startReceiver()
  receivers.push(receiver)
  const { webhook, secret } = await createWebhook(CLI_ACTOR, {
    url: receiver.url,
    providerId: provider.id,
    eventTypes: options.eventTypes ?? [],
  })
  receiver.secrets.push(secret)
  const user = await insertUser(provider.id, {
    resource: { userName: `ada-${webhook.id}@example.com`, active: true, displayName: 'Ada' },
    customAttributes: {},
    source: 'scim',
    scimManaged: true,
  })
  return { providerId: provider.id, receiver, webhook, secret, user }
}

async function record(user: UserRow, type: UserEventType, attribute = 'displayName') {
  await withTransaction(() => recordUserEvent(type, user, [{ attribute, old: 'a', new: `b-${Math.random()}` }]))
}

/**
 * Steps the worker until `done` holds. Events become visible once every older transaction has ended, and on
 * a shared PostgreSQL server that includes other databases' transactions: hence a generous deadline.
 */
async function stepUntil(worker: WebhookWorker, done: () => boolean, clock?: { advance: (ms: number) => number }, tickMs = 1000) {
  const deadline = Date.now() + 45_000
  while (Date.now() < deadline && !done()) {
    const { fannedOut, attempts } = await worker.step()
    if (fannedOut === 0 && attempts === 0) {
      clock?.advance(tickMs)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }
  expect(done()).toBe(true)
}

describe('webhook delivery', { timeout: 90_000 }, () => {
  it('delivers every event of a lifecycle in order, each signed so the standardwebhooks library verifies it', async () => {
    const { receiver, user, webhook } = await setUp()
    const lifecycle: UserEventType[] = [
      'user.created',
      'user.updated',
      'user.deactivated',
      'user.reactivated',
      'user.updated',
      'user.deleted',
    ]
    for (const type of lifecycle) await record(user, type)
    const worker = stepWorker()
    await stepUntil(worker, () => receiver.receipts.length >= lifecycle.length)
    expect(receiver.receipts.map((receipt) => receipt.event.type)).toEqual(lifecycle)
    expect(receiver.receipts.every((receipt) => receipt.verified)).toBe(true)
    for (const receipt of receiver.receipts) {
      expect(receipt.id).toBe(receipt.event.id)
      expect(receipt.contentType).toBe('application/json')
      expect(receipt.signature).toMatch(/^v1,[A-Za-z0-9+/]+=*$/)
      expect((receipt.event.data.user as { id: string }).id).toBe(user.id)
    }
    // A wrong secret does not verify: the check above can fail.
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(receiver.receipts[0]!.body, {
        'webhook-id': receiver.receipts[0]!.id,
        'webhook-timestamp': receiver.receipts[0]!.timestamp,
        'webhook-signature': receiver.receipts[0]!.signature,
      }),
    ).toThrow()
    const { deliveries } = await listWebhookDeliveries(webhook.id)
    expect(deliveries.map((delivery) => delivery.status)).toEqual(lifecycle.map(() => 'succeeded'))
    expect(deliveries.every((delivery) => delivery.attemptLog.length === 1 && delivery.attemptLog[0]!.statusCode === 204)).toBe(
      true,
    )
    const [listed] = (await listWebhooks()).filter((item) => item.id === webhook.id)
    expect(listed).toMatchObject({ attempts24h: lifecycle.length, successRate24h: 1, lastStatusCode: 204 })
  })

  it('only sends what the endpoint subscribed to, and nothing of other identity providers', async () => {
    const { receiver, user } = await setUp({ eventTypes: ['user.deactivated'] })
    const other = await setUp()
    await record(user, 'user.created')
    await record(user, 'user.deactivated')
    await record(other.user, 'user.deactivated')
    const worker = stepWorker()
    await stepUntil(worker, () => receiver.receipts.length >= 1 && other.receiver.receipts.length >= 1)
    await worker.step()
    expect(receiver.receipts.map((receipt) => [receipt.event.type, receipt.event.providerId])).toEqual([
      ['user.deactivated', user.providerId],
    ])
    expect(other.receiver.receipts.map((receipt) => receipt.event.providerId)).toEqual([other.user.providerId])
  })

  it('a receiver that was down gets the missed events through retries, in order, and every attempt is in the history', async () => {
    const { receiver, user, webhook } = await setUp()
    const clock = testClock()
    const worker = stepWorker({ now: clock.now, retryBaseMs: 60_000, retryMaxMs: HOUR })
    receiver.mode = { kind: 'status', status: 503, body: 'maintenance' }
    await record(user, 'user.created')
    await record(user, 'user.updated')
    await record(user, 'user.deactivated')
    // Down: only the first delivery is tried (the others wait behind it), again and again as the clock moves on.
    await stepUntil(worker, () => receiver.requests.length >= 3, clock, 60_000)
    expect(new Set(receiver.requests).size).toBe(1)
    receiver.mode = { kind: 'drop' }
    await stepUntil(worker, () => receiver.requests.length >= 5, clock, 60_000)
    expect(receiver.receipts).toEqual([])
    receiver.mode = { kind: 'up' }
    await stepUntil(worker, () => receiver.receipts.length >= 3, clock, 60_000)
    expect(receiver.receipts.map((receipt) => receipt.event.type)).toEqual(['user.created', 'user.updated', 'user.deactivated'])
    expect(receiver.receipts.every((receipt) => receipt.verified)).toBe(true)
    const { deliveries } = await listWebhookDeliveries(webhook.id)
    const first = deliveries.at(-1)!
    expect(first.status).toBe('succeeded')
    expect(first.attemptLog.length).toBeGreaterThanOrEqual(6)
    expect(first.attemptLog[0]).toMatchObject({ statusCode: 503, responseExcerpt: 'maintenance', error: 'HTTP 503' })
    expect(first.attemptLog.some((attempt) => attempt.statusCode === null && attempt.error)).toBe(true)
    expect(first.attemptLog.at(-1)!.statusCode).toBe(204)
    const times = first.attemptLog.map((attempt) => attempt.at.getTime())
    // Exponential backoff: the gaps grow.
    expect(times[2]! - times[1]!).toBeGreaterThan(times[1]! - times[0]!)
  })

  it('retries with exponential backoff and jitter, capped', () => {
    const low = { retryBaseMs: 1000, retryMaxMs: 60_000, random: () => 0 }
    const high = { ...low, random: () => 0.999999 }
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, high))).toEqual([1000, 2000, 4000, 8000])
    expect(retryDelayMs(1, low)).toBe(500)
    expect(retryDelayMs(30, high)).toBe(60_000)
  })

  it('keeps retrying for the retry window, then gives the delivery up; disables the endpoint after 3 days of failure', async () => {
    const { receiver, user, webhook } = await setUp()
    const clock = testClock()
    const worker = stepWorker({
      now: clock.now,
      retryBaseMs: 5000,
      retryMaxMs: 3 * HOUR,
      retryWindowMs: 24 * HOUR,
      disableAfterMs: 72 * HOUR,
    })
    receiver.mode = { kind: 'status', status: 500 }
    await record(user, 'user.created')
    await record(user, 'user.updated')
    await record(user, 'user.deactivated')
    await record(user, 'user.reactivated')
    await stepUntil(worker, () => receiver.requests.length >= 1, clock)
    for (let hour = 0; hour < 80 && (await getWebhook(webhook.id)).enabled; hour += 2) {
      clock.advance(2 * HOUR)
      await worker.step()
    }
    const endpoint = await getWebhook(webhook.id)
    expect(endpoint.enabled).toBe(false)
    expect(endpoint.disabledReason).toMatch(/failed since/)
    const { deliveries } = await listWebhookDeliveries(webhook.id)
    const [fourth, third, second, first] = deliveries
    expect([first, second, third, fourth].map((delivery) => delivery!.status)).toEqual(['dead', 'dead', 'failed', 'pending'])
    const span = first!.attemptLog.at(-1)!.at.getTime() - first!.attemptLog[0]!.at.getTime()
    expect(span).toBeGreaterThanOrEqual(24 * HOUR)
    expect(span).toBeLessThan(28 * HOUR)
    expect((await listDisabledWebhooks()).map((item) => item.id)).toContain(webhook.id)
    const [audit] = await query<{ actor: string }>(
      `SELECT "actor" FROM "AuditEvent" WHERE "action" = 'webhook.auto-disable' AND "targetId" = $1`,
      webhook.id,
    )
    expect(audit?.actor).toBe('webhook-worker')
    // Disabled: nothing is sent however much time passes.
    const before = receiver.requests.length
    clock.advance(10 * HOUR)
    await worker.step()
    expect(receiver.requests.length).toBe(before)
    // Enabled again, the waiting delivery goes out at once.
    receiver.mode = { kind: 'up' }
    await setWebhookEnabled(CLI_ACTOR, webhook.id, true)
    await stepUntil(worker, () => receiver.receipts.length >= 1, clock)
    expect(receiver.receipts[0]!.event.type).toBe('user.deactivated')
  })

  it('during a secret rotation both secrets sign; after the overlap only the new one', async () => {
    const { receiver, user, webhook, secret: oldSecret } = await setUp()
    const { secret: newSecret } = await rotateWebhookSecret(CLI_ACTOR, { webhookId: webhook.id, overlapHours: 24 })
    expect(newSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    expect(newSecret).not.toBe(oldSecret)
    receiver.secrets.push(newSecret)
    await record(user, 'user.created')
    const worker = stepWorker()
    await stepUntil(worker, () => receiver.receipts.length >= 1)
    const overlapped = receiver.receipts[0]!
    expect(overlapped.signature.split(' ')).toHaveLength(2)
    expect(overlapped.verifiedBy).toEqual([0, 1])
    // A rotation whose overlap has already ended (it ran two days ago): the old secret no longer verifies.
    await rotateWebhookSecret(CLI_ACTOR, { webhookId: webhook.id, overlapHours: 1 }, new Date(Date.now() - 48 * HOUR)).then(
      ({ secret }) => {
        receiver.secrets.splice(0, receiver.secrets.length, newSecret, secret)
      },
    )
    await record(user, 'user.updated')
    await stepUntil(worker, () => receiver.receipts.length >= 2)
    expect(receiver.receipts[1]!.signature.split(' ')).toHaveLength(1)
    expect(receiver.receipts[1]!.verifiedBy).toEqual([1])
  })

  it('stores the signing secret sealed, never in clear', async () => {
    const { webhook, secret } = await setUp()
    const [row] = await query<Record<string, unknown>>(`SELECT * FROM "WebhookEndpoint" WHERE "id" = $1::uuid`, webhook.id)
    const stored = JSON.stringify(row)
    expect(stored).not.toContain(secret.slice(6))
    expect(stored).not.toContain(Buffer.from(secret.slice(6), 'base64').toString('hex'))
    expect(String(row!.secret)).toMatch(/^v1\./)
    expect(JSON.stringify(await getWebhook(webhook.id))).not.toMatch(/v1\.|whsec_/)
  })

  it('sends a test event to that endpoint only, and re-sends a delivery or a time range with the same webhook-id', async () => {
    const { receiver, webhook, user } = await setUp()
    const other = await setUp()
    const worker = stepWorker()
    const { eventId } = await sendTestEvent(CLI_ACTOR, webhook.id)
    await stepUntil(worker, () => receiver.receipts.length >= 1)
    expect(receiver.receipts[0]).toMatchObject({
      id: eventId,
      verified: true,
      event: { type: 'webhook.test', providerId: user.providerId },
    })
    await worker.step()
    expect(other.receiver.requests).toEqual([])
    const { deliveries } = await listWebhookDeliveries(webhook.id)
    await resendDelivery(CLI_ACTOR, webhook.id, deliveries[0]!.id)
    await stepUntil(worker, () => receiver.receipts.length >= 2)
    expect(receiver.receipts[1]!.id).toBe(eventId)
    expect(receiver.receipts[1]!.verified).toBe(true)
    await record(user, 'user.updated')
    await stepUntil(worker, () => receiver.receipts.length >= 3)
    const count = await resendDeliveries(CLI_ACTOR, {
      webhookId: webhook.id,
      from: new Date(Date.now() - HOUR),
      to: new Date(Date.now() + HOUR),
    })
    expect(count).toBe(2)
    await stepUntil(worker, () => receiver.receipts.length >= 5)
    expect(receiver.receipts.slice(3).map((receipt) => receipt.event.type)).toEqual(['webhook.test', 'user.updated'])
    // Another endpoint's delivery cannot be re-sent through this one.
    await expect(resendDelivery(CLI_ACTOR, other.webhook.id, deliveries[0]!.id)).rejects.toThrow(/No delivery/)
    const actions = await query<{ action: string }>(
      `SELECT "action" FROM "AuditEvent" WHERE "targetId" = $1 ORDER BY "createdAt"`,
      webhook.id,
    )
    expect(actions.map((row) => row.action)).toEqual(['webhook.create', 'webhook.test', 'webhook.resend', 'webhook.resend-range'])
  })

  it('counts a redirect, a timeout and a huge answer as failures; the excerpt is capped and redacted', async () => {
    const { receiver, user, webhook } = await setUp()
    const clock = testClock()
    const worker = stepWorker({ now: clock.now, timeoutMs: 300 })
    receiver.mode = { kind: 'status', status: 302, headers: { location: `${receiver.url}/elsewhere` } }
    await record(user, 'user.created')
    await stepUntil(worker, () => receiver.requests.length >= 1, clock)
    receiver.mode = { kind: 'hang' }
    await stepUntil(worker, () => receiver.requests.length >= 2, clock)
    receiver.mode = { kind: 'status', status: 500, body: `{"error":"boom","password":"hunter2","pad":"${'x'.repeat(20_000)}` }
    await stepUntil(worker, () => receiver.requests.length >= 3, clock)
    await worker.step()
    const { deliveries } = await listWebhookDeliveries(webhook.id)
    const log = deliveries[0]!.attemptLog
    expect(receiver.requests).not.toContain('')
    expect(log[0]).toMatchObject({ statusCode: 302, error: 'HTTP 302' })
    expect(log[1]!.statusCode).toBeNull()
    expect(log[1]!.error).toMatch(/300 ms/)
    expect(log[1]!.durationMs).toBeGreaterThanOrEqual(290)
    expect(log[2]!.statusCode).toBe(500)
    expect(log[2]!.responseExcerpt!.length).toBeLessThanOrEqual(1000)
    expect(log[2]!.responseExcerpt).not.toContain('hunter2')
  })

  it('an endpoint deleted with deliveries pending takes them with it', async () => {
    const { webhook, user } = await setUp()
    await record(user, 'user.created')
    await deleteWebhook(CLI_ACTOR, webhook.id)
    await expect(getWebhook(webhook.id)).rejects.toThrow(/No webhook/)
    const worker = stepWorker()
    await worker.step()
    const [left] = await query<{ count: string }>(
      `SELECT count(*)::text AS "count" FROM "WebhookDelivery" WHERE "endpointId" = $1::uuid`,
      webhook.id,
    )
    expect(left?.count).toBe('0')
  })
})

describe('several workers', { timeout: 90_000 }, () => {
  const onPostgres = Boolean(process.env.DATABASE_URL)
  const children: ChildProcess[] = []

  afterAll(async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null) return
        child.kill('SIGTERM')
        await once(child, 'exit')
      }),
    )
  })

  async function startWorkerProcess(): Promise<void> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', './scripts/register-server-only.mjs', 'test/support/webhook-worker-process.ts'],
      {
        env: { ...process.env },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    children.push(child)
    for await (const line of createInterface({ input: child.stdout! })) {
      if (line.startsWith('{')) return
    }
    throw new Error('The worker process printed nothing.')
  }

  it('never deliver one event twice, nor at the same time, and keep each endpoint in order', async () => {
    const setups = await Promise.all([setUp(), setUp(), setUp()])
    for (const { receiver } of setups) receiver.delayMs = 2
    const perEndpoint = 40
    if (onPostgres) {
      expect(databaseKind()).toBe('postgres')
      // A second instance with its own pool, beside two loops in this process.
      await startWorkerProcess()
    }
    const loops = [1, 2].map(() => {
      const worker = createWebhookWorker({
        allowPrivate: true,
        pollIntervalMs: 5,
        retryBaseMs: 10,
        retryMaxMs: 50,
        batchSize: 7,
        fanoutBatch: 13,
      })
      workers.push(worker)
      return worker
    })
    await Promise.all(
      setups.map(async ({ user }) => {
        for (let index = 0; index < perEndpoint; index++)
          await record(user, index % 2 ? 'user.updated' : 'user.created', `attribute${index}`)
      }),
    )
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline && setups.some(({ receiver }) => receiver.receipts.length < perEndpoint)) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
    for (const { receiver, user } of setups) {
      expect(receiver.concurrentDuplicates).toBe(0)
      const ids = receiver.receipts.map((receipt) => receipt.id)
      expect(ids).toHaveLength(perEndpoint)
      expect(new Set(ids).size).toBe(perEndpoint)
      expect(receiver.receipts.every((receipt) => receipt.verified && receipt.event.providerId === user.providerId)).toBe(true)
      const changed = receiver.receipts.map((receipt) => (receipt.event.data.changes as { attribute: string }[])[0]!.attribute)
      expect(changed).toEqual(Array.from({ length: perEndpoint }, (_, index) => `attribute${index}`))
    }
    await Promise.all(loops.map((worker) => worker.stop()))
  })
})

describe('outbound address safety', () => {
  it.each([
    ['127.0.0.1', false],
    ['127.8.9.10', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['172.31.255.255', false],
    ['192.168.1.1', false],
    ['100.64.0.1', false],
    ['169.254.10.10', false],
    ['169.254.169.254', false],
    ['0.0.0.0', false],
    ['224.0.0.1', false],
    ['255.255.255.255', false],
    ['::1', false],
    ['::', false],
    ['fe80::1', false],
    ['fc00::1', false],
    ['fd12:3456::1', false],
    ['ff02::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:8.8.8.8', false],
    ['::127.0.0.1', false],
    ['64:ff9b::a00:1', false],
    ['2002:a00:1::1', false],
    ['fd00:ec2::254', false],
    ['8.8.8.8', true],
    ['1.1.1.1', true],
    ['172.32.0.1', true],
    ['2606:4700:4700::1111', true],
  ])('%s is allowed: %s', (address, allowed) => {
    expect(refusedAddressReason(address, false) === null).toBe(allowed)
  })

  it('WEBHOOK_ALLOW_PRIVATE opens loopback and private ranges, never metadata, multicast or mapped addresses', () => {
    for (const address of ['127.0.0.1', '10.0.0.1', '192.168.0.1', '::1', 'fd12::1', 'fe80::1'])
      expect(refusedAddressReason(address, true)).toBeNull()
    for (const address of ['169.254.169.254', 'fd00:ec2::254', '224.0.0.1', '0.0.0.0', '::ffff:127.0.0.1', '100.100.100.200']) {
      expect(refusedAddressReason(address, true)).not.toBeNull()
    }
  })

  it.each([
    ['ftp://example.com/hook', /Only http and https/],
    ['file:///etc/passwd', /Only http and https/],
    ['javascript:alert(1)', /Only http and https/],
    ['https://user:pass@example.com/hook', /user name or password/],
    ['https://:pass@example.com/hook', /user name or password/],
    ['not a url', /Not a valid URL/],
    ['http://exa\u0000mple.com/', /Not a valid URL/],
    ['http://127.0.0.1:8080/hook', /private, loopback/],
    ['http://[::1]/hook', /private, loopback/],
    ['http://[::ffff:7f00:1]/hook', /reserved/],
    ['http://169.254.169.254/latest/meta-data', /metadata/],
    ['http://2130706433/', /private, loopback/],
    ['http://0x7f.1/', /private, loopback/],
    ['http://localhost/hook', /not a public host name/],
    ['http://intranet/hook', /not a public host name/],
    ['https://example.com/hook#frag', /fragment/],
  ])('refuses %s', (url, message) => {
    expect(() => parseOutboundUrl(url, false)).toThrow(OutboundUrlError)
    expect(() => parseOutboundUrl(url, false)).toThrow(message)
  })

  it('refuses an overlong URL', () => {
    expect(() => parseOutboundUrl(`https://example.com/${'a'.repeat(3000)}`, false)).toThrow(/longer than 2048/)
  })

  it('checks every address a host resolves to', async () => {
    const resolver = (addresses: string[]) => async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
    await expect(validateOutboundUrl('https://hooks.example.com/in', false, resolver(['93.184.216.34']))).resolves.toBeInstanceOf(
      URL,
    )
    await expect(
      validateOutboundUrl('https://hooks.example.com/in', false, resolver(['93.184.216.34', '10.0.0.5'])),
    ).rejects.toThrow(/10\.0\.0\.5/)
    await expect(validateOutboundUrl('https://hooks.example.com/in', false, resolver(['::ffff:10.0.0.5']))).rejects.toThrow(
      OutboundUrlError,
    )
    await expect(
      validateOutboundUrl('https://hooks.example.com/in', false, async () => {
        throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' })
      }),
    ).rejects.toThrow(/could not be resolved \(ENOTFOUND\)/)
  })

  it('connects only to the address it checked: a host that resolves to loopback at delivery time is refused (DNS rebinding)', async () => {
    const receiver = await startReceiver()
    receivers.push(receiver)
    const port = new URL(receiver.url).port
    const agents = createOutboundAgents(false, async () => [{ address: '127.0.0.1', family: 4 }])
    const result = await sendDelivery(
      { url: `http://rebound.example.com:${port}/hooks` },
      { eventId: 'evt_rebind', payload: '{}' },
      { sign: () => 'v1,x' },
      agents,
      { allowPrivate: false, timeoutMs: 2000, now: () => new Date() },
    )
    expect(result.ok).toBe(false)
    expect(result.error).toMatch(/^Refused: .*private, loopback/)
    expect(receiver.requests).toEqual([])
    agents.http.destroy()
  })

  it('refuses bad registrations with clear messages and stores nothing', async () => {
    const provider = await insertProvider({ name: 'Refusals', kind: 'entra' })
    const count = async () => Number((await query<{ n: string }>(`SELECT count(*)::text AS n FROM "WebhookEndpoint"`))[0]!.n)
    const before = await count()
    await expect(createWebhook(CLI_ACTOR, { url: 'http://169.254.169.254/' })).rejects.toThrow(/metadata/)
    await expect(createWebhook(CLI_ACTOR, { url: 'gopher://example.com/' })).rejects.toThrow(/Only http/)
    await expect(createWebhook(CLI_ACTOR, { url: `https://example.com/${'a'.repeat(1_000_000)}` })).rejects.toThrow(
      /at most 2048/,
    )
    await expect(
      createWebhook(CLI_ACTOR, { url: 'http://127.0.0.1/', eventTypes: ['user.exploded' as 'user.created'] }),
    ).rejects.toThrow(/Event types are/)
    await expect(
      createWebhook(CLI_ACTOR, { url: 'http://127.0.0.1/', providerId: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toThrow(/No identity provider/)
    await expect(createWebhook(CLI_ACTOR, { url: 'http://127.0.0.1/', providerId: 'x' })).rejects.toThrow(
      /Unknown identity provider/,
    )
    await expect(createWebhook(CLI_ACTOR, { url: 'http://127.0.0.1/', description: 'a\u0000b' })).rejects.toThrow()
    await expect(rotateWebhookSecret(CLI_ACTOR, { webhookId: 'nope' })).rejects.toThrow(/Unknown webhook/)
    await expect(setWebhookEnabled(CLI_ACTOR, '00000000-0000-4000-8000-000000000000', false)).rejects.toThrow(/No webhook/)
    expect(await count()).toBe(before)
    void provider
  })
})
