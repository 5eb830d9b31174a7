/**
 * Replays Entra ID's provisioning workload against a running server and prints figures per phase:
 *   npm run bench -- --base <tenant URL> --token <token> [--users 10000] [--concurrency 8] [--pid <server pid>]
 *                    [--phases create,lookup,patch,list,delete] [--prefix <userName prefix of an earlier run>]
 * Phases: create every user, look each up by `userName eq`, PATCH displayName, PATCH title, PATCH active=false,
 * list all in pages of 100, delete each. The server's peak RSS is read from /proc (VmHWM) when its pid is known.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    token: { type: 'string' },
    users: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '8' },
    pid: { type: 'string' },
    prefix: { type: 'string', default: `bench${Date.now().toString(36)}` },
    phases: { type: 'string', default: 'create,lookup,patch,list,delete' },
  },
})

if (!values.base || !values.token) {
  console.error('Usage: npm run bench -- --base <tenant URL> --token <token> [--users N] [--concurrency N] [--pid PID]')
  process.exit(2)
}
const base = new URL(values.base.replace(/\/+$/, ''))
const token = values.token
const userCount = Number(values.users)
const concurrency = Number(values.concurrency)
const prefix = values.prefix!
const phases = new Set(values.phases!.split(','))
const transport = base.protocol === 'https:' ? https : http
const agent = new transport.Agent({ keepAlive: true, maxSockets: concurrency })

type Reply = { status: number; body: string }

function send(method: string, path: string, body?: unknown): Promise<Reply> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
  return new Promise((resolve, reject) => {
    const request = transport.request(
      {
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port,
        path: `${base.pathname}${path}`,
        method,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload ? { 'content-type': 'application/scim+json', 'content-length': payload.length } : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
        response.on('error', reject)
      },
    )
    request.on('error', reject)
    request.end(payload)
  })
}

type PhaseResult = { name: string; requests: number; errors: number; seconds: number; latencies: number[] }

async function phase(name: string, count: number, run: (index: number) => Promise<boolean>): Promise<PhaseResult> {
  const latencies: number[] = []
  let errors = 0
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++
        const t0 = performance.now()
        const ok = await run(index).catch(() => false)
        latencies.push(performance.now() - t0)
        if (!ok) errors++
      }
    }),
  )
  return { name, requests: count, errors, seconds: (performance.now() - started) / 1000, latencies }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

function report(result: PhaseResult, unit = 'req/s') {
  const sorted = [...result.latencies].sort((a, b) => a - b)
  const rate = result.requests / result.seconds
  console.log(
    `${result.name.padEnd(18)} ${rate.toFixed(0).padStart(6)} ${unit.padEnd(8)} p50 ${percentile(sorted, 50).toFixed(1).padStart(6)} ms  ` +
      `p95 ${percentile(sorted, 95).toFixed(1).padStart(6)} ms  p99 ${percentile(sorted, 99).toFixed(1).padStart(6)} ms  ` +
      `errors ${result.errors}  (${result.requests} in ${result.seconds.toFixed(2)} s)`,
  )
}

function serverPid(): number | undefined {
  if (values.pid) return Number(values.pid)
  try {
    const out = execFileSync('ss', ['-Hltnp', `sport = :${base.port || (base.protocol === 'https:' ? 443 : 80)}`], { encoding: 'utf8' })
    const match = /pid=(\d+)/.exec(out)
    return match ? Number(match[1]) : undefined
  } catch {
    return undefined
  }
}

function peakRssMb(pid: number | undefined): string {
  if (!pid) return 'unknown (pass --pid)'
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const peak = /VmHWM:\s+(\d+) kB/.exec(status)?.[1]
    const now = /VmRSS:\s+(\d+) kB/.exec(status)?.[1]
    return `${(Number(peak) / 1024).toFixed(0)} MB peak, ${(Number(now) / 1024).toFixed(0)} MB now (pid ${pid})`
  } catch {
    return `unknown (cannot read /proc/${pid})`
  }
}

const userName = (index: number) => `${prefix}.${index}@bench.example`

function body(index: number) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
    externalId: `${prefix}-${index}`,
    userName: userName(index),
    active: true,
    displayName: `Bench User ${index}`,
    title: 'Engineer',
    emails: [{ primary: true, type: 'work', value: userName(index) }],
    name: { givenName: 'Bench', familyName: `User${index}` },
    phoneNumbers: [{ type: 'work', value: '+1 555 0100' }],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: String(index) },
  }
}

async function main() {
  const pid = serverPid()
  const probe = await send('GET', '/Users?count=0')
  if (probe.status !== 200) {
    console.error(`The server answered ${probe.status} to GET /Users: ${probe.body}`)
    process.exit(1)
  }
  console.log(`Benchmark: ${userCount} users, concurrency ${concurrency}, against ${base.href}`)
  const ids: string[] = new Array(userCount)
  const results: PhaseResult[] = []
  const run = async (result: Promise<PhaseResult>, unit?: string) => {
    results.push(await result)
    report(results.at(-1)!, unit)
  }

  if (phases.has('create')) {
    await run(
      phase('create', userCount, async (i) => {
        const reply = await send('POST', '/Users', body(i))
        if (reply.status !== 201) return false
        ids[i] = (JSON.parse(reply.body) as { id: string }).id
        return true
      }),
    )
  }
  // The PATCH and delete phases need ids: look them up when this run did not create the users.
  if (phases.has('lookup') || (!phases.has('create') && (phases.has('patch') || phases.has('delete')))) {
    await run(
      phase('lookup userName eq', userCount, async (i) => {
        const reply = await send('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName(i)}"`)}`)
        if (reply.status !== 200 || !reply.body.includes('"totalResults":1')) return false
        ids[i] = (JSON.parse(reply.body) as { Resources: Array<{ id: string }> }).Resources[0]!.id
        return true
      }),
    )
  }
  if (phases.has('patch')) {
    const patch = (name: string, operation: (i: number) => object) =>
      phase(name, userCount, async (i) => {
        const reply = await send('PATCH', `/Users/${ids[i]}`, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [operation(i)],
        })
        return reply.status === 200 || reply.status === 204
      })
    await run(patch('patch displayName', (i) => ({ op: 'Replace', path: 'displayName', value: `Renamed ${i}` })))
    await run(patch('patch title', () => ({ op: 'replace', path: 'title', value: 'Senior Engineer' })))
    await run(patch('patch active=false', () => ({ op: 'Replace', path: 'active', value: 'False' })))
  }
  if (phases.has('list')) {
    await run(
      phase('list pages of 100', Math.ceil(userCount / 100), async (i) => {
        const reply = await send('GET', `/Users?startIndex=${i * 100 + 1}&count=100`)
        return reply.status === 200
      }),
      'pages/s',
    )
  }
  if (phases.has('delete')) {
    await run(
      phase('delete', userCount, async (i) => {
        const reply = await send('DELETE', `/Users/${ids[i]}`)
        return reply.status === 204
      }),
    )
  }

  const all = results.flatMap((result) => result.latencies).sort((a, b) => a - b)
  console.log(`overall p99 ${percentile(all, 99).toFixed(1)} ms, errors ${results.reduce((sum, r) => sum + r.errors, 0)}`)
  console.log(`server memory: ${peakRssMb(pid)}`)
  agent.destroy()
}

await main()
