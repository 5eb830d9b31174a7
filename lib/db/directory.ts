import { Prisma } from './generated/client'
import { sqlExecute, sqlFirst, sqlRows } from './sql'
import type { UserRow } from './users'

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
