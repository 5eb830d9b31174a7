import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { getDb } from '@/lib/db/client'
import { logger } from '@/lib/ops/logger'
import { createTestTenant, type TestTenant } from '@/test/scim-harness'
import { flushRequestLog, recordRequest, REQUEST_LOG_LIMITS, requestLogStats, type RequestLogRecord } from './request-log'

/** The request log against the real database: nothing a client sends loses a record, or grows one without bound. */
let tenant: TestTenant
beforeAll(async () => {
  tenant = await createTestTenant()
})
afterEach(async () => {
  await flushRequestLog()
  vi.restoreAllMocks()
})

let sequence = 0
function record(overrides: Partial<RequestLogRecord> = {}): RequestLogRecord {
  sequence += 1
  return {
    at: new Date(),
    providerId: tenant.providerId,
    tokenId: tenant.tokenId,
    method: 'GET',
    path: `/scim/v2/enterprise-idps/${tenant.providerId}/Users/log-test-${sequence}`,
    query: '',
    status: 200,
    durationMs: 1.5,
    operation: 'read',
    ...overrides,
  }
}

async function rowsByPath(paths: string[]) {
  await flushRequestLog()
  return getDb().provisioningRequest.findMany({ where: { path: { in: paths } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
}

/** Every kind of text PostgreSQL refuses, in one string. */
const POISON = 'a\u0000b\ud800c\udc00d'
const MEGABYTE = `${POISON}${'x'.repeat(1024 * 1024)}`
const MARKER = /… \[truncated, \d+ characters\]$/

describe('the request log, made storable', () => {
  it('writes a batch completely when one record holds NUL, lone surrogates and megabyte strings in every field', async () => {
    const before = requestLogStats()
    const plain = [record(), record(), record()]
    const marker = crypto.randomUUID()
    const hostile = record({
      method: `GET${POISON}${'X'.repeat(10_000)}`,
      path: `/scim/v2/enterprise-idps/x/Users/${marker}${MEGABYTE}`,
      query: `filter=${MEGABYTE}`,
      status: 400,
      operation: 'error',
      userId: `${POISON}-not-a-uuid`,
      userName: MEGABYTE,
      userEmail: MEGABYTE,
      requestBody: `${MEGABYTE}${MEGABYTE}`,
      responseBody: MEGABYTE,
      discardedAttributes: Array.from({ length: 10_000 }, (_, n) => `attr${n}${POISON}${'y'.repeat(1000)}`),
      compatRules: Array.from({ length: 5000 }, () => MEGABYTE.slice(0, 5000)),
      changes: Array.from({ length: 1000 }, (_, n) =>
        n % 2 === 0
          ? {
              attribute: `attr${n}${POISON}`,
              old: Object.assign(JSON.parse('{"__proto__": {"polluted": true}}'), { [`key${POISON}`]: 'short' }),
              new: JSON.parse(`${'{"a":'.repeat(100)}"${'\\ud800'.repeat(3)}"${'}'.repeat(100)}`),
            }
          : { attribute: `attr${n}`, old: MEGABYTE, new: [MEGABYTE, MEGABYTE] },
      ),
      scimType: MEGABYTE,
      errorDetail: MEGABYTE,
      clientIp: MEGABYTE,
      userAgent: MEGABYTE,
    })
    // Queued together, so they share one batch INSERT.
    for (const entry of [plain[0]!, hostile, plain[1]!, plain[2]!]) recordRequest(entry)
    const rows = await rowsByPath(plain.map((entry) => entry.path))
    // The hostile path is stored cut, so find it by its prefix.
    const stored = await getDb().provisioningRequest.findFirst({
      where: { path: { startsWith: `/scim/v2/enterprise-idps/x/Users/${marker}` } },
    })
    expect(rows).toHaveLength(3)
    expect(stored).not.toBeNull()
    const row = stored!
    const limits = REQUEST_LOG_LIMITS
    for (const [field, limit] of [
      ['method', limits.method],
      ['path', limits.path],
      ['query', limits.query],
      ['userName', limits.userName],
      ['userEmail', limits.userEmail],
      ['requestBody', limits.body],
      ['responseBody', limits.body],
      ['scimType', limits.scimType],
      ['errorDetail', limits.errorDetail],
      ['clientIp', limits.clientIp],
      ['userAgent', limits.userAgent],
    ] as const) {
      const value = row[field]!
      expect(value, field).toMatch(MARKER)
      expect(value.length, field).toBeLessThanOrEqual(limit + 40)
      expect(value, field).not.toMatch(/\u0000|[\ud800-\udfff]/)
    }
    expect(row.method.startsWith('GETa\\u0000b\\ud800c\\udc00d')).toBe(true)
    expect(row.path.startsWith(`/scim/v2/enterprise-idps/x/Users/${marker}a\\u0000b\\ud800c\\udc00dxxx`)).toBe(true)
    expect(row.userId).toBeNull()
    expect(row.discardedAttributes).toHaveLength(limits.listEntries + 1)
    expect(row.discardedAttributes[0]).toMatch(/^attr0a\\u0000b\\ud800c\\udc00dy+… \[truncated, 1012 characters\]$/)
    expect(row.discardedAttributes.at(-1)).toBe('… and 9900 more')
    expect(row.compatRules).toHaveLength(limits.listEntries + 1)
    expect(row.compatRules.at(-1)).toBe('… and 4900 more')
    const changes = row.changes as Array<{ attribute: string; old: unknown; new: unknown }>
    expect(JSON.stringify(changes).length).toBeLessThanOrEqual(limits.changesTotal + 1024)
    expect(changes.at(-1)!.attribute).toMatch(/^… and \d+ more changes$/)
    expect(changes[0]!.attribute).toBe('attr0a\\u0000b\\ud800c\\udc00d')
    expect(Object.keys(changes[0]!.old as object)).toEqual(['__proto__', 'key' + 'a\\u0000b\\ud800c\\udc00d'])
    expect(JSON.stringify(changes[0]!.new)).toContain('\\\\ud800')
    expect(changes[1]!.old).toMatch(MARKER)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    const after = requestLogStats()
    expect(after.written - before.written).toBeGreaterThanOrEqual(4)
    expect(after.dropped).toBe(before.dropped)
  })

  it('stores an ordinary record exactly as given', async () => {
    const entry = record({
      method: 'PATCH',
      query: 'attributes=userName',
      status: 200,
      operation: 'update',
      userName: 'Adele.Vance@contoso.example',
      userEmail: 'Adele.Vance@contoso.example',
      requestBody: '{"Operations":[{"op":"replace","path":"title","value":"Boss"}]}',
      responseBody: '{"id":"x"}',
      discardedAttributes: ['nickName'],
      compatRules: ['op name case'],
      changes: [{ attribute: 'title', old: 'Engineer', new: { nested: [1, true, null, 'Boss'] } }],
      clientIp: '2001:db8::1',
      userAgent: 'Azure AD SCIM',
    })
    recordRequest(entry)
    const [row] = await rowsByPath([entry.path])
    expect(row).toMatchObject({
      method: 'PATCH',
      path: entry.path,
      query: 'attributes=userName',
      userName: 'Adele.Vance@contoso.example',
      userEmail: 'adele.vance@contoso.example',
      requestBody: entry.requestBody,
      responseBody: entry.responseBody,
      discardedAttributes: ['nickName'],
      compatRules: ['op name case'],
      changes: entry.changes,
      clientIp: '2001:db8::1',
      userAgent: 'Azure AD SCIM',
      repeatCount: 1,
    })
  })
})

describe('the request log, when the database refuses a record', () => {
  it('loses only that record, counts it, and says so in the server log', async () => {
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => {})
    const before = requestLogStats()
    // A valid UUID of no IdP (one deleted meanwhile, say) and of no token: both violate a foreign key.
    const vanishedIdp = record({ providerId: '0b6c4c46-0d43-4a5c-9a64-3f1b1a4b1a11' })
    const vanishedToken = record({ tokenId: '0b6c4c46-0d43-4a5c-9a64-3f1b1a4b1a12' })
    const good = [record(), record(), record()]
    for (const entry of [good[0]!, vanishedIdp, good[1]!, vanishedToken, good[2]!]) recordRequest(entry)
    const rows = await rowsByPath([...good, vanishedIdp, vanishedToken].map((entry) => entry.path))
    expect(rows.map((row) => row.path).sort()).toEqual(good.map((entry) => entry.path).sort())
    const after = requestLogStats()
    expect(after.dropped - before.dropped).toBe(2)
    expect(after.written - before.written).toBe(3)
    expect(after.queued).toBe(0)
    expect(errors).toHaveBeenCalledWith(
      expect.anything(),
      expect.stringMatching(/^Provisioning log: 2 records could not be written \(\d+ since start\): 23503 /),
    )
  })

  it('keeps a record whose ids are not UUIDs, with those ids empty, and one whose time or numbers are invalid', async () => {
    const entry = record({ providerId: `${POISON}'; DROP TABLE "User"; --`, tokenId: 'nope', userId: '' })
    const broken = record({ at: new Date(Number.NaN), status: 2 ** 40, durationMs: Number.POSITIVE_INFINITY })
    recordRequest(entry)
    recordRequest(broken)
    const rows = await rowsByPath([entry.path, broken.path])
    expect(rows.find((row) => row.path === entry.path)).toMatchObject({ providerId: null, tokenId: null, userId: null })
    const stored = rows.find((row) => row.path === broken.path)!
    expect(stored).toMatchObject({ status: 0, durationMs: 0 })
    expect(Number.isFinite(stored.createdAt.getTime())).toBe(true)
  })

  it('shares one write between concurrent flushes', async () => {
    const entry = record()
    recordRequest(entry)
    await Promise.all([flushRequestLog(), flushRequestLog(), flushRequestLog()])
    expect(await rowsByPath([entry.path])).toHaveLength(1)
  })
})

describe('the request log, folding floods of identical failures', () => {
  const failure = (path: string, at: Date, overrides: Partial<RequestLogRecord> = {}) =>
    record({
      path,
      at,
      status: 401,
      operation: 'auth_failure',
      scimType: null,
      errorDetail: 'The bearer token is not valid.',
      clientIp: '203.0.113.5',
      ...overrides,
    })

  it('stores the first of a minute as usual and one row counting the rest', async () => {
    const before = requestLogStats()
    const path = `/flood/${crypto.randomUUID()}`
    const start = Date.now()
    for (let n = 0; n < 50; n++) recordRequest(failure(path, new Date(start + n * 100)), { coalesce: true })
    const rows = await rowsByPath([path])
    expect(rows.map((row) => row.repeatCount)).toEqual([1, 49])
    expect(rows[1]!.createdAt.getTime()).toBe(start + 100)
    expect(rows[1]!.errorDetail).toBe('The bearer token is not valid.')
    expect(requestLogStats().coalesced - before.coalesced).toBe(49)
  })

  it('opens a new minute once the last one has passed, writing the row of the closed one', async () => {
    const path = `/flood/${crypto.randomUUID()}`
    const start = Date.now()
    for (const offset of [0, 1000, 2000, 61_000, 62_000])
      recordRequest(failure(path, new Date(start + offset)), { coalesce: true })
    const rows = await rowsByPath([path])
    expect(rows.map((row) => [row.createdAt.getTime() - start, row.repeatCount])).toEqual([
      [0, 1],
      [1000, 2],
      [61_000, 1],
      [62_000, 1],
    ])
  })

  it('folds only what shares address, IdP, method, status, scimType and path', async () => {
    const path = `/flood/${crypto.randomUUID()}`
    const at = new Date()
    const variants: Array<Partial<RequestLogRecord>> = [
      {},
      { clientIp: '203.0.113.6' },
      { providerId: null },
      { method: 'POST' },
      { status: 404 },
      { scimType: 'invalidValue' },
    ]
    for (const variant of variants) recordRequest(failure(path, at, variant), { coalesce: true })
    recordRequest(failure(`${path}/other`, at), { coalesce: true })
    const rows = await rowsByPath([path, `${path}/other`])
    expect(rows).toHaveLength(7)
    expect(rows.every((row) => row.repeatCount === 1)).toBe(true)
  })

  it('never folds a record recorded without the option', async () => {
    const path = `/flood/${crypto.randomUUID()}`
    const at = new Date()
    recordRequest(failure(path, at), { coalesce: true })
    for (let n = 0; n < 3; n++) recordRequest(failure(path, at))
    expect((await rowsByPath([path])).map((row) => row.repeatCount)).toEqual([1, 1, 1, 1])
  })

  it('keeps memory bounded: past the open keys, failures are counted in one catch-all row', async () => {
    const prefix = `/flood/${crypto.randomUUID()}`
    const at = new Date()
    const paths = Array.from({ length: 1050 }, (_, n) => `${prefix}/${n}`)
    // 1000 keys open a minute each (stored as usual); the 50 after them find no room and are counted together.
    for (const path of paths) recordRequest(failure(path, at), { coalesce: true })
    for (const path of paths.slice(1000)) recordRequest(failure(path, at), { coalesce: true })
    await flushRequestLog()
    const rows = await getDb().provisioningRequest.findMany({ where: { path: { startsWith: prefix } } })
    expect(rows.filter((row) => row.repeatCount === 1)).toHaveLength(1000)
    const catchAll = rows.filter((row) => row.repeatCount > 1)
    expect(catchAll).toHaveLength(1)
    expect(catchAll[0]).toMatchObject({ repeatCount: 100, providerId: null, tokenId: null, path: `${prefix}/1000` })
    expect(catchAll[0]!.errorDetail).toMatch(/^Counted together: .*The bearer token is not valid\.$/)
  })
})

describe('the timer that writes the log', () => {
  it('writes what was queued when it fired; records that arrive meanwhile wait for the next one', async () => {
    await flushRequestLog()
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const before = requestLogStats().written
      for (let index = 0; index < 3; index++) recordRequest(record())
      expect(requestLogStats().queued).toBe(3)
      vi.advanceTimersByTime(100)
      // The drain took the three; two more arrive while their batch is being written.
      expect(requestLogStats().queued).toBe(0)
      recordRequest(record())
      recordRequest(record())
      while (requestLogStats().written < before + 3) await new Promise((resolve) => setImmediate(resolve))
      await new Promise((resolve) => setImmediate(resolve))
      expect(requestLogStats()).toMatchObject({ written: before + 3, queued: 2 })
      vi.advanceTimersByTime(100)
      while (requestLogStats().written < before + 5) await new Promise((resolve) => setImmediate(resolve))
      expect(requestLogStats().queued).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })
})
