import 'server-only'
import { Prisma } from './generated/client'
import { sqlExecute, sqlRows } from './sql'

/**
 * Failed-attempt counters for sign-in and MFA codes. Callers run these inside `withTransaction`: the rows stay
 * locked from `lockLimits` until commit, so parallel attempts on one key are counted one after the other.
 */

const sql = Prisma.sql

export type LimitRow = { key: string; failures: number; lockedUntil: Date | null; updatedAt: Date }

/** Locks (creating when missing) the counters for `keys`, always in the same order to avoid deadlocks. */
export async function lockLimits(keys: string[], at: Date): Promise<Map<string, LimitRow>> {
  const sorted = [...new Set(keys)].sort()
  // A parallel success may delete a counter between our insert and our lock (its DELETE holds the row, our
  // SELECT … FOR UPDATE then skips it): insert and lock again until every counter is held.
  for (let attempt = 1; ; attempt++) {
    for (const key of sorted) {
      await sqlExecute(sql`
        INSERT INTO "SignInLimit" ("key", "failures", "updatedAt") VALUES (${key}, 0, ${at}) ON CONFLICT ("key") DO NOTHING`)
    }
    const rows = await sqlRows<LimitRow>(sql`
      SELECT "key", "failures", "lockedUntil", "updatedAt"
      FROM "SignInLimit" WHERE "key" = ANY(${sorted}::text[]) ORDER BY "key" FOR UPDATE`)
    if (rows.length === sorted.length || attempt === 5) {
      return new Map(rows.map((row) => [row.key, { ...row, failures: Number(row.failures) }]))
    }
  }
}

export function saveLimit(row: LimitRow) {
  return sqlExecute(sql`
    UPDATE "SignInLimit" SET "failures" = ${row.failures}, "lockedUntil" = ${row.lockedUntil}, "updatedAt" = ${row.updatedAt}
    WHERE "key" = ${row.key}`)
}

export function deleteLimits(keys: string[]) {
  return sqlExecute(sql`DELETE FROM "SignInLimit" WHERE "key" = ANY(${keys}::text[])`)
}

export function deleteLimitsWithPrefix(prefix: string) {
  const like = `${prefix.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
  return sqlExecute(sql`DELETE FROM "SignInLimit" WHERE "key" LIKE ${like}`)
}

/** Forgets counters untouched since `before`: failures count within a window, not forever. */
export function deleteLimitsOlderThan(before: Date) {
  return sqlExecute(sql`DELETE FROM "SignInLimit" WHERE "updatedAt" < ${before}`)
}

/** Keys among `keys` whose lock is still running at `at`. */
export async function findLockedKeys(keys: string[], at: Date): Promise<string[]> {
  const rows = await sqlRows<{ key: string }>(sql`
    SELECT "key" FROM "SignInLimit" WHERE "key" = ANY(${keys}::text[]) AND "lockedUntil" > ${at}`)
  return rows.map((row) => row.key)
}
