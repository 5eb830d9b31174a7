import { beforeAll, describe, expect, it } from 'vitest'
import { eventsSettled } from '@/lib/db/events'
import { eventListSchema, type userEventSchema } from '@/lib/http/directory-api'
import type { z } from 'zod'
import { callApi, createTestApiKey, queryRows, sql } from './directory-harness'
import { createTestTenant, entraUser, type TestTenant } from './scim-harness'

process.env.DIRECTORY_SETTLE_MS = '0'

// GET /api/v1/events: paging, filters, bad cursors, and exactly-once in order under concurrent writers.

type Event = z.infer<typeof userEventSchema>

let tenant: TestTenant
let key: string

const patch = (...Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations })

beforeAll(async () => {
  tenant = await createTestTenant()
  key = (await createTestApiKey(['events:read'])).key
})

async function page(query: string) {
  const reply = await callApi('GET', `/events?${query}`, { key })
  expect(reply.status, JSON.stringify(reply.body)).toBe(200)
  return eventListSchema.parse(reply.body)
}

async function drain(query: string, limit: number, after?: string) {
  // Other transactions on the server (other test files) may hold the commit-safe horizon back for a moment.
  await eventsSettled()
  const seen: Event[] = []
  let cursor = after
  for (;;) {
    const result = await page(`${query}&limit=${limit}${cursor ? `&after=${cursor}` : ''}`)
    seen.push(...result.data)
    if (result.data.length === 0) return { seen, next: result.next }
    cursor = result.next
  }
}

async function storedIds(providerId: string) {
  const rows = await queryRows<{ id: string }>(
    sql`SELECT "id" FROM "UserEvent" WHERE "providerId" = ${providerId}::uuid ORDER BY "txid", "seq"`,
  )
  return rows.map((row) => row.id)
}

describe('GET /api/v1/events', () => {
  it('pages oldest first, filters by provider and types, and keeps next when nothing is new', async () => {
    const a = await tenant.request('POST', '/Users', entraUser('ev1'))
    await tenant.request('POST', '/Users', entraUser('ev2'))
    await tenant.request('PATCH', `/Users/${a.body.id}`, patch({ op: 'replace', path: 'active', value: 'False' }))
    await tenant.request('DELETE', `/Users/${a.body.id}`)
    const { seen, next } = await drain(`providerId=${tenant.providerId}`, 2)
    expect(seen.map((event) => event.type)).toEqual(['user.created', 'user.created', 'user.deactivated', 'user.deleted'])
    expect(seen.map((event) => event.id)).toEqual(await storedIds(tenant.providerId))
    expect(seen[3]?.data.user).toMatchObject({ id: a.body.id, userName: 'userev1@contoso.example', active: false })
    const idle = await page(`providerId=${tenant.providerId}&after=${next}`)
    expect(idle).toEqual({ data: [], next })

    const typed = await drain(`providerId=${tenant.providerId}&types=user.deleted,user.deactivated`, 10)
    expect(typed.seen.map((event) => event.type)).toEqual(['user.deactivated', 'user.deleted'])
    const otherTenant = await createTestTenant()
    await otherTenant.request('POST', '/Users', entraUser('elsewhere'))
    const mine = await drain(`providerId=${tenant.providerId}`, 100)
    expect(mine.seen.every((event) => event.providerId === tenant.providerId)).toBe(true)
    const all = await drain('types=user.created', 1000)
    expect(new Set(all.seen.map((event) => event.providerId)).has(otherTenant.providerId)).toBe(true)
  })

  it('refuses a cursor it did not hand out, and unknown types', async () => {
    for (const after of [
      'nope',
      Buffer.from('1.2.3').toString('base64url'),
      Buffer.from('-1.5').toString('base64url'),
      'A'.repeat(64),
    ]) {
      const reply = await callApi('GET', `/events?after=${after}`, { key })
      expect(reply.status, after).toBe(400)
      expect(reply.body.errors?.[0]?.field).toBe('after')
    }
    const types = await callApi('GET', '/events?types=user.created,user.renamed', { key })
    expect(types.status).toBe(400)
    expect(types.body.errors[0]).toMatchObject({ field: 'types' })
    expect(types.body.errors[0].message).toMatch(/user\.renamed/)
    expect((await callApi('GET', '/events?types=', { key })).status).toBe(400)
  })

  it('gives a reader following next every committed event exactly once, in order, while writers run', async () => {
    const busy = await createTestTenant()
    const seen: Event[] = []
    let cursor: string | undefined
    let writing = true
    const reader = (async () => {
      for (;;) {
        const finished = !writing
        const result = await page(`providerId=${busy.providerId}&limit=7${cursor ? `&after=${cursor}` : ''}`)
        seen.push(...result.data)
        cursor = result.next
        if (finished && result.data.length === 0) return
      }
    })()
    const writers = Array.from({ length: 6 }, async (_, writer) => {
      for (let n = 0; n < 8; n++) {
        const created = await busy.request('POST', '/Users', entraUser(`w${writer}-${n}`))
        expect(created.status).toBe(201)
        await busy.request('PATCH', `/Users/${created.body.id}`, patch({ op: 'replace', path: 'title', value: `T${n}` }))
      }
    })
    await Promise.all(writers)
    // The reader stops at the first empty page once writing is over: every committed event must be visible by then.
    await eventsSettled()
    writing = false
    await reader
    const ids = seen.map((event) => event.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toHaveLength(96)
    expect(ids).toEqual(await storedIds(busy.providerId))
    // Per user: created before updated.
    const firstType = new Map<string, string>()
    for (const event of seen) if (!firstType.has(event.data.user.id)) firstType.set(event.data.user.id, event.type)
    expect([...firstType.values()].every((type) => type === 'user.created')).toBe(true)
  })
})
