import { env } from '../env'
import { liveness, readiness } from './health'
import { metricsAuthorized, renderMetrics } from './metrics'

/**
 * The operations endpoints — GET /healthz, /readyz, /metrics — answered before anything else: no portal
 * session, no SCIM token, no provisioning log row, never cached. The production server (createAppServer)
 * answers them before Next; under `next dev` small app routes call the same function.
 */

export const OPS_PATHS = new Set(['/healthz', '/readyz', '/metrics'])

export type OpsAnswer = { status: number; headers: Record<string, string>; body: string }

const NO_STORE = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }

function json(status: number, body: unknown, headers: Record<string, string> = {}): OpsAnswer {
  return { status, headers: { 'content-type': 'application/json', ...NO_STORE, ...headers }, body: JSON.stringify(body) }
}

/** The answer to an operations request; `path` is one of OPS_PATHS. */
export async function answerOpsRequest(
  path: string,
  method: string,
  authorization: string | null | undefined,
): Promise<OpsAnswer> {
  if (method !== 'GET' && method !== 'HEAD') return json(405, { status: 'error', detail: 'Use GET.' }, { allow: 'GET, HEAD' })
  if (path === '/healthz') {
    const report = liveness()
    return json(report.status, report.body)
  }
  if (path === '/readyz') {
    const report = await readiness()
    return json(report.status, report.body)
  }
  if (!metricsAuthorized(authorization, env().METRICS_TOKEN)) {
    return json(
      401,
      { status: 'error', detail: 'Send Authorization: Bearer <METRICS_TOKEN>.' },
      { 'www-authenticate': 'Bearer realm="metrics"' },
    )
  }
  const metrics = await renderMetrics()
  return { status: 200, headers: { 'content-type': metrics.contentType, ...NO_STORE }, body: metrics.body }
}
