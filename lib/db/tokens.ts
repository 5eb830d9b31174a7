import 'server-only'
import { randomUUID } from 'node:crypto'
import { getDb } from './client'
import { Prisma } from './generated/client'
import { sqlExecute, sqlFirst } from './sql'

/** A token as the portal and CLI see it: everything but the secret's hash. */
export type TokenRow = {
  id: string
  providerId: string
  label: string
  prefix: string
  scopes: string[]
  expiresAt: Date | null
  revokedAt: Date | null
  lastUsedAt: Date | null
  createdBy: string
  createdAt: Date
  rotatedFromId: string | null
}

const tokenColumns = Prisma.sql`"id", "providerId", "label", "prefix", "scopes", "expiresAt", "revokedAt", "lastUsedAt",
  "createdBy", "createdAt", "rotatedFromId"`

// The functions on the SQL runner below join `withTransaction`, where the token limit is checked and applied.

/**
 * Locks the provider's row for the rest of the transaction: token changes of one IdP take turns. NO KEY UPDATE,
 * so that SCIM requests, whose log rows reference the provider, are not held up meanwhile.
 */
export async function lockProviderTokens(providerId: string): Promise<boolean> {
  const row = await sqlFirst<{ id: string }>(
    Prisma.sql`SELECT "id" FROM "IdentityProvider" WHERE "id" = ${providerId}::uuid FOR NO KEY UPDATE`,
  )
  return row !== undefined
}

/** Tokens that would authenticate at `now`: neither revoked nor expired. */
export async function countActiveTokens(providerId: string, now: Date): Promise<number> {
  const row = await sqlFirst<{ active: number }>(Prisma.sql`
    SELECT count(*)::int AS "active" FROM "ScimToken"
    WHERE "providerId" = ${providerId}::uuid AND "revokedAt" IS NULL AND ("expiresAt" IS NULL OR "expiresAt" > ${now})`)
  return Number(row?.active ?? 0)
}

export async function insertToken(data: {
  providerId: string
  label: string
  prefix: string
  secretHash: string
  scopes: string[]
  expiresAt: Date | null
  createdBy: string
  createdAt: Date
  rotatedFromId?: string | null
}): Promise<TokenRow> {
  const row = await sqlFirst<TokenRow>(Prisma.sql`
    INSERT INTO "ScimToken" ("id", "providerId", "label", "prefix", "secretHash", "scopes", "expiresAt", "createdBy", "createdAt", "rotatedFromId")
    VALUES (${randomUUID()}::uuid, ${data.providerId}::uuid, ${data.label}, ${data.prefix}, ${data.secretHash}, ${data.scopes}::text[],
      ${data.expiresAt}, ${data.createdBy}, ${data.createdAt}, ${data.rotatedFromId ?? null}::uuid)
    RETURNING ${tokenColumns}`)
  return row!
}

/** The token, locked until the transaction ends (outside one, a plain read). */
export function findTokenForUpdate(tokenId: string): Promise<TokenRow | undefined> {
  return sqlFirst<TokenRow>(Prisma.sql`SELECT ${tokenColumns} FROM "ScimToken" WHERE "id" = ${tokenId}::uuid FOR NO KEY UPDATE`)
}

/** The token that replaced this one by rotation, if any. */
export function findSuccessor(tokenId: string): Promise<{ id: string; prefix: string } | undefined> {
  return sqlFirst(Prisma.sql`SELECT "id", "prefix" FROM "ScimToken" WHERE "rotatedFromId" = ${tokenId}::uuid LIMIT 1`)
}

export function setTokenExpiry(tokenId: string, expiresAt: Date) {
  return sqlExecute(Prisma.sql`UPDATE "ScimToken" SET "expiresAt" = ${expiresAt} WHERE "id" = ${tokenId}::uuid`)
}

export function listTokens(providerId: string): Promise<TokenRow[]> {
  return getDb().scimToken.findMany({ where: { providerId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] })
}

export function findToken(tokenId: string) {
  return getDb().scimToken.findUnique({ where: { id: tokenId } })
}

export function markTokenRevoked(tokenId: string, at: Date) {
  return sqlExecute(Prisma.sql`UPDATE "ScimToken" SET "revokedAt" = ${at} WHERE "id" = ${tokenId}::uuid AND "revokedAt" IS NULL`)
}

/** Records use without contending on the row: only when the stored time is older than `staleBefore`. */
export function touchToken(tokenId: string, at: Date, staleBefore: Date) {
  return sqlExecute(Prisma.sql`
    UPDATE "ScimToken" SET "lastUsedAt" = ${at}
    WHERE "id" = ${tokenId}::uuid AND ("lastUsedAt" IS NULL OR "lastUsedAt" < ${staleBefore})`)
}

/** Active tokens that expire after `now` and no later than `before`, soonest first. */
export function findTokensExpiringBefore(before: Date, now: Date) {
  return getDb().scimToken.findMany({
    where: { revokedAt: null, expiresAt: { gt: now, lte: before } },
    orderBy: { expiresAt: 'asc' },
    select: { id: true, providerId: true, label: true, prefix: true, expiresAt: true },
  })
}
