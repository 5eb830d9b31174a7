import { randomUUID } from 'node:crypto'
import { Prisma } from './generated/client'
import type { UserSource } from './generated/enums'
import { sqlFirst, sqlRows } from './sql'

/**
 * Users of one IdP. The SCIM resource is JSONB; the attributes that filters, sorting, uniqueness and the
 * portal need are also columns, always derived from the resource here so the two never disagree.
 */

export type UserResourceJson = Record<string, unknown>

type EmailLike = { value?: unknown; type?: unknown; primary?: unknown }

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}

/** RFC 7643 §2.4: the primary value, else the work one, else the first. */
export function primaryEmailOf(resource: UserResourceJson): string | null {
  const emails = Array.isArray(resource.emails) ? (resource.emails as EmailLike[]) : []
  const chosen =
    emails.find((email) => email.primary === true) ??
    emails.find((email) => typeof email.type === 'string' && email.type.toLowerCase() === 'work') ??
    emails[0]
  return stringOrNull(chosen?.value)
}

export function userColumns(resource: UserResourceJson) {
  const name = (resource.name ?? {}) as Record<string, unknown>
  const emails = Array.isArray(resource.emails) ? (resource.emails as EmailLike[]) : []
  const userName = String(resource.userName)
  return {
    userName,
    userNameLower: userName.toLowerCase(),
    externalId: stringOrNull(resource.externalId),
    displayName: stringOrNull(resource.displayName),
    givenName: stringOrNull(name.givenName),
    familyName: stringOrNull(name.familyName),
    primaryEmail: primaryEmailOf(resource),
    emailValues: [
      ...new Set(emails.map((email) => (typeof email.value === 'string' ? email.value.toLowerCase() : '')).filter(Boolean)),
    ],
    active: resource.active !== false,
  }
}

/** The columns a SCIM answer needs, in the shape of the Prisma model. */
export type UserRow = {
  id: string
  providerId: string
  userName: string
  externalId: string | null
  primaryEmail: string | null
  active: boolean
  resource: Prisma.JsonValue
  customAttributes: Prisma.JsonValue
  version: number
  scimManaged: boolean
  source: UserSource
  createdAt: Date
  updatedAt: Date
}

const userColumnsSql = Prisma.sql`u."id", u."providerId", u."userName", u."externalId", u."primaryEmail", u."active",
  u."resource", u."customAttributes", u."version", u."scimManaged", u."source", u."createdAt", u."updatedAt"`

const returningSql = Prisma.sql`"id", "providerId", "userName", "externalId", "primaryEmail", "active", "resource",
  "customAttributes", "version", "scimManaged", "source", "createdAt", "updatedAt"`

/**
 * `forUpdate` locks the row until the surrounding transaction ends (`withTransaction`), so a read-modify-write
 * cannot lose to a concurrent one.
 */
type ReadOptions = { forUpdate?: boolean }

const lockClause = (options: ReadOptions) => (options.forUpdate ? Prisma.sql` AND ${userWriteLock} FOR UPDATE` : Prisma.empty)

/**
 * Every write of a user first takes a transaction-scoped advisory lock on it. Unlike a row lock, an advisory
 * lock gives the transaction no id while it waits, so the transaction ids of one user's writes (and of the
 * events they record, see lib/db/events.ts) come in the order the writes happened.
 */
const userWriteLock = Prisma.sql`pg_advisory_xact_lock(hashtextextended(u."id"::text, 0)) IS NOT NULL`

export function findUser(providerId: string, userId: string, options: ReadOptions = {}): Promise<UserRow | undefined> {
  return sqlFirst<UserRow>(
    Prisma.sql`SELECT ${userColumnsSql} FROM "User" u WHERE u."id" = ${userId}::uuid AND u."providerId" = ${providerId}::uuid${lockClause(options)}`,
  )
}

export function findUserByExternalId(
  providerId: string,
  externalId: string,
  options: ReadOptions = {},
): Promise<UserRow | undefined> {
  return sqlFirst<UserRow>(
    Prisma.sql`SELECT ${userColumnsSql} FROM "User" u WHERE u."providerId" = ${providerId}::uuid AND u."externalId" = ${externalId}${lockClause(options)}`,
  )
}

/** Throws UniqueViolationError when the userName or externalId is taken in this IdP. */
export async function insertUser(
  providerId: string,
  data: { resource: UserResourceJson; customAttributes: Record<string, unknown>; source: UserSource; scimManaged: boolean },
): Promise<UserRow> {
  const columns = userColumns(data.resource)
  const now = new Date()
  const row = await sqlFirst<UserRow>(Prisma.sql`
    INSERT INTO "User" ("id", "providerId", "externalId", "userName", "userNameLower", "displayName", "givenName",
      "familyName", "primaryEmail", "emailValues", "active", "resource", "customAttributes", "version", "source",
      "scimManaged", "createdAt", "updatedAt")
    VALUES (${randomUUID()}::uuid, ${providerId}::uuid, ${columns.externalId}, ${columns.userName}, ${columns.userNameLower},
      ${columns.displayName}, ${columns.givenName}, ${columns.familyName}, ${columns.primaryEmail},
      ${columns.emailValues}::text[], ${columns.active}, ${JSON.stringify(data.resource)}::jsonb,
      ${JSON.stringify(data.customAttributes)}::jsonb, 1, ${data.source}::"UserSource", ${data.scimManaged}, ${now}, ${now})
    RETURNING ${returningSql}`)
  return row!
}

/**
 * Writes a new state of the user only if nobody else wrote since `expectedVersion` (optimistic locking):
 * returns undefined when the version moved, so the caller re-reads and re-applies its change.
 * Throws UniqueViolationError when the new userName or externalId is taken.
 */
export function updateUserIfVersion(
  providerId: string,
  userId: string,
  expectedVersion: number,
  data: { resource: UserResourceJson; customAttributes: Record<string, unknown>; scimManaged?: boolean },
): Promise<UserRow | undefined> {
  const columns = userColumns(data.resource)
  const managed = data.scimManaged === undefined ? Prisma.empty : Prisma.sql`, "scimManaged" = ${data.scimManaged}`
  return sqlFirst<UserRow>(Prisma.sql`
    UPDATE "User" u SET "externalId" = ${columns.externalId}, "userName" = ${columns.userName},
      "userNameLower" = ${columns.userNameLower}, "displayName" = ${columns.displayName}, "givenName" = ${columns.givenName},
      "familyName" = ${columns.familyName}, "primaryEmail" = ${columns.primaryEmail},
      "emailValues" = ${columns.emailValues}::text[], "active" = ${columns.active},
      "resource" = ${JSON.stringify(data.resource)}::jsonb, "customAttributes" = ${JSON.stringify(data.customAttributes)}::jsonb,
      "version" = "version" + 1, "updatedAt" = ${new Date()}${managed}
    WHERE u."id" = ${userId}::uuid AND u."providerId" = ${providerId}::uuid AND u."version" = ${expectedVersion}
      AND ${userWriteLock}
    RETURNING ${returningSql}`)
}

/** Deletes and returns the user, or undefined when there was none. */
export function deleteUserRow(providerId: string, userId: string): Promise<UserRow | undefined> {
  return sqlFirst<UserRow>(
    Prisma.sql`DELETE FROM "User" u WHERE u."id" = ${userId}::uuid AND u."providerId" = ${providerId}::uuid AND ${userWriteLock}
      RETURNING ${returningSql}`,
  )
}

/** Rows are read in chunks of this many, so a page never loads more than its byte budget allows. */
const PAGE_CHUNK = 100
/**
 * The most user data one page carries (RFC 7644 §3.4.2.4 lets a page hold fewer resources than asked for):
 * a thousand users near the size limit would otherwise be hundreds of megabytes in memory at once.
 */
export const PAGE_BYTE_BUDGET = 8 * 1024 * 1024

/**
 * One page of a provider's users matching a compiled filter condition (over alias `u`), with the exact
 * total. Both run in the database; nothing is filtered in memory. Only ids are sorted and paged (sorting whole
 * rows spilled to disk at 10,000 users); the page's rows are joined afterwards. Without a sort key the order is
 * that of the (providerId, createdAt, id) index. A first page shorter than asked for already tells the total,
 * which saves the count on Entra's one-user lookups. Pages over PAGE_CHUNK rows are read chunk by chunk and
 * end early once they hold PAGE_BYTE_BUDGET of user data.
 */
export async function findUsersPage(
  providerId: string,
  options: { where: Prisma.Sql; orderBy: Prisma.Sql | null; descending: boolean; offset: number; limit: number },
): Promise<{ rows: UserRow[]; total: number }> {
  const scope = Prisma.sql`u."providerId" = ${providerId}::uuid AND (${options.where})`
  const direction = options.descending ? Prisma.raw('DESC') : Prisma.raw('ASC')
  const sortKey = options.orderBy ? Prisma.sql`${options.orderBy} ${direction} NULLS LAST, ` : Prisma.empty
  const order = Prisma.sql`${sortKey}u."createdAt" ${direction}, u."id" ${direction}`
  const readChunk = (offset: number, limit: number) =>
    sqlRows<UserRow>(Prisma.sql`
      SELECT ${userColumnsSql} FROM "User" u
      JOIN (SELECT u."id", row_number() OVER (ORDER BY ${order}) AS "position" FROM "User" u WHERE ${scope}
            ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}) page ON page."id" = u."id"
      ORDER BY page."position"`)
  const rows: UserRow[] = []
  let bytes = 0
  let exhausted = false
  while (rows.length < options.limit && !exhausted && bytes < PAGE_BYTE_BUDGET) {
    const want = Math.min(PAGE_CHUNK, options.limit - rows.length)
    const chunk = await readChunk(options.offset + rows.length, want)
    rows.push(...chunk)
    exhausted = chunk.length < want
    if (options.limit > PAGE_CHUNK) bytes += chunk.reduce((sum, row) => sum + approximateSize(row), 0)
  }
  if (options.offset === 0 && exhausted && rows.length > 0) return { rows, total: rows.length }
  const count = await sqlFirst<{ total: string | number }>(Prisma.sql`SELECT count(*) AS total FROM "User" u WHERE ${scope}`)
  return { rows, total: Number(count?.total ?? 0) }
}

function approximateSize(row: UserRow): number {
  return JSON.stringify(row.resource).length + JSON.stringify(row.customAttributes).length
}
