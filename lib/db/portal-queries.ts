import { getDb } from './client'
import { Prisma } from './generated/client'
import type { RequestOperation } from './generated/enums'

/**
 * Read queries of the admin portal: lists, counts and charts. Times cross the SQL boundary as epoch
 * milliseconds, because Prisma keeps UTC in `timestamp(3)` columns and raw rows would lose that.
 */

const sql = Prisma.sql

// ---------- identity providers: the figures on the list and the dashboard ----------

export async function countUsersByProvider() {
  const groups = await getDb().user.groupBy({ by: ['providerId', 'active'], _count: { _all: true } })
  const counts = new Map<string, { users: number; active: number }>()
  for (const group of groups) {
    const entry = counts.get(group.providerId) ?? { users: 0, active: 0 }
    entry.users += group._count._all
    if (group.active) entry.active += group._count._all
    counts.set(group.providerId, entry)
  }
  return counts
}

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

export function findTokensExpiringBefore(before: Date, now: Date) {
  return getDb().scimToken.findMany({
    where: { revokedAt: null, expiresAt: { gt: now, lte: before } },
    orderBy: { expiresAt: 'asc' },
    select: { id: true, providerId: true, label: true, prefix: true, expiresAt: true },
  })
}

/** Requests and failures per bucket of `bucketMs` since `since`, keyed by bucket number (epoch ms / bucketMs). */
export async function countRequestsByBucket(providerId: string, since: Date, bucketMs: number) {
  const rows = await getDb().$queryRaw<{ bucket: number; total: number; failures: number }[]>(sql`
    SELECT floor(extract(epoch FROM "createdAt") * 1000 / ${bucketMs})::int AS bucket,
           sum("repeatCount")::int AS total,
           (sum("repeatCount") FILTER (WHERE status >= 400))::int AS failures
    FROM "ProvisioningRequest"
    WHERE "providerId" = ${providerId}::uuid AND "createdAt" >= ${since.toISOString()}::timestamp
    GROUP BY 1`)
  return rows.map((row) => ({ bucket: Number(row.bucket), total: Number(row.total), failures: Number(row.failures) }))
}

// ---------- custom attributes ----------

/** How many users of the provider hold a value for each attribute name (the JSONB key exists). */
export async function countUsersHoldingAttributes(providerId: string, names: string[]) {
  if (names.length === 0) return new Map<string, number>()
  const rows = await getDb().$queryRaw<{ name: string; holders: number }[]>(sql`
    SELECT n.name, (SELECT count(*)::int FROM "User" u
                    WHERE u."providerId" = ${providerId}::uuid AND jsonb_exists(u."customAttributes", n.name)) AS holders
    FROM unnest(${names}::text[]) AS n(name)`)
  return new Map(rows.map((row) => [row.name, Number(row.holders)]))
}

// ---------- users ----------

export const userSortColumns = {
  userName: 'u."userNameLower"',
  displayName: 'u."displayName"',
  email: 'u."primaryEmail"',
  externalId: 'u."externalId"',
  active: 'u."active"',
  updatedAt: 'u."updatedAt"',
} as const
export type UserSortColumn = keyof typeof userSortColumns

export type UserSearch = {
  providerId?: string
  q?: string
  active?: boolean
  scimManaged?: boolean
  /** Only users without a value for at least one custom attribute registered for their IdP. */
  missingCustom?: boolean
  sort: UserSortColumn
  descending: boolean
  offset: number
  limit: number
}

export type UserListRow = {
  id: string
  providerId: string
  providerName: string
  userName: string
  displayName: string | null
  primaryEmail: string | null
  externalId: string | null
  active: boolean
  scimManaged: boolean
  source: string
  updatedAtMs: number
  missingCustom: string[]
}

const MISSING_CUSTOM = sql`ARRAY(SELECT c.name FROM "CustomAttribute" c
  WHERE c."providerId" = u."providerId" AND NOT jsonb_exists(u."customAttributes", c.name) ORDER BY c."nameLower")`

export async function searchUsers(search: UserSearch): Promise<{ rows: UserListRow[]; total: number }> {
  const conditions: Prisma.Sql[] = [sql`TRUE`]
  if (search.providerId) conditions.push(sql`u."providerId" = ${search.providerId}::uuid`)
  if (search.q) {
    const q = search.q.trim()
    const like = `%${q.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
    conditions.push(sql`(u."userNameLower" LIKE ${like.toLowerCase()} OR u."displayName" ILIKE ${like}
      OR u."primaryEmail" ILIKE ${like} OR u."externalId" = ${q} OR ${q.toLowerCase()} = ANY(u."emailValues"))`)
  }
  if (search.active !== undefined) conditions.push(sql`u."active" = ${search.active}`)
  if (search.scimManaged !== undefined) conditions.push(sql`u."scimManaged" = ${search.scimManaged}`)
  if (search.missingCustom) conditions.push(sql`cardinality(${MISSING_CUSTOM}) > 0`)
  const where = Prisma.join(conditions, ' AND ')
  const direction = Prisma.raw(search.descending ? 'DESC' : 'ASC')
  const orderBy = Prisma.raw(userSortColumns[search.sort])
  const db = getDb()
  const [[count], rows] = await Promise.all([
    db.$queryRaw<{ total: number }[]>(sql`SELECT count(*)::int AS total FROM "User" u WHERE ${where}`),
    db.$queryRaw<UserListRow[]>(sql`
      SELECT u."id", u."providerId", p."name" AS "providerName", u."userName", u."displayName", u."primaryEmail",
             u."externalId", u."active", u."scimManaged", u."source"::text AS "source",
             (extract(epoch FROM u."updatedAt") * 1000)::float8 AS "updatedAtMs", ${MISSING_CUSTOM} AS "missingCustom"
      FROM "User" u JOIN "IdentityProvider" p ON p."id" = u."providerId"
      WHERE ${where}
      ORDER BY ${orderBy} ${direction} NULLS LAST, u."id" ${direction}
      LIMIT ${search.limit} OFFSET ${search.offset}`),
  ])
  return { total: Number(count?.total ?? 0), rows: rows.map((row) => ({ ...row, updatedAtMs: Number(row.updatedAtMs) })) }
}

/** A user by id alone: user ids are UUIDs, unique across providers. */
export function findUserAnyProvider(userId: string) {
  return getDb().user.findUnique({ where: { id: userId }, include: { provider: { select: { id: true, name: true } } } })
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

// ---------- the provisioning log ----------

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
  if (filter.requestId) and.push({ requestId: filter.requestId })
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

export function listProviderNames() {
  return getDb().identityProvider.findMany({ select: { id: true, name: true }, orderBy: { name: 'asc' } })
}
