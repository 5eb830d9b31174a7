import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { getDb } from '@/lib/db/client'
import { flushRequestLog } from '@/lib/services/request-log'
import { createTestTenant, entraUser, sendScim, type TestTenant } from './scim-harness'

/**
 * Property: whatever a client sends — randomly mutated Entra bodies, PATCH operations, filters, query
 * parameters and headers — the real handlers answer below 500, every error is in the SCIM error schema, and
 * every request reaches the provisioning log. Seeded, so a failure reproduces; FUZZ_SEED and FUZZ_RUNS vary it.
 */

// Every request must reach the handlers, not the per-token limit.
vi.hoisted(() => {
  process.env.SCIM_RATE_LIMIT = '0'
})

const SEED = Number(process.env.FUZZ_SEED ?? 20261201)
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500)

function prng(seed: number) {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (max: number) => Math.floor(next() * max)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!
  return { next, int, pick, chance: (p: number) => next() < p }
}

type Random = ReturnType<typeof prng>

const NASTY_STRINGS = [
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  'x\ud800',
  '\udc00y',
  '\ud83d\ude00',
  'Zoë 山田',
  '"quoted" \\ back\\slash',
  '<script>alert(1)</script>',
  '\'; DROP TABLE "User"; --',
  '%00%zz%',
  'true',
  'False',
  '1e309',
  '-0',
  'urn:ietf:params:scim:schemas:core:2.0:User:userName',
  'emails[type eq "work"].value',
  '__proto__',
  'constructor',
  'ttscim_notarealtokenbutshapedlikeone',
  '2026-13-45T25:61:61Z',
]

const ATTRIBUTE_PATHS = [
  'userName',
  'displayName',
  'active',
  'title',
  'externalId',
  'password',
  'name.givenName',
  'name',
  'emails',
  'emails[type eq "work"].value',
  'emails[type eq "work"]',
  'emails[value co "@"].primary',
  'phoneNumbers[type eq "mobile"].value',
  'addresses[type eq "work"].streetAddress',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
  'urn:ietf:params:scim:schemas:core:2.0:User:nickName',
  'urn:ietf:params:scim:schemas:extension:traffitech:2.0:User:JobCode',
  'JobCode',
  'roles[primary eq "True"].value',
  'meta.version',
  'id',
  'schemas',
  'nonexistent.deep.path',
]

const FILTERS = [
  'userName eq "user1@contoso.example"',
  'externalId eq "ext-1"',
  'emails[type eq "work"].value eq "a@b.c"',
  'emails.value eq "a@b.c"',
  'displayName co "User" and active eq true',
  'not (title pr) or userName sw "u"',
  'meta.lastModified gt "2026-01-01T00:00:00Z"',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "E1"',
  'JobCode eq "X"',
]

function randomString(random: Random): string {
  if (random.chance(0.5)) return random.pick(NASTY_STRINGS)
  if (random.chance(0.01)) return 'x'.repeat(random.pick([1000, 70_000, 300_000]))
  return Math.random()
    .toString(36)
    .slice(2, 2 + random.int(12))
}

function deep(random: Random, depth: number): unknown {
  let value: unknown = randomString(random)
  for (let i = 0; i < depth; i++) value = random.chance(0.5) ? [value] : { a: value }
  return value
}

function randomValue(random: Random, depth = 0): unknown {
  switch (random.int(depth > 2 ? 6 : 9)) {
    case 0:
      return null
    case 1:
      return random.chance(0.5)
    case 2:
      return random.pick([0, -1, 1.5, 1e308, Number.MAX_SAFE_INTEGER, 42])
    case 3:
    case 4:
    case 5:
      return randomString(random)
    case 6:
      // Long arrays only at the top, so one generated body stays around a megabyte at most.
      if (depth === 0 && random.chance(0.3)) return Array.from({ length: random.pick([150, 2000]) }, () => randomString(random))
      return Array.from({ length: random.pick([0, 1, 3]) }, () => randomValue(random, depth + 1))
    case 7:
      return Object.fromEntries(
        Array.from({ length: random.int(4) }, () => [
          random.pick([...ATTRIBUTE_PATHS, ...NASTY_STRINGS]),
          randomValue(random, depth + 1),
        ]),
      )
    default:
      return deep(random, depth === 0 ? random.pick([5, 40, 3000]) : 5)
  }
}

/** Changes one place of a JSON value: a key's value replaced, a key removed or renamed, an element added. */
function mutate(random: Random, value: unknown, budget = 3): unknown {
  if (budget === 0 || value === null || typeof value !== 'object') return random.chance(0.5) ? randomValue(random) : value
  if (Array.isArray(value)) {
    const copy = [...value]
    if (copy.length > 0 && random.chance(0.6)) {
      const index = random.int(copy.length)
      copy[index] = mutate(random, copy[index], budget - 1)
    } else copy.push(randomValue(random))
    return copy
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) }
  const keys = Object.keys(copy)
  const roll = random.int(10)
  if (roll < 5 && keys.length > 0) {
    const key = random.pick(keys)
    copy[key] = mutate(random, copy[key], budget - 1)
  } else if (roll < 7 && keys.length > 0) {
    delete copy[random.pick(keys)]
  } else if (roll < 9 && keys.length > 0) {
    const key = random.pick(keys)
    copy[
      random.pick([
        key.toUpperCase(),
        `urn:ietf:params:scim:schemas:core:2.0:User:${key}`,
        `${key}.value`,
        random.pick(NASTY_STRINGS),
      ])
    ] = copy[key]
    delete copy[key]
  } else {
    copy[random.pick([...ATTRIBUTE_PATHS, ...NASTY_STRINGS])] = randomValue(random)
  }
  return copy
}

function patchOperation(random: Random): unknown {
  const op = random.pick(['add', 'replace', 'remove', 'Add', 'Replace', 'Remove', 'merge', ''])
  if (random.chance(0.3)) {
    // Entra's path-less form: a value map with plain, dotted or URN keys.
    return { op, value: Object.fromEntries([[random.pick(ATTRIBUTE_PATHS), randomValue(random)]]) }
  }
  return { op, path: random.chance(0.9) ? random.pick(ATTRIBUTE_PATHS) : randomString(random), value: randomValue(random) }
}

type Case = { method: string; path: string; body?: string; headers: Record<string, string> }

function randomCase(random: Random, userId: string, run: number): Case {
  const headers: Record<string, string> = {}
  if (random.chance(0.05))
    headers['content-type'] = random.pick(['text/plain', 'application/json; charset=utf-16', 'multipart/form-data', ''])
  if (random.chance(0.05))
    headers['if-match'] = random.pick(
      ['*', 'W/"1"', '"garbage', randomString(random)].map((value) => value.replace(/[\u0000-\u001f\u007f-\uffff]/g, '')),
    )
  const target = random.chance(0.7)
    ? `/Users/${userId}`
    : `/Users/${random.pick(['00000000-0000-4000-8000-000000000000', 'not-a-uuid', '.search', '%00', '%zz'])}`
  const text = (value: unknown) => {
    const json = JSON.stringify(value)
    if (random.chance(0.05)) return json.slice(0, random.int(json.length)) // truncated JSON
    return json
  }
  switch (random.int(6)) {
    case 0:
      return { method: 'POST', path: '/Users', body: text(mutate(random, entraUser(`fuzz${run}`), 4)), headers }
    case 1:
    case 2: {
      const operations = Array.from({ length: random.pick([1, 1, 2, 5, 150]) }, () => patchOperation(random))
      const body = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations }
      return { method: 'PATCH', path: target, body: text(random.chance(0.2) ? mutate(random, body) : body), headers }
    }
    case 3:
      return { method: 'PUT', path: target, body: text(mutate(random, entraUser(`fuzzput${run}`), 4)), headers }
    case 4: {
      const filter = random.chance(0.5)
        ? random.pick(FILTERS)
        : `${random.pick(ATTRIBUTE_PATHS)} ${random.pick(['eq', 'co', 'sw', 'pr', 'gt', 'xx'])} ${JSON.stringify(randomString(random))}`
      const params = new URLSearchParams()
      params.set('filter', random.chance(0.1) ? `${'('.repeat(200)}${filter}` : filter)
      if (random.chance(0.3))
        params.set(
          random.pick(['startIndex', 'count', 'sortBy', 'sortOrder', 'attributes', 'excludedAttributes']),
          randomString(random),
        )
      return { method: 'GET', path: `/Users?${params}`, headers }
    }
    default:
      return {
        method: 'POST',
        path: '/Users/.search',
        body: text(
          mutate(random, {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
            filter: random.pick(FILTERS),
            count: 5,
          }),
        ),
        headers,
      }
  }
}

let tenant: TestTenant
let userId: string
beforeAll(async () => {
  tenant = await createTestTenant({ customAttributes: [{ name: 'JobCode' }] })
  userId = (await tenant.request('POST', '/Users', entraUser('fuzz-target'))).body.id
})
afterAll(async () => {
  await flushRequestLog()
})

describe('randomly mutated SCIM requests', () => {
  it(`${RUNS} requests (seed ${SEED}): no 5xx, SCIM errors on every 4xx, every request logged`, async () => {
    const random = prng(SEED)
    const failures: string[] = []
    for (let run = 0; run < RUNS; run++) {
      const testCase = randomCase(random, userId, run)
      const started = performance.now()
      const reply = await sendScim(testCase.method, `${tenant.tenantUrl}${testCase.path}`, {
        token: tenant.token,
        headers: testCase.headers,
        ...(testCase.body === undefined ? {} : { rawBody: testCase.body }),
      }).catch((error: Error) => ({ status: -1, body: error.message, headers: new Headers() }))
      if (process.env.FUZZ_TRACE)
        console.log(
          `#${run} ${Math.round(performance.now() - started)} ms ${testCase.method} ${testCase.path.slice(0, 60)} ${(testCase.body ?? '').length} → ${reply.status}`,
        )
      const isScimError = reply.body?.schemas?.[0] === 'urn:ietf:params:scim:api:messages:2.0:Error'
      if (reply.status >= 500 || reply.status < 0 || (reply.status >= 400 && !isScimError)) {
        failures.push(
          `#${run} ${testCase.method} ${testCase.path.slice(0, 120)} → ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)} body: ${(testCase.body ?? '').slice(0, 300)}`,
        )
      }
    }
    expect(failures.slice(0, 10)).toEqual([])
    await flushRequestLog()
    // The setup request plus every fuzzed one.
    expect(await getDb().provisioningRequest.count({ where: { providerId: tenant.providerId } })).toBe(RUNS + 1)
  }, 300_000)
})
