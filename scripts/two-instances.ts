/**
 * Two production servers (`node dist/server.mjs`, after `npm run build`) on one PostgreSQL database, as two
 * instances behind a load balancer: both start at once on the same database (migrations race), then an
 * Entra-like lifecycle alternates between them (create, lookup, PATCH, deactivate, reactivate, delete), and
 * a duplicate-POST storm (the same user 50 times at once, spread over both) must give exactly one 201, 409
 * for the rest and one user row. Both are then stopped with SIGTERM and must exit 0 with every request
 * logged. Exits non-zero on any deviation.
 *
 * Usage: DATABASE_URL=postgresql://… npm run test:two-instances   (the database's public schema is reset;
 * TWO_INSTANCES_PORTS=a,b picks the ports, default 3301,3302)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import pg from 'pg'

const DATABASE_URL = process.env.DATABASE_URL
/** Where the two listen: TWO_INSTANCES_PORTS=a,b (default 3301,3302). */
const PORTS = (process.env.TWO_INSTANCES_PORTS ?? '3301,3302').split(',').map(Number)
if (PORTS.length !== 2 || PORTS.some((port) => !Number.isInteger(port) || port < 1 || port > 65535)) {
  console.error('TWO_INSTANCES_PORTS must be two ports, such as 3301,3302.')
  process.exit(2)
}
const STORM = 50
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

const failures: string[] = []
let checks = 0
function check(condition: boolean, what: string, detail?: unknown): void {
  checks += 1
  if (condition) return
  failures.push(what)
  console.error(`FAIL ${what}${detail === undefined ? '' : `: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`}`)
}

function fatal(message: string): never {
  console.error(message)
  process.exit(2)
}

if (!DATABASE_URL) fatal('Set DATABASE_URL to a PostgreSQL database (its public schema is reset).')
if (!existsSync('dist/server.mjs') || !existsSync(`${process.env.NEXT_DIST_DIR ?? '.next'}/BUILD_ID`))
  fatal('Run npm run build first.')

const sharedEnv = {
  ...process.env,
  DATABASE_URL,
  NODE_ENV: 'production' as const,
  HOSTNAME: '127.0.0.1',
  // What a load balancer in front would give both: one public URL, one session secret.
  PUBLIC_URL: `http://127.0.0.1:${PORTS[0]}`,
  NEXTAUTH_SECRET: 'two-instances-shared-secret-not-for-production',
  DATABASE_POOL_SIZE: '5',
  LOG_LEVEL: 'info',
}

async function resetDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL })
  await client.connect()
  try {
    await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;')
  } finally {
    await client.end()
  }
}

type Instance = { port: number; child: ChildProcess; lines: string[] }

function start(port: number): Instance {
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/server.mjs'], {
    env: { ...sharedEnv, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (line) => lines.push(line))
  return { port, child, lines }
}

async function waitReady(instance: Instance, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (instance.child.exitCode !== null)
      fatal(`Instance on ${instance.port} exited (${instance.child.exitCode}):\n${instance.lines.join('\n')}`)
    const ready = await fetch(`http://127.0.0.1:${instance.port}/readyz`).then(
      (response) => response.status === 200,
      () => false,
    )
    if (ready) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  fatal(`Instance on ${instance.port} not ready within ${timeoutMs} ms:\n${instance.lines.join('\n')}`)
}

function admin(...args: string[]): Record<string, unknown> {
  const result = spawnSync('npm', ['run', '-s', 'admin', '--', ...args, '--json'], { env: sharedEnv, encoding: 'utf8' })
  if (result.status !== 0) fatal(`admin ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`)
  return JSON.parse(result.stdout) as Record<string, unknown>
}

let providerId = ''
let token = ''
let sent = 0

// Reads arbitrary SCIM JSON back, like the tests do.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Reply = { status: number; body: any; requestId: string | null }

async function scim(instance: Instance, method: string, path: string, body?: unknown): Promise<Reply> {
  sent += 1
  const response = await fetch(`http://127.0.0.1:${instance.port}/scim/v2/enterprise-idps/${providerId}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined, requestId: response.headers.get('x-request-id') }
}

const filter = (expression: string) => `/Users?filter=${encodeURIComponent(expression)}`

function entraUser(upn: string, objectId: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    externalId: objectId,
    userName: upn,
    active: 'True',
    displayName: 'Alex Wilber',
    title: 'Analyst',
    emails: [{ primary: true, type: 'work', value: upn }],
    name: { formatted: 'Alex Wilber', familyName: 'Wilber', givenName: 'Alex' },
    [ENTERPRISE]: { employeeNumber: '1001' },
  }
}

async function lifecycle([a, b]: [Instance, Instance]): Promise<void> {
  const upn = 'alex.wilber@contoso.example'
  const objectId = crypto.randomUUID()
  const probe = await scim(a, 'GET', filter(`userName eq "${crypto.randomUUID()}"`))
  check(probe.status === 200 && probe.body.totalResults === 0, 'Test Connection probe on A is an empty list', probe)
  const created = await scim(b, 'POST', '/Users', entraUser(upn, objectId))
  check(created.status === 201, 'create on B answers 201', created)
  check(typeof created.requestId === 'string' && created.requestId.length > 0, 'the answer carries X-Request-Id')
  const id = created.body?.id as string
  const byUserName = await scim(a, 'GET', filter(`userName eq "${upn}"`))
  check(
    byUserName.body?.totalResults === 1 && byUserName.body.Resources[0].id === id,
    'lookup by userName on A finds the user created on B',
    byUserName.body,
  )
  const byExternalId = await scim(b, 'GET', filter(`externalId eq "${objectId}"`))
  check(byExternalId.body?.totalResults === 1, 'lookup by externalId on B finds it', byExternalId.body)
  const patched = await scim(a, 'PATCH', `/Users/${id}`, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [
      { op: 'Replace', path: 'displayName', value: 'Alex W.' },
      { op: 'Replace', path: 'title', value: 'Lead Analyst' },
      { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: '1002' },
    ],
  })
  check(patched.status === 200, 'PATCH on A answers 200', patched)
  const read = await scim(b, 'GET', `/Users/${id}`)
  check(read.body?.displayName === 'Alex W.' && read.body.title === 'Lead Analyst', 'B reads what A patched', read.body)
  const deactivated = await scim(b, 'PATCH', `/Users/${id}`, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
  })
  check(deactivated.status === 200 && deactivated.body.active === false, 'deactivate on B', deactivated)
  check((await scim(a, 'GET', `/Users/${id}`)).body?.active === false, 'A reads the user inactive')
  const reactivated = await scim(a, 'PATCH', `/Users/${id}`, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', value: { active: true } }],
  })
  check(reactivated.status === 200 && reactivated.body.active === true, 'reactivate on A', reactivated)
  check((await scim(b, 'GET', `/Users/${id}`)).body?.active === true, 'B reads the user active again')
  const deleted = await scim(b, 'DELETE', `/Users/${id}`)
  check(deleted.status === 204, 'delete on B answers 204', deleted)
  check((await scim(a, 'GET', `/Users/${id}`)).status === 404, 'A answers 404 for the deleted user')
  check((await scim(a, 'DELETE', `/Users/${id}`)).status === 404, 'a second delete, on A, answers 404')
  check((await scim(b, 'GET', filter(`userName eq "${upn}"`))).body?.totalResults === 0, 'lookup after delete is empty')
}

async function duplicateStorm(instances: [Instance, Instance]): Promise<void> {
  const upn = 'storm.user@contoso.example'
  const objectId = crypto.randomUUID()
  const replies = await Promise.all(
    Array.from({ length: STORM }, (_, i) => scim(instances[i % 2]!, 'POST', '/Users', entraUser(upn, objectId))),
  )
  const statuses = replies.map((reply) => reply.status)
  const created = statuses.filter((status) => status === 201).length
  const conflicts = replies.filter((reply) => reply.status === 409 && reply.body?.scimType === 'uniqueness').length
  check(created === 1, `storm: exactly one 201 (got ${created})`, statuses)
  check(conflicts === STORM - 1, `storm: ${STORM - 1} × 409 uniqueness (got ${conflicts})`, statuses)
  const client = new pg.Client({ connectionString: DATABASE_URL })
  await client.connect()
  try {
    const { rows } = await client.query('SELECT count(*)::int AS n FROM "User" WHERE "providerId" = $1 AND "userName" = $2', [
      providerId,
      upn,
    ])
    check(rows[0].n === 1, `storm: one user row (got ${rows[0].n})`)
  } finally {
    await client.end()
  }
}

function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `))
  return line ? Number(line.split(' ').pop()) : 0
}

async function main(): Promise<void> {
  await resetDatabase()
  const instances: [Instance, Instance] = [start(PORTS[0]!), start(PORTS[1]!)]
  const stopAll = () => instances.forEach((instance) => instance.child.exitCode === null && instance.child.kill('SIGKILL'))
  process.once('exit', stopAll)
  await Promise.all(instances.map((instance) => waitReady(instance)))
  console.log(`Both instances ready on ports ${PORTS.join(' and ')} (one database, migrated by whichever came first).`)
  const idp = admin('idp', 'create', '--name', 'Two instances', '--kind', 'entra')
  providerId = String(idp.providerId)
  token = String(admin('token', 'create', '--idp', providerId, '--label', 'two-instances').token)

  await lifecycle(instances)
  await duplicateStorm(instances)

  const metrics = await Promise.all(
    instances.map((instance) => fetch(`http://127.0.0.1:${instance.port}/metrics`).then((response) => response.text())),
  )
  const creates = metrics.reduce(
    (sum, text) =>
      sum + metricValue(text, `traffitech_scim_requests_total{idp="${providerId}",operation="create",status_class="2xx"}`),
    0,
  )
  check(creates === 2, `metrics: 2 successful creates over both instances (got ${creates})`)

  // Both stop gracefully: exit 0, and every request is in the log.
  const exits = instances.map((instance) => once(instance.child, 'exit'))
  for (const instance of instances) instance.child.kill('SIGTERM')
  const codes = (await Promise.all(exits)).map(([code]) => code)
  check(
    codes.every((code) => code === 0),
    'both instances exit 0 on SIGTERM',
    codes,
  )
  const client = new pg.Client({ connectionString: DATABASE_URL })
  await client.connect()
  try {
    const { rows } = await client.query(
      'SELECT count(*)::int AS n, count(DISTINCT "requestId")::int AS ids FROM "ProvisioningRequest" WHERE "providerId" = $1',
      [providerId],
    )
    check(rows[0].n === sent, `every SCIM request logged: ${rows[0].n} rows for ${sent} requests`)
    check(rows[0].ids === sent, `each log row has its own request id (${rows[0].ids} distinct)`)
  } finally {
    await client.end()
  }
  for (const instance of instances) {
    // Next's own start-up notes ("✓ Running next.config.ts took 42ms") are not ours to format.
    const unparsable = instance.lines.filter((line) => {
      if (line.trim() === '' || /^\s*[✓▲⚠]/.test(line)) return false
      try {
        return typeof JSON.parse(line).level !== 'string'
      } catch {
        return true
      }
    })
    check(unparsable.length === 0, `instance ${instance.port} logs JSON lines only`, unparsable.slice(0, 5))
  }

  if (failures.length > 0) {
    console.error(`\n${failures.length} of ${checks} checks failed.`)
    process.exit(1)
  }
  console.log(`Two instances: all ${checks} checks passed.`)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
