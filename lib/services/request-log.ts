import { insertProvisioningRequests, type ProvisioningRequestInsert } from '../db/provisioning-requests'
import type { RequestOperation } from '../db/generated/enums'

/**
 * The provisioning request log. Records are queued and written in batches off the request path, so a
 * SCIM answer never waits for (or fails because of) its log row. `flushRequestLog()` drains the queue.
 */

export type RequestLogRecord = {
  at: Date
  providerId: string | null
  tokenId: string | null
  method: string
  path: string
  query: string
  status: number
  durationMs: number
  operation: RequestOperation
  userId?: string | null
  userName?: string | null
  userEmail?: string | null
  requestBody?: string | null
  responseBody?: string | null
  discardedAttributes?: string[]
  compatRules?: string[]
  changes?: Array<{ attribute: string; old: unknown; new: unknown }> | null
  scimType?: string | null
  errorDetail?: string | null
  clientIp?: string | null
  userAgent?: string | null
}

const BATCH_SIZE = 500
const FLUSH_DELAY_MS = 100
/** Beyond this many queued records (the database is down or far behind), new ones are dropped and counted. */
const MAX_QUEUE = 50_000

const queue: ProvisioningRequestInsert[] = []
let timer: ReturnType<typeof setTimeout> | undefined
let flushing: Promise<void> | undefined
let dropped = 0

export function recordRequest(record: RequestLogRecord): void {
  if (queue.length >= MAX_QUEUE) {
    dropped += 1
    return
  }
  queue.push({
    createdAt: record.at,
    providerId: record.providerId,
    tokenId: record.tokenId,
    method: record.method,
    path: record.path,
    query: record.query,
    status: record.status,
    durationMs: Math.round(record.durationMs * 100) / 100,
    operation: record.operation,
    userId: record.userId ?? null,
    userName: record.userName ?? null,
    userEmail: record.userEmail?.toLowerCase() ?? null,
    requestBody: record.requestBody ?? null,
    responseBody: record.responseBody ?? null,
    discardedAttributes: record.discardedAttributes ?? [],
    compatRules: record.compatRules ?? [],
    changes: record.changes && record.changes.length > 0 ? record.changes : null,
    scimType: record.scimType ?? null,
    errorDetail: record.errorDetail ?? null,
    clientIp: record.clientIp ?? null,
    userAgent: record.userAgent ?? null,
  })
  timer ??= setTimeout(() => void flushRequestLog(), FLUSH_DELAY_MS)
}

/** Writes every queued record. Safe to call at any time; concurrent calls share the work. */
export async function flushRequestLog(): Promise<void> {
  if (timer) {
    clearTimeout(timer)
    timer = undefined
  }
  while (flushing) await flushing
  if (queue.length === 0) return
  flushing = (async () => {
    while (queue.length > 0) {
      const batch = queue.splice(0, BATCH_SIZE)
      try {
        await insertProvisioningRequests(batch)
      } catch (error) {
        dropped += batch.length
        console.error(`Could not write ${batch.length} provisioning log records:`, (error as Error).message)
      }
    }
  })()
  try {
    await flushing
  } finally {
    flushing = undefined
  }
  if (dropped > 0) {
    console.error(`${dropped} provisioning log records were dropped`)
    dropped = 0
  }
}
