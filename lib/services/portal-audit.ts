import 'server-only'
import { listAuditEvents, type AuditEventRow, type AuditFilter } from '../db/audit-events'
import { recordAudit, type Actor } from './audit'
import { csvCell } from './portal-logs'

/** The audit log as the portal reads it: filtered keyset pages both ways, exports. */

export const AUDIT_PAGE_SIZE = 50
export const AUDIT_EXPORT_ROW_LIMIT = 50_000

type PageKey = { createdAt: Date; id: string }

/** A parsed audit filter (the portal reads it from the URL); `after`/`before` are the event keys to page from. */
export type AuditFilterParams = {
  actor?: string | undefined
  /** An action such as `token.rotate`, or a family such as `token.`. */
  action?: string | undefined
  target?: string | undefined
  from?: Date | undefined
  to?: Date | undefined
  after?: PageKey | undefined
  before?: PageKey | undefined
}

function toAuditFilter(params: AuditFilterParams): AuditFilter {
  return {
    ...(params.actor ? { actor: params.actor } : {}),
    ...(params.action ? { action: params.action } : {}),
    ...(params.target ? { target: params.target } : {}),
    ...(params.from ? { from: params.from } : {}),
    ...(params.to ? { to: params.to } : {}),
  }
}

/** One page of audit events, newest first, with cursors to the older and newer pages when they exist. */
export async function findAuditPage(params: AuditFilterParams, take = AUDIT_PAGE_SIZE) {
  const olderThan = params.after
  const newerThan = olderThan ? undefined : params.before
  const rows = await listAuditEvents({
    take: take + 1,
    filter: toAuditFilter(params),
    ...(olderThan ? { before: olderThan } : {}),
    ...(newerThan ? { after: newerThan } : {}),
  })
  const hasMore = rows.length > take
  // Going back to newer events, the extra row is the newest one; going on, the oldest.
  const page = newerThan ? rows.slice(hasMore ? 1 : 0) : rows.slice(0, take)
  const first = page[0]
  const last = page[page.length - 1]
  const hasOlder = newerThan ? page.length > 0 : hasMore
  const hasNewer = newerThan ? hasMore : Boolean(olderThan)
  return {
    rows: page,
    olderCursor: hasOlder && last ? ({ createdAt: last.createdAt, id: last.id } satisfies PageKey) : null,
    newerCursor: hasNewer && first ? ({ createdAt: first.createdAt, id: first.id } satisfies PageKey) : null,
  }
}

const auditColumns = ['id', 'createdAt', 'actor', 'action', 'targetType', 'targetId', 'providerId', 'details'] as const

function auditedFilter(params: AuditFilterParams): Record<string, string> {
  const filter: Record<string, string> = {}
  for (const [key, value] of Object.entries(toAuditFilter(params)))
    filter[key] = value instanceof Date ? value.toISOString() : String(value)
  return filter
}

/**
 * The filtered audit log as CSV or JSON text chunks, newest first, capped at AUDIT_EXPORT_ROW_LIMIT rows. The
 * export itself is audited with its filter and row count once it ends.
 */
export async function* exportAudit(actor: Actor, params: AuditFilterParams, format: 'csv' | 'json'): AsyncGenerator<string> {
  const filter = toAuditFilter(params)
  let rows = 0
  let completed = false
  let before: { createdAt: Date; id: string } | undefined
  try {
    yield format === 'csv' ? `${auditColumns.join(',')}\n` : '['
    while (rows < AUDIT_EXPORT_ROW_LIMIT) {
      const batch: AuditEventRow[] = await listAuditEvents({
        take: Math.min(1000, AUDIT_EXPORT_ROW_LIMIT - rows),
        filter,
        ...(before ? { before } : {}),
      })
      if (batch.length === 0) break
      const lines = batch.map((row, index) =>
        format === 'csv'
          ? auditColumns.map((column) => csvCell(row[column])).join(',')
          : `${rows + index === 0 ? '' : ','}\n${JSON.stringify(row)}`,
      )
      rows += batch.length
      yield format === 'csv' ? `${lines.join('\n')}\n` : lines.join('')
      const last = batch[batch.length - 1]!
      before = { createdAt: last.createdAt, id: last.id }
    }
    if (format === 'json') yield '\n]\n'
    completed = true
  } finally {
    await recordAudit(actor, 'audit.export', { type: 'auditLog' }, { format, filter: auditedFilter(params), rows, completed })
  }
}
