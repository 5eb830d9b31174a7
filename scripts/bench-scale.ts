/**
 * The figures of issue 10 at scale, on a database filled by `npm run seed:scale`:
 *   npm run bench:scale -- --database-url postgresql://… [--port 3920] [--samples 200] [--export-mb 50]
 * SCIM figures go through HTTP to the production build (`node dist/server.mjs`, started here on --port):
 * exact-match lookups at concurrency 1 and 8, writes, list pages at the start, middle and end of the collection,
 * filters on attributes without an index. Portal figures call the service functions the pages call, in this
 * process, with the same statement time limit as the server (wall time per call, the pages' rendering left out):
 * log views, users tables, IdP list and page, dashboard, a user's timeline, export throughput. Every figure is
 * printed whether or not it meets its target; a statement the time limit cancelled prints as such.
 */
import { spawn } from 'node:child_process'
import http from 'node:http'
import { parseArgs } from 'node:util'
import { SCALE_IDP_NAMES, scaleUser } from './scale-data'

const { values } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    port: { type: 'string', default: '3920' },
    samples: { type: 'string', default: '200' },
    'export-mb': { type: 'string', default: '50' },
    server: { type: 'string', default: 'dist/server.mjs' },
  },
})
if (!values['database-url']) {
  console.error('Usage: npm run bench:scale -- --database-url postgresql://… (after npm run seed:scale and npm run build)')
  process.exit(2)
}
process.env.DATABASE_URL = values['database-url']
const port = Number(values.port)
const samples = Number(values.samples)

const { closeDatabase, databaseReady, getDb } = await import('../lib/db/client')
const { CLI_ACTOR } = await import('../lib/services/audit')
const { createToken, revokeToken } = await import('../lib/services/tokens')
const { findLogPage, getLogRecord, exportLog } = await import('../lib/services/portal-logs')
const { findUsers, getUserDetail } = await import('../lib/services/portal-users')
const { readLogFilter } = await import('../lib/portal/log-filter')
const { readUserSearch } = await import('../lib/portal/user-search')
const { encodeCursor } = await import('../lib/portal/cursor')
const { listProviderSummaries, getProviderOverview, getDashboard, listAttributesWithUsage } =
  await import('../lib/services/portal-overview')

await databaseReady()
const db = getDb()
const providers = await db.identityProvider.findMany({
  where: { name: { in: [...SCALE_IDP_NAMES] } },
  orderBy: { createdAt: 'desc' },
})
const main = providers.find((provider) => provider.name === SCALE_IDP_NAMES[0])
if (!main) throw new Error('No "Scale Entra" IdP: run npm run seed:scale first.')
const { first, count } = (
  await db.$queryRawUnsafe<Array<{ first: number; count: number }>>(
    `SELECT min(("resource"->'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'->>'employeeNumber')::int) - 100000 AS first, count(*)::int AS count
   FROM "User" WHERE "providerId" = '${main.id}'`,
  )
)[0]!
const logRows = Number((await db.$queryRawUnsafe<Array<{ n: bigint }>>('SELECT count(*) AS n FROM "ProvisioningRequest"'))[0]!.n)
console.log(`Scale Entra ${main.id}: ${count} users (numbers ${first}…${first + count - 1}); ${logRows} log rows in all`)
// An IdP holds at most five active tokens: each run revokes its own at the end (and a run that died left one
// that expires within a day).
const { secret: token, token: benchToken } = await createToken(CLI_ACTOR, {
  providerId: main.id,
  label: 'bench:scale',
  expiresInDays: 1,
})
const randomUser = () => scaleUser(first + Math.floor(Math.random() * count), 0)

// ---- the server --------------------------------------------------------------------------------------------
const server = spawn(process.execPath, [values.server!], {
  env: {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOSTNAME: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    NEXTAUTH_SECRET: 'bench-only-secret-not-for-production',
    SCIM_RATE_LIMIT: '0',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
})
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })
const basePath = `/scim/v2/enterprise-idps/${main.id}`

function send(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path: `${basePath}${path}`,
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
      },
    )
    request.on('error', reject)
    request.end(payload)
  })
}

for (let i = 0; ; i++) {
  if ((await send('GET', '/Users?count=0').catch(() => undefined))?.status === 200) break
  if (i > 240 || server.exitCode !== null) throw new Error('The server did not start')
  await new Promise((resolve) => setTimeout(resolve, 500))
}

// ---- measuring ------------------------------------------------------------------------------------------------
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN
const f = (ms: number) => (Number.isNaN(ms) ? '   –' : ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)).padStart(7)

/** Runs `fn` n times at the given concurrency; latencies in ms, and the failures (status or error) seen. */
async function measure(n: number, concurrency: number, fn: (i: number) => Promise<string | null>) {
  const latencies: number[] = []
  const failures = new Map<string, number>()
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++
        const t0 = performance.now()
        const failure = await fn(i).catch((error: unknown) =>
          error instanceof Error ? error.message.slice(0, 80) : String(error),
        )
        latencies.push(performance.now() - t0)
        if (failure) failures.set(failure, (failures.get(failure) ?? 0) + 1)
      }
    }),
  )
  return { sorted: latencies.sort((a, b) => a - b), failures }
}

function line(name: string, target: string, result: Awaited<ReturnType<typeof measure>>) {
  const { sorted, failures } = result
  const failed = [...failures].map(([what, n]) => `${n}× ${what}`).join('; ')
  console.log(
    `${name.padEnd(58)} p50 ${f(percentile(sorted, 50))} ms  p99 ${f(percentile(sorted, 99))} ms  n=${sorted.length}  target ${target}${failed ? `  FAILED: ${failed}` : ''}`,
  )
}

const expect = (wanted: number | number[], check?: (body: string) => boolean) => (reply: { status: number; body: string }) => {
  const ok = (Array.isArray(wanted) ? wanted : [wanted]).includes(reply.status) && (!check || check(reply.body))
  return ok ? null : `${reply.status} ${reply.body.slice(0, 60)}`
}
const filterPath = (filter: string, extra = '') => `/Users?filter=${encodeURIComponent(filter)}${extra}`

console.log('\n== Users through HTTP (issue 10 item 2)')
const lookups: Array<[string, () => string]> = [
  ['userName eq', () => `userName eq "${randomUser().userName}"`],
  ['externalId eq', () => `externalId eq "${randomUser().externalId}"`],
  ['emails[type eq "work"].value eq', () => `emails[type eq "work"].value eq "${randomUser().workEmail}"`],
  ['emails.value eq', () => `emails.value eq "${randomUser().workEmail}"`],
]
for (const concurrency of [1, 8]) {
  for (const [name, filter] of lookups) {
    const result = await measure(samples, concurrency, async () =>
      expect(200, (b) => b.includes('"totalResults":1'))(await send('GET', filterPath(filter()))),
    )
    line(`lookup ${name}, concurrency ${concurrency}`, 'p50 < 5, p99 < 20 (c8)', result)
  }
}

const created: string[] = []
const writeBody = (i: number) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: `scale.write.${Date.now().toString(36)}.${i}@contoso.example`,
  externalId: `scale-write-${Date.now().toString(36)}-${i}`,
  displayName: `Scale Write ${i}`,
  emails: [{ type: 'work', primary: true, value: `scale.write.${i}@contoso.example` }],
})
line(
  'POST, concurrency 8',
  'p99 < 30',
  await measure(samples, 8, async (i) => {
    const reply = await send('POST', '/Users', writeBody(i))
    if (reply.status === 201) created.push((JSON.parse(reply.body) as { id: string }).id)
    return expect(201)(reply)
  }),
)
line(
  'PATCH title, concurrency 8',
  'p99 < 30',
  await measure(samples, 8, async () =>
    expect(200)(
      await send('PATCH', `/Users/${randomUser().id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'title', value: 'Principal Engineer' }],
      }),
    ),
  ),
)
line(
  'DELETE, concurrency 8',
  'p99 < 30',
  await measure(created.length, 8, async (i) => expect(204)(await send('DELETE', `/Users/${created[i]}`))),
)

for (const [name, startIndex] of [
  ['first', 1],
  ['middle', Math.floor(count / 2) + 1],
  ['last', Math.max(1, count - 99)],
] as const) {
  line(
    `list page of 100, ${name} (startIndex=${startIndex})`,
    '< 100',
    await measure(5, 1, async () => expect(200)(await send('GET', `/Users?startIndex=${startIndex}&count=100`))),
  )
}
// RFC 9865 cursor pages: the first (it counts the collection), then a walk through all of it, every page timed.
line(
  'cursor page of 100, first (counts the total)',
  '< 100',
  await measure(5, 1, async () => expect(200)(await send('GET', '/Users?count=100&cursor='))),
)
{
  const pages: number[] = []
  let cursor: string | undefined = ''
  let walked = 0
  while (cursor !== undefined) {
    const t0 = performance.now()
    const reply = await send('GET', `/Users?count=1000&cursor=${cursor}`)
    if (reply.status !== 200) throw new Error(`cursor walk: ${reply.status} ${reply.body.slice(0, 80)}`)
    if (cursor !== '') pages.push(performance.now() - t0)
    const page = JSON.parse(reply.body) as { Resources: unknown[]; nextCursor?: string }
    walked += page.Resources.length
    cursor = page.nextCursor
  }
  line(`cursor pages of 1000 over all ${walked} users`, '< 100', { sorted: pages.sort((x, y) => x - y), failures: new Map() })
  console.log(`  slowest cursor page ${f(pages.at(-1) ?? NaN)} ms`)
}
const unindexed: Array<[string, string]> = [
  ['title eq', 'title eq "Planner"'],
  ['displayName co', 'displayName co "Müller"'],
  ['enterprise department eq', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Sales"'],
  ['custom JobCode eq', 'urn:ietf:params:scim:schemas:extension:traffitech:2.0:User:JobCode eq "JC-007"'],
]
for (const [name, filter] of unindexed) {
  line(
    `unindexed filter ${name}, count=10`,
    'within the time limit',
    await measure(3, 1, async () => expect(200)(await send('GET', filterPath(filter, '&count=10')))),
  )
}
for (const [name, filter] of unindexed.slice(0, 2)) {
  line(
    `unindexed filter ${name}, count=10, concurrency 8`,
    'within the time limit',
    await measure(16, 8, async () => expect(200)(await send('GET', filterPath(filter, '&count=10')))),
  )
}

// ---- the portal -------------------------------------------------------------------------------------------------
console.log('\n== Portal, service calls in this process (issue 10 item 3)')
const portal = async (name: string, target: string, fn: () => Promise<unknown>, n = 3) =>
  line(
    name,
    target,
    await measure(n, 1, async () => {
      await fn()
      return null
    }),
  )
const now = new Date()
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString().slice(0, 16)
const logPage = (raw: Record<string, string>) => () => findLogPage(readLogFilter(raw).params)
const sampleRow = (await findLogPage(readLogFilter({ idp: main.id, operation: 'update' }).params)).rows[0]
const sampleMail = randomUser().workEmail

await portal('log: newest', '< 200', logPage({}))
await portal('log: by user mail', '< 200', logPage({ user: sampleMail }))
await portal('log: by userName', '< 200', logPage({ user: randomUser().userName }))
await portal('log: IdP + status 4xx', '< 200', logPage({ idp: main.id, status: '4xx' }))
await portal('log: time range (7 hours, 3 days ago)', '< 200', logPage({ from: hoursAgo(79), to: hoursAgo(72) }))
await portal('log: operation reactivate', '< 200', logPage({ operation: 'reactivate' }))
await portal('log: operation link', '< 200', logPage({ operation: 'link' }))
await portal('log: IdP + 4xx, five pages deep', '< 200 per page', async () => {
  let params = readLogFilter({ idp: main.id, status: '4xx' }).params
  for (let page = 0; page < 5; page++) {
    const result = await findLogPage(params)
    if (!result.olderCursor) break
    params = { ...params, after: result.olderCursor }
  }
})
const thirtyDaysBack = encodeCursor({
  createdAt: new Date(now.getTime() - 30 * 86_400_000),
  id: 'ffffffff-ffff-7fff-bfff-ffffffffffff',
})
await portal('log: newest, cursor 30 days back', '< 200', logPage({ after: thirtyDaysBack }))
await portal('log: IdP, cursor 30 days back', '< 200', logPage({ idp: main.id, after: thirtyDaysBack }))
await portal('log: one record', '< 200', () => getLogRecord(sampleRow?.id ?? '00000000-0000-7000-8000-000000000000'))
await portal('users: all IdPs', '< 200', () => findUsers(readUserSearch({}).params))
await portal('users: one IdP sorted by userName', '< 200', () =>
  findUsers(readUserSearch({ idp: main.id, sort: 'userName' }).params),
)
await portal('users: search by mail', '< 200', () => findUsers(readUserSearch({ q: sampleMail }).params))
await portal('IdP list', '< 200', () => listProviderSummaries())
await portal('IdP page (overview)', '< 200', () => getProviderOverview(main.id))
await portal('IdP custom attributes page', '< 200', () => listAttributesWithUsage(main.id))
await portal('dashboard', '< 300', () => getDashboard())
await portal("user's page with timeline", '< 100', () => getUserDetail(randomUser().id))

async function exportThroughput(name: string, raw: Record<string, string>) {
  const limit = Number(values['export-mb']) * 1_000_000
  const t0 = performance.now()
  let bytes = 0
  let peak = process.memoryUsage().rss
  const generator = exportLog(CLI_ACTOR, readLogFilter(raw).params, 'csv')
  for await (const chunk of generator) {
    bytes += Buffer.byteLength(chunk)
    peak = Math.max(peak, process.memoryUsage().rss)
    if (bytes >= limit) {
      await generator.return(undefined)
      break
    }
  }
  const seconds = (performance.now() - t0) / 1000
  console.log(
    `${`export CSV: ${name}`.padEnd(58)} ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s = ${(bytes / 1e6 / seconds).toFixed(1)} MB/s, ` +
      `this process's RSS peak ${(peak / 2 ** 20).toFixed(0)} MB  target ≥ 20 MB/s`,
  )
}
await exportThroughput('status 409', { status: '409' })
await exportThroughput('7-hour range', { from: hoursAgo(79), to: hoursAgo(72) })
await exportThroughput('everything', {})

server.kill('SIGTERM')
agent.destroy()
await revokeToken(CLI_ACTOR, benchToken.id)
await closeDatabase()
process.exit(0)
