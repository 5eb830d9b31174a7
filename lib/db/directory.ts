import { Prisma } from './generated/client'
import { sqlExecute, sqlFirst, sqlRows } from './sql'
import type { UserRow } from './users'
import { ENTERPRISE_USER_URN } from '../scim/schema/user'

/**
 * Reads for the directory API and the SSO sign-in link: users across IdPs in ("updatedAt", "id") order, a user
 * by id alone, and the IdP's just-in-time setting. All on the SQL runner.
 */

const columns = Prisma.sql`u."id", u."providerId", u."userName", u."externalId", u."primaryEmail", u."active",
  u."resource", u."customAttributes", u."version", u."scimManaged", u."source", u."createdAt", u."updatedAt"`

export type UserPosition = { updatedAt: Date; id: string }

export type DirectoryUserQuery = {
  providerId?: string
  updatedSince?: Date
  after?: UserPosition
  limit: number
  /** Only changes at least this old (by the database's clock) are listed: see listDirectoryUsers. */
  settleMs: number
}

/** Users in ("updatedAt", "id") order: keyset paging on the (providerId,) updatedAt, id indexes. */
export function findUsersByUpdate(query: DirectoryUserQuery): Promise<UserRow[]> {
  const conditions = [
    // "updatedAt" is UTC without a zone; now() is the statement's start on the database's clock.
    Prisma.sql`u."updatedAt" < (now() AT TIME ZONE 'UTC') - make_interval(secs => ${query.settleMs / 1000}::float8)`,
  ]
  if (query.providerId) conditions.push(Prisma.sql`u."providerId" = ${query.providerId}::uuid`)
  if (query.updatedSince) conditions.push(Prisma.sql`u."updatedAt" >= ${query.updatedSince}`)
  if (query.after) conditions.push(Prisma.sql`(u."updatedAt", u."id") > (${query.after.updatedAt}, ${query.after.id}::uuid)`)
  return sqlRows<UserRow>(Prisma.sql`
    SELECT ${columns} FROM "User" u WHERE ${Prisma.join(conditions, ' AND ')}
    ORDER BY u."updatedAt", u."id" LIMIT ${query.limit}`)
}

export function findUserById(userId: string): Promise<UserRow | undefined> {
  return sqlFirst<UserRow>(Prisma.sql`SELECT ${columns} FROM "User" u WHERE u."id" = ${userId}::uuid`)
}

/** The account SSO sign-in matches: by externalId first, then by userName ignoring case. */
export function findSignInAccount(providerId: string, externalId: string, userName: string): Promise<UserRow | undefined> {
  return sqlFirst<UserRow>(Prisma.sql`
    SELECT ${columns} FROM "User" u
    WHERE u."providerId" = ${providerId}::uuid AND (u."externalId" = ${externalId} OR u."userNameLower" = ${userName.toLowerCase()})
    ORDER BY (u."externalId" = ${externalId}) IS TRUE DESC LIMIT 1`)
}

export type SignInProviderRow = { id: string; name: string; jitEnabled: boolean }

export function findSignInProvider(providerId: string): Promise<SignInProviderRow | undefined> {
  return sqlFirst<SignInProviderRow>(
    Prisma.sql`SELECT "id", "name", "jitEnabled" FROM "IdentityProvider" WHERE "id" = ${providerId}::uuid`,
  )
}

export function setProviderJitEnabled(providerId: string, enabled: boolean): Promise<number> {
  return sqlExecute(
    Prisma.sql`UPDATE "IdentityProvider" SET "jitEnabled" = ${enabled}, "updatedAt" = ${new Date()} WHERE "id" = ${providerId}::uuid`,
  )
}

/** A jsonb value as text when it is a non-empty JSON string, else NULL (what toDirectoryUser's `text` keeps). */
const textOf = (value: Prisma.Sql) =>
  Prisma.sql`CASE WHEN jsonb_typeof(${value}) = 'string' AND (${value} #>> '{}') <> '' THEN ${value} #>> '{}' END`

/** A timestamp(3) column (UTC without a zone) as Date.prototype.toISOString writes it. */
const isoOf = (column: Prisma.Sql) => Prisma.sql`to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/**
 * The user of row `alias` as the directory API shows it, built in SQL: the same shape and values as
 * lib/services/directory-users.ts `toDirectoryUser` (test/directory-user-sql.test.ts holds the two together).
 * It exists for the one write that cannot know its row before the database does: a deletion records the user
 * as it was in the statement that deletes it, without reading it first.
 */
export function directoryUserJsonSql(alias: string): Prisma.Sql {
  const u = (column: string) => Prisma.raw(`${alias}."${column}"`)
  const resource = u('resource')
  const phones = Prisma.sql`CASE WHEN jsonb_typeof(${resource} -> 'phoneNumbers') = 'array' THEN ${resource} -> 'phoneNumbers' ELSE '[]'::jsonb END`
  const phone = Prisma.sql`phone.value`
  return Prisma.sql`json_build_object(
    'id', ${u('id')}, 'providerId', ${u('providerId')}, 'externalId', ${u('externalId')}, 'userName', ${u('userName')},
    'email', ${u('primaryEmail')}, 'active', ${u('active')},
    'displayName', ${textOf(Prisma.sql`(${resource} -> 'displayName')`)},
    'givenName', ${textOf(Prisma.sql`(${resource} -> 'name' -> 'givenName')`)},
    'familyName', ${textOf(Prisma.sql`(${resource} -> 'name' -> 'familyName')`)},
    'title', ${textOf(Prisma.sql`(${resource} -> 'title')`)},
    'phoneNumbers', coalesce((
      SELECT json_agg(json_build_object('value', ${phone} ->> 'value', 'type', ${textOf(Prisma.sql`(${phone} -> 'type')`)},
        'primary', coalesce(${phone} -> 'primary' = 'true'::jsonb, false)) ORDER BY phone.position)
      FROM jsonb_array_elements(${phones}) WITH ORDINALITY AS phone(value, position)
      WHERE jsonb_typeof(${phone} -> 'value') = 'string' AND (${phone} ->> 'value') <> ''), '[]'::json),
    'employeeNumber', ${textOf(Prisma.sql`(${resource} -> ${ENTERPRISE_USER_URN}::text -> 'employeeNumber')`)},
    'customAttributes', CASE WHEN jsonb_typeof(${u('customAttributes')}) = 'object' THEN ${u('customAttributes')} ELSE '{}'::jsonb END,
    'source', ${u('source')}, 'scimManaged', ${u('scimManaged')},
    'createdAt', ${isoOf(u('createdAt'))}, 'updatedAt', ${isoOf(u('updatedAt'))})`
}
