import 'server-only'
import { Prisma } from './generated/client'
import { sqlExecute, sqlRows } from './sql'

const sql = Prisma.sql

/** Replaces every unused setup token by a new one: only the link printed last works. */
export async function replaceSetupToken(tokenHash: string, at: Date, expiresAt: Date): Promise<void> {
  await sqlExecute(sql`DELETE FROM "SetupToken" WHERE "usedAt" IS NULL`)
  await sqlExecute(
    sql`INSERT INTO "SetupToken" ("tokenHash", "createdAt", "expiresAt") VALUES (${tokenHash}, ${at}, ${expiresAt})`,
  )
}

/** Digests of the setup tokens that may still be used at `at` (normally one). */
export async function findUsableSetupTokenHashes(at: Date): Promise<string[]> {
  const rows = await sqlRows<{ tokenHash: string }>(sql`
    SELECT "tokenHash" FROM "SetupToken" WHERE "usedAt" IS NULL AND "expiresAt" > ${at}`)
  return rows.map((row) => row.tokenHash)
}

/** Marks the token used; false when another request used it first or it has expired. */
export async function consumeSetupToken(tokenHash: string, at: Date): Promise<boolean> {
  const changed = await sqlExecute(sql`
    UPDATE "SetupToken" SET "usedAt" = ${at} WHERE "tokenHash" = ${tokenHash} AND "usedAt" IS NULL AND "expiresAt" > ${at}`)
  return changed === 1
}
