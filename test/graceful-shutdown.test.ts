import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import type { Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { createAppServer } from '@/lib/http/scim-node'
import { isShuttingDown, readiness } from '@/lib/ops/health'
import { shutDown } from '@/lib/ops/shutdown'
import { requestLogStats } from '@/lib/services/request-log'
import { createTestTenant, entraUser, type TestTenant } from './scim-harness'

/**
 * Graceful shutdown: requests in flight when it starts are answered and logged, new connections are refused,
 * the log is flushed and the database closed; a request that never ends does not hold the process past the
 * time limit. In this process (both databases), and as a real SIGTERM to a spawned server (PostgreSQL, where
 * the test can read what the other process wrote).
 */

type Reply = { status: number; headers: Record<string, string>; body: string }

/**
 * A POST that is in flight on the server: its head is sent with `Expect: 100-continue`, so the server's
 * `100 Continue` proves the request reached the handler; `finish()` then sends the body.
 */
function requestInFlight(port: number, path: string, headers: Record<string, string>, body: string) {
  const socket = connect(port, '127.0.0.1')
  let received = ''
  let onContinue: () => void
  const continued = new Promise<void>((resolve) => (onContinue = resolve))
  const reply = new Promise<Reply>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`No answer; got: ${received.slice(0, 200)}`)), 15_000)
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8')
      if (received.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
        received = received.slice('HTTP/1.1 100 Continue\r\n\r\n'.length)
        onContinue()
      }
      const end = received.indexOf('\r\n\r\n')
      if (end === -1 || received.startsWith('HTTP/1.1 100')) return
      const [statusLine = '', ...lines] = received.slice(0, end).split('\r\n')
      const parsed: Record<string, string> = {}
      for (const line of lines) parsed[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim()
      const text = received.slice(end + 4)
      if (Buffer.byteLength(text) < Number(parsed['content-length'] ?? 0)) return
      clearTimeout(timer)
      resolve({ status: Number(statusLine.split(' ')[1]), headers: parsed, body: text })
      socket.end()
    })
    socket.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
  const head = [`POST ${path} HTTP/1.1`, 'Host: x', 'Expect: 100-continue', `Content-Length: ${Buffer.byteLength(body)}`]
  for (const [name, value] of Object.entries(headers)) head.push(`${name}: ${value}`)
  socket.write(`${head.join('\r\n')}\r\n\r\n`)
  // write, not end: a half-closed connection may lose its answer (Node ends the socket when the client does).
  return { continued, reply, finish: () => socket.write(body), socket }
}

function connectOnce(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    socket.on('connect', () => {
      socket.destroy()
      resolve()
    })
    socket.on('error', reject)
  })
}

const IN_FLIGHT = 20
let tenant: TestTenant

beforeAll(async () => {
  tenant = await createTestTenant()
})

function usersPath() {
  return new URL(`${tenant.tenantUrl}/Users`).pathname
}

function createHeaders(requestId: string) {
  return { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/scim+json', 'x-request-id': requestId }
}

async function listening(): Promise<{ server: Server; port: number }> {
  const server = createAppServer((_req, res) => res.writeHead(404).end())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, port: (server.address() as AddressInfo).port }
}

describe('graceful shutdown in this process', () => {
  // First: it must leave the database open (a timed-out shutdown ends in process.exit, not in a close).
  it('gives up on a request that never ends once the time limit is reached, closing its connection', async () => {
    const { server, port } = await listening()
    const stuck = requestInFlight(port, usersPath(), createHeaders('stuck-1'), JSON.stringify(entraUser('stuck-1')))
    await stuck.continued
    const closed = once(stuck.socket, 'close')
    const started = performance.now()
    expect(await shutDown(server, 300)).toBe(false)
    expect(performance.now() - started).toBeLessThan(2000)
    await closed
    expect(isShuttingDown()).toBe(true)
    // From the first signal on, the balancer is told to send nothing more.
    const ready = await readiness()
    expect(ready.status).toBe(503)
    expect(ready.body.checks).toMatchObject({ shutdown: { ok: false }, database: { ok: true } })
  })

  it('answers and logs every request in flight, refuses new connections, then flushes the log and closes the database', async () => {
    const { server, port } = await listening()
    const runId = Date.now().toString(36)
    // An idle keep-alive connection must not hold the shutdown up to its keep-alive timeout.
    const idle = connect(port, '127.0.0.1')
    await once(idle, 'connect')
    const idleClosed = once(idle, 'close')
    const requests = Array.from({ length: IN_FLIGHT }, (_, i) =>
      requestInFlight(
        port,
        usersPath(),
        createHeaders(`shutdown-${runId}-${i}`),
        JSON.stringify(entraUser(`shutdown-${runId}-${i}`)),
      ),
    )
    await Promise.all(requests.map((request) => request.continued))
    const writtenBefore = requestLogStats().written
    const finished = shutDown(server, 10_000)
    await expect(connectOnce(port)).rejects.toThrow(/ECONNREFUSED/)
    for (const request of requests) request.finish()
    const replies = await Promise.all(requests.map((request) => request.reply))
    expect(replies.map((reply) => reply.status)).toEqual(Array(IN_FLIGHT).fill(201))
    // Each answer given during the shutdown closes its connection.
    expect(replies.every((reply) => reply.headers.connection === 'close')).toBe(true)
    expect(await finished).toBe(true)
    await idleClosed
    const stats = requestLogStats()
    expect(stats.queued).toBe(0)
    expect(stats.written - writtenBefore).toBeGreaterThanOrEqual(IN_FLIGHT)
    // PostgreSQL keeps the rows across the close (an in-memory PGlite does not): read them back.
    if (process.env.DATABASE_URL) {
      const rows = await getDb().provisioningRequest.findMany({ where: { requestId: { startsWith: `shutdown-${runId}-` } } })
      expect(rows).toHaveLength(IN_FLIGHT)
      expect(rows.every((row) => row.status === 201 && row.operation === 'create')).toBe(true)
    }
  })
})

describe.skipIf(!process.env.DATABASE_URL)('graceful shutdown of a server process on SIGTERM', () => {
  let child: ChildProcess
  const output: string[] = []

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL')
  })

  it('answers and logs the requests in flight, exits 0, and says so in JSON log lines', async () => {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', './scripts/register-server-only.mjs', 'test/support/scim-server.ts'],
      {
        env: { ...process.env, SCIM_RATE_LIMIT: '0', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    const lines = createInterface({ input: child.stdout! })
    const port = await new Promise<number>((resolve, reject) => {
      lines.on('line', (line) => {
        output.push(line)
        const parsed = line.startsWith('{') ? (JSON.parse(line) as { port?: unknown }) : {}
        if (typeof parsed.port === 'number') resolve(parsed.port)
      })
      child.once('exit', (code) => reject(new Error(`The server exited early (code ${code}).`)))
    })
    const runId = `sigterm-${Date.now().toString(36)}`
    const requests = Array.from({ length: IN_FLIGHT }, (_, i) =>
      requestInFlight(port, usersPath(), createHeaders(`${runId}-${i}`), JSON.stringify(entraUser(`${runId}-${i}`))),
    )
    await Promise.all(requests.map((request) => request.continued))
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    // The signal is taken once the listening socket is gone.
    for (let attempt = 0; attempt < 100; attempt++) {
      if (
        await connectOnce(port).then(
          () => false,
          () => true,
        )
      )
        break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await expect(connectOnce(port)).rejects.toThrow(/ECONNREFUSED/)
    for (const request of requests) request.finish()
    const replies = await Promise.all(requests.map((request) => request.reply))
    expect(replies.map((reply) => reply.status)).toEqual(Array(IN_FLIGHT).fill(201))
    const [code] = await exited
    expect(code).toBe(0)
    const rows = await getDb().provisioningRequest.findMany({ where: { requestId: { startsWith: `${runId}-` } } })
    expect(rows).toHaveLength(IN_FLIGHT)
    const logged = output
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level?: string; msg?: string })
    expect(logged.map((entry) => entry.msg)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Shutting down/), 'Shutdown complete']),
    )
    expect(logged.find((entry) => entry.msg === 'Shutdown complete')?.level).toBe('info')
  }, 30_000)
})
