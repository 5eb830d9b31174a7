import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestTenant, entraUser, type TestTenant } from '@/test/scim-harness'
import { CLI_ACTOR } from './audit'
import {
  expiringTokens,
  getDashboard,
  getProviderOverview,
  listProviderSummaries,
  listTokensWithWarnings,
  TOKEN_EXPIRY_WARNING_DAYS,
} from './portal-overview'
import { flushRequestLog, recordRequest } from './request-log'
import { createToken, revokeToken } from './tokens'
import { insertProvisioningRequests } from '../db/provisioning-requests'
import { logRecord } from '@/test/fixtures/log-record'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const processZone = process.env.TZ

afterEach(() => {
  if (processZone === undefined) delete process.env.TZ
  else process.env.TZ = processZone
})

function logAt(tenant: TestTenant, at: string, status = 200) {
  recordRequest({
    at: new Date(at),
    providerId: tenant.providerId,
    tokenId: tenant.tokenId,
    method: 'GET',
    path: `/scim/v2/enterprise-idps/${tenant.providerId}/Users`,
    query: '',
    status,
    durationMs: 1,
    operation: status === 200 ? 'list' : 'error',
  })
}

async function cardOf(tenant: TestTenant, now: Date) {
  const card = (await getDashboard(now)).cards.find((candidate) => candidate.id === tenant.providerId)
  expect(card).toBeDefined()
  const bars = (list: { start: Date; total: number; failures: number }[]) =>
    list.filter((bar) => bar.total > 0).map((bar) => [bar.start.toISOString(), bar.total, bar.failures])
  return { card: card!, hourly: bars(card!.hourly), daily: bars(card!.daily) }
}

describe('dashboard bucketing', () => {
  let tenant: TestTenant
  const now = new Date('2026-03-10T10:30:00.000Z')

  beforeAll(async () => {
    tenant = await createTestTenant()
    // At and just before the edges of the hourly and the daily windows and of single buckets.
    logAt(tenant, '2026-03-10T10:30:00.000Z') // now itself: the current hour
    logAt(tenant, '2026-03-10T10:00:00.000Z', 500) // first instant of the current hour
    logAt(tenant, '2026-03-10T09:59:59.999Z', 404) // last instant of the previous hour
    logAt(tenant, '2026-03-10T00:00:00.000Z') // first instant of today
    logAt(tenant, '2026-03-09T23:59:59.999Z') // last instant of yesterday
    logAt(tenant, '2026-03-09T11:00:00.000Z') // the oldest hour the 24-hour chart shows
    logAt(tenant, '2026-03-09T10:59:59.999Z') // just before it: daily chart only
    logAt(tenant, '2026-03-04T00:00:00.000Z') // the first instant of the oldest day shown
    logAt(tenant, '2026-03-03T23:59:59.999Z') // just before it: in neither chart
    logAt(tenant, '2026-03-10T10:30:00.001Z') // after now: in neither chart
    await flushRequestLog()
  })

  it('puts each request into the UTC hour and day it happened in, bucket edges included', async () => {
    const { card, hourly, daily } = await cardOf(tenant, now)
    expect(card.hourly).toHaveLength(24)
    expect(card.hourly[0]!.start.toISOString()).toBe('2026-03-09T11:00:00.000Z')
    expect(card.hourly[23]!.start.toISOString()).toBe('2026-03-10T10:00:00.000Z')
    expect(hourly).toEqual([
      ['2026-03-09T11:00:00.000Z', 1, 0],
      ['2026-03-09T23:00:00.000Z', 1, 0],
      ['2026-03-10T00:00:00.000Z', 1, 0],
      ['2026-03-10T09:00:00.000Z', 1, 1],
      // A request a millisecond after `now` lies in the current hour's bucket, which the chart cannot tell apart.
      ['2026-03-10T10:00:00.000Z', 3, 1],
    ])
    expect(card.daily).toHaveLength(7)
    expect(card.daily[0]!.start.toISOString()).toBe('2026-03-04T00:00:00.000Z')
    expect(daily).toEqual([
      ['2026-03-04T00:00:00.000Z', 1, 0],
      ['2026-03-09T00:00:00.000Z', 3, 0],
      ['2026-03-10T00:00:00.000Z', 5, 2],
    ])
  })

  it('buckets the same way whatever time zone the server process runs in', async () => {
    const inUtc = await cardOf(tenant, now)
    for (const zone of ['Pacific/Chatham', 'America/St_Johns', 'Asia/Kolkata']) {
      process.env.TZ = zone
      expect(new Date('2026-03-10T00:00:00.000Z').getHours()).not.toBe(0)
      const elsewhere = await cardOf(tenant, now)
      expect({ zone, hourly: elsewhere.hourly, daily: elsewhere.daily }).toEqual({
        zone,
        hourly: inUtc.hourly,
        daily: inUtc.daily,
      })
    }
  })

  it('moves a request from one bar to the next when `now` crosses the hour', async () => {
    const { hourly } = await cardOf(tenant, new Date('2026-03-10T11:00:00.000Z'))
    // The 11:00 bar of yesterday has left the 24-hour window; the current hour is empty.
    expect(hourly[0]).toEqual(['2026-03-09T23:00:00.000Z', 1, 0])
    expect(hourly.at(-1)).toEqual(['2026-03-10T10:00:00.000Z', 3, 1])
  })
})

describe('dashboard hourly counts', () => {
  it('adds every batch to the hour it belongs to, a folded row as the requests it stands for', async () => {
    const tenant = await createTestTenant()
    const now = new Date('2026-05-20T12:30:00.000Z')
    logAt(tenant, '2026-05-20T12:05:00.000Z')
    logAt(tenant, '2026-05-20T11:59:00.000Z', 429)
    await flushRequestLog()
    // A second batch into the same hours, with a flood folded into one row of 7.
    logAt(tenant, '2026-05-20T12:10:00.000Z', 500)
    await flushRequestLog()
    const folded = logRecord({
      createdAt: new Date('2026-05-20T12:20:00.000Z'),
      providerId: tenant.providerId,
      status: 401,
      operation: 'auth_failure',
      repeatCount: 7,
    })
    // A record without an IdP is logged but counted for no card.
    await insertProvisioningRequests([folded, { ...folded, providerId: null, repeatCount: 1 }])
    const { hourly, daily } = await cardOf(tenant, now)
    expect(hourly).toEqual([
      ['2026-05-20T11:00:00.000Z', 1, 1],
      ['2026-05-20T12:00:00.000Z', 9, 8],
    ])
    expect(daily).toEqual([['2026-05-20T00:00:00.000Z', 10, 9]])
  })
})

describe('token expiry warnings', () => {
  const window = TOKEN_EXPIRY_WARNING_DAYS * DAY

  it(`flags a token from ${TOKEN_EXPIRY_WARNING_DAYS} days before it expires until it expires, and no other`, async () => {
    const tenant = await createTestTenant({ token: { expiresInDays: null } })
    const issuedAt = new Date()
    const { token } = await createToken(
      CLI_ACTOR,
      { providerId: tenant.providerId, label: 'thirty', expiresInDays: 30 },
      issuedAt,
    )
    const { token: revoked } = await createToken(
      CLI_ACTOR,
      { providerId: tenant.providerId, label: 'revoked', expiresInDays: 20 },
      issuedAt,
    )
    await revokeToken(CLI_ACTOR, revoked.id)
    const expiresAt = token.expiresAt!.getTime()
    expect(expiresAt - issuedAt.getTime()).toBe(30 * DAY)

    const flags = async (at: number) => {
      const now = new Date(at)
      const listed = await listTokensWithWarnings(tenant.providerId, now)
      const summary = (await listProviderSummaries(now)).find((row) => row.id === tenant.providerId)!
      const card = (await getDashboard(now)).cards.find((row) => row.id === tenant.providerId)!
      return {
        list: listed.filter((row) => row.expiringSoon).map((row) => row.label),
        expiring: (await expiringTokens(now)).filter((row) => row.providerId === tenant.providerId).map((row) => row.label),
        summary: summary.expiringTokens,
        dashboard: card.expiringTokens.map((row) => row.label),
      }
    }
    const none = { list: [], expiring: [], summary: 0, dashboard: [] }
    const flagged = { list: ['thirty'], expiring: ['thirty'], summary: 1, dashboard: ['thirty'] }

    // The never-expiring token of the tenant and the revoked one are never flagged.
    expect(await flags(issuedAt.getTime())).toEqual(none)
    expect(await flags(expiresAt - window - 1)).toEqual(none)
    expect(await flags(expiresAt - window + 1)).toEqual(flagged)
    expect(await flags(expiresAt - 1)).toEqual(flagged)
    // Once expired it no longer expires soon: the dashboard and summaries stop warning.
    const expired = await flags(expiresAt)
    expect({ expiring: expired.expiring, summary: expired.summary, dashboard: expired.dashboard }).toEqual({
      expiring: [],
      summary: 0,
      dashboard: [],
    })
  })
})

describe('user counts of the IdP list and page', () => {
  it('counts every user and the active ones per IdP, following deactivation, reactivation and deletion', async () => {
    const tenant = await createTestTenant()
    const other = await createTestTenant()
    const ids: string[] = []
    for (const n of [1, 2, 3, 4]) {
      const reply = await tenant.request('POST', '/Users', entraUser(`counted${n}`))
      ids.push(reply.body.id)
    }
    await other.request('POST', '/Users', entraUser('counted-other', { active: false }))
    const deactivate = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    }
    for (const id of ids.slice(0, 2)) expect((await tenant.request('PATCH', `/Users/${id}`, deactivate)).status).toBe(200)
    const countsOf = async (providerId: string) => {
      const summary = (await listProviderSummaries()).find((candidate) => candidate.id === providerId)
      const overview = await getProviderOverview(providerId)
      expect(overview.counts).toEqual({ users: summary?.users, active: summary?.activeUsers })
      return overview.counts
    }
    expect(await countsOf(tenant.providerId)).toEqual({ users: 4, active: 2 })
    expect(await countsOf(other.providerId)).toEqual({ users: 1, active: 0 })
    const reactivate = { ...deactivate, Operations: [{ op: 'replace', path: 'active', value: true }] }
    expect((await tenant.request('PATCH', `/Users/${ids[0]}`, reactivate)).status).toBe(200)
    expect((await tenant.request('DELETE', `/Users/${ids[1]}`)).status).toBe(204)
    expect((await tenant.request('DELETE', `/Users/${ids[2]}`)).status).toBe(204)
    expect(await countsOf(tenant.providerId)).toEqual({ users: 2, active: 2 })
  })
})
