import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { databaseReady, getDb, withTransaction } from './client'
import { Prisma } from './generated/client'
import { sqlFirst } from './sql'

/**
 * One timestamp convention on the SQL runner, on both databases: Dates go in as ISO strings, `timestamp(3)`
 * columns (UTC, Prisma's convention) come out as the same instants, whatever the process's time zone.
 */
const zone = process.env.TZ
beforeAll(async () => {
  await databaseReady()
  // A zone far from UTC, so a reader that took the stored text as local time would be hours off.
  process.env.TZ = 'America/New_York'
})
afterAll(() => {
  process.env.TZ = zone
})

describe('SQL runner timestamps', () => {
  it('reads back the instant it wrote, in and out of a transaction, and agrees with the Prisma client', async () => {
    expect(new Date('2026-07-01T12:00:00Z').getTimezoneOffset()).toBe(240)
    const key = `tz-${randomUUID()}`
    const at = new Date('2026-07-01T12:34:56.789Z')
    await withTransaction(async () => {
      await sqlFirst(
        Prisma.sql`INSERT INTO "SignInLimit" ("key", "failures", "lockedUntil", "updatedAt") VALUES (${key}, 1, ${at}, ${at})`,
      )
      const inside = await sqlFirst<{ updatedAt: Date }>(Prisma.sql`SELECT "updatedAt" FROM "SignInLimit" WHERE "key" = ${key}`)
      expect(inside?.updatedAt).toEqual(at)
    })
    const row = await sqlFirst<{ lockedUntil: Date; updatedAt: Date; text: string }>(
      Prisma.sql`SELECT "lockedUntil", "updatedAt", to_char("updatedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS "text" FROM "SignInLimit" WHERE "key" = ${key}`,
    )
    expect(row?.updatedAt).toBeInstanceOf(Date)
    expect(row?.updatedAt.toISOString()).toBe('2026-07-01T12:34:56.789Z')
    expect(row?.lockedUntil.getTime()).toBe(at.getTime())
    // Stored as UTC wall time, which is what Prisma writes and reads.
    expect(row?.text).toBe('2026-07-01T12:34:56.789')
    const viaPrisma = await getDb().signInLimit.findUnique({ where: { key } })
    expect(viaPrisma?.updatedAt.getTime()).toBe(at.getTime())
    // Comparisons with a Date parameter use the same instant.
    const later = await sqlFirst<{ n: number }>(
      Prisma.sql`SELECT count(*)::int AS n FROM "SignInLimit" WHERE "key" = ${key} AND "updatedAt" >= ${new Date(at.getTime() + 1)}`,
    )
    expect(later?.n).toBe(0)
  })
})
