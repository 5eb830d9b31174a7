import 'server-only'
import { insertProvisioningRequests, type ProvisioningRequestInsert } from '../db/provisioning-requests'
import { logger } from '../ops/logger'
import { isUuid } from '../scim/ids'
import { escapeUnstorableText } from '../storable-text'

/**
 * The provisioning request log. Records are queued and written in batches off the request path, so a SCIM
 * answer never waits for (or fails because of) its log row. `flushRequestLog()` drains the queue.
 *
 * Nothing a client sends can poison or silence it: every field is made storable before it is queued (text
 * PostgreSQL refuses is escaped, lengths are capped with a visible marker), a batch the database still refuses
 * is retried row by row so one bad record takes no other with it, and whatever could not be written is counted
 * (`requestLogStats()`) and reported in the server log. Floods of identical failures from a client over its
 * failure rate limit are folded into one row per minute that says how many requests it stands for.
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
  | 'requestId'

export type RequestLogRecord = Omit<ProvisioningRequestInsert, OptionalField | 'createdAt' | 'repeatCount'> &
  Partial<Pick<ProvisioningRequestInsert, OptionalField>> & { at: Date }

export type RecordRequestOptions = {
  /**
   * The client address is over its failure rate limit: records with the same client address, IdP, method,
   * status, scimType and path are folded — the first of each minute is stored as usual, the rest of that
   * minute become one row whose `repeatCount` says how many requests it stands for.
   */
  coalesce?: boolean
}

/** What one stored row may hold at most (characters; lists in entries). Beyond it, a visible marker. */
export const REQUEST_LOG_LIMITS = {
  method: 32,
  path: 2048,
  query: 4096,
  errorDetail: 4096,
  userAgent: 512,
  userName: 1024,
  userEmail: 1024,
  clientIp: 64,
  requestId: 128,
  scimType: 64,
  body: 64 * 1024,
  /** discardedAttributes and compatRules: entries kept, then one "… and N more" entry. */
  listEntries: 100,
  listEntry: 256,
  /** changes: entries kept, the JSON size of one entry, and of all of them together. */
  changes: 200,
  changeEntry: 4096,
  changesTotal: 64 * 1024,
} as const

const BATCH_SIZE = 500
/** At most this much text (bodies and all, as `rowChars` counts it) in one statement's JSON. */
const BATCH_CHARS = 256 * 1024
const FLUSH_DELAY_MS = 100
/** Beyond this many queued records, or this much queued text (the database is down or far behind), new ones are dropped and counted. */
const MAX_QUEUE = 50_000
const MAX_QUEUE_CHARS = 64 * 1024 * 1024
/** Identical failures are folded per key for this long; at most this many keys are open at once. */
const FOLD_WINDOW_MS = 60_000
const MAX_OPEN_FOLDS = 1000
/** A folded row keeps smaller bodies than a stored one: it is an example, and it waits in memory for a minute. */
const FOLD_BODY_LIMIT = 4096

const queue: ProvisioningRequestInsert[] = []
let queuedChars = 0
let timer: ReturnType<typeof setTimeout> | undefined
let flushing: Promise<void> | undefined
/** Counted since the process started, for the server log and a metrics endpoint. */
const totals = { written: 0, dropped: 0, coalesced: 0 }
/** Dropped on the way in (queue full, unusable record), reported with the next write. */
let droppedUnreported = 0

export type RequestLogStats = {
  /** Rows waiting to be written. */
  queued: number
  /** Rows written since the process started. */
  written: number
  /** Rows that could not be written (the database refused them, or the queue was full) since the process started. */
  dropped: number
  /** Requests folded into another row (see `coalesce`) instead of getting their own, since the process started. */
  coalesced: number
  /** How full the queue is (0–1), by rows or by queued text, whichever is fuller: at 1 new records are dropped. */
  fill: number
}

export function requestLogStats(): RequestLogStats {
  return { queued: queue.length, ...totals, fill: Math.max(queue.length / MAX_QUEUE, queuedChars / MAX_QUEUE_CHARS) }
}

/** Cuts `text` to at most `limit` characters without splitting a surrogate pair. */
function cut(text: string, limit: number): string {
  const end = limit > 0 && /[\ud800-\udbff]/.test(text[limit - 1] ?? '') ? limit - 1 : limit
  return text.slice(0, end)
}

/** A storable copy of `text` of at most `limit` characters (plus the marker that says it was cut). */
function storableText(text: string, limit: number): string {
  const escaped = escapeUnstorableText(text.length > limit ? cut(text, limit) : text)
  if (text.length <= limit && escaped.length <= limit) return escaped
  return `${cut(escaped, limit)}… [truncated, ${text.length} characters]`
}

function storableOptional(text: string | null | undefined, limit: number): string | null {
  return text === null || text === undefined ? null : storableText(String(text), limit)
}

function storableList(items: readonly string[] | null | undefined): string[] {
  if (!items) return []
  const { listEntries, listEntry } = REQUEST_LOG_LIMITS
  const kept = items.slice(0, listEntries).map((item) => storableText(String(item), listEntry))
  if (items.length > listEntries) kept.push(`… and ${items.length - listEntries} more`)
  return kept
}

/** Nesting kept in a stored change value; deeper parts are stored as (capped) JSON text. */
const MAX_CHANGE_DEPTH = 16
const TRUNCATED = '… [truncated]'

const NEEDS_JSON_ESCAPE = /["\\\u0000-\u001f]/

/** The length of `text` as a JSON string, without building it for the usual text that needs no escapes. */
function jsonLength(text: string): number {
  return NEEDS_JSON_ESCAPE.test(text) ? JSON.stringify(text).length : text.length + 2
}

function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null'
  } catch {
    return '[unserializable value]'
  }
}

/**
 * A JSON value PostgreSQL's jsonb accepts, within `budget` characters: keys and strings escaped and capped,
 * long arrays and objects cut with a marker, deep nesting flattened to text.
 */
function storableJson(value: unknown, budget: { left: number }, depth: number): unknown {
  if (budget.left <= 0) return TRUNCATED
  if (value === null || typeof value === 'boolean') {
    budget.left -= 5
    return value
  }
  if (typeof value === 'number') {
    budget.left -= 24
    return Number.isFinite(value) ? value : String(value)
  }
  if (typeof value === 'string' || depth >= MAX_CHANGE_DEPTH || typeof value !== 'object') {
    const text = storableText(typeof value === 'string' ? value : jsonText(value), Math.max(budget.left, 0))
    budget.left -= jsonLength(text)
    return text
  }
  if (Array.isArray(value)) {
    const kept: unknown[] = []
    budget.left -= 2
    for (const item of value) {
      budget.left -= 1
      if (budget.left <= 0) {
        kept.push(`… and ${value.length - kept.length} more`)
        break
      }
      kept.push(storableJson(item, budget, depth + 1))
    }
    return kept
  }
  const entries = Object.entries(value)
  const kept: Record<string, unknown> = {}
  budget.left -= 2
  for (let index = 0; index < entries.length; index++) {
    const [key, inner] = entries[index]!
    if (budget.left <= 0) {
      kept[TRUNCATED] = `… and ${entries.length - index} more`
      break
    }
    const storableKey = storableText(key, REQUEST_LOG_LIMITS.listEntry)
    budget.left -= jsonLength(storableKey) + 1
    const storableValue = storableJson(inner, budget, depth + 1)
    // A parsed body may carry an own `__proto__` key: kept as data, never as the prototype.
    if (storableKey === '__proto__')
      Object.defineProperty(kept, storableKey, { value: storableValue, enumerable: true, writable: true, configurable: true })
    else kept[storableKey] = storableValue
  }
  return kept
}

function storableChanges(changes: unknown[] | null | undefined): unknown[] | null {
  if (!changes || changes.length === 0) return null
  const total = { left: REQUEST_LOG_LIMITS.changesTotal }
  const kept: unknown[] = []
  for (const change of changes) {
    if (kept.length >= REQUEST_LOG_LIMITS.changes || total.left <= 0) {
      kept.push({ attribute: `… and ${changes.length - kept.length} more changes`, old: null, new: null })
      break
    }
    const budget = { left: Math.min(REQUEST_LOG_LIMITS.changeEntry, total.left) }
    const before = budget.left
    kept.push(storableJson(change, budget, 0))
    total.left -= before - budget.left
  }
  return kept
}

function uuidOrNull(value: string | null | undefined): string | null {
  return typeof value === 'string' && isUuid(value) ? value : null
}

/** The row as it will be stored: every field storable and bounded, whatever the client sent. */
function storableRow(record: RequestLogRecord): ProvisioningRequestInsert {
  const limits = REQUEST_LOG_LIMITS
  const status = Number.isInteger(record.status) && Math.abs(record.status) < 2 ** 31 ? record.status : 0
  return {
    // The id is derived from it: an invalid date must not fail the row.
    createdAt: Number.isFinite(record.at?.getTime()) ? record.at : new Date(),
    providerId: uuidOrNull(record.providerId),
    tokenId: uuidOrNull(record.tokenId),
    method: storableText(String(record.method), limits.method),
    path: storableText(String(record.path), limits.path),
    query: storableText(String(record.query ?? ''), limits.query),
    status,
    durationMs: Number.isFinite(record.durationMs) ? Math.round(record.durationMs * 100) / 100 : 0,
    operation: record.operation,
    userId: uuidOrNull(record.userId),
    userName: storableOptional(record.userName, limits.userName),
    userEmail: storableOptional(record.userEmail?.toLowerCase(), limits.userEmail),
    requestBody: storableOptional(record.requestBody, limits.body),
    responseBody: storableOptional(record.responseBody, limits.body),
    discardedAttributes: storableList(record.discardedAttributes),
    compatRules: storableList(record.compatRules),
    changes: storableChanges(record.changes),
    scimType: storableOptional(record.scimType, limits.scimType),
    errorDetail: storableOptional(record.errorDetail, limits.errorDetail),
    clientIp: storableOptional(record.clientIp, limits.clientIp),
    userAgent: storableOptional(record.userAgent, limits.userAgent),
    requestId: storableOptional(record.requestId, limits.requestId),
    repeatCount: 1,
  }
}

function rowChars(row: ProvisioningRequestInsert): number {
  return (
    1024 +
    (row.requestBody?.length ?? 0) +
    (row.responseBody?.length ?? 0) +
    (row.errorDetail?.length ?? 0) +
    row.path.length +
    row.query.length
  )
}

function enqueue(row: ProvisioningRequestInsert): void {
  const chars = rowChars(row)
  if (queue.length >= MAX_QUEUE || queuedChars + chars > MAX_QUEUE_CHARS) {
    droppedUnreported += 1
    totals.dropped += 1
    return
  }
  queue.push(row)
  queuedChars += chars
  timer ??= setTimeout(() => void drainQueue(), FLUSH_DELAY_MS)
}

/** Records one answered request. Never throws: a record that cannot even be prepared is counted as dropped. */
export function recordRequest(record: RequestLogRecord, options: RecordRequestOptions = {}): void {
  let row: ProvisioningRequestInsert
  try {
    row = storableRow(record)
  } catch (error) {
    droppedUnreported += 1
    totals.dropped += 1
    logger.error({ err: error }, 'Could not prepare a provisioning log record')
    return
  }
  if (options.coalesce && fold(row)) return
  enqueue(row)
}

type Fold = {
  /** When the minute that started with the key's first stored record ends (record time, in ms). */
  windowEnds: number
  /** The first folded request: the row written for all of them. */
  template: ProvisioningRequestInsert | null
  count: number
}

const folds = new Map<string, Fold>()
/** Where folded failures go when every key is taken, so memory stays bounded whatever the variety. */
let overflow: Fold | undefined
let foldTimer: ReturnType<typeof setTimeout> | undefined

function foldTemplate(row: ProvisioningRequestInsert): ProvisioningRequestInsert {
  return {
    ...row,
    requestBody: storableOptional(row.requestBody, FOLD_BODY_LIMIT),
    responseBody: storableOptional(row.responseBody, FOLD_BODY_LIMIT),
  }
}

function overflowTemplate(row: ProvisioningRequestInsert): ProvisioningRequestInsert {
  return {
    ...foldTemplate(row),
    // Requests of any IdP are counted here: the row belongs to none of them.
    providerId: null,
    tokenId: null,
    userId: null,
    requestId: null,
    userName: null,
    userEmail: null,
    changes: null,
    errorDetail: storableText(
      `Counted together: failures from clients over the failure rate limit that did not fit the ${MAX_OPEN_FOLDS} ` +
        `distinct (address, IdP, method, status, path) groups of one minute. The other fields show the first of them: ` +
        `${row.errorDetail ?? ''}`,
      REQUEST_LOG_LIMITS.errorDetail,
    ),
  }
}

function closeFold(entry: Fold): void {
  if (entry.template && entry.count > 0) enqueue({ ...entry.template, repeatCount: entry.count })
}

/** Folds `row` into its key's minute; false when it opens a minute (it is then stored as usual). */
function fold(row: ProvisioningRequestInsert): boolean {
  const key = JSON.stringify([row.clientIp, row.providerId, row.method, row.status, row.scimType, row.path])
  const at = row.createdAt.getTime()
  let entry = folds.get(key)
  if (entry && at >= entry.windowEnds) {
    closeFold(entry)
    folds.delete(key)
    entry = undefined
  }
  if (!entry && folds.size < MAX_OPEN_FOLDS) {
    folds.set(key, { windowEnds: at + FOLD_WINDOW_MS, template: null, count: 0 })
    scheduleFoldTimer()
    return false
  }
  if (!entry) {
    if (overflow && at >= overflow.windowEnds) {
      closeFold(overflow)
      overflow = undefined
    }
    overflow ??= { windowEnds: at + FOLD_WINDOW_MS, template: overflowTemplate(row), count: 0 }
    entry = overflow
    scheduleFoldTimer()
  }
  entry.template ??= foldTemplate(row)
  entry.count += 1
  totals.coalesced += 1
  return true
}

/** Writes the rows of the minutes that have ended (all of them with `all`). */
function closeFolds(all: boolean): void {
  const now = Date.now()
  for (const [key, entry] of folds) {
    if (all || entry.windowEnds <= now) {
      closeFold(entry)
      folds.delete(key)
    }
  }
  if (overflow && (all || overflow.windowEnds <= now)) {
    closeFold(overflow)
    overflow = undefined
  }
}

function scheduleFoldTimer(): void {
  if (foldTimer) return
  let next = overflow?.windowEnds ?? Infinity
  for (const entry of folds.values()) next = Math.min(next, entry.windowEnds)
  if (next === Infinity) return
  foldTimer = setTimeout(
    () => {
      foldTimer = undefined
      closeFolds(false)
      scheduleFoldTimer()
    },
    Math.max(next - Date.now(), 0) + 10,
  )
  // A pending minute must not keep a finished process (a CLI, a test run) alive; the server flushes on exit.
  foldTimer.unref?.()
}

/**
 * Errors that say the database cannot be reached at all (connection exceptions, shutdown, out of resources,
 * a socket error): the rest of the batch would fail alike, so it is not tried row by row. Anything else —
 * bad data, a vanished IdP or token, an error of our own — blames the row alone.
 */
function databaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^(?:08|53|57P)|^E[A-Z]+$/.test(code)
}

function describe(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  return `${typeof code === 'string' ? `${code} ` : ''}${typeof message === 'string' ? message : String(error)}`
}

/**
 * One multi-row INSERT per batch. If the database refuses it, the rows are written one by one, so only the
 * row at fault is lost — unless the database itself is unavailable, when the rest would fail alike.
 */
async function writeBatch(batch: ProvisioningRequestInsert[]): Promise<{ failed: number; firstError?: unknown }> {
  try {
    await insertProvisioningRequests(batch)
    totals.written += batch.length
    return { failed: 0 }
  } catch (batchError) {
    if (batch.length === 1) {
      totals.dropped += 1
      return { failed: 1, firstError: batchError }
    }
  }
  let failed = 0
  let firstError: unknown
  for (const [index, row] of batch.entries()) {
    try {
      await insertProvisioningRequests([row])
      totals.written += 1
    } catch (error) {
      firstError ??= error
      if (databaseUnavailable(error)) {
        failed += batch.length - index
        break
      }
      failed += 1
    }
  }
  totals.dropped += failed
  return { failed, firstError }
}

/** The next batch off the queue: up to `rows` records and BATCH_CHARS of text, and at least one record. */
function takeBatch(rows: number): ProvisioningRequestInsert[] {
  let count = 0
  let chars = 0
  while (count < rows && count < queue.length) {
    const next = rowChars(queue[count]!)
    if (count > 0 && chars + next > BATCH_CHARS) break
    chars += next
    count += 1
  }
  queuedChars -= chars
  return queue.splice(0, count)
}

/**
 * Writes the queue in batches. The timer's drain writes only what was queued when it began: records that arrive
 * while it writes wait for the next timer. Draining until empty turned a steady stream into a chain of small
 * batches, each started as soon as the last one committed (12 records a statement at 3,600 requests a second,
 * where 100 ms hold 360). A flush (`all`) writes everything, newcomers included.
 */
async function drainQueue(options: { all: boolean } = { all: false }): Promise<void> {
  if (timer) {
    clearTimeout(timer)
    timer = undefined
  }
  while (flushing) await flushing
  if (queue.length === 0 && droppedUnreported === 0) return
  flushing = (async () => {
    // Dropped on the way in are counted already; they are reported here.
    let failed = droppedUnreported
    droppedUnreported = 0
    let firstError: unknown
    let left = options.all ? Infinity : queue.length
    while (queue.length > 0 && left > 0) {
      const batch = takeBatch(Math.min(BATCH_SIZE, left))
      left -= batch.length
      const result = await writeBatch(batch)
      failed += result.failed
      firstError ??= result.firstError
    }
    if (failed > 0) {
      logger.error(
        { failed, droppedSinceStart: totals.dropped },
        `Provisioning log: ${failed} records could not be written (${totals.dropped} since start)` +
          (firstError === undefined ? ': the queue was full or a record could not be prepared.' : `: ${describe(firstError)}`),
      )
    }
  })()
  try {
    await flushing
  } finally {
    flushing = undefined
  }
}

/**
 * Writes every queued record, and the rows of folded failures whose minute is still open. Safe to call at any
 * time; concurrent calls share the work. server.ts calls it on SIGTERM and SIGINT.
 */
export async function flushRequestLog(): Promise<void> {
  if (foldTimer) {
    clearTimeout(foldTimer)
    foldTimer = undefined
  }
  closeFolds(true)
  await drainQueue({ all: true })
}
