import 'server-only'
import { getDb, outsideTransaction } from './client'
import { Prisma } from './generated/client'
import type { RequestOperation } from './generated/enums'
import { sqlExecute, sqlRows } from './sql'
import { uuidv7 } from '../uuidv7'

export type ProvisioningRequestInsert = {
  createdAt: Date
  providerId: string | null
  tokenId: string | null
  method: string
  path: string
  query: string
  status: number
  durationMs: number
  operation: RequestOperation
  userId: string | null
  userName: string | null
  userEmail: string | null
  requestBody: string | null
  responseBody: string | null
  discardedAttributes: string[]
  compatRules: string[]
  changes: unknown[] | null
  scimType: string | null
  errorDetail: string | null
  clientIp: string | null
  userAgent: string | null
  /** The request id (X-Request-Id, given or generated). */
  requestId?: string | null
  /** How many requests the row stands for (1, or more for a folded flood of identical failures). */
  repeatCount: number
}

/**
 * One INSERT per batch: all rows are written, or none (the caller then retries them one by one). The rows go
 * as one JSON array, read by `json_to_recordset`, so the statement's text is the same for every batch size and
 * is prepared once per connection (a multi-row VALUES list was parsed and planned anew for every batch: 0.7 ms
 * for seven rows). JSON rather than one PostgreSQL array per column: the driver escapes every array element in
 * JavaScript (each quote of a logged body), where JSON.stringify runs in V8's native code.
 */
const jsonRow = (row: ProvisioningRequestInsert) => ({
  ...row,
  id: uuidv7(row.createdAt.getTime()),
  createdAt: row.createdAt.toISOString(),
  requestId: row.requestId ?? null,
})

export async function insertProvisioningRequests(rows: ProvisioningRequestInsert[]): Promise<void> {
  if (rows.length === 0) return
  // The log is written on its own, whatever transaction the code that queued a record was in. The hourly
  // counts are added in the same statement, so they always agree with the rows (both are written, or neither).
  // Keys are upserted in order, so two instances writing the same hours wait on each other, never deadlock.
  await outsideTransaction(() =>
    sqlExecute(
      Prisma.sql`
    WITH batch AS (
      SELECT * FROM json_to_recordset(${JSON.stringify(rows.map(jsonRow))}::json)
        AS r("id" uuid, "createdAt" timestamp(3), "providerId" uuid, "tokenId" uuid, "method" text, "path" text,
          "query" text, "status" int, "durationMs" float8, "operation" "RequestOperation", "userId" uuid,
          "userName" text, "userEmail" text, "requestBody" text, "responseBody" text, "discardedAttributes" text[],
          "compatRules" text[], "changes" jsonb, "scimType" text, "errorDetail" text, "clientIp" text,
          "userAgent" text, "requestId" text, "repeatCount" int)
    ),
    inserted AS (
      INSERT INTO "ProvisioningRequest" ("id", "createdAt", "providerId", "tokenId", "method", "path", "query", "status",
        "durationMs", "operation", "userId", "userName", "userEmail", "requestBody", "responseBody", "discardedAttributes",
        "compatRules", "changes", "scimType", "errorDetail", "clientIp", "userAgent", "requestId", "repeatCount")
      SELECT "id", "createdAt", "providerId", "tokenId", "method", "path", "query", "status", "durationMs", "operation",
        "userId", "userName", "userEmail", "requestBody", "responseBody", "discardedAttributes", "compatRules",
        "changes", "scimType", "errorDetail", "clientIp", "userAgent", "requestId", "repeatCount"
      FROM batch
      RETURNING "providerId", "createdAt", "status", "repeatCount"
    )
    INSERT INTO "RequestCountHourly" AS counts ("providerId", "hour", "statusClass", "requests")
    SELECT "providerId", date_trunc('hour', "createdAt"), "status" / 100, sum("repeatCount")::int
    FROM inserted WHERE "providerId" IS NOT NULL
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT ("providerId", "hour", "statusClass") DO UPDATE SET "requests" = counts."requests" + excluded."requests"`,
      { prepare: true },
    ),
  )
}

// ---------- reads: the portal's log, a user's timeline, the IdP figures ----------

const requestSummarySelect = {
  id: true,
  createdAt: true,
  method: true,
  path: true,
  status: true,
  operation: true,
  userName: true,
  errorDetail: true,
  repeatCount: true,
} as const

/** The newest request of a provider, optionally only successful or authenticated ones (index on providerId, createdAt). */
export function findLatestRequest(providerId: string, options: { successful?: boolean; authenticated?: boolean } = {}) {
  return getDb().provisioningRequest.findFirst({
    where: {
      providerId,
      ...(options.successful ? { status: { lt: 400 } } : {}),
      ...(options.authenticated ? { tokenId: { not: null } } : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    select: requestSummarySelect,
  })
}

/** The first request that got past the token check: proof that the IdP is wired up. */
export function findFirstAuthenticatedRequest(providerId: string) {
  return getDb().provisioningRequest.findFirst({
    where: { providerId, tokenId: { not: null } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: requestSummarySelect,
  })
}

/** Failed requests, counting each folded flood row as the requests it stands for. */
export async function countFailuresSince(providerId: string, since: Date) {
  const result = await getDb().provisioningRequest.aggregate({
    where: { providerId, createdAt: { gte: since }, status: { gte: 400 } },
    _sum: { repeatCount: true },
  })
  return result._sum.repeatCount ?? 0
}

export function findRecentFailures(providerId: string | null, take: number) {
  return getDb().provisioningRequest.findMany({
    where: { ...(providerId ? { providerId } : {}), status: { gte: 400 } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take,
    select: { ...requestSummarySelect, providerId: true },
  })
}

/**
 * Requests and failures per bucket of `bucketMs` (a whole number of hours) since `since`, keyed by bucket number
 * (epoch ms / bucketMs), from the hourly counts: a few hundred rows instead of every log row of the period.
 */
export async function countRequestsByBucket(providerId: string, since: Date, bucketMs: number) {
  const rows = await sqlRows<{ bucket: number; total: number; failures: number }>(Prisma.sql`
    SELECT floor(extract(epoch FROM "hour") * 1000 / ${bucketMs})::int AS bucket,
           sum("requests")::int AS total,
           (sum("requests") FILTER (WHERE "statusClass" >= 4))::int AS failures
    FROM "RequestCountHourly"
    WHERE "providerId" = ${providerId}::uuid AND "hour" >= date_trunc('hour', ${since}::timestamp)
    GROUP BY 1`)
  return rows.map((row) => ({ bucket: Number(row.bucket), total: Number(row.total), failures: Number(row.failures ?? 0) }))
}

/**
 * A user's timeline: requests of the user's own IdP that got past the token check and reached the user. A
 * 401, 403 or 404 of any caller that merely named the id in its URL is not part of the user's history.
 */
export function findUserRequests(providerId: string, userId: string, take: number) {
  return getDb().provisioningRequest.findMany({
    where: { userId, providerId, tokenId: { not: null }, operation: { not: 'auth_failure' }, status: { not: 404 } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take,
    select: {
      id: true,
      createdAt: true,
      method: true,
      path: true,
      status: true,
      operation: true,
      changes: true,
      compatRules: true,
      discardedAttributes: true,
      errorDetail: true,
    },
  })
}

export type RequestLogFilter = {
  providerId?: string
  from?: Date
  to?: Date
  statusClass?: 2 | 3 | 4 | 5
  status?: number
  operation?: RequestOperation
  method?: string
  /** A mail address (stored lower-cased) or a userName (exact). */
  user?: string
  /** The request id (X-Request-Id), exact. */
  requestId?: string
}

export type RequestCursor = { createdAt: Date; id: string }

/** The filter as SQL conditions; each one lines up with an index of the log (see the migrations). */
function requestLogConditions(filter: RequestLogFilter): Prisma.Sql[] {
  const and: Prisma.Sql[] = []
  if (filter.providerId) and.push(Prisma.sql`"providerId" = ${filter.providerId}::uuid`)
  if (filter.from) and.push(Prisma.sql`"createdAt" >= ${filter.from}`)
  if (filter.to) and.push(Prisma.sql`"createdAt" < ${filter.to}`)
  if (filter.status) and.push(Prisma.sql`"status" = ${filter.status}`)
  else if (filter.statusClass) {
    // Spelled as literals, so the planner sees that 4xx and 5xx imply the partial failure indexes (status >= 400).
    const low = Prisma.raw(String(filter.statusClass * 100))
    const high = Prisma.raw(String(filter.statusClass * 100 + 100))
    and.push(Prisma.sql`"status" >= ${low} AND "status" < ${high}`)
  }
  if (filter.operation) and.push(Prisma.sql`"operation" = ${filter.operation}::"RequestOperation"`)
  if (filter.method) and.push(Prisma.sql`"method" = ${filter.method}`)
  if (filter.user) and.push(Prisma.sql`("userEmail" = ${filter.user.toLowerCase()} OR "userName" = ${filter.user})`)
  if (filter.requestId) and.push(Prisma.sql`"requestId" = ${filter.requestId}`)
  return and
}

/**
 * Older (`lt`) or newer (`gt`) than a row key. A row comparison, not `createdAt < x OR (createdAt = x AND id < y)`:
 * PostgreSQL uses the row form as an index bound and starts the scan at the key; the OR form is only a filter,
 * so every page scanned from the newest row down to the key.
 */
function beyondCursor(cursor: RequestCursor, direction: 'lt' | 'gt'): Prisma.Sql {
  return direction === 'lt'
    ? Prisma.sql`("createdAt", "id") < (${cursor.createdAt}, ${cursor.id}::uuid)`
    : Prisma.sql`("createdAt", "id") > (${cursor.createdAt}, ${cursor.id}::uuid)`
}

function whereClause(conditions: Prisma.Sql[]): Prisma.Sql {
  return conditions.length > 0 ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty
}

export const requestListColumns = [
  'id',
  'createdAt',
  'providerId',
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
  'repeatCount',
] as const

const requestAllColumns = [
  ...requestListColumns,
  'tokenId',
  'requestBody',
  'responseBody',
  'changes',
  'clientIp',
  'userAgent',
  'requestId',
] as const

/** A stored record as read back: what was inserted, with its id, and `changes` as the JSON it became. */
type StoredRequest = Omit<ProvisioningRequestInsert, 'changes' | 'requestId'> & {
  id: string
  changes: Prisma.JsonValue | null
  requestId: string | null
}

/** The columns above, typed from the record they are read from (one list, no second copy to keep in step). */
export type RequestListRow = Pick<StoredRequest, (typeof requestListColumns)[number]>
export type RequestExportRow = Pick<StoredRequest, (typeof requestAllColumns)[number]>

/** The quoted column names, each qualified by `table` when given (`p."id", p."path"`). */
function columnList(columns: readonly string[], table?: string): Prisma.Sql {
  const prefix = table ? `${table}.` : ''
  return Prisma.raw(columns.map((column) => `${prefix}"${column}"`).join(', '))
}

/**
 * One page of the log, newest first, by keyset on (createdAt, id): `after` pages to older records, `before`
 * to newer ones. Both walk the (createdAt DESC, id DESC) indexes, so the millionth page costs what the first does.
 */
export async function findRequestPage(
  filter: RequestLogFilter,
  page: { take: number; after?: RequestCursor; before?: RequestCursor },
) {
  const conditions = requestLogConditions(filter)
  if (page.after) conditions.push(beyondCursor(page.after, 'lt'))
  else if (page.before) conditions.push(beyondCursor(page.before, 'gt'))
  const order = page.before && !page.after ? Prisma.sql`ASC` : Prisma.sql`DESC`
  const rows = await sqlRows<RequestListRow>(Prisma.sql`
    SELECT ${columnList(requestListColumns)} FROM "ProvisioningRequest" ${whereClause(conditions)}
    ORDER BY "createdAt" ${order}, "id" ${order} LIMIT ${page.take + 1}`)
  const hasMore = rows.length > page.take
  const pageRows = rows.slice(0, page.take)
  if (page.before && !page.after) pageRows.reverse()
  return { rows: pageRows, hasMore }
}

/** How many bytes of bodies one export batch holds at most (a record larger than that comes alone). */
const EXPORT_BATCH_BODY_BYTES = 4_000_000

/**
 * Every column of the log matching the filter, newest first, in batches for exports. A batch holds up to
 * `maxRows` records and stops before its bodies pass `maxBodyBytes`: the statement sums the bodies' stored sizes
 * (`octet_length` reads a TOASTed value's size from its pointer, without fetching it) and fetches only the
 * records that fit. Exporting a stretch of list responses (64 KB bodies) in batches of a thousand held over a
 * hundred megabytes at a time, before.
 */
export async function* streamRequests(
  filter: RequestLogFilter,
  limit: number,
  maxRows = 1000,
  maxBodyBytes = EXPORT_BATCH_BODY_BYTES,
) {
  let after: RequestCursor | undefined
  let remaining = limit
  while (remaining > 0) {
    const conditions = requestLogConditions(filter)
    if (after) conditions.push(beyondCursor(after, 'lt'))
    const rows = await sqlRows<RequestExportRow>(Prisma.sql`
      WITH sized AS (
        SELECT "createdAt", "id", row_number() OVER newest AS "position",
          sum(coalesce(octet_length("requestBody"), 0) + coalesce(octet_length("responseBody"), 0)) OVER newest AS "bodyBytes"
        FROM (SELECT "createdAt", "id", "requestBody", "responseBody" FROM "ProvisioningRequest" ${whereClause(conditions)}
              ORDER BY "createdAt" DESC, "id" DESC LIMIT ${Math.min(maxRows, remaining)}) candidates
        WINDOW newest AS (ORDER BY "createdAt" DESC, "id" DESC ROWS UNBOUNDED PRECEDING)
      )
      SELECT ${columnList(requestAllColumns, 'p')} FROM sized
      JOIN "ProvisioningRequest" p ON p."id" = sized."id"
      WHERE sized."position" = 1 OR sized."bodyBytes" <= ${maxBodyBytes}
      ORDER BY p."createdAt" DESC, p."id" DESC`)
    if (rows.length === 0) return
    yield rows
    remaining -= rows.length
    const last = rows[rows.length - 1]!
    after = { createdAt: last.createdAt, id: last.id }
  }
}

export function findRequest(id: string) {
  return getDb().provisioningRequest.findUnique({
    where: { id },
    include: { provider: { select: { id: true, name: true } }, token: { select: { id: true, label: true, prefix: true } } },
  })
}

// ---------- retention ----------

/**
 * Clears the request and response bodies of up to `batch` records older than `before`, walking forward from
 * `from` by (createdAt, id) so cleared records are never scanned again. Returns the position reached and how
 * many records had a body to clear, or null when no record is left to visit.
 */
export async function clearRequestBodiesBefore(
  before: Date,
  from: RequestCursor | null,
  batch: number,
): Promise<{ reached: RequestCursor; cleared: number } | null> {
  const start = from ? Prisma.sql`AND ("createdAt", "id") > (${from.createdAt}, ${from.id}::uuid)` : Prisma.empty
  const rows = await sqlRows<{ createdAt: Date; id: string; cleared: number }>(Prisma.sql`
    WITH chosen AS (
      SELECT "id", "createdAt" FROM "ProvisioningRequest" WHERE "createdAt" < ${before} ${start}
      ORDER BY "createdAt", "id" LIMIT ${batch}
    ), cleared AS (
      UPDATE "ProvisioningRequest" p SET "requestBody" = NULL, "responseBody" = NULL FROM chosen
      WHERE p."id" = chosen."id" AND (p."requestBody" IS NOT NULL OR p."responseBody" IS NOT NULL)
      RETURNING 1
    )
    SELECT last."createdAt", last."id", (SELECT count(*) FROM cleared)::int AS "cleared"
    FROM (SELECT "createdAt", "id" FROM chosen ORDER BY "createdAt" DESC, "id" DESC LIMIT 1) last`)
  const last = rows[0]
  return last ? { reached: { createdAt: last.createdAt, id: last.id }, cleared: last.cleared } : null
}

/** Deletes up to `batch` of the oldest records created before `before`; returns how many went. */
export function deleteRequestsBefore(before: Date, batch: number): Promise<number> {
  return sqlExecute(Prisma.sql`
    DELETE FROM "ProvisioningRequest" WHERE "id" IN (
      SELECT "id" FROM "ProvisioningRequest" WHERE "createdAt" < ${before} ORDER BY "createdAt", "id" LIMIT ${batch})`)
}

// ---------- quarantine early warning ----------

/** Per IdP (or for one) since `since`: requests and failures (status 400 and above), counting folded repeats. */
export async function countOutcomesSince(
  since: Date,
  providerId?: string,
): Promise<{ providerId: string; total: number; failures: number }[]> {
  const scope = providerId ? Prisma.sql`"providerId" = ${providerId}::uuid` : Prisma.sql`"providerId" IS NOT NULL`
  return sqlRows(Prisma.sql`
    SELECT "providerId", sum("repeatCount")::int AS "total",
      coalesce(sum("repeatCount") FILTER (WHERE "status" >= 400), 0)::int AS "failures"
    FROM "ProvisioningRequest" WHERE "createdAt" >= ${since} AND ${scope}
    GROUP BY "providerId"`)
}

/** The commonest failures of an IdP since `since`, by status, SCIM error type and (the start of) the error detail. */
export async function findTopFailureCauses(providerId: string, since: Date, take: number) {
  return sqlRows<{ status: number; scimType: string | null; detail: string | null; count: number }>(Prisma.sql`
    SELECT "status", "scimType", left("errorDetail", 200) AS "detail", sum("repeatCount")::int AS "count"
    FROM "ProvisioningRequest"
    WHERE "providerId" = ${providerId}::uuid AND "createdAt" >= ${since} AND "status" >= 400
    GROUP BY 1, 2, 3 ORDER BY "count" DESC, "status" LIMIT ${take}`)
}
