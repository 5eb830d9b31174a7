import 'server-only'
import { getDb, outsideTransaction } from './client'
import { Prisma } from './generated/client'
import type { RequestOperation } from './generated/enums'
import { sqlExecute, sqlRows, uuidv7 } from './sql'

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
  /** How many requests the row stands for (1, or more for a folded flood of identical failures). */
  repeatCount: number
}

/** One multi-row INSERT per batch: all rows are written, or none (the caller then retries them one by one). */
export async function insertProvisioningRequests(rows: ProvisioningRequestInsert[]): Promise<void> {
  if (rows.length === 0) return
  const values = rows.map(
    (row) => Prisma.sql`(${uuidv7(row.createdAt.getTime())}::uuid, ${row.createdAt}, ${row.providerId}::uuid, ${row.tokenId}::uuid,
      ${row.method}, ${row.path}, ${row.query}, ${row.status}, ${row.durationMs}, ${row.operation}::"RequestOperation",
      ${row.userId}::uuid, ${row.userName}, ${row.userEmail}, ${row.requestBody}, ${row.responseBody},
      ${row.discardedAttributes}::text[], ${row.compatRules}::text[], ${row.changes === null ? null : JSON.stringify(row.changes)}::jsonb,
      ${row.scimType}, ${row.errorDetail}, ${row.clientIp}, ${row.userAgent}, ${row.repeatCount})`,
  )
  // The log is written on its own, whatever transaction the code that queued a record was in.
  await outsideTransaction(() =>
    sqlExecute(Prisma.sql`
    INSERT INTO "ProvisioningRequest" ("id", "createdAt", "providerId", "tokenId", "method", "path", "query", "status",
      "durationMs", "operation", "userId", "userName", "userEmail", "requestBody", "responseBody", "discardedAttributes",
      "compatRules", "changes", "scimType", "errorDetail", "clientIp", "userAgent", "repeatCount")
    VALUES ${Prisma.join(values)}`),
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

/** Requests and failures per bucket of `bucketMs` since `since`, keyed by bucket number (epoch ms / bucketMs). */
export async function countRequestsByBucket(providerId: string, since: Date, bucketMs: number) {
  const rows = await sqlRows<{ bucket: number; total: number; failures: number }>(Prisma.sql`
    SELECT floor(extract(epoch FROM "createdAt") * 1000 / ${bucketMs})::int AS bucket,
           sum("repeatCount")::int AS total,
           (sum("repeatCount") FILTER (WHERE status >= 400))::int AS failures
    FROM "ProvisioningRequest"
    WHERE "providerId" = ${providerId}::uuid AND "createdAt" >= ${since}
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
}

export type RequestCursor = { createdAt: Date; id: string }

function requestLogWhere(filter: RequestLogFilter): Prisma.ProvisioningRequestWhereInput[] {
  const and: Prisma.ProvisioningRequestWhereInput[] = []
  if (filter.providerId) and.push({ providerId: filter.providerId })
  if (filter.from) and.push({ createdAt: { gte: filter.from } })
  if (filter.to) and.push({ createdAt: { lt: filter.to } })
  if (filter.status) and.push({ status: filter.status })
  else if (filter.statusClass) and.push({ status: { gte: filter.statusClass * 100, lt: filter.statusClass * 100 + 100 } })
  if (filter.operation) and.push({ operation: filter.operation })
  if (filter.method) and.push({ method: filter.method })
  if (filter.user) and.push({ OR: [{ userEmail: filter.user.toLowerCase() }, { userName: filter.user }] })
  return and
}

export const requestListSelect = {
  id: true,
  createdAt: true,
  providerId: true,
  method: true,
  path: true,
  query: true,
  status: true,
  durationMs: true,
  operation: true,
  userId: true,
  userName: true,
  userEmail: true,
  scimType: true,
  errorDetail: true,
  discardedAttributes: true,
  compatRules: true,
  repeatCount: true,
} as const

/**
 * One page of the log, newest first, by keyset on (createdAt, id): `after` pages to older records, `before`
 * to newer ones. Both walk the (createdAt DESC, id DESC) indexes, so the millionth page costs what the first does.
 */
export async function findRequestPage(
  filter: RequestLogFilter,
  page: { take: number; after?: RequestCursor; before?: RequestCursor },
) {
  const and = requestLogWhere(filter)
  const cursor = page.after ?? page.before
  if (cursor) {
    const cmp = page.after ? 'lt' : 'gt'
    and.push({ OR: [{ createdAt: { [cmp]: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { [cmp]: cursor.id } }] })
  }
  const order = page.before ? 'asc' : 'desc'
  const rows = await getDb().provisioningRequest.findMany({
    where: { AND: and },
    orderBy: [{ createdAt: order }, { id: order }],
    take: page.take + 1,
    select: requestListSelect,
  })
  const hasMore = rows.length > page.take
  const pageRows = rows.slice(0, page.take)
  if (page.before) pageRows.reverse()
  return { rows: pageRows, hasMore }
}

/** Every column of the log matching the filter, newest first, in batches for exports. */
export async function* streamRequests(filter: RequestLogFilter, limit: number, batchSize = 1000) {
  let after: RequestCursor | undefined
  let remaining = limit
  while (remaining > 0) {
    const and = requestLogWhere(filter)
    if (after) and.push({ OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] })
    const rows = await getDb().provisioningRequest.findMany({
      where: { AND: and },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: Math.min(batchSize, remaining),
    })
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
