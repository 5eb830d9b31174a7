/**
 * The directory API's cost per request, through the real route handlers (the funnel included) on an
 * in-memory PGlite, or on PostgreSQL when DATABASE_URL is set:
 *   npm run bench:directory [-- --users 5000 --requests 300]
 * Prints throughput and latency of a full users pass in pages of 100, GET /users/{id}, an events pass in
 * pages of 1000, and sign-ins of existing users. A benchmark, not a test: it prints figures, asserts nothing.
 */
import { parseArgs } from 'node:util'

Object.assign(process.env, {
  DATA_DIR: process.env.DATA_DIR ?? 'memory://',
  NODE_ENV: 'test',
  PUBLIC_URL: process.env.PUBLIC_URL ?? 'http://scim.bench',
  DIRECTORY_SETTLE_MS: '0',
  DIRECTORY_RATE_LIMIT: '0',
})

const { values } = parseArgs({
  options: { users: { type: 'string', default: '5000' }, requests: { type: 'string', default: '300' } },
})
const USERS = Number(values.users)
const REQUESTS = Number(values.requests)

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>

async function main() {
  const { databaseReady, closeDatabase } = await import('../lib/db/client')
  const { CLI_ACTOR } = await import('../lib/services/audit')
  const { createIdentityProvider } = await import('../lib/services/identity-providers')
  const { createApiKey } = await import('../lib/services/api-keys')
  const { signIn } = await import('../lib/services/sign-ins')
  const users = await import('../app/api/v1/users/route')
  const user = await import('../app/api/v1/users/[id]/route')
  const events = await import('../app/api/v1/events/route')
  const signIns = await import('../app/api/v1/enterprise-idps/[providerId]/sign-ins/route')
  await databaseReady()
  const provider = await createIdentityProvider(CLI_ACTOR, { name: `Bench ${Date.now()}` })
  const { apiKey } = await createApiKey(CLI_ACTOR, {
    label: 'bench',
    scopes: ['directory:read', 'events:read', 'sign-ins:write'],
  })
  const started = performance.now()
  for (let n = 0; n < USERS; n += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, USERS - n) }, (_, i) =>
        signIn(provider.id, {
          externalId: `oid-${n + i}`,
          userName: `bench${n + i}@contoso.example`,
          email: `bench${n + i}@contoso.example`,
        }),
      ),
    )
  }
  console.log(
    `seeded ${USERS} users (JIT sign-ins, each with its event) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  )

  const call = async (handler: Handler, method: string, path: string, params: Record<string, string> = {}, body?: unknown) => {
    const request = new Request(`http://scim.bench/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    })
    const response = await handler(request, { params: Promise.resolve(params) })
    const json = await response.json()
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`)
    return json
  }

  const report = (name: string, latencies: number[], unit = 'req') => {
    const sorted = [...latencies].sort((a, b) => a - b)
    const total = latencies.reduce((sum, value) => sum + value, 0)
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1)
    console.log(
      `${name.padEnd(34)} ${String(latencies.length).padStart(5)} ${unit}s  ${(latencies.length / (total / 1000)).toFixed(0).padStart(6)} ${unit}/s  p50 ${at(0.5)} ms  p95 ${at(0.95)} ms  p99 ${at(0.99)} ms`,
    )
  }
  const time = async (fn: () => Promise<unknown>) => {
    const t = performance.now()
    await fn()
    return performance.now() - t
  }

  const pages: number[] = []
  const ids: string[] = []
  let cursor: string | null = null
  do {
    let page: { data: Array<{ id: string }>; next: string | null } = { data: [], next: null }
    pages.push(
      await time(
        async () =>
          (page = await call(users.GET, 'GET', `/users?providerId=${provider.id}&limit=100${cursor ? `&cursor=${cursor}` : ''}`)),
      ),
    )
    ids.push(...page.data.map((entry) => entry.id))
    cursor = page.next
  } while (cursor)
  report('GET /users, pages of 100', pages, 'page')
  if (ids.length !== USERS) throw new Error(`listed ${ids.length} of ${USERS}`)

  const reads: number[] = []
  for (let n = 0; n < REQUESTS; n++) {
    const id = ids[(n * 7919) % ids.length]!
    reads.push(await time(() => call(user.GET, 'GET', `/users/${id}`, { id })))
  }
  report('GET /users/{id}', reads)

  const eventPages: number[] = []
  let after: string | undefined
  for (;;) {
    let page: { data: unknown[]; next: string } = { data: [], next: '' }
    eventPages.push(
      await time(
        async () =>
          (page = await call(events.GET, 'GET', `/events?providerId=${provider.id}&limit=1000${after ? `&after=${after}` : ''}`)),
      ),
    )
    if (page.data.length === 0) break
    after = page.next
  }
  report('GET /events, pages of 1000', eventPages, 'page')

  const signInTimes: number[] = []
  for (let n = 0; n < REQUESTS; n++) {
    const k = (n * 7919) % USERS
    const body = { externalId: `oid-${k}`, userName: `bench${k}@contoso.example` }
    signInTimes.push(
      await time(() => call(signIns.POST, 'POST', `/enterprise-idps/${provider.id}/sign-ins`, { providerId: provider.id }, body)),
    )
  }
  report('POST sign-ins (existing user)', signInTimes)
  await closeDatabase()
}

await main()
