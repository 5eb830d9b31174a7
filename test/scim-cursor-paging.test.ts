import { beforeAll, describe, expect, it } from 'vitest'
import { createTestTenant, entraUser, type TestTenant } from './scim-harness'

/** RFC 9865 cursor paging of GET /Users and POST /Users/.search, beside startIndex. */

let tenant: TestTenant
const created: string[] = []

beforeAll(async () => {
  tenant = await createTestTenant()
  for (let index = 0; index < 23; index++) {
    const reply = await tenant.request('POST', '/Users', entraUser(`cursor${index}`, { title: index % 2 ? 'Odd' : 'Even' }))
    expect(reply.status).toBe(201)
    created.push(reply.body.id)
  }
})

type Page = { ids: string[]; totalResults: number[]; pages: number }

/** Follows nextCursor from an empty cursor to the page without one. */
async function walk(query: string, via: 'GET' | 'POST' = 'GET'): Promise<Page> {
  const seen: Page = { ids: [], totalResults: [], pages: 0 }
  let cursor = ''
  for (let guard = 0; guard < 100; guard++) {
    const reply =
      via === 'GET'
        ? await tenant.request('GET', `/Users?${query}&cursor=${encodeURIComponent(cursor)}`)
        : await tenant.request('POST', '/Users/.search', {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
            ...Object.fromEntries(new URLSearchParams(query)),
            count: Number(new URLSearchParams(query).get('count')),
            cursor,
          })
    expect(reply.status).toBe(200)
    expect(reply.body).not.toHaveProperty('startIndex')
    expect(reply.body.itemsPerPage).toBe(reply.body.Resources.length)
    seen.pages++
    seen.ids.push(...reply.body.Resources.map((user: { id: string }) => user.id))
    seen.totalResults.push(reply.body.totalResults)
    if (reply.body.nextCursor === undefined) return seen
    expect(reply.body.nextCursor).toMatch(/^[A-Za-z0-9._~-]+$/)
    cursor = reply.body.nextCursor
  }
  throw new Error('the cursor never ended')
}

describe('cursor paging (RFC 9865)', () => {
  it('is advertised in ServiceProviderConfig beside index paging, which stays the default', async () => {
    const reply = await tenant.request('GET', '/ServiceProviderConfig')
    expect(reply.body.pagination).toEqual({
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: 100,
      maxPageSize: 1000,
    })
    const plain = await tenant.request('GET', '/Users?count=5')
    expect(plain.body).toMatchObject({ startIndex: 1, itemsPerPage: 5, totalResults: 23 })
    expect(plain.body).not.toHaveProperty('nextCursor')
  })

  it('walks every user once, in creation order, with the total on every page and no cursor on the last', async () => {
    const page = await walk('count=5')
    expect(page.ids).toEqual(created)
    expect(page.pages).toBe(5)
    expect(page.totalResults).toEqual([23, 23, 23, 23, 23])
  })

  it('ends without an empty page when the last page is exactly full', async () => {
    const page = await walk('count=23')
    expect(page.pages).toBe(1)
    expect(page.ids).toEqual(created)
  })

  it('pages a filter and the reverse order, and through POST /Users/.search', async () => {
    const odd = created.filter((_, index) => index % 2 === 1)
    expect((await walk(`count=4&filter=${encodeURIComponent('title eq "Odd"')}`)).ids).toEqual(odd)
    expect((await walk('count=6&sortOrder=descending')).ids).toEqual([...created].reverse())
    const searched = await walk(`count=4&filter=title eq "Odd"`, 'POST')
    expect(searched.ids).toEqual(odd)
  })

  it('takes a bare ?cursor as the first page, and count=0 as the total alone', async () => {
    const bare = await tenant.request('GET', '/Users?count=3&cursor')
    expect(bare.status).toBe(200)
    expect(bare.body.Resources.map((user: { id: string }) => user.id)).toEqual(created.slice(0, 3))
    expect(bare.body.nextCursor).toEqual(expect.any(String))
    const none = await tenant.request('GET', '/Users?count=0&cursor=')
    expect(none.body).toMatchObject({ totalResults: 23, itemsPerPage: 0, Resources: [] })
    expect(none.body).not.toHaveProperty('nextCursor')
  })

  it('keeps its place while users are created and deleted between pages', async () => {
    const other = await createTestTenant()
    const ids: string[] = []
    for (let index = 0; index < 6; index++) {
      ids.push((await other.request('POST', '/Users', entraUser(`moving${index}`))).body.id)
    }
    const first = await other.request('GET', '/Users?count=2&cursor=')
    expect(first.body.Resources.map((user: { id: string }) => user.id)).toEqual(ids.slice(0, 2))
    // The last user of the page is gone and a new one arrives: the next page starts right after the old position.
    expect((await other.request('DELETE', `/Users/${ids[1]}`)).status).toBe(204)
    const late = (await other.request('POST', '/Users', entraUser('moving-late'))).body.id
    let cursor = first.body.nextCursor as string
    const rest: string[] = []
    while (cursor) {
      const reply = await other.request('GET', `/Users?count=2&cursor=${cursor}`)
      expect(reply.status).toBe(200)
      rest.push(...reply.body.Resources.map((user: { id: string }) => user.id))
      cursor = reply.body.nextCursor
    }
    expect(rest).toEqual([...ids.slice(2), late])
  })

  it('refuses a cursor it did not hand out for this query, and mixed paging, with clear 400s', async () => {
    const first = await tenant.request('GET', '/Users?count=2&cursor=')
    const cursor = first.body.nextCursor as string
    const refusals: Array<[string, string]> = [
      [`/Users?count=2&cursor=${cursor}&filter=${encodeURIComponent('title eq "Odd"')}`, 'invalidCursor'],
      [`/Users?count=2&cursor=${cursor}&sortOrder=descending`, 'invalidCursor'],
      ['/Users?cursor=not-a-cursor', 'invalidCursor'],
      [`/Users?cursor=${encodeURIComponent('abc=+/')}`, 'invalidCursor'],
      [`/Users?cursor=${Buffer.from('[1e400,"x",1,"y"]').toString('base64url')}`, 'invalidCursor'],
      [`/Users?cursor=${Buffer.from('{"__proto__":{}}').toString('base64url')}`, 'invalidCursor'],
      [`/Users?cursor=${'A'.repeat(300)}`, 'invalidCursor'],
      // A NUL and the UTF-8 bytes of a lone surrogate.
      ['/Users?cursor=%00%ED%A0%80', 'invalidCursor'],
      [`/Users?cursor=${'A'.repeat(5000)}`, 'invalidValue'],
      [`/Users?cursor=${cursor}&startIndex=3`, 'invalidValue'],
      ['/Users?cursor=&sortBy=userName', 'invalidValue'],
    ]
    for (const [path, scimType] of refusals) {
      const reply = await tenant.request('GET', path)
      expect({ path, status: reply.status, scimType: reply.body.scimType }).toEqual({ path, status: 400, scimType })
      expect(reply.body.detail).toEqual(expect.any(String))
    }
    // A cursor rebuilt by hand with the right fingerprint but a position no database holds.
    const fields = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[]
    for (const time of [-8.64e15, 8.64e15, 1.5, '0']) {
      const forged = Buffer.from(JSON.stringify([time, ...fields.slice(1)])).toString('base64url')
      expect((await tenant.request('GET', `/Users?count=2&cursor=${forged}`)).body.scimType).toBe('invalidCursor')
    }
    const forgedId = Buffer.from(JSON.stringify([fields[0], 'not-a-uuid', ...fields.slice(2)])).toString('base64url')
    expect((await tenant.request('GET', `/Users?count=2&cursor=${forgedId}`)).body.scimType).toBe('invalidCursor')
    // Another IdP's cursor is not this one's, even for the same query.
    const other = await createTestTenant()
    expect((await other.request('GET', `/Users?count=2&cursor=${cursor}`)).body.scimType).toBe('invalidCursor')
    // The page size may change between pages.
    const wider = await tenant.request('GET', `/Users?count=50&cursor=${cursor}`)
    expect(wider.body.Resources.map((user: { id: string }) => user.id)).toEqual(created.slice(2))
  })
})
