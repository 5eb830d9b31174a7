import { beforeAll, describe, expect, it } from 'vitest'
import { listAuditEvents } from '@/lib/db/audit-events'
import { CLI_ACTOR } from './audit'
import { NotFoundError } from './errors'
import { createTestTenant, entraUser, flushRequestLog, type TestTenant } from '@/test/scim-harness'
import { listAttributesWithUsage, getProviderOverview } from './portal-overview'
import { encodeCursor } from '@/lib/portal/cursor'
import { logFilterSchema, readLogFilter } from '@/lib/portal/log-filter'
import { exportLog, findLogPage } from './portal-logs'
import { clearUserAttribute, findUsers, getUserDetail, setUserActive } from './portal-users'

const exporter = { name: 'exporter@logs.test' }
let tenant: TestTenant

beforeAll(async () => {
  tenant = await createTestTenant({ customAttributes: [{ name: 'JobCode' }] })
  for (let n = 0; n < 7; n++) {
    const body = entraUser(
      `${n}-${tenant.providerId.slice(0, 6)}`,
      n % 2 === 0 ? { 'urn:ietf:params:scim:schemas:extension:traffitech:2.0:User': { JobCode: `J${n}` } } : {},
    )
    expect((await tenant.request('POST', '/Users', body)).status).toBe(201)
  }
  await tenant.request('GET', '/Users/00000000-0000-4000-8000-000000000000')
  await flushRequestLog()
})

const params = (input: Record<string, string>) => logFilterSchema.parse(input)

describe('the provisioning log', () => {
  it('pages by keyset, newest first, without gaps or repeats, both ways', async () => {
    const seen: string[] = []
    let page = await findLogPage(params({ idp: tenant.providerId }), 3)
    const firstPage = page.rows.map((row) => row.id)
    expect(page.newerCursor).toBeNull()
    for (;;) {
      seen.push(...page.rows.map((row) => row.id))
      if (!page.olderCursor) break
      page = await findLogPage(params({ idp: tenant.providerId, after: encodeCursor(page.olderCursor) }), 3)
    }
    expect(seen).toHaveLength(8)
    expect(new Set(seen).size).toBe(8)
    const second = await findLogPage(
      params({
        idp: tenant.providerId,
        after: encodeCursor((await findLogPage(params({ idp: tenant.providerId }), 3)).olderCursor!),
      }),
      3,
    )
    const back = await findLogPage(params({ idp: tenant.providerId, before: encodeCursor(second.newerCursor!) }), 3)
    expect(back.rows.map((row) => row.id)).toEqual(firstPage)
  })

  it('filters by status class, exact code, operation, method and user', async () => {
    const idp = tenant.providerId
    expect((await findLogPage(params({ idp, status: '4xx' }))).rows.map((row) => row.status)).toEqual([404])
    expect((await findLogPage(params({ idp, status: '201' }))).rows).toHaveLength(7)
    expect((await findLogPage(params({ idp, operation: 'create', method: 'POST' }))).rows).toHaveLength(7)
    const mail = `USER3-${tenant.providerId.slice(0, 6)}@contoso.example`
    const byMail = await findLogPage(params({ idp, user: mail }))
    expect(byMail.rows).toHaveLength(1)
    expect(byMail.rows[0]?.userEmail).toBe(mail.toLowerCase())
    expect((await findLogPage(params({ idp, from: '2999-01-01T00:00' }))).rows).toHaveLength(0)
  })

  it('ignores malformed filter values instead of failing', () => {
    expect(params({ idp: 'nope', status: 'x', operation: 'drop table', after: 'zzz' })).toMatchObject({
      idp: undefined,
      status: undefined,
      operation: undefined,
    })
  })

  it('names each filter value it had to ignore, and only those', () => {
    const { params: read, errors } = readLogFilter({ status: '40', method: 'GET', user: '', from: 'yesterday', after: 'zzz' })
    expect(read).toMatchObject({ status: undefined, method: 'GET', from: undefined })
    expect(Object.keys(errors).sort()).toEqual(['from', 'status'])
    expect(errors.status).toBe("'40' was ignored: use 2xx, 4xx, 5xx or a code such as 401.")
  })

  it('exports the filter as CSV and JSON', async () => {
    let csv = ''
    for await (const chunk of exportLog(exporter, params({ idp: tenant.providerId, status: '2xx' }), 'csv')) csv += chunk
    expect(csv.startsWith('id,createdAt,providerId,')).toBe(true)
    // Bodies hold quoted newlines: count the records by their leading id.
    expect(csv.match(/^[0-9a-f]{8}-[0-9a-f-]{27},/gm)).toHaveLength(7)
    let json = ''
    for await (const chunk of exportLog(exporter, params({ idp: tenant.providerId }), 'json')) json += chunk
    expect(JSON.parse(json)).toHaveLength(8)
  })

  it('audits each export with its filter and row count, also one abandoned part way', async () => {
    const actor = { name: `exporter-${crypto.randomUUID()}` }
    for await (const chunk of exportLog(
      actor,
      params({ idp: tenant.providerId, status: '2xx', from: '2020-01-01T00:00' }),
      'csv',
    ))
      void chunk
    const abandoned = exportLog(actor, params({ idp: tenant.providerId }), 'json')
    await abandoned.next()
    await abandoned.return(undefined)
    const events = (await listAuditEvents({ take: 10_000 })).filter((event) => event.actor === actor.name).reverse()
    expect(events.map((event) => [event.action, event.providerId, event.details])).toEqual([
      [
        'log.export',
        tenant.providerId,
        {
          format: 'csv',
          filter: { idp: tenant.providerId, status: '2xx', from: '2020-01-01T00:00:00.000Z' },
          rows: 7,
          completed: true,
        },
      ],
      ['log.export', tenant.providerId, { format: 'json', filter: { idp: tenant.providerId }, rows: 0, completed: false }],
    ])
  })
})

describe('portal users and overview', () => {
  it('knows the first authenticated request and the attribute holders', async () => {
    const overview = await getProviderOverview(tenant.providerId)
    expect(overview.firstRequest).toMatchObject({ method: 'POST', status: 201 })
    expect(overview.counts).toEqual({ users: 7, active: 7 })
    expect(await listAttributesWithUsage(tenant.providerId)).toEqual([
      expect.objectContaining({ name: 'JobCode', holders: { count: 4, estimated: false } }),
    ])
  })

  it('estimates the attribute holders from a sample past the exact-count limit', async () => {
    // 7 users: over a limit of 6 the holders are sampled; a sample of every page finds all four, as an estimate.
    expect(await listAttributesWithUsage(tenant.providerId, { exactCountLimit: 6, samplePercent: 100 })).toEqual([
      expect.objectContaining({ name: 'JobCode', holders: { count: 4, estimated: true } }),
    ])
    // At the limit itself every user is still counted.
    expect(await listAttributesWithUsage(tenant.providerId, { exactCountLimit: 7, samplePercent: 100 })).toEqual([
      expect.objectContaining({ name: 'JobCode', holders: { count: 4, estimated: false } }),
    ])
    // Half of the pages, on a table this small, holds the IdP's rows or none: an estimate scaled by two, or the exact count.
    const [half] = await listAttributesWithUsage(tenant.providerId, { exactCountLimit: 6, samplePercent: 50 })
    expect(half!.holders.estimated ? half!.holders.count % 2 : half!.holders.count).toBe(half!.holders.estimated ? 0 : 4)
  })

  it('searches, sorts and flags users missing a custom attribute', async () => {
    const all = await findUsers({ idp: tenant.providerId, sort: 'userName', dir: 'asc' })
    expect(all.total).toBe(7)
    expect(all.rows.map((row) => row.userName)).toEqual([...all.rows.map((row) => row.userName)].sort())
    const missing = await findUsers({ idp: tenant.providerId, missing: 'custom' })
    expect(missing.total).toBe(3)
    expect(missing.rows.every((row) => row.missingCustom.includes('JobCode'))).toBe(true)
    expect((await findUsers({ idp: tenant.providerId, q: 'USER2-' })).total).toBe(1)
  })

  it('clears an attribute and deactivates through the SCIM patch logic', async () => {
    const [row] = (await findUsers({ idp: tenant.providerId, q: 'user0-' })).rows
    const cleared = await clearUserAttribute(CLI_ACTOR, row!.id, 'title')
    expect(cleared).toEqual({ providerId: tenant.providerId, changes: [{ attribute: 'title', old: 'Engineer', new: null }] })
    const detail = await getUserDetail(row!.id)
    expect(detail.rows.some((candidate) => candidate.path === 'title')).toBe(false)
    expect(await setUserActive(CLI_ACTOR, row!.id, false)).toEqual({
      providerId: tenant.providerId,
      changes: [{ attribute: 'active', old: true, new: false }],
    })
    expect((await getUserDetail(row!.id)).user.active).toBe(false)
    // userName cannot be cleared, and a cleared value is not there to clear again: both are a not-found, not a failure.
    await expect(clearUserAttribute(CLI_ACTOR, row!.id, 'userName')).rejects.toThrow(
      new NotFoundError("The user has no value at 'userName' to clear."),
    )
    await expect(clearUserAttribute(CLI_ACTOR, row!.id, 'title')).rejects.toBeInstanceOf(NotFoundError)
    await expect(clearUserAttribute(CLI_ACTOR, crypto.randomUUID(), 'title')).rejects.toBeInstanceOf(NotFoundError)
    await expect(setUserActive(CLI_ACTOR, 'not-a-uuid', true)).rejects.toBeInstanceOf(NotFoundError)
    // Each fix is audited with the same old and new values.
    const audited = (await listAuditEvents({ take: 10, filter: { target: row!.id } })).map((event) => [
      event.action,
      event.details,
    ])
    expect(audited).toEqual([
      ['user.deactivate', { changes: [{ attribute: 'active', old: true, new: false }] }],
      ['user.clearAttribute', { path: 'title', changes: [{ attribute: 'title', old: 'Engineer', new: null }] }],
    ])
  })
})

describe('portal user search', () => {
  it('matches any part of userName, displayName and the primary mail, any email or the externalId exactly', async () => {
    const own = await createTestTenant()
    const body = entraUser('search', {
      userName: 'zed.search@contoso.example',
      externalId: 'EXT-Search-1',
      displayName: 'Zed Quux-Example',
      emails: [
        { primary: true, type: 'work', value: 'Zed.Primary@Mail.Example' },
        { type: 'other', value: 'Alias@Other.Example' },
      ],
    })
    expect((await own.request('POST', '/Users', body)).status).toBe(201)
    const found = async (q: string) => (await findUsers({ idp: own.providerId, q })).rows.map((row) => row.userName)
    const hit = ['zed.search@contoso.example']
    expect(await found('SEARCH@contoso')).toEqual(hit)
    expect(await found('quux-EX')).toEqual(hit)
    expect(await found('primary@mail')).toEqual(hit)
    expect(await found('ALIAS@other.example')).toEqual(hit)
    expect(await found('EXT-Search-1')).toEqual(hit)
    // Secondary emails and the externalId match whole values only; wildcards are plain characters.
    expect(await found('alias@other')).toEqual([])
    expect(await found('ext-search-1')).toEqual([])
    expect(await found('%')).toEqual([])
    expect(await found('Zed_Quux')).toEqual([])
    // Across IdPs too, with the same total as the rows.
    const everywhere = await findUsers({ q: 'zed.search@contoso.example' })
    expect(everywhere.rows.map((row) => row.userName)).toEqual(hit)
    expect(everywhere.total).toBe(1)
  })
})
