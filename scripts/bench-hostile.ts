/**
 * Sends worst-case request bodies of about 1 MiB through the real SCIM handlers (dispatchScim, the same entry
 * server.ts uses) on an in-memory PGlite, and prints the CPU time and status of each:
 *   npm run bench:hostile [-- --scale 0.25] [--only name,name]
 * `--scale` shrinks every body (0.25 → 256 KiB) to measure code whose cost explodes at full size. A benchmark,
 * not a test: it prints figures and asserts nothing. Target: every 1 MiB body answered in well under 1 s of CPU.
 */
import { parseArgs } from 'node:util'

// Before anything reads the environment: the modules are imported in main().
Object.assign(process.env, { DATA_DIR: 'memory://', NODE_ENV: 'test', PUBLIC_URL: process.env.PUBLIC_URL ?? 'http://scim.bench' })

const { values } = parseArgs({ options: { scale: { type: 'string', default: '1' }, only: { type: 'string' } } })
const TARGET_BYTES = Math.round(1_048_576 * Number(values.scale) * 0.98)
const only = values.only ? new Set(values.only.split(',')) : null

type Json = unknown
type Case = { name: string; method: string; path: (userId: string) => string; body?: () => string; rawQuery?: string }

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
const patchBody = (operations: unknown[]) => JSON.stringify({ schemas: [PATCH_OP], Operations: operations })

/** Repeats `make(i)` into a JSON array until its text reaches `bytes`. */
function fill(bytes: number, make: (index: number) => Json): Json[] {
  const items: Json[] = []
  let size = 2
  for (let index = 0; size < bytes; index++) {
    const item = make(index)
    items.push(item)
    size += JSON.stringify(item).length + 1
  }
  return items
}

const email = (index: number) => ({ value: `user${index}@contoso.example`, type: 'work' })
/** About 65 characters: 100 operations of 100 of these fill most of a 1 MiB body. */
const longEmail = (index: number) => `user${index}.${'x'.repeat(38)}@dept.contoso.example`
const userBody = (extra: Record<string, unknown>) => ({
  userName: `hostile${Math.random()}@contoso.example`,
  active: true,
  ...extra,
})

/** As many `or`-joined value-path comparisons as fit in `length` characters (the filter length limit). */
function longestFilter(length: number): string {
  let filter = 'userName eq "u"'
  for (let index = 0; ; index++) {
    const next = `${filter} or emails[value eq "u${index}"]`
    if (next.length > length) return filter
    filter = next
  }
}

const cases: Case[] = [
  {
    name: 'patch-add-many-emails',
    method: 'PATCH',
    path: (id) => `/Users/${id}`,
    body: () => patchBody([{ op: 'add', path: 'emails', value: fill(TARGET_BYTES - 200, email) }]),
  },
  {
    name: 'patch-100-ops-many-values',
    method: 'PATCH',
    path: (id) => `/Users/${id}`,
    body: () =>
      patchBody(
        Array.from({ length: 100 }, (_, op) => ({
          op: 'add',
          path: 'emails',
          value: fill(TARGET_BYTES / 100 - 100, (index) => email(op * 100_000 + index)),
        })),
      ),
  },
  {
    name: 'patch-many-tiny-ops',
    method: 'PATCH',
    path: (id) => `/Users/${id}`,
    body: () => patchBody(fill(TARGET_BYTES - 200, (index) => ({ op: 'add', path: 'emails', value: [email(index)] }))),
  },
  {
    name: 'patch-remove-filters-long-list',
    method: 'PATCH',
    path: (id) => `/Users/${id}`,
    body: () =>
      patchBody(
        fill(TARGET_BYTES - 200, (index) => ({ op: 'remove', path: `emails[value eq "user${index * 7}@contoso.example"]` })),
      ),
  },
  {
    name: 'patch-remove-listed-values',
    method: 'PATCH',
    path: (id) => `/Users/${id}`,
    body: () =>
      patchBody([
        { op: 'remove', path: 'emails', value: fill(TARGET_BYTES - 200, (index) => ({ value: `user${index}@contoso.example` })) },
      ]),
  },
  {
    name: 'patch-huge-value-filter',
    method: 'PATCH',
    path: (id) => `/Users/${id}`,
    body: () => {
      const terms = fill(TARGET_BYTES * 0.8, (index) => `value eq "u${index}"`) as string[]
      return patchBody([{ op: 'replace', path: `emails[${terms.join(' or ')}].display`, value: 'x' }])
    },
  },
  {
    name: 'patch-pathless-many-keys',
    method: 'PATCH',
    path: (id) => `/Users/${id}`,
    body: () => {
      const keys = fill(TARGET_BYTES - 200, (index) => `k${index}:"x"`).map((_, index) => `k${index}`)
      return patchBody([{ op: 'replace', value: Object.fromEntries(keys.map((key) => [key, 'x'])) }])
    },
  },
  // The worst bodies inside every limit: 100 operations, 100 values each, 50-comparison filters, on a
  // user that already holds the most values an attribute may have.
  {
    name: 'edge-100-ops-100-repeated-values',
    method: 'PATCH',
    path: (id) => `/Users/${id}`,
    body: () =>
      patchBody(
        Array.from({ length: 100 }, (_, op) => ({
          op: 'add',
          path: 'emails',
          value: Array.from({ length: 100 }, (_, index) => ({
            value: op % 2 ? longEmail(index).toUpperCase() : longEmail(index),
            type: 'work',
          })),
        })),
      ),
  },
  {
    name: 'edge-100-ops-replace-100-values',
    method: 'PATCH',
    path: (id) => `/Users/${id}`,
    body: () =>
      patchBody(
        Array.from({ length: 100 }, (_, op) => ({
          op: 'replace',
          path: 'emails',
          value: Array.from({ length: 100 }, (_, index) => ({ value: longEmail(op * 100 + index) })),
        })),
      ),
  },
  {
    name: 'edge-100-remove-filters-50-terms',
    method: 'PATCH',
    path: (id) => `/Users/${id}`,
    body: () =>
      patchBody(
        Array.from({ length: 100 }, (_, op) => ({
          op: 'remove',
          path: `emails[${Array.from({ length: 50 }, (_, index) => `value co "zz${op}-${index}"`).join(' or ')}]`,
        })),
      ),
  },
  {
    name: 'edge-100-remove-100-listed',
    method: 'PATCH',
    path: (id) => `/Users/${id}`,
    body: () =>
      patchBody(
        Array.from({ length: 100 }, (_, op) => ({
          op: 'remove',
          path: 'emails',
          value: Array.from({ length: 100 }, (_, index) => ({ value: `nomatch${op}-${index}@contoso.example` })),
        })),
      ),
  },
  {
    name: 'edge-pathless-filtered-keys',
    method: 'PATCH',
    path: (id) => `/Users/${id}`,
    body: () => {
      // Every key a value filter matching all 100 values, each key distinct: the most filtered writes per byte.
      const perOp = Math.floor(TARGET_BYTES / 100 / 62)
      return patchBody(
        Array.from({ length: 100 }, (_, op) => ({
          op: 'replace',
          value: Object.fromEntries(
            Array.from({ length: perOp }, (_, index) => [`emails[type eq "work" or value eq "z${op}-${index}"].display`, 'x']),
          ),
        })),
      )
    },
  },
  {
    name: 'post-many-emails',
    method: 'POST',
    path: () => '/Users',
    body: () => JSON.stringify(userBody({ emails: fill(TARGET_BYTES - 200, email) })),
  },
  {
    name: 'post-email-key-variants',
    method: 'POST',
    path: () => '/Users',
    body: () => {
      // Keys that all resolve to `emails` (letter case, URN-qualified), each with values: repeated keys merge.
      const urn = 'urn:ietf:params:scim:schemas:core:2.0:User:'
      const keys: string[] = []
      const wanted = Math.max(8, Math.floor(TARGET_BYTES / 2000))
      for (let mask = 0; keys.length < wanted && mask < 1 << 12; mask++) {
        const spelled = [...'emails'].map((char, index) => ((mask >> index) & 1 ? char.toUpperCase() : char)).join('')
        keys.push(
          (mask >> 6) & 1
            ? spelled
            : `${[...urn].map((char, index) => ((mask >> (6 + (index % 6))) & 1 ? char.toUpperCase() : char)).join('')}${spelled}`,
        )
      }
      const perKey = Math.max(1, Math.floor((TARGET_BYTES / keys.length - 60) / 45))
      const body: Record<string, unknown> = { userName: `hostile${Math.random()}@contoso.example` }
      keys.forEach((key, keyIndex) => (body[key] = Array.from({ length: perKey }, (_, index) => email(keyIndex * 1000 + index))))
      return JSON.stringify(body)
    },
  },
  {
    name: 'put-many-emails',
    method: 'PUT',
    path: (id) => `/Users/${id}`,
    body: () => JSON.stringify(userBody({ emails: fill(TARGET_BYTES - 200, email) })),
  },
  {
    name: 'post-deep-object',
    method: 'POST',
    path: () => '/Users',
    body: () => {
      const depth = Math.floor((TARGET_BYTES - 200) / 6)
      return `{"userName":"deep${Math.random()}@contoso.example","name":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`
    },
  },
  {
    name: 'post-deep-array',
    method: 'POST',
    path: () => '/Users',
    body: () => {
      const depth = Math.floor((TARGET_BYTES - 200) / 2)
      return `{"userName":"deep${Math.random()}@contoso.example","emails":${'['.repeat(depth)}${']'.repeat(depth)}}`
    },
  },
  {
    name: 'post-huge-string',
    method: 'POST',
    path: () => '/Users',
    body: () => JSON.stringify(userBody({ displayName: 'x'.repeat(TARGET_BYTES - 200) })),
  },
  {
    name: 'post-many-unknown-keys',
    method: 'POST',
    path: () => '/Users',
    body: () => {
      const keys = fill(TARGET_BYTES - 200, (index) => `k${index}:1`).map((_, index) => `k${index}`)
      return JSON.stringify(userBody(Object.fromEntries(keys.map((key) => [key, 1]))))
    },
  },
  {
    name: 'get-filter-max-comparisons',
    method: 'GET',
    path: () => '/Users',
    rawQuery: `filter=${encodeURIComponent(longestFilter(4096))}`,
  },
]

async function main() {
  const { createTestTenant, flushRequestLog, sendScim } = await import('../test/scim-harness')
  const tenant = await createTestTenant()
  const created = await tenant.request('POST', '/Users', { userName: 'bench@contoso.example', active: true, emails: [email(0)] })
  if (created.status !== 201) throw new Error(`setup failed: ${created.status} ${JSON.stringify(created.body)}`)
  const userId = String(created.body.id)

  // A fresh user with as long an email list as the server will store (10,000, or its per-attribute limit),
  // made before each case that needs one, so that no case sees what an earlier one changed.
  let longListSize = 0
  async function longListUser(): Promise<string> {
    for (const size of longListSize ? [longListSize] : [10_000, 1000, 100]) {
      const reply = await tenant.request('POST', '/Users', {
        userName: `long${Math.random()}@contoso.example`,
        emails: Array.from({ length: size }, (_, index) => ({ value: longEmail(index), type: 'work' })),
      })
      if (reply.status === 201) {
        longListSize = size
        return String(reply.body.id)
      }
    }
    throw new Error('could not create the long-list user')
  }
  console.log(`long-list user: ${(await longListUser(), longListSize)} emails`)

  // The body guards the funnel runs around JSON.parse, where this checkout has them: their verdict and cost.
  const guard = await import('../lib/scim/body-guard').catch(() => null)

  console.log(`body target: ${TARGET_BYTES} bytes`)
  console.log(
    'case'.padEnd(34),
    'bytes'.padStart(9),
    'status'.padStart(7),
    'cpu ms'.padStart(9),
    'wall ms'.padStart(9),
    'guard ms'.padStart(9),
    ' guard verdict | answer detail',
  )
  for (const entry of cases) {
    if (only && !only.has(entry.name)) continue
    const id =
      entry.name.includes('long-list') || entry.name.includes('listed') || entry.name.startsWith('edge-')
        ? await longListUser()
        : userId
    const body = entry.body?.()
    let guardCell = '-'.padStart(9)
    let verdict = 'no guard'
    if (guard && body !== undefined) {
      const started = process.cpuUsage()
      let parsed: unknown
      const textProblem = guard.inspectRequestText(body)
      if (textProblem) verdict = textProblem.detail.slice(0, 60)
      else {
        try {
          parsed = JSON.parse(body)
          verdict = guard.inspectRequestBody(parsed)?.detail.slice(0, 60) ?? 'pass'
        } catch {
          verdict = 'invalid JSON'
        }
      }
      const spent = process.cpuUsage(started)
      guardCell = ((spent.user + spent.system) / 1000).toFixed(1).padStart(9)
    }
    const url = `${tenant.tenantUrl}${entry.path(id)}${entry.rawQuery ? `?${entry.rawQuery}` : ''}`
    const cpu = process.cpuUsage()
    const wall = performance.now()
    const reply = await sendScim(entry.method, url, { token: tenant.token, ...(body === undefined ? {} : { rawBody: body }) })
    const used = process.cpuUsage(cpu)
    const wallMs = performance.now() - wall
    await flushRequestLog()
    const detail = reply.status >= 400 ? String(reply.body?.detail ?? '').slice(0, 70) : ''
    console.log(
      entry.name.padEnd(34),
      String(body?.length ?? entry.rawQuery?.length ?? 0).padStart(9),
      String(reply.status).padStart(7),
      ((used.user + used.system) / 1000).toFixed(1).padStart(9),
      wallMs.toFixed(1).padStart(9),
      guardCell,
      ` ${verdict} | ${detail}`,
    )
  }
  await flushRequestLog()
  process.exit(0)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
