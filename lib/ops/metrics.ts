import { createHash, timingSafeEqual } from 'node:crypto'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { databasePoolStats } from '../db/client'
import { requestLogStats } from '../services/request-log'

/**
 * Prometheus metrics (prom-client), served at GET /metrics. Recording sits on the SCIM hot path, so it costs
 * a map lookup and two additions: each label combination's child series is looked up once and kept (there are
 * few: IdPs × operations × status classes). Log queue and database pool figures are read when scraped.
 *
 * One registry per process, on globalThis: Next's bundle and the production entry's copy of this module share it.
 */

type Metrics = {
  registry: Registry
  requests: Counter<'idp' | 'operation' | 'status_class'>
  duration: Histogram<'operation'>
  rateLimited: Counter<'limit'>
  requestChildren: Map<string, Counter.Internal>
  durationChildren: Map<string, Histogram.Internal<'operation'>>
}

const globalForMetrics = globalThis as unknown as { __traffitechMetrics?: Metrics }

/** Seconds; SCIM answers take 1–30 ms, a slow list or a statement timeout up to seconds. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'traffitech_' })
  const requests = new Counter({
    name: 'traffitech_scim_requests_total',
    help: 'SCIM requests answered, by IdP (provider id; "none" when no IdP was resolved), operation and status class.',
    labelNames: ['idp', 'operation', 'status_class'] as const,
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'traffitech_scim_request_duration_seconds',
    help: 'Time to answer a SCIM request (handler and database, without sending the body), by operation.',
    labelNames: ['operation'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  })
  const rateLimited = new Counter({
    name: 'traffitech_scim_rate_limited_total',
    help: 'SCIM requests refused with 429: "token" (a token over SCIM_RATE_LIMIT) or "failure" (an address over SCIM_FAILURE_RATE_LIMIT).',
    labelNames: ['limit'] as const,
    registers: [registry],
  })
  new Gauge({
    name: 'traffitech_request_log_queue_depth',
    help: 'Provisioning log records waiting to be written.',
    registers: [registry],
    collect() {
      this.set(requestLogStats().queued)
    },
  })
  new Gauge({
    name: 'traffitech_request_log_queue_fill_ratio',
    help: 'How full the provisioning log queue is (0-1); at 1 new records are dropped.',
    registers: [registry],
    collect() {
      this.set(requestLogStats().fill)
    },
  })
  // Totals kept by request-log.ts since the process started, exposed as counters.
  const logTotals = [
    ['written', 'Provisioning log records written since the process started.'],
    ['dropped', 'Provisioning log records that could not be written (database refused them, or the queue was full).'],
    ['coalesced', 'Requests folded into another log row (floods of identical failures) instead of getting their own.'],
  ] as const
  for (const [field, help] of logTotals) {
    new Counter({
      name: `traffitech_request_log_records_${field}_total`,
      help,
      registers: [registry],
      collect() {
        this.reset()
        this.inc(requestLogStats()[field])
      },
    })
  }
  new Gauge({
    name: 'traffitech_db_pool_connections',
    help: 'PostgreSQL request pool: connections open ("total"), idle, and queries waiting for a connection ("waiting"), and the pool size ("max").',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const pool = databasePoolStats()
      if (!pool) return
      this.set({ state: 'max' }, pool.max)
      this.set({ state: 'total' }, pool.total)
      this.set({ state: 'idle' }, pool.idle)
      this.set({ state: 'waiting' }, pool.waiting)
    },
  })
  return { registry, requests, duration, rateLimited, requestChildren: new Map(), durationChildren: new Map() }
}

function metrics(): Metrics {
  globalForMetrics.__traffitechMetrics ??= createMetrics()
  return globalForMetrics.__traffitechMetrics
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx']

function statusClass(status: number): string {
  return STATUS_CLASSES[Math.floor(status / 100) - 1] ?? 'other'
}

/**
 * Counts one answered SCIM request. `idp` must be a provider that exists (resolved from the URL, never the
 * raw path segment), so that a client cannot invent series.
 */
export function recordScimRequestMetrics(idp: string | null, operation: string, status: number, durationMs: number): void {
  const m = metrics()
  const idpLabel = idp ?? 'none'
  const cls = statusClass(status)
  const key = `${idpLabel}\u0000${operation}\u0000${cls}`
  let counter = m.requestChildren.get(key)
  if (!counter) {
    counter = m.requests.labels(idpLabel, operation, cls)
    m.requestChildren.set(key, counter)
  }
  counter.inc()
  let histogram = m.durationChildren.get(operation)
  if (!histogram) {
    histogram = m.duration.labels(operation)
    m.durationChildren.set(operation, histogram)
  }
  histogram.observe(durationMs / 1000)
}

/** Counts one SCIM request refused with 429. */
export function recordRateLimited(limit: 'token' | 'failure'): void {
  metrics().rateLimited.labels(limit).inc()
}

/** The exposition text and its content type. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  const { registry } = metrics()
  return { contentType: registry.contentType, body: await registry.metrics() }
}

/**
 * Whether a scrape may read the metrics: always when METRICS_TOKEN is unset, else only with
 * `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time).
 */
export function metricsAuthorized(authorization: string | null | undefined, token: string | undefined): boolean {
  if (token === undefined) return true
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null
  if (!match) return false
  // Digests of equal length, so neither the content nor the length of the token leaks through timing.
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest()
  return timingSafeEqual(digest(match[1]!), digest(token))
}
