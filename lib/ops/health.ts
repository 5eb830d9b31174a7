import { checkDatabaseHealth } from '../db/health'
import { requestLogStats } from '../services/request-log'

/**
 * Liveness and readiness for a load balancer or an orchestrator. /healthz: the process runs and its event
 * loop answers. /readyz: this instance should get traffic — the database answers, the schema has every
 * migration of this build, the log queue is not close to dropping records, and the process is not shutting down.
 */

/** Past this fill of the log queue, an instance stops taking traffic: the database is not keeping up. */
export const LOG_QUEUE_SATURATED = 0.8
const DATABASE_PROBE_TIMEOUT_MS = 2000

const state = globalThis as unknown as { __traffitechShuttingDown?: boolean }

/** Called when a graceful shutdown begins: /readyz answers 503 from then on, so the balancer drains the instance. */
export function markShuttingDown(): void {
  state.__traffitechShuttingDown = true
}

export function isShuttingDown(): boolean {
  return state.__traffitechShuttingDown === true
}

export type HealthReport = { status: number; body: Record<string, unknown> }

export function liveness(): HealthReport {
  return { status: 200, body: { status: 'ok', uptimeSeconds: Math.round(process.uptime()) } }
}

export async function readiness(): Promise<HealthReport> {
  const checks: Record<string, { ok: boolean; detail?: string }> = {}
  // Read before waiting for the database: the figures of the moment the probe came in.
  const log = requestLogStats()
  if (isShuttingDown()) checks.shutdown = { ok: false, detail: 'The instance is shutting down.' }
  const database = await checkDatabaseHealth(DATABASE_PROBE_TIMEOUT_MS)
  checks.database = database.reachable ? { ok: true } : { ok: false, detail: database.error }
  if (database.reachable) {
    checks.migrations =
      database.pendingMigrations.length === 0
        ? { ok: true }
        : { ok: false, detail: `Not applied: ${database.pendingMigrations.join(', ')}` }
  }
  checks.requestLog =
    log.fill < LOG_QUEUE_SATURATED
      ? { ok: true }
      : { ok: false, detail: `The log queue is ${Math.round(log.fill * 100)} % full (${log.queued} records waiting).` }
  const ok = Object.values(checks).every((check) => check.ok)
  return { status: ok ? 200 : 503, body: { status: ok ? 'ready' : 'not ready', checks } }
}
