import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

// Set before env() is first read (it is cached): this file runs with a metrics token.
vi.hoisted(() => {
  process.env.METRICS_TOKEN = 'metrics-test-token-1234'
})

import { getDb } from '@/lib/db/client'
import { createAppServer } from '@/lib/http/scim-node'
import { readiness } from '@/lib/ops/health'
import { metricsAuthorized } from '@/lib/ops/metrics'
import { isUsableRequestId, requestIdFrom } from '@/lib/ops/request-id'
import { readLogFilter } from '@/lib/portal/log-filter'
import { findLogPage } from '@/lib/services/portal-logs'
import { flushRequestLog, recordRequest, requestLogStats } from '@/lib/services/request-log'
import { rawRequest } from './raw-http'
import { createTestTenant, entraUser, type TestTenant } from './scim-harness'

/**
 * The operations face of the production entry: health and readiness probes, Prometheus metrics behind
 * METRICS_TOKEN, and request ids from X-Request-Id to the response header and the log record.
 */

let server: Server
let base: string
let tenant: TestTenant
let otherPaths = 0
const METRICS_TOKEN = 'metrics-test-token-1234'
// Generated request ids are time-ordered UUIDs (version 7), so the log's request-id index grows at its end.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

beforeAll(async () => {
  tenant = await createTestTenant()
  server = createAppServer((_req, res) => {
    otherPaths += 1
    res.writeHead(204).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await flushRequestLog()
})

const usersUrl = () => `${base}${new URL(`${tenant.tenantUrl}/Users`).pathname}`
const scimHeaders = (extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${tenant.token}`,
  'content-type': 'application/scim+json',
  ...extra,
})

async function logRowsWhere(where: Record<string, unknown>) {
  await flushRequestLog()
  return getDb().provisioningRequest.findMany({ where })
}

describe('health and readiness', () => {
  it('answers /healthz and /readyz with JSON, uncached, without reaching Next or the log', async () => {
    const rowsBefore = await getDb().provisioningRequest.count()
    const others = otherPaths
    for (const path of ['/healthz', '/readyz', '/healthz?probe=1']) {
      const response = await fetch(`${base}${path}`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('application/json')
      expect(response.headers.get('cache-control')).toBe('no-store')
      const body = await response.json()
      expect(body.status).toMatch(/^(ok|ready)$/)
    }
    const ready = await (await fetch(`${base}/readyz`)).json()
    expect(ready.checks).toEqual({ database: { ok: true }, migrations: { ok: true }, requestLog: { ok: true } })
    expect(otherPaths).toBe(others)
    expect(await getDb().provisioningRequest.count()).toBe(rowsBefore)
    expect(requestLogStats().queued).toBe(0)
  })

  it('answers HEAD without a body and refuses other methods with 405', async () => {
    const head = await fetch(`${base}/healthz`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    const post = await fetch(`${base}/readyz`, { method: 'POST', body: 'x' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
  })

  it('leaves look-alike paths to Next', async () => {
    const others = otherPaths
    for (const path of ['/healthz/', '/healthzz', '/readyz/x', '//metrics']) {
      expect((await fetch(`${base}${path}`)).status).toBe(204)
    }
    expect(otherPaths).toBe(others + 4)
  })
})

describe('metrics', () => {
  it('refuses a scrape without the token, or with a wrong one, with 401', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong',
      `Bearer ${METRICS_TOKEN}x`,
      `Basic ${METRICS_TOKEN}`,
      `Bearer ${METRICS_TOKEN.slice(0, -1)}`,
    ]) {
      const response = await fetch(`${base}/metrics`, authorization ? { headers: { authorization } } : {})
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
      expect(await response.text()).not.toContain('traffitech_')
    }
  })

  it('compares tokens whatever their length and content', () => {
    expect(metricsAuthorized(undefined, undefined)).toBe(true)
    expect(metricsAuthorized('Bearer anything', undefined)).toBe(true)
    expect(metricsAuthorized(`Bearer ${METRICS_TOKEN}`, METRICS_TOKEN)).toBe(true)
    expect(metricsAuthorized(`bearer   ${METRICS_TOKEN}  `, METRICS_TOKEN)).toBe(true)
    expect(metricsAuthorized(`Bearer ${'a'.repeat(100_000)}`, METRICS_TOKEN)).toBe(false)
    expect(metricsAuthorized('Bearer \u0000', METRICS_TOKEN)).toBe(false)
    expect(metricsAuthorized('', METRICS_TOKEN)).toBe(false)
  })

  it('counts SCIM requests by IdP, operation and status class, with latency, log and pool figures', async () => {
    const created = await fetch(usersUrl(), {
      method: 'POST',
      headers: scimHeaders(),
      body: JSON.stringify(entraUser('metrics-1')),
    })
    expect(created.status).toBe(201)
    const unauthorized = await fetch(usersUrl(), { headers: { authorization: 'Bearer nope' } })
    expect(unauthorized.status).toBe(401)
    // An unknown tenant id must not become a label value.
    const unknownTenant = `${base}/scim/v2/enterprise-idps/invented-${Date.now()}/Users`
    expect((await fetch(unknownTenant, { headers: { authorization: 'Bearer nope' } })).status).toBe(404)
    await flushRequestLog()
    const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const text = await response.text()
    const sample = (line: RegExp) =>
      Number(
        text
          .split('\n')
          .find((entry) => line.test(entry))
          ?.split(' ')
          .pop(),
      )
    const idp = tenant.providerId
    expect(
      sample(new RegExp(`^traffitech_scim_requests_total\\{idp="${idp}",operation="create",status_class="2xx"\\} `)),
    ).toBeGreaterThanOrEqual(1)
    expect(
      sample(new RegExp(`^traffitech_scim_requests_total\\{idp="${idp}",operation="auth_failure",status_class="4xx"\\} `)),
    ).toBeGreaterThanOrEqual(1)
    expect(
      sample(/^traffitech_scim_requests_total\{idp="none",operation="auth_failure",status_class="4xx"\} /),
    ).toBeGreaterThanOrEqual(1)
    expect(text).not.toContain('invented-')
    expect(sample(/^traffitech_scim_request_duration_seconds_count\{operation="create"\} /)).toBeGreaterThanOrEqual(1)
    expect(text).toMatch(/^traffitech_scim_request_duration_seconds_bucket\{le="0\.005",operation="create"\} \d+$/m)
    expect(sample(/^traffitech_request_log_queue_depth /)).toBe(0)
    expect(sample(/^traffitech_request_log_records_written_total /)).toBe(requestLogStats().written)
    expect(text).toMatch(/^traffitech_request_log_records_dropped_total \d+$/m)
    expect(text).toMatch(/^traffitech_process_resident_memory_bytes \d+/m)
    if (process.env.DATABASE_URL) {
      expect(sample(/^traffitech_db_pool_connections\{state="max"\} /)).toBeGreaterThan(0)
      expect(text).toMatch(/^traffitech_db_pool_connections\{state="waiting"\} \d+$/m)
    }
    // Scrapes are not SCIM requests: nothing of /metrics reaches the provisioning log.
    expect(await logRowsWhere({ path: '/metrics' })).toEqual([])
  })
})

describe('request ids', () => {
  it('accepts printable ids of up to 128 characters and replaces anything else', () => {
    for (const good of ['abc', 'a'.repeat(128), 'req-1/2:3', 'a b', '~!']) expect(requestIdFrom(good)).toBe(good)
    for (const bad of ['', ' a', 'a ', 'a'.repeat(129), 'a\u0000b', 'a\nb', 'a\r\nSet-Cookie: x=1', 'é', '\ud800', 'a\tb']) {
      expect(isUsableRequestId(bad)).toBe(false)
      expect(requestIdFrom(bad)).toMatch(UUID)
    }
    expect(requestIdFrom(null)).toMatch(UUID)
    expect(requestIdFrom(['first', 'second'])).toBe('first')
  })

  it('returns a given X-Request-Id, stores it on the log record, and finds it in the portal log filter', async () => {
    const requestId = `support-case-${Date.now()}`
    const response = await fetch(usersUrl(), {
      method: 'POST',
      headers: scimHeaders({ 'x-request-id': requestId }),
      body: JSON.stringify(entraUser('request-id-1')),
    })
    expect(response.status).toBe(201)
    expect(response.headers.get('x-request-id')).toBe(requestId)
    const rows = await logRowsWhere({ requestId })
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ method: 'POST', status: 201, operation: 'create' })
    const { params, errors } = readLogFilter({ requestId: ` ${requestId} ` })
    expect(errors).toEqual({})
    const page = await findLogPage(params)
    expect(page.rows.map((row) => row.id)).toEqual([rows[0]!.id])
  })

  it('replaces an unusable X-Request-Id with a generated one, the same in the header and on the record', async () => {
    const raw = await rawRequest(
      Number(new URL(base).port),
      [
        `GET ${new URL(usersUrl()).pathname}?count=1 HTTP/1.1`,
        'Host: x',
        `Authorization: Bearer ${tenant.token}`,
        `X-Request-Id: ${'x'.repeat(200)}`,
        'Connection: close',
        '',
        '',
      ].join('\r\n'),
    )
    expect(raw.status).toBe(200)
    const generated = raw.headers['x-request-id']!
    expect(generated).toMatch(UUID)
    expect(await logRowsWhere({ requestId: generated })).toHaveLength(1)
  })

  it('generates one for each request without an id, and for failures and requests refused before the handlers', async () => {
    const a = await fetch(usersUrl(), { headers: { authorization: 'Bearer nope' } })
    const b = await fetch(usersUrl(), { headers: { authorization: 'Bearer nope' } })
    expect(a.headers.get('x-request-id')).toMatch(UUID)
    expect(b.headers.get('x-request-id')).toMatch(UUID)
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'))
    const path = `${new URL(usersUrl()).pathname}/trace-probe`
    const trace = await rawRequest(
      Number(new URL(base).port),
      `TRACE ${path} HTTP/1.1\r\nHost: x\r\nX-Request-Id: trace-1\r\nConnection: close\r\n\r\n`,
    )
    expect(trace.status).toBe(405)
    expect(trace.headers['x-request-id']).toBe('trace-1')
    expect(await logRowsWhere({ requestId: 'trace-1', path })).toHaveLength(1)
  })

  it('ignores an over-long request id in the portal filter instead of failing', () => {
    const { params, errors } = readLogFilter({ requestId: 'x'.repeat(129) })
    expect(params.requestId).toBeUndefined()
    expect(errors.requestId).toMatch(/at most 128/)
  })
})

describe('readiness when the log cannot keep up', () => {
  it('answers 503 while the log queue is over 80 % full, and 200 again once it drained', async () => {
    // 64 KiB bodies: about 820 records fill 80 % of the queue's 64 MiB of text.
    const body = 'b'.repeat(64 * 1024)
    let queued = 0
    while (requestLogStats().fill < 0.81) {
      recordRequest({
        at: new Date(),
        providerId: null,
        tokenId: null,
        method: 'POST',
        path: `/scim/saturation/${queued++}`,
        query: '',
        status: 201,
        durationMs: 1,
        operation: 'create',
        requestBody: body,
      })
    }
    // Called at once: over HTTP the queue's write timer, already due, would start draining first.
    const saturated = await readiness()
    expect(saturated.status).toBe(503)
    expect(saturated.body.checks).toMatchObject({
      requestLog: { ok: false, detail: expect.stringMatching(/log queue is \d+ % full/) },
    })
    await flushRequestLog()
    expect((await fetch(`${base}/readyz`)).status).toBe(200)
    expect(await getDb().provisioningRequest.count({ where: { path: { startsWith: '/scim/saturation/' } } })).toBe(queued)
  }, 60_000)
})
