import 'server-only'
import { z } from 'zod'
import { listAuditEvents, type AuditEventRow, type AuditFilter } from '../db/audit-events'
import { recordAudit, type Actor } from './audit'
import { csvCell, decodeCursor, encodeCursor } from './portal-logs'
import {
  dateParam,
  optionalParam as optional,
  pageCursorParams,
  readSearchParams,
  timeRangeHints,
  type RawSearchParams,
} from './search-params'

/** The audit log as the portal reads it: filters from the URL, keyset pages both ways, exports. */

export const AUDIT_PAGE_SIZE = 50
export const AUDIT_EXPORT_ROW_LIMIT = 50_000

export const auditFilterSchema = z.object({
  actor: optional(z.string().trim().min(1).max(320)).catch(undefined),
  action: optional(z.string().trim().regex(/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*\.?$/).max(100)).catch(undefined),
  target: optional(z.string().trim().min(1).max(200)).catch(undefined),
  from: dateParam.catch(undefined),
  to: dateParam.catch(undefined),
  ...pageCursorParams,
})
export type AuditFilterParams = z.infer<typeof auditFilterSchema>

export function readAuditFilter(raw: RawSearchParams) {
  return readSearchParams(auditFilterSchema, raw, {
    actor: 'use an operator email or cli, at most 320 characters.',
    action: 'use an action such as token.rotate, or a family such as token.',
    target: 'use an id, at most 200 characters.',
    ...timeRangeHints,
  })
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
  const olderThan = decodeCursor(params.after)
  const newerThan = olderThan ? undefined : decodeCursor(params.before)
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
    olderCursor: hasOlder && last ? encodeCursor(last) : null,
    newerCursor: hasNewer && first ? encodeCursor(first) : null,
  }
}

/** The filter as a query string, for links that keep it. */
export function auditFilterQuery(params: Partial<Record<keyof AuditFilterParams, string | Date | undefined | null>>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue
    search.set(key, value instanceof Date ? value.toISOString().slice(0, 16) : value)
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

const auditColumns = ['id', 'createdAt', 'actor', 'action', 'targetType', 'targetId', 'providerId', 'details'] as const

function auditedFilter(params: AuditFilterParams): Record<string, string> {
  const filter: Record<string, string> = {}
  for (const [key, value] of Object.entries(toAuditFilter(params))) filter[key] = value instanceof Date ? value.toISOString() : String(value)
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
      const batch: AuditEventRow[] = await listAuditEvents({ take: Math.min(1000, AUDIT_EXPORT_ROW_LIMIT - rows), filter, ...(before ? { before } : {}) })
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
