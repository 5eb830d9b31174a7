import { createHash, timingSafeEqual } from 'node:crypto'
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import { databasePoolStats } from '../db/client'
import { failureRatios } from '../services/quarantine-warning'
import { requestLogStats } from '../services/request-log'

/**
 * Prometheus metrics (prom-client), served at GET /metrics. Recording sits on the SCIM hot path, and
 * prom-client's own `inc`/`observe` hash the label object on every call (measured: about 7 µs for a counter
 * and a histogram together). So the hot path only bumps plain numbers in nested maps (tens of ns, see
 * `npm run bench:metrics`), and prom-client reads them when scraped: the counter through its `collect`
 * hook, the histogram as a metric object in prom-client's exposition shape. Log queue and database pool
 * figures are likewise read at scrape time.
 *
 * One registry per process, on globalThis: Next's bundle and the production entry's copy of this module share it.
 */

type RequestSeries = { idp: string; operation: string; statusClass: string; count: number }
type DurationSeries = { buckets: Float64Array; sum: number; count: number }

let ratiosRead: { at: number; rows: Promise<Awaited<ReturnType<typeof failureRatios>>> } | undefined

/** One database read serves both gauges of a scrape; a database that cannot answer leaves them empty. */
function recentFailureRatios() {
  const now = Date.now()
  if (!ratiosRead || now - ratiosRead.at > 1000) {
    ratiosRead = { at: now, rows: failureRatios().catch(() => []) }
  }
  return ratiosRead.rows
}

type Metrics = {
  registry: Registry
  /** idp → operation → status class → count. */
  requests: Map<string, Map<string, Map<string, RequestSeries>>>
  durations: Map<string, DurationSeries>
  rateLimited: { token: number; failure: number }
}

const globalForMetrics = globalThis as unknown as { __traffitechMetrics?: Metrics }

/** Seconds; SCIM answers take 1–30 ms, a slow list or a statement timeout up to seconds. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
const DURATION_NAME = 'traffitech_scim_request_duration_seconds'

/** The histogram as prom-client's registry reads a metric: cumulative `_bucket` samples, `_sum`, `_count`. */
function durationMetric(durations: Map<string, DurationSeries>) {
  return {
    name: DURATION_NAME,
    help: 'Time to answer a SCIM request (handler and database, without sending the body), by operation.',
    type: 'histogram',
    aggregator: 'sum',
    reset() {
      durations.clear()
    },
    async get() {
      const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = []
      for (const [operation, series] of durations) {
        let cumulative = 0
        DURATION_BUCKETS.forEach((bound, index) => {
          cumulative += series.buckets[index]!
          values.push({ metricName: `${DURATION_NAME}_bucket`, labels: { le: bound, operation }, value: cumulative })
        })
        values.push({ metricName: `${DURATION_NAME}_bucket`, labels: { le: '+Inf', operation }, value: series.count })
        values.push({ metricName: `${DURATION_NAME}_sum`, labels: { operation }, value: series.sum })
        values.push({ metricName: `${DURATION_NAME}_count`, labels: { operation }, value: series.count })
      }
      return { name: DURATION_NAME, help: this.help, type: this.type, aggregator: this.aggregator, values }
    },
  }
}

function createMetrics(): Metrics {
  const registry = new Registry()
  const requests: Metrics['requests'] = new Map()
  const durations: Metrics['durations'] = new Map()
  const rateLimited = { token: 0, failure: 0 }
  collectDefaultMetrics({ register: registry, prefix: 'traffitech_' })
  new Counter({
    name: 'traffitech_scim_requests_total',
    help: 'SCIM requests answered, by IdP (provider id; "none" when no IdP was resolved), operation and status class.',
    labelNames: ['idp', 'operation', 'status_class'] as const,
    registers: [registry],
    collect() {
      this.reset()
      for (const byOperation of requests.values()) {
        for (const byClass of byOperation.values()) {
          for (const series of byClass.values()) {
            this.inc({ idp: series.idp, operation: series.operation, status_class: series.statusClass }, series.count)
          }
        }
      }
    },
  })
  registry.registerMetric(durationMetric(durations) as unknown as Parameters<Registry['registerMetric']>[0])
  new Counter({
    name: 'traffitech_scim_rate_limited_total',
    help: 'SCIM requests refused with 429: "token" (a token over SCIM_RATE_LIMIT) or "failure" (an address over SCIM_FAILURE_RATE_LIMIT).',
    labelNames: ['limit'] as const,
    registers: [registry],
    collect() {
      this.reset()
      this.inc({ limit: 'token' }, rateLimited.token)
      this.inc({ limit: 'failure' }, rateLimited.failure)
    },
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
  new Gauge({
    name: 'traffitech_idp_failure_ratio',
    help: "Share of an IdP's SCIM requests that failed over the quarantine warning window (QUARANTINE_WINDOW_MINUTES).",
    labelNames: ['idp'] as const,
    registers: [registry],
    async collect() {
      this.reset()
      for (const row of await recentFailureRatios()) this.set({ idp: row.providerId }, row.ratio)
    },
  })
  new Gauge({
    name: 'traffitech_idp_quarantine_warning',
    help: '1 while an IdP crosses the quarantine warning threshold (QUARANTINE_WARNING_RATIO and QUARANTINE_WARNING_MIN_FAILURES), else 0.',
    labelNames: ['idp'] as const,
    registers: [registry],
    async collect() {
      this.reset()
      for (const row of await recentFailureRatios()) this.set({ idp: row.providerId }, row.atRisk ? 1 : 0)
    },
  })
  return { registry, requests, durations, rateLimited }
}

function metrics(): Metrics {
  globalForMetrics.__traffitechMetrics ??= createMetrics()
  return globalForMetrics.__traffitechMetrics
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx']

function statusClass(status: number): string {
  return STATUS_CLASSES[Math.floor(status / 100) - 1] ?? 'other'
}

function innerMap<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key)
  if (value === undefined) {
    value = create()
    map.set(key, value)
  }
  return value
}

/**
 * Counts one answered SCIM request. `idp` must be a provider that exists (resolved from the URL, never the
 * raw path segment), so that a client cannot invent series.
 */
export function recordScimRequestMetrics(idp: string | null, operation: string, status: number, durationMs: number): void {
  const m = metrics()
  const idpLabel = idp ?? 'none'
  const cls = statusClass(status)
  const byOperation = innerMap(m.requests, idpLabel, () => new Map<string, Map<string, RequestSeries>>())
  const byClass = innerMap(byOperation, operation, () => new Map<string, RequestSeries>())
  innerMap(byClass, cls, () => ({ idp: idpLabel, operation, statusClass: cls, count: 0 })).count += 1
  const series = innerMap(m.durations, operation, () => ({
    buckets: new Float64Array(DURATION_BUCKETS.length),
    sum: 0,
    count: 0,
  }))
  const seconds = Number.isFinite(durationMs) && durationMs > 0 ? durationMs / 1000 : 0
  let index = 0
  while (index < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[index]!) index += 1
  if (index < DURATION_BUCKETS.length) series.buckets[index]! += 1
  series.sum += seconds
  series.count += 1
}

/** Counts one SCIM request refused with 429. */
export function recordRateLimited(limit: 'token' | 'failure'): void {
  metrics().rateLimited[limit] += 1
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
