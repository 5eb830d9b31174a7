import 'server-only'
import { requestOperations } from '../db/enums'
import { isUuid } from '../scim/ids'
import {
  findRequest,
  findRequestPage,
  streamRequests,
  type RequestCursor,
  type RequestLogFilter,
} from '../db/provisioning-requests'
import { recordAudit, type Actor } from './audit'
import { tenantUrlFor } from './tenant-url'

/** The provisioning log as the portal reads it: filtered keyset pages, records, exports. */

export { requestOperations }

export const requestMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const

/** A parsed log filter (the portal reads it from the URL); `after`/`before` are the row keys to page from. */
export type LogFilterParams = {
  idp?: string | undefined
  from?: Date | undefined
  to?: Date | undefined
  /** `2xx`, `4xx`, `5xx` or an exact code such as `401`. */
  status?: string | undefined
  operation?: (typeof requestOperations)[number] | undefined
  method?: (typeof requestMethods)[number] | undefined
  user?: string | undefined
  /** The request id (X-Request-Id), exact. */
  requestId?: string | undefined
  after?: RequestCursor | undefined
  before?: RequestCursor | undefined
}

export const LOG_PAGE_SIZE = 50
export const EXPORT_ROW_LIMIT = 50_000

export function toRequestLogFilter(params: LogFilterParams): RequestLogFilter {
  const filter: RequestLogFilter = {}
  if (params.idp) filter.providerId = params.idp
  if (params.from) filter.from = params.from
  if (params.to) filter.to = params.to
  if (params.status?.endsWith('xx')) filter.statusClass = Number(params.status[0]) as 2 | 3 | 4 | 5
  else if (params.status) filter.status = Number(params.status)
  if (params.operation) filter.operation = params.operation
  if (params.method) filter.method = params.method
  if (params.user) filter.user = params.user
  if (params.requestId) filter.requestId = params.requestId
  return filter
}

/** The key a page continues from: older than `olderCursor`, newer than `newerCursor`. */
function pageKey(row: { createdAt: Date; id: string }): RequestCursor {
  return { createdAt: row.createdAt, id: row.id }
}

export async function findLogPage(params: LogFilterParams, take = LOG_PAGE_SIZE) {
  const after = params.after
  const before = after ? undefined : params.before
  const { rows, hasMore } = await findRequestPage(toRequestLogFilter(params), {
    take,
    ...(after ? { after } : {}),
    ...(before ? { before } : {}),
  })
  const first = rows[0]
  const last = rows[rows.length - 1]
  // Going back (`before`) always has an older page; going forward has one when more rows came back.
  const hasOlder = before ? rows.length > 0 : hasMore
  const hasNewer = before ? hasMore : Boolean(after)
  return {
    rows,
    olderCursor: hasOlder && last ? pageKey(last) : null,
    newerCursor: hasNewer && first ? pageKey(first) : null,
  }
}

export async function getLogRecord(id: string) {
  if (!isUuid(id)) return null
  const record = await findRequest(id)
  return record ? { ...record, tenantUrl: record.providerId ? tenantUrlFor(record.providerId) : null } : null
}

export const exportColumns = [
  'id',
  'createdAt',
  'providerId',
  'tokenId',
  'method',
  'path',
  'query',
  'status',
  'durationMs',
  'operation',
  'userId',
  'userName',
  'userEmail',
  'scimType',
  'errorDetail',
  'discardedAttributes',
  'compatRules',
  'changes',
  'clientIp',
  'userAgent',
  'requestId',
  'repeatCount',
  'requestBody',
  'responseBody',
] as const

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value)
  // Quote everything that needs it, and defuse spreadsheet formulas.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** The filter as it is audited: what was asked for, without the paging cursors. */
function auditedFilter(params: LogFilterParams): Record<string, string> {
  const filter: Record<string, string> = {}
  for (const [key, value] of Object.entries(params)) {
    if (key === 'after' || key === 'before' || value === undefined) continue
    filter[key] = value instanceof Date ? value.toISOString() : String(value)
  }
  return filter
}

/**
 * The filtered log as CSV or JSON text chunks, newest first, capped at EXPORT_ROW_LIMIT rows. Personal data
 * leaves the portal here, so the export is audited with its filter and row count once it ends (also when the
 * download is abandoned part way: `completed` tells).
 */
export async function* exportLog(actor: Actor, params: LogFilterParams, format: 'csv' | 'json'): AsyncGenerator<string> {
  const filter = toRequestLogFilter(params)
  let first = true
  let rows = 0
  let completed = false
  try {
    yield format === 'csv' ? `${exportColumns.join(',')}\n` : '['
    for await (const batch of streamRequests(filter, EXPORT_ROW_LIMIT)) {
      const lines: string[] = []
      for (const row of batch) {
        if (format === 'csv') {
          lines.push(exportColumns.map((column) => csvCell(row[column])).join(','))
        } else {
          lines.push(
            `${first ? '' : ','}\n${JSON.stringify(Object.fromEntries(exportColumns.map((column) => [column, row[column]])))}`,
          )
          first = false
        }
      }
      rows += batch.length
      yield format === 'csv' ? `${lines.join('\n')}\n` : lines.join('')
    }
    if (format === 'json') yield '\n]\n'
    completed = true
  } finally {
    await recordAudit(
      actor,
      'log.export',
      { type: 'requestLog', providerId: params.idp ?? null },
      {
        format,
        filter: auditedFilter(params),
        rows,
        completed,
        ...(rows >= EXPORT_ROW_LIMIT ? { capped: true } : {}),
      },
    )
  }
}
