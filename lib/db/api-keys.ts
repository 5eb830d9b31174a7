import { randomUUID } from 'node:crypto'
import { Prisma } from './generated/client'
import { sqlExecute, sqlFirst, sqlRows } from './sql'

/**
 * Directory API keys (table "ApiKey"). Everything runs on the SQL runner, so the writes join `withTransaction`
 * with their audit event. The secret's hash is only ever read by the lookup that authenticates a request.
 */

/** A key as the portal and CLI see it: everything but the secret's hash. */
export type ApiKeyRow = {
  id: string
  label: string
  prefix: string
  scopes: string[]
  expiresAt: Date | null
  revokedAt: Date | null
  lastUsedAt: Date | null
  createdBy: string
  createdAt: Date
}

const apiKeyColumns = Prisma.sql`"id", "label", "prefix", "scopes", "expiresAt", "revokedAt", "lastUsedAt", "createdBy", "createdAt"`

export async function insertApiKey(data: {
  label: string
  prefix: string
  secretHash: string
  scopes: string[]
  expiresAt: Date | null
  createdBy: string
  createdAt: Date
}): Promise<ApiKeyRow> {
  const row = await sqlFirst<ApiKeyRow>(Prisma.sql`
    INSERT INTO "ApiKey" ("id", "label", "prefix", "secretHash", "scopes", "expiresAt", "createdBy", "createdAt")
    VALUES (${randomUUID()}::uuid, ${data.label}, ${data.prefix}, ${data.secretHash}, ${data.scopes}::text[], ${data.expiresAt},
      ${data.createdBy}, ${data.createdAt})
    RETURNING ${apiKeyColumns}`)
  return row!
}

/** Newest first. */
export function listApiKeyRows(): Promise<ApiKeyRow[]> {
  return sqlRows<ApiKeyRow>(Prisma.sql`SELECT ${apiKeyColumns} FROM "ApiKey" ORDER BY "createdAt" DESC, "id" DESC`)
}

/** The key, locked until the transaction ends (outside one, a plain read). */
export function findApiKeyForUpdate(apiKeyId: string): Promise<ApiKeyRow | undefined> {
  return sqlFirst<ApiKeyRow>(Prisma.sql`SELECT ${apiKeyColumns} FROM "ApiKey" WHERE "id" = ${apiKeyId}::uuid FOR NO KEY UPDATE`)
}

/** The key whose secret hashes to `secretHash`, with the hash for a constant-time comparison. */
export function findApiKeyBySecretHash(secretHash: string): Promise<(ApiKeyRow & { secretHash: string }) | undefined> {
  return sqlFirst(Prisma.sql`SELECT ${apiKeyColumns}, "secretHash" FROM "ApiKey" WHERE "secretHash" = ${secretHash}`)
}

export function markApiKeyRevoked(apiKeyId: string, at: Date): Promise<number> {
  return sqlExecute(Prisma.sql`UPDATE "ApiKey" SET "revokedAt" = ${at} WHERE "id" = ${apiKeyId}::uuid AND "revokedAt" IS NULL`)
}

/** Records use without contending on the row: only when the stored time is older than `staleBefore`. */
export function touchApiKey(apiKeyId: string, at: Date, staleBefore: Date): Promise<number> {
  return sqlExecute(Prisma.sql`
    UPDATE "ApiKey" SET "lastUsedAt" = ${at}
    WHERE "id" = ${apiKeyId}::uuid AND ("lastUsedAt" IS NULL OR "lastUsedAt" < ${staleBefore})`)
}
