import http from 'node:http'
import https from 'node:https'
import { randomUUID } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { withTransaction } from '../db/client'
import { findEventsAfter, findNewestEventAfter } from '../db/events'
import { uuidv7 } from '../uuidv7'
import {
  findOpenDeliveries,
  findWebhookEndpoints,
  holdsEndpointLease,
  insertAttempts,
  insertDeliveries,
  leaseDueEndpoints,
  lockFanoutCursor,
  markDeliveriesSucceeded,
  markDeliveryFailed,
  releaseEndpointLease,
  saveFanoutCursor,
  setWebhookEnabled,
  type NewAttempt,
  type NewDelivery,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
} from '../db/webhooks'
import { env } from '../env'
import { createOutboundAgents, OutboundUrlError, parseOutboundUrl } from '../outbound-url'
import { logger } from '../ops/logger'
import { redactBodyText } from '../redact'
import { openSecret } from '../server-secret'
import { escapeUnstorableText } from '../storable-text'
import { recordAudit } from './audit'

/**
 * The webhook worker, inside the app process. Each step:
 *  1. fan-out: under the fan-out lock (a transaction-scoped advisory lock: one instance at a time), reads the
 *     next committed events in commit-safe order, inserts one delivery per matching endpoint and moves the
 *     cursor, all in one transaction: an event fans out exactly once, whichever instance does it;
 *  2. delivery: leases endpoints whose first open delivery is due (FOR UPDATE SKIP LOCKED on the endpoint
 *     rows, then a lease with a fencing token), and sends each endpoint's deliveries one after another in
 *     order, stopping at the first failure: one sender per endpoint keeps its order, and no delivery is sent
 *     by two instances at once. Results are written only while the lease is still held.
 * Failures are retried with exponential backoff and jitter for at least the retry window; an endpoint that
 * has failed for WEBHOOK_DISABLE_AFTER_HOURS is disabled (the dashboard says so). Finished deliveries are
 * pruned by the retention job (lib/services/retention.ts), on one instance under its lease.
 */

export const WEBHOOK_SECRET_PURPOSE = 'webhook-secret'
export const WORKER_ACTOR = { name: 'webhook-worker' }
const EXCERPT_CHARS = 1000
const MAX_RESPONSE_BYTES = 1_048_576

export type WebhookWorkerSettings = {
  allowPrivate: boolean
  pollIntervalMs: number
  timeoutMs: number
  retryBaseMs: number
  retryMaxMs: number
  retryWindowMs: number
  disableAfterMs: number
  concurrency: number
  /** Deliveries one lease may send to an endpoint. */
  batchSize: number
  /** Events one fan-out transaction handles. */
  fanoutBatch: number
  /** The clock for schedules (tests move it); signatures always carry the real time. */
  now: () => Date
  random: () => number
}

export function settingsFromEnv(): WebhookWorkerSettings {
  const settings = env()
  return {
    allowPrivate: settings.WEBHOOK_ALLOW_PRIVATE,
    pollIntervalMs: settings.WEBHOOK_POLL_INTERVAL_MS,
    timeoutMs: settings.WEBHOOK_TIMEOUT_MS,
    retryBaseMs: settings.WEBHOOK_RETRY_BASE_MS,
    retryMaxMs: settings.WEBHOOK_RETRY_MAX_MS,
    retryWindowMs: settings.WEBHOOK_RETRY_WINDOW_HOURS * 3_600_000,
    disableAfterMs: settings.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000,
    concurrency: settings.WEBHOOK_CONCURRENCY,
    batchSize: 1000,
    fanoutBatch: 1000,
    now: () => new Date(),
    random: Math.random,
  }
}

/** The delay before retry number `attempts` (1 = after the first failure): doubling, capped, 50–100 % jitter. */
export function retryDelayMs(
  attempts: number,
  settings: Pick<WebhookWorkerSettings, 'retryBaseMs' | 'retryMaxMs' | 'random'>,
): number {
  const exponential = Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** Math.min(attempts - 1, 40))
  return Math.max(1, Math.round(exponential * (0.5 + settings.random() / 2)))
}

// ---- fan-out ----

type FanoutEndpoint = Pick<WebhookEndpointRow, 'id' | 'providerId' | 'eventTypes' | 'createdAt'>

function endpointWants(endpoint: FanoutEndpoint, event: { type: string; providerId: string; createdAt: Date }): boolean {
  return (
    (endpoint.providerId === null || endpoint.providerId === event.providerId) &&
    (endpoint.eventTypes.length === 0 || endpoint.eventTypes.includes(event.type)) &&
    event.createdAt >= endpoint.createdAt
  )
}

/**
 * One fan-out transaction; returns how many events it handled (0: none new, or another instance is at it;
 * without endpoints, at most a batch is counted).
 */
export async function fanOutEvents(settings: Pick<WebhookWorkerSettings, 'fanoutBatch' | 'now'>): Promise<number> {
  return withTransaction(async () => {
    const cursor = await lockFanoutCursor()
    if (!cursor) return 0
    // Disabled endpoints get their deliveries too: they wait, and go out in order when it is enabled again.
    const endpoints = await findWebhookEndpoints()
    if (endpoints.length === 0) {
      // Nobody to deliver to, and an endpoint registered later gets only events newer than itself: move past
      // the events without reading them (a server without webhooks pays next to nothing for its events).
      const newest = await findNewestEventAfter(cursor, settings.fanoutBatch)
      if (newest) await saveFanoutCursor(newest.position)
      return newest?.count ?? 0
    }
    const events = await findEventsAfter({ after: cursor, limit: settings.fanoutBatch, payloadAsText: true })
    if (events.length === 0) return 0
    const now = settings.now()
    const deliveries: NewDelivery[] = []
    for (const event of events) {
      // The stored JSON text, sent as it is.
      const payload = event.payload as string
      for (const endpoint of endpoints) {
        if (!endpointWants(endpoint, event)) continue
        deliveries.push({
          id: uuidv7(now.getTime()),
          endpointId: endpoint.id,
          eventId: event.id,
          eventType: event.type,
          payload,
          createdAt: now,
        })
      }
    }
    await insertDeliveries(deliveries)
    await saveFanoutCursor(events.at(-1)!)
    return events.length
  })
}

// ---- sending ----

type Signer = { sign: (id: string, at: Date, payload: string) => string }

type AttemptResult = {
  at: Date
  ok: boolean
  statusCode: number | null
  durationMs: number
  responseExcerpt: string | null
  error: string | null
}

function excerptOf(bytes: Buffer): string | null {
  if (bytes.length === 0) return null
  const text = bytes
    .subarray(0, EXCERPT_CHARS * 4)
    .toString('utf8')
    .slice(0, EXCERPT_CHARS)
  return escapeUnstorableText(redactBodyText(text) ?? '').slice(0, EXCERPT_CHARS)
}

/** What went wrong, for the history: short, with no response headers or body. */
function describeError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string }
  if (error instanceof OutboundUrlError) return `Refused: ${error.message}`
  if (code === 'EREFUSEDADDRESS') return `Refused: ${message}`
  return escapeUnstorableText([code, message].filter(Boolean).join(': ').slice(0, 300) || 'Request failed.')
}

type Agents = ReturnType<typeof createOutboundAgents>

/** POSTs one delivery; never throws. No redirect is followed: a 3xx is a failure like any non-2xx. */
export function sendDelivery(
  endpoint: Pick<WebhookEndpointRow, 'url'>,
  delivery: Pick<WebhookDeliveryRow, 'eventId' | 'payload'>,
  signer: Signer,
  agents: Agents,
  settings: Pick<WebhookWorkerSettings, 'allowPrivate' | 'timeoutMs' | 'now'>,
): Promise<AttemptResult> {
  const at = settings.now()
  const started = performance.now()
  const finish = (result: Omit<AttemptResult, 'at' | 'durationMs'>): AttemptResult => ({
    ...result,
    at,
    durationMs: Math.round(performance.now() - started),
  })
  let url: URL
  try {
    url = parseOutboundUrl(endpoint.url, settings.allowPrivate)
  } catch (error) {
    return Promise.resolve(finish({ ok: false, statusCode: null, responseExcerpt: null, error: describeError(error) }))
  }
  const signedAt = new Date()
  const body = Buffer.from(delivery.payload)
  return new Promise((resolve) => {
    let settled = false
    const done = (result: Omit<AttemptResult, 'at' | 'durationMs'>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(finish(result))
    }
    const client = url.protocol === 'https:' ? https : http
    const request = client.request(url, {
      method: 'POST',
      agent: url.protocol === 'https:' ? agents.https : agents.http,
      headers: {
        'content-type': 'application/json',
        'content-length': body.length,
        'user-agent': 'TraffiTech-Webhooks/1',
        'webhook-id': delivery.eventId,
        'webhook-timestamp': String(Math.floor(signedAt.getTime() / 1000)),
        'webhook-signature': signer.sign(delivery.eventId, signedAt, delivery.payload),
      },
    })
    const timer = setTimeout(() => {
      request.destroy(Object.assign(new Error(`No complete answer within ${settings.timeoutMs} ms.`), { code: 'ETIMEDOUT' }))
    }, settings.timeoutMs)
    request.on('error', (error) => done({ ok: false, statusCode: null, responseExcerpt: null, error: describeError(error) }))
    request.on('response', (response) => {
      const chunks: Buffer[] = []
      let kept = 0
      let total = 0
      response.on('data', (chunk: Buffer) => {
        total += chunk.length
        if (kept < EXCERPT_CHARS * 4) {
          chunks.push(chunk)
          kept += chunk.length
        }
        // A receiver that streams without end is cut off; the status already says how it went.
        if (total > MAX_RESPONSE_BYTES) response.destroy()
      })
      const complete = () => {
        const statusCode = response.statusCode ?? 0
        const ok = statusCode >= 200 && statusCode < 300
        done({ ok, statusCode, responseExcerpt: excerptOf(Buffer.concat(chunks)), error: ok ? null : `HTTP ${statusCode}` })
      }
      response.on('end', complete)
      response.on('close', complete)
      response.on('error', (error) =>
        done({ ok: false, statusCode: response.statusCode ?? null, responseExcerpt: null, error: describeError(error) }),
      )
    })
    request.end(body)
  })
}

const signerCache = new Map<string, { signer: Signer; previousUntil: number | null }>()

/** Signs with the current secret, and during a rotation's overlap with the previous one too (space-separated). */
export function signerFor(endpoint: WebhookEndpointRow): Signer {
  const key = `${endpoint.id}:${endpoint.secret}:${endpoint.previousSecret ?? ''}`
  let cached = signerCache.get(key)
  if (!cached) {
    const current = new Webhook(openSecret(WEBHOOK_SECRET_PURPOSE, endpoint.secret))
    const previous = endpoint.previousSecret ? new Webhook(openSecret(WEBHOOK_SECRET_PURPOSE, endpoint.previousSecret)) : null
    const previousUntil = endpoint.previousSecretExpiresAt?.getTime() ?? null
    cached = {
      previousUntil,
      signer: {
        sign: (id, at, payload) => {
          const first = current.sign(id, at, payload)
          const overlap = previous && previousUntil !== null && Date.now() < previousUntil
          return overlap ? `${first} ${previous.sign(id, at, payload)}` : first
        },
      },
    }
    if (signerCache.size > 1000) signerCache.clear()
    signerCache.set(key, cached)
  }
  return cached.signer
}

/** Sends the leased endpoint's due deliveries in order, then records the results under the lease. */
async function deliverToEndpoint(
  endpoint: WebhookEndpointRow,
  leaseToken: string,
  leaseMs: number,
  agents: Agents,
  settings: WebhookWorkerSettings,
): Promise<number> {
  const started = Date.now()
  const deliveries = await findOpenDeliveries(endpoint.id, settings.batchSize)
  const signer = signerFor(endpoint)
  const sent: { delivery: WebhookDeliveryRow; result: AttemptResult }[] = []
  for (const delivery of deliveries) {
    if (delivery.nextAttemptAt > settings.now()) break
    // Start no send that could outlast the lease.
    if (Date.now() - started > leaseMs - settings.timeoutMs - 5_000) break
    const result = await sendDelivery(endpoint, delivery, signer, agents, settings)
    sent.push({ delivery, result })
    if (!result.ok) break
  }
  await recordResults(endpoint.id, leaseToken, sent, settings)
  return sent.length
}

async function recordResults(
  endpointId: string,
  leaseToken: string,
  sent: { delivery: WebhookDeliveryRow; result: AttemptResult }[],
  settings: WebhookWorkerSettings,
): Promise<void> {
  await withTransaction(async () => {
    const attempts: NewAttempt[] = sent.map(({ delivery, result }) => ({
      id: uuidv7(result.at.getTime()),
      deliveryId: delivery.id,
      endpointId,
      at: result.at,
      statusCode: result.statusCode,
      durationMs: result.durationMs,
      responseExcerpt: result.responseExcerpt,
      error: result.error,
    }))
    // The attempts happened whatever became of the lease: they are history.
    await insertAttempts(attempts)
    const held = await holdsEndpointLease(endpointId, leaseToken)
    // The lease ran out and another instance took the endpoint over: it decides what is due now.
    if (!held) return
    const succeeded = sent.filter(({ result }) => result.ok)
    await markDeliveriesSucceeded(
      succeeded.map(({ delivery, result }) => ({ id: delivery.id, at: result.at, statusCode: result.statusCode! })),
    )
    const failure = sent.find(({ result }) => !result.ok)
    let failingSince = succeeded.length > 0 ? null : held.failingSince
    if (failure) {
      const { delivery, result } = failure
      const attempts = delivery.attempts + 1
      const giveUp = result.at.getTime() - (delivery.firstAttemptAt ?? result.at).getTime() >= settings.retryWindowMs
      await markDeliveryFailed(delivery.id, {
        at: result.at,
        statusCode: result.statusCode,
        error: result.error ?? 'Failed.',
        nextAttemptAt: new Date(result.at.getTime() + retryDelayMs(attempts, settings)),
        giveUp,
      })
      failingSince ??= result.at
    }
    await releaseEndpointLease(endpointId, leaseToken, sent.length > 0 ? { failingSince } : null)
    if (failure && failingSince && failure.result.at.getTime() - failingSince.getTime() >= settings.disableAfterMs) {
      const days = Math.round(((failure.result.at.getTime() - failingSince.getTime()) / 86_400_000) * 10) / 10
      const reason = `Every delivery has failed since ${failingSince.toISOString()} (${days} days); last error: ${failure.result.error ?? 'unknown'}.`
      await setWebhookEnabled(endpointId, false, failure.result.at, reason)
      await recordAudit(
        WORKER_ACTOR,
        'webhook.auto-disable',
        { type: 'webhook', id: endpointId, providerId: held.providerId },
        { reason },
      )
    }
  })
}

/** One delivery round: leases due endpoints and delivers to them in parallel; returns how many attempts. */
export async function deliverDue(agents: Agents, settings: WebhookWorkerSettings): Promise<number> {
  const leaseMs = settings.timeoutMs * 3 + 30_000
  const now = settings.now()
  const leaseToken = randomUUID()
  const endpoints = await leaseDueEndpoints(now, new Date(now.getTime() + leaseMs), leaseToken, settings.concurrency)
  const counts = await Promise.all(
    endpoints.map((endpoint) =>
      deliverToEndpoint(endpoint, leaseToken, leaseMs, agents, settings).catch(async (error: unknown) => {
        logger.error({ err: error, endpointId: endpoint.id }, 'Webhook delivery failed; the endpoint is released')
        await releaseEndpointLease(endpoint.id, leaseToken, null).catch(() => {})
        return 0
      }),
    ),
  )
  return counts.reduce((sum, count) => sum + count, 0)
}

// ---- the loop ----

export type WebhookWorker = {
  /** Runs one fan-out and one delivery round now (tests drive the worker step by step with this). */
  step: () => Promise<{ fannedOut: number; attempts: number }>
  /** Wakes the loop at once (an event or a test delivery was just queued). */
  nudge: () => void
  stop: () => Promise<void>
}

export function createWebhookWorker(
  overrides: Partial<WebhookWorkerSettings> = {},
  options: { loop?: boolean } = {},
): WebhookWorker {
  const settings = { ...settingsFromEnv(), ...overrides }
  const agents = createOutboundAgents(settings.allowPrivate)
  let stopped = false
  let wake: (() => void) | null = null

  const step = async () => {
    const fannedOut = await fanOutEvents(settings)
    const attempts = await deliverDue(agents, settings)
    return { fannedOut, attempts }
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = null
        resolve()
      }, ms)
      timer.unref()
      wake = () => {
        clearTimeout(timer)
        wake = null
        resolve()
      }
    })

  const loop = async () => {
    while (!stopped) {
      let busy = false
      try {
        const { fannedOut, attempts } = await step()
        // Go on at once only while work is left: a fan-out that took less than a full batch has caught up, and
        // polling again straight away would cost a transaction per handful of events under steady traffic.
        busy = fannedOut >= settings.fanoutBatch || attempts > 0
      } catch (error) {
        logger.error({ err: error }, 'Webhook worker step failed (it retries)')
      }
      if (!stopped && !busy) await sleep(settings.pollIntervalMs)
    }
  }
  const running = options.loop === false ? Promise.resolve() : loop()

  return {
    step,
    nudge: () => wake?.(),
    stop: async () => {
      stopped = true
      wake?.()
      await running
      agents.http.destroy()
      agents.https.destroy()
    },
  }
}

const globalForWorker = globalThis as unknown as { __traffitechWebhookWorker?: WebhookWorker }

/** Starts the process's worker once (instrumentation and server.ts may both ask), unless WEBHOOK_WORKER=false. */
export function startWebhookWorker(): void {
  if (globalForWorker.__traffitechWebhookWorker || !env().WEBHOOK_WORKER) return
  globalForWorker.__traffitechWebhookWorker = createWebhookWorker()
}

/** Wakes the process's worker, if it runs here. */
export function nudgeWebhookWorker(): void {
  globalForWorker.__traffitechWebhookWorker?.nudge()
}

export async function stopWebhookWorker(): Promise<void> {
  const worker = globalForWorker.__traffitechWebhookWorker
  globalForWorker.__traffitechWebhookWorker = undefined
  await worker?.stop()
}
