import { z } from 'zod'
import {
  findRequest,
  findRequestPage,
  streamRequests,
  type RequestCursor,
  type RequestLogFilter,
} from '../db/portal-queries'
import {
  dateParam,
  optionalParam as optional,
  pageCursorParams,
  readSearchParams,
  timeRangeHints,
  type RawSearchParams,
} from './search-params'
import { recordAudit, type Actor } from './audit'
import { tenantUrlFor } from './tenant-url'

/** The provisioning log as the portal reads it: filters from the URL, keyset pages, records, exports. */

export const requestOperations = [
  'create',
  'link',
  'update',
  'deactivate',
  'reactivate',
  'delete',
  'read',
  'list',
  'discovery',
  'error',
  'auth_failure',
] as const

export const requestMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const


export const logFilterSchema = z.object({
  idp: optional(z.uuid()).catch(undefined),
  from: dateParam.catch(undefined),
  to: dateParam.catch(undefined),
  /** `2xx`, `4xx`, `5xx` or an exact code such as `401`. */
  status: optional(z.string().regex(/^([2-5]xx|[1-5]\d\d)$/)).catch(undefined),
  operation: optional(z.enum(requestOperations)).catch(undefined),
  method: optional(z.enum(requestMethods)).catch(undefined),
  user: optional(z.string().trim().min(1).max(320)).catch(undefined),
  requestId: optional(z.string().trim().min(1).max(128)).catch(undefined),
  ...pageCursorParams,
})
export type LogFilterParams = z.infer<typeof logFilterSchema>

/** The log filter from a URL, and a message for each filter value that had to be ignored. */
export function readLogFilter(raw: RawSearchParams) {
  return readSearchParams(logFilterSchema, raw, {
    idp: 'choose an identity provider from the list.',
    ...timeRangeHints,
    status: 'use 2xx, 4xx, 5xx or a code such as 401.',
    operation: `use one of ${requestOperations.join(', ')}.`,
    method: `use one of ${requestMethods.join(', ')}.`,
    user: 'use at most 320 characters.',
    requestId: 'use at most 128 characters.',
  })
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

/** Opaque page cursors: `<epoch ms>.<id>`. */
export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return `${row.createdAt.getTime()}.${row.id}`
}

export function decodeCursor(cursor: string | undefined): RequestCursor | undefined {
  const match = cursor ? /^(\d{1,15})\.([0-9a-f-]{36})$/i.exec(cursor) : null
  if (!match) return undefined
  return { createdAt: new Date(Number(match[1])), id: match[2]! }
}

export async function findLogPage(params: LogFilterParams, take = LOG_PAGE_SIZE) {
  const after = decodeCursor(params.after)
  const before = after ? undefined : decodeCursor(params.before)
  const { rows, hasMore } = await findRequestPage(toRequestLogFilter(params), { take, ...(after ? { after } : {}), ...(before ? { before } : {}) })
  const first = rows[0]
  const last = rows[rows.length - 1]
  // Going back (`before`) always has an older page; going forward has one when more rows came back.
  const hasOlder = before ? rows.length > 0 : hasMore
  const hasNewer = before ? hasMore : Boolean(after)
  return {
    rows,
    olderCursor: hasOlder && last ? encodeCursor(last) : null,
    newerCursor: hasNewer && first ? encodeCursor(first) : null,
  }
}

export async function getLogRecord(id: string) {
  if (!z.uuid().safeParse(id).success) return null
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
          lines.push(`${first ? '' : ','}\n${JSON.stringify(Object.fromEntries(exportColumns.map((column) => [column, row[column]])))}`)
          first = false
        }
      }
      rows += batch.length
      yield format === 'csv' ? `${lines.join('\n')}\n` : lines.join('')
    }
    if (format === 'json') yield '\n]\n'
    completed = true
  } finally {
    await recordAudit(actor, 'log.export', { type: 'requestLog', providerId: params.idp ?? null }, {
      format,
      filter: auditedFilter(params),
      rows,
      completed,
      ...(rows >= EXPORT_ROW_LIMIT ? { capped: true } : {}),
    })
  }
}

/** The log filter as a query string, for links that keep or change it. */
export function logFilterQuery(params: Partial<Record<keyof LogFilterParams, string | Date | undefined | null>>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue
    search.set(key, value instanceof Date ? value.toISOString().slice(0, 16) : value)
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}
