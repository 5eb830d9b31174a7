import 'server-only'
import { randomUUID } from 'node:crypto'
import { Prisma } from './generated/client'
import type { UserSource } from './generated/enums'
import type { FilterNode } from '../scim/filter/ast'
import type { UserSchema } from '../scim/schema/tenant-schema'
import { insertDeletionEventFromSql, insertUserEventFromSql, type DeletionEventHead, type NewUserEvent } from './events'
import { outsideTransaction } from './client'
import { sqlExecute, sqlFirst, sqlRows } from './sql'
import { compileUserFilter, compileUserSortKey } from './users-filter'

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

/**
 * THE user column map: every column kept beside the JSONB resource, with its SQL type and the SCIM path a filter
 * or sortBy compiles to it (users-filter.ts). Writes (`userColumns`), the SCIM filter compiler and the portal
 * search all read it, so a new hot column is one entry here plus its value in `userColumns`.
 */
const DERIVED_COLUMNS = {
  userName: { scimPath: 'userName', lowered: 'userNameLower' },
  userNameLower: {},
  externalId: { scimPath: 'externalId' },
  displayName: { scimPath: 'displayName' },
  givenName: { scimPath: 'name.givenName' },
  familyName: { scimPath: 'name.familyName' },
  primaryEmail: {},
  emailValues: { cast: 'text[]' },
  active: { scimPath: 'active' },
} satisfies Record<string, { scimPath?: string; lowered?: string; cast?: string }>

type DerivedColumn = keyof typeof DERIVED_COLUMNS
type ColumnSpec = { scimPath?: string; lowered?: DerivedColumn; cast?: string }
const derivedSpecs = DERIVED_COLUMNS as Record<DerivedColumn, ColumnSpec>

/** A column over the alias `u`, as SQL text (column names are constants of this file, never input). */
const columnSql = (name: string) => `u."${name}"`

/** Core SCIM attribute paths served by a column (for the filter compiler): the column and its lower-cased twin. */
export const userFilterColumns: Record<string, { column: string; lowered?: string }> = Object.fromEntries(
  Object.entries(derivedSpecs).flatMap(([name, spec]) =>
    spec.scimPath
      ? [[spec.scimPath, { column: columnSql(name), ...(spec.lowered ? { lowered: columnSql(spec.lowered) } : {}) }]]
      : [],
  ),
)

/** The lower-cased, GIN-indexed email array behind `emails.value eq`, and the primary email sortBy uses. */
export const emailColumns = { values: columnSql('emailValues'), primary: columnSql('primaryEmail') } as const

/** The columns the portal user list sorts by. */
export const userSortColumns = {
  userName: columnSql('userNameLower'),
  displayName: columnSql('displayName'),
  email: columnSql('primaryEmail'),
  externalId: columnSql('externalId'),
  active: columnSql('active'),
  updatedAt: columnSql('updatedAt'),
} as const
export type UserSortColumn = keyof typeof userSortColumns
const nullableSortColumns: ReadonlySet<UserSortColumn> = new Set(['displayName', 'email', 'externalId'])

type DerivedValues = {
  userName: string
  userNameLower: string
  externalId: string | null
  displayName: string | null
  givenName: string | null
  familyName: string | null
  primaryEmail: string | null
  emailValues: string[]
  active: boolean
}

/** The values of the derived columns for a resource. */
export function userColumns(resource: UserResourceJson): DerivedValues {
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

const derivedNames = Object.keys(DERIVED_COLUMNS) as DerivedColumn[]
const derivedColumnList = Prisma.raw(derivedNames.map((name) => `"${name}"`).join(', '))

function derivedValue(name: DerivedColumn, value: unknown): Prisma.Sql {
  const cast = derivedSpecs[name].cast
  return cast ? Prisma.sql`${value}::${Prisma.raw(cast)}` : Prisma.sql`${value}`
}

function derivedValues(resource: UserResourceJson): Prisma.Sql {
  const columns = userColumns(resource)
  return Prisma.join(derivedNames.map((name) => derivedValue(name, columns[name])))
}

function derivedAssignments(resource: UserResourceJson): Prisma.Sql {
  const columns = userColumns(resource)
  return Prisma.join(derivedNames.map((name) => Prisma.sql`${Prisma.raw(`"${name}"`)} = ${derivedValue(name, columns[name])}`))
}

/** A user as lib/db returns it, to SCIM and the portal alike. */
export type UserRow = {
  id: string
  providerId: string
  userName: string
  externalId: string | null
  displayName: string | null
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

const userColumnsSql = Prisma.sql`u."id", u."providerId", u."userName", u."externalId", u."displayName", u."primaryEmail",
  u."active", u."resource", u."customAttributes", u."version", u."scimManaged", u."source", u."createdAt", u."updatedAt"`

const returningSql = Prisma.sql`"id", "providerId", "userName", "externalId", "displayName", "primaryEmail", "active",
  "resource", "customAttributes", "version", "scimManaged", "source", "createdAt", "updatedAt"`

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
    { prepare: true },
  )
}

export function findUserByExternalId(
  providerId: string,
  externalId: string,
  options: ReadOptions = {},
): Promise<UserRow | undefined> {
  return sqlFirst<UserRow>(
    Prisma.sql`SELECT ${userColumnsSql} FROM "User" u WHERE u."providerId" = ${providerId}::uuid AND u."externalId" = ${externalId}${lockClause(options)}`,
    { prepare: true },
  )
}

/**
 * The event that describes a write, built from the row as the write leaves it (lib/services/events.ts), or
 * undefined for none. The write and its event are one statement: both commit, or neither.
 */
export type UserEventOfWrite = (row: UserRow) => NewUserEvent | undefined

/**
 * The row a write stores, computed before it is sent: the event of the write is built from it, so the write
 * and its event can be one statement, and the write returns it instead of reading the row back (the stored
 * resource differs only in JSON key order). Must agree with the INSERT and UPDATE below, column for column:
 * lib/db/user-writes.test.ts holds the two equal.
 */
function rowAfterWrite(
  base: Pick<UserRow, 'id' | 'providerId' | 'version' | 'scimManaged' | 'source' | 'createdAt'>,
  data: { resource: UserResourceJson; customAttributes: Record<string, unknown> },
  now: Date,
): UserRow {
  const columns = userColumns(data.resource)
  return {
    ...base,
    userName: columns.userName,
    externalId: columns.externalId,
    displayName: columns.displayName,
    primaryEmail: columns.primaryEmail,
    active: columns.active,
    resource: data.resource as Prisma.JsonValue,
    customAttributes: data.customAttributes as Prisma.JsonValue,
    updatedAt: now,
  }
}

/** `statement` (a write returning the written row), with the event of the write recorded beside it. */
function withEvent(statement: Prisma.Sql, event: NewUserEvent | undefined): Prisma.Sql {
  const recorded = event ? Prisma.sql`, recorded AS (${insertUserEventFromSql(event)})` : Prisma.empty
  return Prisma.sql`WITH written AS (${statement})${recorded} SELECT * FROM written`
}

/** Throws UniqueViolationError when the userName or externalId is taken in this IdP. */
export async function insertUser(
  providerId: string,
  data: { resource: UserResourceJson; customAttributes: Record<string, unknown>; source: UserSource; scimManaged: boolean },
  eventOf?: UserEventOfWrite,
): Promise<UserRow> {
  const now = new Date()
  const id = randomUUID()
  const base = { id, providerId, version: 1, scimManaged: data.scimManaged, source: data.source, createdAt: now }
  const expected = rowAfterWrite(base, data, now)
  const insert = Prisma.sql`
    INSERT INTO "User" ("id", "providerId", ${derivedColumnList}, "resource", "customAttributes", "version", "source",
      "scimManaged", "createdAt", "updatedAt")
    VALUES (${id}::uuid, ${providerId}::uuid, ${derivedValues(data.resource)}, ${JSON.stringify(data.resource)}::jsonb,
      ${JSON.stringify(data.customAttributes)}::jsonb, 1, ${data.source}::"UserSource", ${data.scimManaged}, ${now}, ${now})
    RETURNING "id"`
  await sqlFirst<{ id: string }>(withEvent(insert, eventOf?.(expected)), { prepare: true })
  return expected
}

/**
 * Writes a new state of `current` only if nobody else wrote since it was read (optimistic locking on its
 * version): returns undefined when the version moved, so the caller re-reads and re-applies its change (and no
 * event is recorded). Throws UniqueViolationError when the new userName or externalId is taken.
 */
export async function updateUserIfVersion(
  current: UserRow,
  data: { resource: UserResourceJson; customAttributes: Record<string, unknown>; scimManaged?: boolean },
  eventOf?: UserEventOfWrite,
): Promise<UserRow | undefined> {
  const now = new Date()
  const base = { ...current, version: current.version + 1, scimManaged: data.scimManaged ?? current.scimManaged }
  const expected = rowAfterWrite(base, data, now)
  const managed = data.scimManaged === undefined ? Prisma.empty : Prisma.sql`, "scimManaged" = ${data.scimManaged}`
  const update = Prisma.sql`
    UPDATE "User" u SET ${derivedAssignments(data.resource)},
      "resource" = ${JSON.stringify(data.resource)}::jsonb, "customAttributes" = ${JSON.stringify(data.customAttributes)}::jsonb,
      "version" = "version" + 1, "updatedAt" = ${now}${managed}
    WHERE u."id" = ${current.id}::uuid AND u."providerId" = ${current.providerId}::uuid AND u."version" = ${current.version}
      AND ${userWriteLock}
    RETURNING u."id"`
  const written = await sqlFirst<{ id: string }>(withEvent(update, eventOf?.(expected)), { prepare: true })
  return written && expected
}

/**
 * Deletes the user and records its deletion event in the same statement, the event carrying the user as it was
 * (built in SQL from the deleted row: no read before the delete). Undefined when there is no such user.
 */
export function deleteUserRecordingEvent(
  providerId: string,
  userId: string,
  event: DeletionEventHead,
): Promise<UserRow | undefined> {
  return sqlFirst<UserRow>(
    Prisma.sql`
    WITH removed AS (
      DELETE FROM "User" u WHERE u."id" = ${userId}::uuid AND u."providerId" = ${providerId}::uuid AND ${userWriteLock}
      RETURNING ${returningSql}),
    recorded AS (${insertDeletionEventFromSql(event)})
    SELECT * FROM removed`,
    { prepare: true },
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
 * rows spilled to disk at 10,000 users); the page's rows are joined afterwards and their few rows sorted again
 * (a row_number() over the skipped rows cost a third more on deep pages: 288 -> 162 ms at startIndex 500001 of
 * 1 M). A deep `startIndex` still reads the index up to it, or from the end past the middle; cursors do not.
 * Without a sort key the order is that of the (providerId, createdAt, id) index. A first page shorter than asked
 * for already tells the total, which saves the count on Entra's one-user lookups. Pages over PAGE_CHUNK rows are read chunk by chunk and
 * end early once they hold PAGE_BYTE_BUDGET of user data.
 */
export async function findUsersPage(
  providerId: string,
  options: {
    schema: UserSchema
    /** A parsed SCIM filter (RFC 7644 §3.4.2.2); unknown attributes throw invalidFilter. */
    filter?: FilterNode
    /** A SCIM sortBy attribute path (§3.4.2.3); unknown ones throw invalidValue. */
    sortBy?: string
    descending: boolean
    offset: number
    limit: number
    /**
     * Keyset paging (RFC 9865 cursors): only rows after this one in the (createdAt, id) order, read straight
     * from the index however deep. Not with sortBy.
     */
    after?: { createdAt: Date; id: string }
    /** False: the caller knows the total already (a cursor carries it), so nothing is counted. */
    countTotal?: boolean
  },
): Promise<{ rows: UserRow[]; total: number | undefined; exhausted: boolean }> {
  if (options.after && options.sortBy) throw new Error('Keyset paging follows the (createdAt, id) order only.')
  const where = options.filter ? compileUserFilter(options.filter, options.schema) : Prisma.sql`TRUE`
  const orderBy = options.sortBy ? compileUserSortKey(options.sortBy, options.schema) : null
  const scope = Prisma.sql`u."providerId" = ${providerId}::uuid AND (${where})`
  const direction = Prisma.raw(options.descending ? 'DESC' : 'ASC')
  const sortKey = orderBy ? Prisma.sql`${orderBy} ${direction} NULLS LAST, ` : Prisma.empty
  const order = Prisma.sql`${sortKey}u."createdAt" ${direction}, u."id" ${direction}`
  const after = options.after
  const position = after
    ? Prisma.sql` AND (u."createdAt", u."id") ${Prisma.raw(options.descending ? '<' : '>')} (${after.createdAt}, ${after.id}::uuid)`
    : Prisma.empty
  const countMatching = async () =>
    Number(
      (await sqlFirst<{ total: string | number }>(Prisma.sql`SELECT count(*) AS total FROM "User" u WHERE ${scope}`))?.total ?? 0,
    )
  // A page past the first is counted before it is read, and one past the middle is read from the end: the index
  // is walked backwards over the rows after the page instead of forwards over every row before it (startIndex
  // 999901 of 1 M). Users written between the count and the read can shift such a page by as many rows, as they
  // shift any startIndex page between two requests.
  const counted = !after && options.offset > 0 && options.countTotal !== false ? await countMatching() : undefined
  if (counted !== undefined && options.offset >= counted) return { rows: [], total: counted, exhausted: true }
  const rowsFromEnd = counted !== undefined && options.offset > counted / 2 ? counted : undefined
  const backwards = Prisma.raw(options.descending ? 'ASC' : 'DESC')
  const reversedOrder = Prisma.sql`${orderBy ? Prisma.sql`${orderBy} ${backwards} NULLS FIRST, ` : Prisma.empty}u."createdAt" ${backwards}, u."id" ${backwards}`
  // A page from the start with no filter or one comparison (Entra's lookups, first pages, cursor pages) goes as a
  // prepared statement, its limit written into the text: the planner then knows it however generic the plan
  // (a parameter is guessed at 10 % of the rows). Deeper chunks and composite filters vary and stay unnamed, so
  // a client cannot fill every connection with plans of its own filters.
  const preparable = !options.filter || isSimpleFilter(options.filter)
  const readChunk = (offset: number, limit: number) => {
    let inner: Prisma.Sql
    let prepare = false
    if (rowsFromEnd !== undefined) {
      // The same rows, counted from the end: those after this chunk are skipped, backwards.
      const skipped = rowsFromEnd - offset - limit
      inner = Prisma.sql`ORDER BY ${reversedOrder} LIMIT ${limit + Math.min(0, skipped)} OFFSET ${Math.max(0, skipped)}`
    } else {
      prepare = offset === 0 && preparable
      inner = Prisma.sql`ORDER BY ${order} ${prepare ? Prisma.raw(`LIMIT ${Math.trunc(limit)}`) : Prisma.sql`LIMIT ${limit} OFFSET ${offset}`}`
    }
    return sqlRows<UserRow>(
      Prisma.sql`
      SELECT ${userColumnsSql} FROM "User" u
      JOIN (SELECT u."id" FROM "User" u WHERE ${scope}${position} ${inner}) page ON page."id" = u."id"
      ORDER BY ${order}`,
      { prepare },
    )
  }
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
  if (options.countTotal === false) return { rows, total: undefined, exhausted }
  if (counted !== undefined) return { rows, total: counted, exhausted }
  if (options.offset === 0 && !after && exhausted && rows.length > 0) return { rows, total: rows.length, exhausted }
  return { rows, total: await countMatching(), exhausted }
}

/** One comparison, or one `emails[…]` value path of comparisons (Entra's `emails[type eq "work"].value eq`). */
function isSimpleFilter(filter: FilterNode): boolean {
  if (filter.op === '[]') return filter.filter.op !== '[]' && isSimpleFilter(filter.filter)
  if (filter.op === 'and')
    return filter.filters.length <= 2 && filter.filters.every((node) => 'attrPath' in node && node.op !== '[]')
  return filter.op !== 'or' && filter.op !== 'not'
}

function approximateSize(row: UserRow): number {
  return JSON.stringify(row.resource).length + JSON.stringify(row.customAttributes).length
}

/**
 * Users per IdP, and how many of them are active: the figures of the IdP list and pages. Both counts come from
 * indexes alone (every user from the list-order index, the inactive ones from their partial index), not from
 * reading every user row: 251 → 130 ms at a million users.
 */
export async function countUsersByProvider(): Promise<Map<string, { users: number; active: number }>> {
  const rows = await sqlRows<{ providerId: string; users: number; active: number }>(Prisma.sql`
    SELECT t."providerId", t."users", t."users" - coalesce(i."inactive", 0) AS "active"
    FROM (SELECT "providerId", count(*)::int AS "users" FROM "User" GROUP BY "providerId") t
    LEFT JOIN (SELECT "providerId", count(*)::int AS "inactive" FROM "User" WHERE NOT "active" GROUP BY "providerId") i
      ON i."providerId" = t."providerId"`)
  return new Map(rows.map((row) => [row.providerId, { users: Number(row.users), active: Number(row.active) }]))
}

/** How many users of the provider hold a value for each attribute name (the JSONB key exists). */
export async function countUsersHoldingAttributes(providerId: string, names: string[]): Promise<Map<string, number>> {
  if (names.length === 0) return new Map<string, number>()
  const rows = await sqlRows<{ name: string; holders: number }>(Prisma.sql`
    SELECT n.name, (SELECT count(*)::int FROM "User" u
                    WHERE u."providerId" = ${providerId}::uuid AND jsonb_exists(u."customAttributes", n.name)) AS holders
    FROM unnest(${names}::text[]) AS n(name)`)
  return new Map(rows.map((row) => [row.name, Number(row.holders)]))
}

/** Whether the provider has more than `limit` users, read from the index alone and stopping at limit + 1. */
export async function providerHasMoreUsersThan(providerId: string, limit: number): Promise<boolean> {
  const row = await sqlFirst<{ users: number }>(Prisma.sql`
    SELECT count(*)::int AS users FROM (SELECT 1 FROM "User" u WHERE u."providerId" = ${providerId}::uuid LIMIT ${limit + 1}) capped`)
  return Number(row?.users ?? 0) > limit
}

/**
 * The same counts in a sample of `percent` % of the table's pages (TABLESAMPLE SYSTEM, the same pages every time):
 * the provider's users in the sample, and how many of them hold each name.
 */
export async function sampleUsersHoldingAttributes(
  providerId: string,
  names: string[],
  percent: number,
): Promise<{ sampled: number; holders: Map<string, number> }> {
  const rows = await sqlRows<{ name: string | null; holders: number }>(Prisma.sql`
    WITH sample AS MATERIALIZED (
      SELECT u."customAttributes" FROM "User" u TABLESAMPLE SYSTEM (${percent}::float8) REPEATABLE (0)
      WHERE u."providerId" = ${providerId}::uuid)
    SELECT NULL AS name, (SELECT count(*)::int FROM sample) AS holders
    UNION ALL
    SELECT n.name, (SELECT count(*)::int FROM sample s WHERE jsonb_exists(s."customAttributes", n.name))
    FROM unnest(${names}::text[]) AS n(name)`)
  const sampled = Number(rows.find((row) => row.name === null)?.holders ?? 0)
  const holders = new Map(rows.flatMap((row) => (row.name === null ? [] : [[row.name, Number(row.holders)] as const])))
  return { sampled, holders }
}

/** A user by id alone (user ids are UUIDs, unique across providers), with the name of its IdP. */
export function findUserAnyProvider(userId: string): Promise<(UserRow & { providerName: string }) | undefined> {
  return sqlFirst(Prisma.sql`
    SELECT ${userColumnsSql}, p."name" AS "providerName"
    FROM "User" u JOIN "IdentityProvider" p ON p."id" = u."providerId" WHERE u."id" = ${userId}::uuid`)
}

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

/** A row of the portal user list: the user's columns, its IdP's name and the custom attributes it lacks. */
export type UserListRow = Pick<
  UserRow,
  | 'id'
  | 'providerId'
  | 'userName'
  | 'displayName'
  | 'primaryEmail'
  | 'externalId'
  | 'active'
  | 'scimManaged'
  | 'source'
  | 'updatedAt'
> & { providerName: string; missingCustom: string[] }

const MISSING_CUSTOM = Prisma.sql`ARRAY(SELECT c.name FROM "CustomAttribute" c
  WHERE c."providerId" = u."providerId" AND NOT jsonb_exists(u."customAttributes", c.name) ORDER BY c."nameLower")`

/** The portal's user search across IdPs: a text search over the user columns, filters, a sort column and a page. */
export async function searchUsers(search: UserSearch): Promise<{ rows: UserListRow[]; total: number }> {
  const sql = Prisma.sql
  const conditions: Prisma.Sql[] = [sql`TRUE`]
  if (search.providerId) conditions.push(sql`u."providerId" = ${search.providerId}::uuid`)
  if (search.q) {
    const q = search.q.trim()
    const like = `%${q.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
    const column = (name: string) => Prisma.raw(columnSql(name))
    // Every branch has an index, so PostgreSQL combines them in a bitmap instead of reading every user: the
    // pattern through the trigram index over the three columns (the expression of the user_search_trigram
    // migration; any column matching implies it matches, the exact tests follow), emailValues through its
    // GIN index, externalId through its b-tree.
    const searchText = Prisma.raw(
      `(${column('userNameLower').text} || chr(10) || lower(coalesce(${column('displayName').text}, '')) || chr(10) || lower(coalesce(${column('primaryEmail').text}, '')))`,
    )
    conditions.push(sql`((${searchText} LIKE ${like.toLowerCase()} AND (${column('userNameLower')} LIKE ${like.toLowerCase()}
        OR ${column('displayName')} ILIKE ${like} OR ${column('primaryEmail')} ILIKE ${like}))
      OR ${column('externalId')} = ${q} OR ${Prisma.raw(emailColumns.values)} @> ARRAY[${q.toLowerCase()}]::text[])`)
  }
  if (search.active !== undefined) conditions.push(sql`u."active" = ${search.active}`)
  if (search.scimManaged !== undefined) conditions.push(sql`u."scimManaged" = ${search.scimManaged}`)
  if (search.missingCustom) conditions.push(sql`cardinality(${MISSING_CUSTOM}) > 0`)
  const where = Prisma.join(conditions, ' AND ')
  const direction = Prisma.raw(search.descending ? 'DESC' : 'ASC')
  const orderBy = Prisma.raw(userSortColumns[search.sort])
  // NULLS LAST only where a value can be missing: on NOT NULL columns it would stop the planner from reading
  // the sort from an index in either direction.
  const nulls = Prisma.raw(nullableSortColumns.has(search.sort) ? ' NULLS LAST' : '')
  // With a text search the matches come from the search indexes first: OFFSET 0 keeps the planner from walking
  // the sort index and filtering every user, which it picks when it overestimates how many users match a pattern.
  const withProvider = sql`JOIN "IdentityProvider" p ON p."id" = u."providerId"`
  const from = search.q
    ? sql`(SELECT * FROM "User" u WHERE ${where} OFFSET 0) u ${withProvider}`
    : sql`"User" u ${withProvider} WHERE ${where}`
  const [count, rows] = await Promise.all([
    sqlFirst<{ total: number }>(sql`SELECT count(*)::int AS total FROM "User" u WHERE ${where}`),
    sqlRows<UserListRow>(sql`
      SELECT u."id", u."providerId", p."name" AS "providerName", u."userName", u."displayName", u."primaryEmail",
             u."externalId", u."active", u."scimManaged", u."source", u."updatedAt", ${MISSING_CUSTOM} AS "missingCustom"
      FROM ${from}
      ORDER BY ${orderBy} ${direction}${nulls}, u."id" ${direction}
      LIMIT ${search.limit} OFFSET ${search.offset}`),
  ])
  return { total: Number(count?.total ?? 0), rows }
}

/**
 * Refreshes the planner's statistics of the user table and returns its row count as ANALYZE estimated it.
 * ANALYZE reads a sample of at most 30,000 rows and takes no lock that blocks reads or writes.
 */
export async function analyzeUserTable(): Promise<number> {
  return outsideTransaction(async () => {
    await sqlExecute(Prisma.sql`ANALYZE "User"`)
    const row = await sqlFirst<{ rows: number }>(
      Prisma.sql`SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = '"User"'::regclass`,
    )
    return Math.max(0, Number(row?.rows ?? 0))
  })
}
