import { beforeAll, describe, expect, it } from 'vitest'
import { insertUser, PAGE_BYTE_BUDGET } from '@/lib/db/users'
import { createTestTenant, entraUser, type ScimReply, type TestTenant } from './scim-harness'

/** Conformance gaps other suites found: conditional GET, POST /.search, /Me and friends, concurrent writes. */

let tenant: TestTenant
beforeAll(async () => {
  tenant = await createTestTenant({ customAttributes: Array.from({ length: 32 }, (_, i) => ({ name: `Attr${i}` })) })
})

function expectScimError(reply: ScimReply, status: number) {
  expect(reply.status).toBe(status)
  expect(reply.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status) })
}

describe('GET with If-None-Match', () => {
  it('answers 304 without a body while the version is current, 200 once it changed', async () => {
    const created = await tenant.request('POST', '/Users', entraUser('etag'))
    const etag = created.headers.get('etag')!
    const notModified = await tenant.request('GET', `/Users/${created.body.id}`, undefined, { 'if-none-match': etag })
    expect(notModified.status).toBe(304)
    expect(notModified.body).toBeUndefined()
    expect(notModified.headers.get('etag')).toBe(etag)
    expect(
      (await tenant.request('GET', `/Users/${created.body.id}`, undefined, { 'if-none-match': `W/"999", ${etag}` })).status,
    ).toBe(304)
    await tenant.request('PATCH', `/Users/${created.body.id}`, { Operations: [{ op: 'replace', path: 'title', value: 'Lead' }] })
    const changed = await tenant.request('GET', `/Users/${created.body.id}`, undefined, { 'if-none-match': etag })
    expect(changed.status).toBe(200)
    expect(changed.body.title).toBe('Lead')
  })
})

describe('POST /Users/.search (RFC 7644 §3.4.3)', () => {
  it('filters, pages and projects like GET /Users, from the body', async () => {
    await tenant.request('POST', '/Users', entraUser('search1'))
    await tenant.request('POST', '/Users', entraUser('search2'))
    const reply = await tenant.request('POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userName sw "usersearch"',
      sortBy: 'userName',
      sortOrder: 'descending',
      count: 1,
      attributes: ['userName'],
    })
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({ totalResults: 2, itemsPerPage: 1, startIndex: 1 })
    expect(reply.body.Resources).toEqual([
      { schemas: expect.any(Array), id: expect.any(String), userName: 'usersearch2@contoso.example' },
    ])
  })

  it('refuses a malformed SearchRequest with 400', async () => {
    expectScimError(await tenant.request('POST', '/Users/.search', { filter: 7 }), 400)
    expectScimError(await tenant.request('POST', '/Users/.search', { schemas: ['urn:wrong'] }), 400)
    expectScimError(await tenant.request('POST', '/Users/.search', { filter: 'userName eq' }), 400)
  })

  it('never takes .search for a user id: POST on a user is 405 with the methods it has', async () => {
    const reply = await tenant.request('POST', '/Users/2819c223-7f76-453a-919d-413861904646', {})
    expectScimError(reply, 405)
    expect(reply.headers.get('allow')).toBe('GET, PUT, PATCH, DELETE')
    expectScimError(await tenant.request('GET', '/Users/.search'), 404)
  })
})

describe('endpoints this service does not offer', () => {
  it.each(['/Me', '/.search', '/Bulk', '/Groups'])('%s answers 501', async (path) => {
    expectScimError(await tenant.request(path === '/Me' ? 'GET' : 'POST', path, path === '/Me' ? undefined : {}), 501)
  })
})

describe('concurrent writes to one user', () => {
  it('32 concurrent PATCHes of different attributes all answer 200 and all land', async () => {
    const created = await tenant.request('POST', '/Users', entraUser('race'))
    const urn = 'urn:ietf:params:scim:schemas:extension:traffitech:2.0:User'
    const replies = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        tenant.request('PATCH', `/Users/${created.body.id}`, {
          Operations: [{ op: 'add', path: `${urn}:Attr${i}`, value: `v${i}` }],
        }),
      ),
    )
    expect(replies.map((reply) => reply.status)).toEqual(Array(32).fill(200))
    const stored = await tenant.request('GET', `/Users/${created.body.id}`)
    const custom = stored.body[urn] as Record<string, string>
    expect(Object.keys(custom)).toHaveLength(32)
    for (let i = 0; i < 32; i++) expect(custom[`Attr${i}`]).toBe(`v${i}`)
    expect(stored.body.meta.version).toBe('W/"33"')
  })

  it('If-Match keeps its 412 when another write won', async () => {
    const created = await tenant.request('POST', '/Users', entraUser('ifmatch'))
    const etag = created.headers.get('etag')!
    await tenant.request('PATCH', `/Users/${created.body.id}`, { Operations: [{ op: 'replace', path: 'title', value: 'A' }] })
    const stale = await tenant.request(
      'PATCH',
      `/Users/${created.body.id}`,
      { Operations: [{ op: 'replace', path: 'title', value: 'B' }] },
      { 'if-match': etag },
    )
    expectScimError(stale, 412)
  })
})

describe('list pages stay within a memory budget', () => {
  it('a page of large users holds at most PAGE_BYTE_BUDGET of them, with the exact total, and paging goes on', async () => {
    const big = await createTestTenant()
    // 120 users of about 100 KB: more than the budget after the first chunk of 100 rows.
    const filler = 'x'.repeat(25_000)
    for (let i = 0; i < 120; i++) {
      await insertUser(big.providerId, {
        resource: {
          userName: `big${i}@contoso.example`,
          active: true,
          addresses: [1, 2, 3, 4].map((n) => ({ type: `t${n}`, streetAddress: filler })),
        },
        customAttributes: {},
        source: 'scim',
        scimManaged: true,
      })
    }
    const first = await big.request('GET', '/Users?count=1000')
    expect(first.status).toBe(200)
    expect(first.body.totalResults).toBe(120)
    expect(first.body.itemsPerPage).toBe(100)
    expect(JSON.stringify(first.body).length).toBeGreaterThan(PAGE_BYTE_BUDGET)
    const seen = new Set<string>(first.body.Resources.map((user: { id: string }) => user.id))
    let startIndex = 1 + first.body.itemsPerPage
    while (seen.size < 120) {
      const next = await big.request('GET', `/Users?count=1000&startIndex=${startIndex}`)
      expect(next.body.itemsPerPage).toBeGreaterThan(0)
      for (const user of next.body.Resources) seen.add(user.id)
      startIndex += next.body.itemsPerPage
    }
    expect(seen.size).toBe(120)
  })
})
