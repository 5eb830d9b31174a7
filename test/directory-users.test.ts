import { beforeAll, describe, expect, it } from 'vitest'
import { directoryUserSchema, userListSchema } from '@/lib/http/directory-api'
import { listDirectoryUsers } from '@/lib/services/directory'
import type { DirectoryUser } from '@/lib/services/directory-users'
import { callApi, createTestApiKey, queryExecute, queryRows, sql } from './directory-harness'
import { createTestTenant, entraUser, type TestTenant } from './scim-harness'

process.env.DIRECTORY_SETTLE_MS = '0'

// GET /api/v1/users: keyset paging on (updatedAt, id), filters, and no missed update while users change.

let tenant: TestTenant
let other: TestTenant
let key: string

const patch = (...Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations })

beforeAll(async () => {
  tenant = await createTestTenant({ customAttributes: [{ name: 'costCenter' }] })
  other = await createTestTenant()
  key = (await createTestApiKey(['directory:read'])).key
  for (let n = 0; n < 25; n++) {
    const body = entraUser(`page${n}`, { 'urn:ietf:params:scim:schemas:extension:traffitech:2.0:User': { costCenter: `CC${n}` } })
    expect((await tenant.request('POST', '/Users', body)).status).toBe(201)
  }
  for (let n = 0; n < 3; n++) expect((await other.request('POST', '/Users', entraUser(`other${n}`))).status).toBe(201)
})

async function allPages(query: string, limit: number) {
  const seen: DirectoryUser[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const reply = await callApi('GET', `/users?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { key })
    expect(reply.status).toBe(200)
    const page = userListSchema.parse(reply.body)
    expect(page.data.length).toBeLessThanOrEqual(limit)
    seen.push(...page.data)
    cursor = page.next
    pages++
  } while (cursor)
  return { seen, pages }
}

describe('GET /api/v1/users', () => {
  it('pages by (updatedAt, id) with a keyset cursor, next null at the end', async () => {
    const { seen, pages } = await allPages(`providerId=${tenant.providerId}`, 7)
    expect(seen).toHaveLength(25)
    expect(pages).toBe(4)
    expect(new Set(seen.map((user) => user.id)).size).toBe(25)
    const order = seen.map((user) => `${user.updatedAt}|${user.id}`)
    expect(order).toEqual([...order].sort())
    // A page exactly at the end still ends with next null (limit+1 read).
    const exact = await allPages(`providerId=${tenant.providerId}`, 25)
    expect(exact.pages).toBe(1)
  })

  it('shows the directory user shape, custom attributes by name', async () => {
    const { seen } = await allPages(`providerId=${tenant.providerId}`, 100)
    const user = seen.find((entry) => entry.userName === 'userpage3@contoso.example')!
    expect(directoryUserSchema.parse(user)).toMatchObject({
      providerId: tenant.providerId,
      externalId: 'ext-page3',
      email: 'userpage3@contoso.example',
      active: true,
      displayName: 'User page3',
      givenName: 'Givenpage3',
      familyName: 'Familypage3',
      title: 'Engineer',
      employeeNumber: 'Epage3',
      customAttributes: { costCenter: 'CC3' },
      source: 'scim',
      scimManaged: true,
    })
    const one = await callApi('GET', `/users/${user.id}`, { key })
    expect(one.status).toBe(200)
    expect(one.body).toEqual(user)
  })

  it('filters by providerId; without it, lists every IdP', async () => {
    const { seen } = await allPages(`providerId=${other.providerId}`, 2)
    expect(seen.map((user) => user.userName).sort()).toEqual([
      'userother0@contoso.example',
      'userother1@contoso.example',
      'userother2@contoso.example',
    ])
    const everything = await allPages('', 1000)
    const providers = new Set(everything.seen.map((user) => user.providerId))
    expect(providers.has(tenant.providerId) && providers.has(other.providerId)).toBe(true)
  })

  it('filters by updatedSince, inclusive', async () => {
    const { seen } = await allPages(`providerId=${tenant.providerId}`, 100)
    const pivot = seen[10]!
    const since = await allPages(`providerId=${tenant.providerId}&updatedSince=${encodeURIComponent(pivot.updatedAt)}`, 100)
    expect(since.seen.map((user) => user.id)).toEqual(
      seen.filter((user) => user.updatedAt >= pivot.updatedAt).map((user) => user.id),
    )
    const offset = await allPages(
      `providerId=${tenant.providerId}&updatedSince=${encodeURIComponent('2000-01-01T01:00:00+01:00')}`,
      100,
    )
    expect(offset.seen).toHaveLength(25)
    const changed = seen[0]!
    expect(
      (await tenant.request('PATCH', `/Users/${changed.id}`, patch({ op: 'replace', path: 'title', value: 'Lead' }))).status,
    ).toBe(200)
    const afterLast = await allPages(
      `providerId=${tenant.providerId}&updatedSince=${encodeURIComponent(seen.at(-1)!.updatedAt)}`,
      100,
    )
    expect(afterLast.seen.map((user) => user.id)).toContain(changed.id)
    expect(afterLast.seen.find((user) => user.id === changed.id)?.title).toBe('Lead')
  })

  it('serves only settled changes: a change younger than the settle time waits', async () => {
    const fresh = await tenant.request('POST', '/Users', entraUser('fresh'))
    expect(fresh.status).toBe(201)
    const page = await listDirectoryUsers({ providerId: tenant.providerId, limit: 1000, settleMs: 60_000 })
    expect(page.data.map((user) => user.id)).not.toContain(fresh.body.id)
    const settled = await listDirectoryUsers({ providerId: tenant.providerId, limit: 1000, settleMs: 0 })
    expect(settled.data.map((user) => user.id)).toContain(fresh.body.id)
  })

  it('never misses an update made while a consumer pages', async () => {
    const busy = await createTestTenant()
    const ids: string[] = []
    for (let n = 0; n < 30; n++) ids.push((await busy.request('POST', '/Users', entraUser(`busy${n}`))).body.id)
    const settleMs = 150
    await new Promise((resolve) => setTimeout(resolve, settleMs))
    // The consumer keeps the newest state it saw of each user.
    const latest = new Map<string, DirectoryUser>()
    let stop = false
    const writer = (async () => {
      for (let round = 0; !stop && round < 200; round++) {
        const burst = Array.from({ length: 3 }, (_, index) => ids[(round * 7 + index * 11) % ids.length]!)
        await Promise.all(
          burst.map((id) =>
            busy.request('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'displayName', value: `round ${round}` })),
          ),
        )
      }
    })()
    let cursor: string | undefined
    let updatedSince: Date | undefined
    const readUntilEnd = async () => {
      for (;;) {
        const page = await listDirectoryUsers({ providerId: busy.providerId, limit: 4, cursor, updatedSince, settleMs })
        for (const user of page.data) {
          const known = latest.get(user.id)
          if (!known || known.updatedAt <= user.updatedAt) latest.set(user.id, user)
        }
        const last = page.data.at(-1)
        if (last) updatedSince = new Date(last.updatedAt)
        if (!page.next) {
          cursor = undefined
          return
        }
        cursor = page.next
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    }
    for (let pass = 0; pass < 4; pass++) await readUntilEnd()
    stop = true
    await writer
    await new Promise((resolve) => setTimeout(resolve, settleMs * 2))
    await readUntilEnd()
    const truth = await queryRows<{ id: string; displayName: string | null; version: number }>(
      sql`SELECT "id", "displayName", "version" FROM "User" WHERE "providerId" = ${busy.providerId}::uuid`,
    )
    expect(truth.filter((row) => row.version > 1).length).toBeGreaterThan(5)
    expect(latest.size).toBe(30)
    for (const row of truth) expect(latest.get(row.id)?.displayName, row.id).toBe(row.displayName)
  })

  it('is not fooled by equal updatedAt values: the id breaks the tie', async () => {
    const tied = await createTestTenant()
    for (let n = 0; n < 9; n++) await tied.request('POST', '/Users', entraUser(`tie${n}`))
    await queryExecute(sql`UPDATE "User" SET "updatedAt" = '2026-01-01T00:00:00Z' WHERE "providerId" = ${tied.providerId}::uuid`)
    const { seen } = await allPages(`providerId=${tied.providerId}`, 2)
    expect(seen).toHaveLength(9)
    expect(new Set(seen.map((user) => user.id)).size).toBe(9)
  })
})
