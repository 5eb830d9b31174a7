/**
 * Replays Entra ID's provisioning workload against our production server and the floor (scripts/bench-floor.ts,
 * bare node:http + one SQL statement per request) in the same run, phase by phase, and prints per phase:
 * throughput of both and their ratio, latency, server CPU per request (/proc/<pid>/stat) for both, PostgreSQL
 * backend CPU per request for both (PostgreSQL on this machine only), and our server's peak RSS.
 *   npm run bench -- [--database-url postgresql://…] [--users 10000] [--concurrency 8] [--port 3900]
 *                    [--phases create,lookup,patch,list,delete] [--node-options="--cpu-prof"] [--no-floor]
 *                    [--server dist/server.mjs]   (another build of the server, for before/after comparisons)
 *   npm run bench -- --base <tenant URL> --token <token> [--pid <server pid>]   (a server already running)
 * Without --base it needs the production build (`npm run build`): it starts `node dist/server.mjs` on --port and
 * the floor on --port + 1, on the PostgreSQL database given (use a database of its own: the IdP it creates stays)
 * or on fresh embedded PGlite folders under ./data-bench, and stops both at the end.
 * Phases: create every user, look each up by `userName eq`, PATCH displayName, PATCH title, PATCH active=false,
 * list all in pages of 100, delete each.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    token: { type: 'string' },
    pid: { type: 'string' },
    'database-url': { type: 'string' },
    port: { type: 'string', default: '3900' },
    users: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '8' },
    prefix: { type: 'string', default: `bench${Date.now().toString(36)}` },
    phases: { type: 'string', default: 'create,lookup,patch,list,delete' },
    'node-options': { type: 'string', default: '' },
    server: { type: 'string', default: 'dist/server.mjs' },
    'no-floor': { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: './data-bench' },
  },
})

const userCount = Number(values.users)
const concurrency = Number(values.concurrency)
const prefix = values.prefix!
const phases = new Set(values.phases!.split(','))
const port = Number(values.port)
const databaseUrl = values['database-url']

/** Tags the connections of one server, so their PostgreSQL backends can be found in pg_stat_activity. */
function withApplicationName(url: string, name: string): string {
  const parsed = new URL(url)
  parsed.searchParams.set('application_name', name)
  return parsed.href
}

type Target = {
  name: string
  base: URL
  token: string
  pid?: number
  applicationName?: string
  agent: http.Agent
  ids: string[]
}

function makeTarget(name: string, base: string, token: string, pid?: number, applicationName?: string): Target {
  const url = new URL(base.replace(/\/+$/, ''))
  const transport = url.protocol === 'https:' ? https : http
  return {
    name,
    base: url,
    token,
    pid,
    applicationName,
    agent: new transport.Agent({ keepAlive: true, maxSockets: concurrency }),
    ids: new Array<string>(userCount),
  }
}

type Reply = { status: number; body: string }

function send(target: Target, method: string, path: string, body?: unknown): Promise<Reply> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
  const transport = target.base.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const request = transport.request(
      {
        protocol: target.base.protocol,
        hostname: target.base.hostname,
        port: target.base.port,
        path: `${target.base.pathname}${path}`,
        method,
        agent: target.agent,
        headers: {
          authorization: `Bearer ${target.token}`,
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

// ---- CPU accounting ---------------------------------------------------------------------------------------

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100

/** utime + stime of a process in ms, or undefined when it cannot be read (another machine, gone). */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS
  } catch {
    return undefined
  }
}

type PgClient = {
  query: (text: string, params: unknown[]) => Promise<{ rows: Array<{ pid: number }> }>
  end: () => Promise<void>
}
let monitor: PgClient | undefined

/** CPU ms of every PostgreSQL backend of one server's pool, keyed by backend pid. */
async function backendCpu(target: Target): Promise<Map<number, number> | undefined> {
  if (!monitor || !target.applicationName) return undefined
  const { rows } = await monitor.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [target.applicationName])
  const cpu = new Map<number, number>()
  for (const { pid } of rows) {
    const ms = processCpuMs(pid)
    if (ms !== undefined) cpu.set(pid, ms)
  }
  return cpu.size ? cpu : undefined
}

function backendDelta(before: Map<number, number> | undefined, after: Map<number, number> | undefined): number | undefined {
  if (!after) return undefined
  let sum = 0
  for (const [pid, ms] of after) sum += ms - (before?.get(pid) ?? 0)
  return sum
}

// ---- phases ------------------------------------------------------------------------------------------------

type PhaseResult = {
  target: string
  name: string
  requests: number
  errors: number
  seconds: number
  latencies: number[]
  cpuMs?: number
  dbCpuMs?: number
}

async function phase(
  target: Target,
  name: string,
  count: number,
  run: (index: number) => Promise<boolean>,
): Promise<PhaseResult> {
  const latencies: number[] = []
  let errors = 0
  let next = 0
  const cpuBefore = target.pid ? processCpuMs(target.pid) : undefined
  const dbBefore = await backendCpu(target)
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
  const seconds = (performance.now() - started) / 1000
  const cpuAfter = target.pid ? processCpuMs(target.pid) : undefined
  const dbAfter = await backendCpu(target)
  return {
    target: target.name,
    name,
    requests: count,
    errors,
    seconds,
    latencies,
    cpuMs: cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined,
    dbCpuMs: backendDelta(dbBefore, dbAfter),
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

const userName = (index: number) => `${prefix}.${index}@bench.example`

function userBody(index: number) {
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

type PhaseSpec = { name: string; count: number; unit: string; run: (target: Target, index: number) => Promise<boolean> }

function patchPhase(name: string, operation: (i: number) => object): PhaseSpec {
  return {
    name,
    count: userCount,
    unit: 'req/s',
    run: async (target, i) => {
      const reply = await send(target, 'PATCH', `/Users/${target.ids[i]}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [operation(i)],
      })
      return reply.status === 200 || reply.status === 204
    },
  }
}

function phaseSpecs(): PhaseSpec[] {
  const specs: PhaseSpec[] = []
  if (phases.has('create')) {
    specs.push({
      name: 'create',
      count: userCount,
      unit: 'req/s',
      run: async (target, i) => {
        const reply = await send(target, 'POST', '/Users', userBody(i))
        if (reply.status !== 201) return false
        target.ids[i] = (JSON.parse(reply.body) as { id: string }).id
        return true
      },
    })
  }
  // The PATCH and delete phases need ids: look them up when this run did not create the users.
  if (phases.has('lookup') || (!phases.has('create') && (phases.has('patch') || phases.has('delete')))) {
    specs.push({
      name: 'lookup userName eq',
      count: userCount,
      unit: 'req/s',
      run: async (target, i) => {
        const reply = await send(target, 'GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName(i)}"`)}`)
        if (reply.status !== 200 || !reply.body.includes('"totalResults":1')) return false
        target.ids[i] = (JSON.parse(reply.body) as { Resources: Array<{ id: string }> }).Resources[0]!.id
        return true
      },
    })
  }
  if (phases.has('patch')) {
    specs.push(patchPhase('patch displayName', (i) => ({ op: 'Replace', path: 'displayName', value: `Renamed ${i}` })))
    specs.push(patchPhase('patch title', () => ({ op: 'replace', path: 'title', value: 'Senior Engineer' })))
    specs.push(patchPhase('patch active=false', () => ({ op: 'Replace', path: 'active', value: 'False' })))
  }
  if (phases.has('list')) {
    specs.push({
      name: 'list pages of 100',
      count: Math.ceil(userCount / 100),
      unit: 'pages/s',
      run: async (target, i) => (await send(target, 'GET', `/Users?startIndex=${i * 100 + 1}&count=100`)).status === 200,
    })
  }
  if (phases.has('delete')) {
    specs.push({
      name: 'delete',
      count: userCount,
      unit: 'req/s',
      run: async (target, i) => (await send(target, 'DELETE', `/Users/${target.ids[i]}`)).status === 204,
    })
  }
  return specs
}

// ---- servers -------------------------------------------------------------------------------------------------

type Env = Record<string, string | undefined>

const children: ChildProcess[] = []

function startProcess(command: string, args: string[], env: Env, label: string): ChildProcess {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
  child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`[${label}] ${chunk.toString()}`))
  children.push(child)
  return child
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

async function waitUntilAnswering(target: Target, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${target.name} exited with code ${child.exitCode}`)
    const reply = await send(target, 'GET', '/Users?count=0').catch(() => undefined)
    if (reply?.status === 200) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`${target.name} did not answer within 120 s`)
}

/** The database settings of our server: the PostgreSQL database given, or a fresh PGlite folder. */
function serverDatabaseEnv(): Env {
  if (databaseUrl) return { DATABASE_URL: withApplicationName(databaseUrl, 'bench-ours'), DATA_DIR: undefined }
  const dataDir = `${values['data-dir']}/ours`
  rmSync(dataDir, { recursive: true, force: true })
  return { DATABASE_URL: '', DATA_DIR: dataDir }
}

/** An IdP and a token through the operator CLI, before the server takes the (embedded) database. */
function createTenant(env: Env): { providerId: string; token: string } {
  const admin = (...args: string[]) =>
    JSON.parse(
      execFileSync(
        'node_modules/.bin/tsx',
        ['--import', './scripts/register-server-only.mjs', 'scripts/admin.ts', ...args, '--json'],
        {
          env: { ...process.env, ...env },
          encoding: 'utf8',
        },
      ),
    ) as Record<string, string>
  const { providerId } = admin('idp', 'create', '--name', `Bench ${prefix}`, '--kind', 'entra')
  const { token } = admin('token', 'create', '--idp', providerId!, '--label', 'bench', '--expires-in-days', '1')
  return { providerId: providerId!, token: token! }
}

async function startOurs(): Promise<Target> {
  const env: Env = {
    ...serverDatabaseEnv(),
    NODE_ENV: 'production',
    PORT: String(port),
    HOSTNAME: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    NEXTAUTH_SECRET: 'bench-only-secret-not-for-production',
    SCIM_RATE_LIMIT: '0',
  }
  const { providerId, token } = createTenant(env)
  const nodeArgs = values['node-options']!.split(' ').filter(Boolean)
  const child = startProcess(process.execPath, [...nodeArgs, values.server!], env, 'ours')
  const target = makeTarget(
    'ours',
    `http://127.0.0.1:${port}/scim/v2/enterprise-idps/${providerId}`,
    token,
    child.pid,
    databaseUrl && 'bench-ours',
  )
  await waitUntilAnswering(target, child)
  return target
}

async function startFloor(): Promise<Target> {
  const floorPort = port + 1
  const args = ['scripts/bench-floor.ts', '--port', String(floorPort), '--token', 'floor']
  if (databaseUrl) args.push('--database-url', withApplicationName(databaseUrl, 'bench-floor'))
  else args.push('--data-dir', `${values['data-dir']}/floor`)
  // The floor runs as plain JavaScript too: tsx only strips types at load time.
  const child = startProcess(process.execPath, ['--import', 'tsx', ...args], {}, 'floor')
  const target = makeTarget('floor', `http://127.0.0.1:${floorPort}/scim/v2`, 'floor', child.pid, databaseUrl && 'bench-floor')
  await waitUntilAnswering(target, child)
  return target
}

function memoryOf(pid: number | undefined): { peak: number; now: number } | undefined {
  if (!pid) return undefined
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1])
    return { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 }
  } catch {
    return undefined
  }
}

function serverPid(base: URL): number | undefined {
  if (values.pid) return Number(values.pid)
  try {
    const out = execFileSync('ss', ['-Hltnp', `sport = :${base.port || (base.protocol === 'https:' ? 443 : 80)}`], {
      encoding: 'utf8',
    })
    const match = /pid=(\d+)/.exec(out)
    return match ? Number(match[1]) : undefined
  } catch {
    return undefined
  }
}

// ---- report --------------------------------------------------------------------------------------------------

const fixed = (value: number | undefined, digits: number) => (value === undefined ? '–' : value.toFixed(digits))

function printPhase(unit: string, ours: PhaseResult, floor: PhaseResult | undefined) {
  const line = (result: PhaseResult) => {
    const sorted = [...result.latencies].sort((a, b) => a - b)
    const rate = result.requests / result.seconds
    return (
      `  ${result.target.padEnd(5)} ${rate.toFixed(0).padStart(6)} ${unit.padEnd(7)} p50 ${percentile(sorted, 50).toFixed(1).padStart(5)} ms  ` +
      `p99 ${percentile(sorted, 99).toFixed(1).padStart(6)} ms  CPU ${fixed(result.cpuMs && result.cpuMs / result.requests, 3).padStart(6)} ms/req  ` +
      `PG ${fixed(result.dbCpuMs && result.dbCpuMs / result.requests, 3).padStart(6)} ms/req  errors ${result.errors}`
    )
  }
  const ratio = floor ? ` ours/floor ${((100 * floor.seconds) / ours.seconds).toFixed(0)} %` : ''
  console.log(`${ours.name}${ratio}`)
  console.log(line(ours))
  if (floor) console.log(line(floor))
}

async function main() {
  let ours: Target
  let floor: Target | undefined
  if (values.base) {
    if (!values.token) throw new Error('--base needs --token')
    const base = new URL(values.base)
    ours = makeTarget('ours', values.base, values.token, serverPid(base))
  } else {
    ours = await startOurs()
  }
  if (!values['no-floor']) floor = await startFloor()
  if (databaseUrl) {
    const { default: pg } = await import('pg')
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    monitor = client as unknown as PgClient
  }

  console.log(
    `Benchmark: ${userCount} users, concurrency ${concurrency}, ${databaseUrl ? 'PostgreSQL' : values.base ? 'a running server' : 'PGlite'}; ` +
      `ours ${ours.base.href}${floor ? `, floor ${floor.base.href}` : ''}`,
  )
  console.log('CPU: server process per request; PG: PostgreSQL backends of that server per request (local PostgreSQL only)')
  const results: PhaseResult[] = []
  // The two servers take turns going first (ours, floor; floor, ours; …): whatever work a phase leaves behind in
  // PostgreSQL (autovacuum, checkpoints, index clean-up) then slows the next phase of either, not always ours.
  let index = 0
  for (const spec of phaseSpecs()) {
    const run = (target: Target) => phase(target, spec.name, spec.count, (i) => spec.run(target, i))
    const floorFirst = index++ % 2 === 1
    const floorBefore = floor && floorFirst ? await run(floor) : undefined
    const oursResult = await run(ours)
    const floorResult = floorBefore ?? (floor ? await run(floor) : undefined)
    results.push(oursResult, ...(floorResult ? [floorResult] : []))
    printPhase(spec.unit, oursResult, floorResult)
  }
  for (const name of ['ours', 'floor']) {
    const all = results.filter((r) => r.target === name)
    if (!all.length) continue
    const latencies = all.flatMap((r) => r.latencies).sort((x, y) => x - y)
    console.log(
      `${name}: all requests p99 ${percentile(latencies, 99).toFixed(1)} ms, errors ${all.reduce((sum, r) => sum + r.errors, 0)}`,
    )
  }
  for (const target of [ours, floor]) {
    if (!target) continue
    const memory = memoryOf(target.pid)
    console.log(
      `${target.name} memory: ${memory ? `${memory.peak.toFixed(0)} MB peak RSS, ${memory.now.toFixed(0)} MB now (pid ${target.pid})` : 'unknown (pass --pid)'}`,
    )
  }
}

try {
  await main()
} finally {
  await monitor?.end()
  await Promise.all(children.map(stopProcess))
}
process.exit(process.exitCode ?? 0)
