import { insertProvisioningRequests, type ProvisioningRequestInsert } from '../db/provisioning-requests'

/**
 * The provisioning request log. Records are queued and written in batches off the request path, so a
 * SCIM answer never waits for (or fails because of) its log row. `flushRequestLog()` drains the queue.
 */

/** Fields a record may leave out: they are stored empty. */
type OptionalField =
  | 'userId'
  | 'userName'
  | 'userEmail'
  | 'requestBody'
  | 'responseBody'
  | 'discardedAttributes'
  | 'compatRules'
  | 'changes'
  | 'scimType'
  | 'errorDetail'
  | 'clientIp'
  | 'userAgent'

export type RequestLogRecord = Omit<ProvisioningRequestInsert, OptionalField | 'createdAt'> &
  Partial<Pick<ProvisioningRequestInsert, OptionalField>> & { at: Date }

const EMPTY: Pick<ProvisioningRequestInsert, OptionalField> = {
  userId: null,
  userName: null,
  userEmail: null,
  requestBody: null,
  responseBody: null,
  discardedAttributes: [],
  compatRules: [],
  changes: null,
  scimType: null,
  errorDetail: null,
  clientIp: null,
  userAgent: null,
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
  const { at, ...fields } = record
  queue.push({
    ...EMPTY,
    ...fields,
    createdAt: at,
    durationMs: Math.round(record.durationMs * 100) / 100,
    userEmail: record.userEmail?.toLowerCase() ?? null,
    changes: record.changes && record.changes.length > 0 ? record.changes : null,
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
