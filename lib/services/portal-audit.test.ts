import { beforeAll, describe, expect, it } from 'vitest'
import { databaseReady } from '@/lib/db/client'
import { listAuditEvents } from '@/lib/db/audit-events'
import { recordAudit } from './audit'
import { auditFilterSchema, readAuditFilter } from '@/lib/portal/audit-filter'
import { encodeCursor } from '@/lib/portal/cursor'
import { exportAudit, findAuditPage } from './portal-audit'

// Other test files write audit events too (and share PostgreSQL): every query here is narrowed to this run's actor.
const actor = { name: `auditor-${crypto.randomUUID()}@audit.test` }
const providerId = crypto.randomUUID()
const tokenId = crypto.randomUUID()
const params = (input: Record<string, string>) => auditFilterSchema.parse({ actor: actor.name, ...input })

beforeAll(async () => {
  await databaseReady()
  await recordAudit(actor, 'idp.create', { type: 'identityProvider', id: providerId, providerId })
  await recordAudit(actor, 'token.create', { type: 'token', id: tokenId, providerId })
  await recordAudit(actor, 'token.rotate', { type: 'token', id: tokenId, providerId }, { overlapDays: 7 })
  await recordAudit(actor, 'token.revoke', { type: 'token', id: tokenId, providerId })
  await recordAudit(actor, 'tokenizer.run', { type: 'job', id: 'nightly' })
  await recordAudit(actor, 'user.deactivate', { type: 'user', id: crypto.randomUUID(), providerId })
  await recordAudit(actor, 'log.export', { type: 'requestLog' }, { rows: 3 })
})

describe('the audit page', () => {
  it('pages by keyset, newest first, without gaps or repeats, both ways', async () => {
    const all = await listAuditEvents({ take: 100, filter: { actor: actor.name } })
    expect(all.map((event) => event.action)).toEqual([
      'log.export',
      'user.deactivate',
      'tokenizer.run',
      'token.revoke',
      'token.rotate',
      'token.create',
      'idp.create',
    ])
    const seen: string[] = []
    let page = await findAuditPage(params({}), 3)
    const firstPage = page.rows.map((row) => row.id)
    expect(page.newerCursor).toBeNull()
    for (;;) {
      seen.push(...page.rows.map((row) => row.id))
      if (!page.olderCursor) break
      page = await findAuditPage(params({ after: encodeCursor(page.olderCursor) }), 3)
    }
    expect(seen).toEqual(all.map((event) => event.id))
    const second = await findAuditPage(params({ after: encodeCursor((await findAuditPage(params({}), 3)).olderCursor!) }), 3)
    expect(second.rows).toHaveLength(3)
    const back = await findAuditPage(params({ before: encodeCursor(second.newerCursor!) }), 3)
    expect(back.rows.map((row) => row.id)).toEqual(firstPage)
    expect(back.newerCursor).toBeNull()
  })

  it('pages a parallel burst of events without losing or repeating one', async () => {
    const sameTime = { name: `same-ms-${crypto.randomUUID()}` }
    await Promise.all(Array.from({ length: 6 }, (_, n) => recordAudit(sameTime, 'burst.event', { type: 'test', id: String(n) })))
    const ids: string[] = []
    let page = await findAuditPage(auditFilterSchema.parse({ actor: sameTime.name }), 2)
    for (;;) {
      ids.push(...page.rows.map((row) => row.id))
      if (!page.olderCursor) break
      page = await findAuditPage(auditFilterSchema.parse({ actor: sameTime.name, after: encodeCursor(page.olderCursor) }), 2)
    }
    expect(new Set(ids).size).toBe(6)
  })

  it('filters by actor, action or action family, target or IdP, and time', async () => {
    const actions = async (input: Record<string, string>) => (await findAuditPage(params(input))).rows.map((row) => row.action)
    expect(await actions({ action: 'token.rotate' })).toEqual(['token.rotate'])
    expect(await actions({ action: 'token.' })).toEqual(['token.revoke', 'token.rotate', 'token.create'])
    expect(await actions({ target: tokenId })).toEqual(['token.revoke', 'token.rotate', 'token.create'])
    expect(await actions({ target: providerId })).toEqual([
      'user.deactivate',
      'token.revoke',
      'token.rotate',
      'token.create',
      'idp.create',
    ])
    expect(await actions({ target: 'nightly' })).toEqual(['tokenizer.run'])
    expect(await actions({ from: '2999-01-01T00:00' })).toEqual([])
    expect(await actions({ to: '2000-01-01T00:00' })).toEqual([])
    expect(await actions({ from: '2000-01-01T00:00', to: '2999-01-01T00:00' })).toHaveLength(7)
    expect((await findAuditPage(auditFilterSchema.parse({ actor: `nobody-${crypto.randomUUID()}` }))).rows).toEqual([])
  })

  it('names each filter value it had to ignore', () => {
    const { params: read, errors } = readAuditFilter({ action: "token'; DROP", from: 'yesterday', actor: 'cli', after: 'zzz' })
    expect(read).toMatchObject({ action: undefined, from: undefined, actor: 'cli' })
    expect(Object.keys(errors).sort()).toEqual(['action', 'from'])
  })

  it('exports the filter as CSV and JSON, and audits the export with its filter and row count', async () => {
    let csv = ''
    for await (const chunk of exportAudit(actor, params({ action: 'token.' }), 'csv')) csv += chunk
    const lines = csv.trim().split('\n')
    expect(lines[0]).toBe('id,createdAt,actor,action,targetType,targetId,providerId,details')
    expect(lines.slice(1).map((line) => line.split(',')[3])).toEqual(['token.revoke', 'token.rotate', 'token.create'])
    let json = ''
    for await (const chunk of exportAudit(actor, params({}), 'json')) json += chunk
    const exported = JSON.parse(json) as Array<{ action: string }>
    // The CSV export's own audit event is part of the second export.
    expect(exported.map((row) => row.action)[0]).toBe('audit.export')
    expect(exported).toHaveLength(8)
    const exports = (await listAuditEvents({ take: 10, filter: { actor: actor.name, action: 'audit.export' } })).reverse()
    expect(exports.map((event) => event.details)).toEqual([
      { format: 'csv', filter: { actor: actor.name, action: 'token.' }, rows: 3, completed: true },
      { format: 'json', filter: { actor: actor.name }, rows: 8, completed: true },
    ])
  })
})
