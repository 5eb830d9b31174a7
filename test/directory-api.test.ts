import { beforeAll, describe, expect, it } from 'vitest'
import { problemSchema } from '@/lib/http/directory-api'
import { CLI_ACTOR } from '@/lib/services/audit'
import { createApiKey, listApiKeys, revokeApiKey } from '@/lib/services/api-keys'
import { callApi, createTestApiKey, queryExecute, queryFirst, sql } from './directory-harness'
import { createTestTenant, entraUser, type TestTenant } from './scim-harness'

process.env.DIRECTORY_SETTLE_MS = '0'

// The funnel every directory API request passes: key (401), scope (403), validation (400), problem+json.

let tenant: TestTenant
let full: { id: string; key: string }

beforeAll(async () => {
  tenant = await createTestTenant()
  full = await createTestApiKey()
})

function expectProblem(reply: { status: number; headers: Headers; body: unknown }, status: number) {
  expect(reply.status).toBe(status)
  expect(reply.headers.get('content-type')).toBe('application/problem+json')
  expect(reply.headers.get('cache-control')).toBe('no-store')
  expect(reply.headers.get('x-content-type-options')).toBe('nosniff')
  const problem = problemSchema.parse(reply.body)
  expect(problem.status).toBe(status)
  expect(problem.type).toMatch(/^\/api\/v1\/problems\/[a-z-]+$/)
  expect(problem.detail.length).toBeGreaterThan(0)
  return problem
}

describe('API keys', () => {
  it('are ttapi_ secrets of 256 bits, stored only as a hash, listed without it', async () => {
    const { key, apiKey } = await createApiKey(CLI_ACTOR, { label: 'hash check', scopes: ['directory:read'] })
    expect(apiKey).toMatch(/^ttapi_[A-Za-z0-9_-]{43}$/)
    const row = await queryFirst<Record<string, unknown>>(sql`SELECT * FROM "ApiKey" WHERE "id" = ${key.id}::uuid`)
    expect(JSON.stringify(row)).not.toContain(apiKey.slice(6))
    expect(row?.secretHash).toMatch(/^[0-9a-f]{64}$/)
    const listed = (await listApiKeys()).find((entry) => entry.id === key.id)
    expect(listed).toMatchObject({ label: 'hash check', status: 'active', scopes: ['directory:read'] })
    expect(listed).not.toHaveProperty('secretHash')
    expect(key.expiresAt!.getTime() - key.createdAt.getTime()).toBe(365 * 86_400_000)
  })

  it('audit create and revoke in the same transaction as the change', async () => {
    const { key } = await createApiKey(CLI_ACTOR, { label: 'audited', scopes: ['events:read'], expiresInDays: 0 })
    expect(key.expiresAt).toBeNull()
    await revokeApiKey(CLI_ACTOR, key.id)
    const actions = await queryFirst<{ actions: string[] }>(
      sql`SELECT array_agg("action" ORDER BY "createdAt") AS "actions" FROM "AuditEvent" WHERE "targetId" = ${key.id}`,
    )
    expect(actions?.actions).toEqual(['apikey.create', 'apikey.revoke'])
    await expect(revokeApiKey(CLI_ACTOR, 'not-a-uuid')).rejects.toThrow(/No API key/)
  })

  it('refuse bad input clearly', async () => {
    await expect(createApiKey(CLI_ACTOR, { label: 'x', scopes: ['users:read' as never] })).rejects.toThrow()
    await expect(createApiKey(CLI_ACTOR, { label: '', scopes: ['events:read'] })).rejects.toThrow(/label/)
    await expect(createApiKey(CLI_ACTOR, { label: 'x', scopes: [] })).rejects.toThrow(/at least one scope/)
  })

  it('record last use at most once a minute', async () => {
    const { id, key } = await createTestApiKey(['directory:read'])
    expect((await callApi('GET', '/users?limit=1', { key })).status).toBe(200)
    const first = await queryFirst<{ lastUsedAt: Date }>(sql`SELECT "lastUsedAt" FROM "ApiKey" WHERE "id" = ${id}::uuid`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(first?.lastUsedAt).toBeInstanceOf(Date)
    expect((await callApi('GET', '/users?limit=1', { key })).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 50))
    const second = await queryFirst<{ lastUsedAt: Date }>(sql`SELECT "lastUsedAt" FROM "ApiKey" WHERE "id" = ${id}::uuid`)
    expect(second?.lastUsedAt.getTime()).toBe(first?.lastUsedAt.getTime())
  })
})

describe('the directory API funnel', () => {
  it('answers 401 with WWW-Authenticate for a missing, wrong, expired or revoked key', async () => {
    const cases: Array<[string, string | null, Record<string, string>?]> = [
      ['missing', null],
      ['not bearer', null, { authorization: 'Basic dXNlcjpwYXNz' }],
      ['wrong prefix', 'ttscim_whatever'],
      ['wrong secret', `ttapi_${'A'.repeat(43)}`],
    ]
    const expired = await createApiKey(CLI_ACTOR, { label: 'expired', scopes: ['directory:read'] })
    await queryExecute(sql`UPDATE "ApiKey" SET "expiresAt" = now() - interval '1 second' WHERE "id" = ${expired.key.id}::uuid`)
    cases.push(['expired', expired.apiKey])
    const revoked = await createApiKey(CLI_ACTOR, { label: 'revoked', scopes: ['directory:read'] })
    expect((await callApi('GET', '/users', { key: revoked.apiKey })).status).toBe(200)
    await revokeApiKey(CLI_ACTOR, revoked.key.id)
    cases.push(['revoked', revoked.apiKey])
    for (const [name, key, headers] of cases) {
      const reply = await callApi('GET', '/users', { key, ...(headers ? { headers } : {}) })
      const problem = expectProblem(reply, 401)
      expect(reply.headers.get('www-authenticate'), name).toBe('Bearer')
      expect(problem.title).toBe('Unauthorized')
    }
    expect(expectProblem(await callApi('GET', '/users', { key: expired.apiKey }), 401).detail).toMatch(/expired/)
    expect(expectProblem(await callApi('GET', '/users', { key: revoked.apiKey }), 401).detail).toMatch(/revoked/)
  })

  it('answers 403 for a key without the scope, naming it', async () => {
    const eventsOnly = await createTestApiKey(['events:read'])
    expect(expectProblem(await callApi('GET', '/users', { key: eventsOnly.key }), 403).detail).toMatch(/directory:read/)
    expect(expectProblem(await callApi('GET', `/users/${crypto.randomUUID()}`, { key: eventsOnly.key }), 403).detail).toMatch(
      /directory:read/,
    )
    const readOnly = await createTestApiKey(['directory:read'])
    expectProblem(await callApi('GET', '/events', { key: readOnly.key }), 403)
    const reply = await callApi('POST', `/enterprise-idps/${tenant.providerId}/sign-ins`, {
      key: readOnly.key,
      body: { externalId: 'x', userName: 'x@contoso.example' },
    })
    expect(expectProblem(reply, 403).detail).toMatch(/sign-ins:write/)
  })

  it('validates the query with field errors', async () => {
    const cases = [
      ['/users?limit=0', 'limit'],
      ['/users?limit=1001', 'limit'],
      ['/users?limit=abc', 'limit'],
      ['/users?providerId=nope', 'providerId'],
      ['/users?updatedSince=yesterday', 'updatedSince'],
      ['/users?limtt=5', '(root)'],
      ['/users?limit=1&limit=2', 'limit'],
      ['/users?cursor=bm9wZQ', 'cursor'],
      ['/events?types=user.created,user.exploded', 'types'],
      ['/events?after=garbage', 'after'],
      ['/events?limit=5000', 'limit'],
    ] as const
    for (const [path, field] of cases) {
      const problem = expectProblem(await callApi('GET', path, { key: full.key }), 400)
      if (field)
        expect(
          problem.errors?.map((error) => error.field),
          path,
        ).toContain(field)
    }
  })

  it('answers 404 problems for an unknown or invalid user id and an unknown provider', async () => {
    expectProblem(await callApi('GET', `/users/${crypto.randomUUID()}`, { key: full.key }), 404)
    expectProblem(await callApi('GET', '/users/not-a-uuid', { key: full.key }), 404)
    expectProblem(await callApi('GET', `/users/${encodeURIComponent("'; DROP TABLE")}`, { key: full.key }), 404)
    const body = { externalId: 'e', userName: 'u@contoso.example' }
    expectProblem(await callApi('POST', `/enterprise-idps/${crypto.randomUUID()}/sign-ins`, { key: full.key, body }), 404)
    expectProblem(await callApi('POST', '/enterprise-idps/nope/sign-ins', { key: full.key, body }), 404)
  })

  it('answers 405 with Allow for other methods', async () => {
    const reply = await callApi('DELETE', '/users', { key: full.key })
    expectProblem(reply, 405)
    expect(reply.headers.get('allow')).toBe('GET, HEAD')
    const post = await callApi('GET', `/enterprise-idps/${tenant.providerId}/sign-ins`, { key: full.key })
    expectProblem(post, 405)
    expect(post.headers.get('allow')).toBe('POST')
  })

  it('refuses hostile bodies with 4xx, never 5xx', async () => {
    const path = `/enterprise-idps/${tenant.providerId}/sign-ins`
    const cases: Array<[string, { body?: unknown; rawBody?: string; headers?: Record<string, string> }, number]> = [
      ['NUL in a value', { body: { externalId: 'a\u0000b', userName: 'nul@contoso.example' } }, 400],
      ['lone surrogate', { rawBody: '{"externalId":"\\ud800","userName":"s@contoso.example"}' }, 400],
      ['NUL in a key', { body: { 'exter\u0000nalId': 'a', userName: 'k@contoso.example' } }, 400],
      ['megabyte string', { body: { externalId: 'x'.repeat(1_000_000), userName: 'big@contoso.example' } }, 413],
      ['long string under the body limit', { body: { externalId: 'x'.repeat(60_000), userName: 'long@contoso.example' } }, 400],
      ['huge array', { rawBody: `{"externalId":"a","userName":"b","extra":[${'1,'.repeat(5000)}1]}` }, 400],
      ['deep nesting', { rawBody: `{"externalId":${'['.repeat(10_000)}` }, 400],
      ['not JSON', { rawBody: '{"externalId":' }, 400],
      ['empty', { rawBody: '' }, 400],
      ['array body', { body: [1, 2] }, 400],
      ['wrong types', { body: { externalId: 5, userName: true } }, 400],
      ['unknown field', { body: { externalId: 'a', userName: 'b', role: 'admin' } }, 400],
      ['bad email', { body: { externalId: 'a', userName: 'b', email: 'not-an-email' } }, 400],
      ['text/plain', { rawBody: '{}', headers: { 'content-type': 'text/plain' } }, 415],
      ['__proto__', { rawBody: '{"externalId":"p","userName":"p@contoso.example","__proto__":{"admin":true}}' }, 400],
    ]
    for (const [name, options, status] of cases) {
      const reply = await callApi('POST', path, { key: full.key, ...options })
      expect(reply.status, name).toBe(status)
      expectProblem(reply, status)
      expect(JSON.stringify(reply.body).length, name).toBeLessThan(5_000)
    }
    const nulQuery = await callApi('GET', '/users?cursor=%00', { key: full.key })
    expectProblem(nulQuery, 400)
    const hugeQuery = await callApi('GET', `/users?cursor=${'a'.repeat(100_000)}`, { key: full.key })
    expectProblem(hugeQuery, 400)
    const manyTypes = await callApi('GET', `/events?types=${'user.created,'.repeat(1000)}`, { key: full.key })
    expectProblem(manyTypes, 400)
  })

  it('serves JSON with no-store and nosniff', async () => {
    await tenant.request('POST', '/Users', entraUser('funnel'))
    const reply = await callApi('GET', `/users?providerId=${tenant.providerId}`, { key: full.key })
    expect(reply.status).toBe(200)
    expect(reply.headers.get('content-type')).toBe('application/json')
    expect(reply.headers.get('cache-control')).toBe('no-store')
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff')
  })
})

describe('echoed input', () => {
  it('clips and escapes a hostile path segment in a 404', async () => {
    const key = (await createTestApiKey(['directory:read'])).key
    const reply = await callApi('GET', `/users/${encodeURIComponent('\u0000' + 'x'.repeat(5000))}`, { key })
    expect(reply.status).toBe(404)
    expect(reply.body.detail.length).toBeLessThan(200)
    expect(reply.body.detail).toContain('\\u0000')
  })
})
