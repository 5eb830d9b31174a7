import { beforeAll, describe, expect, it, vi } from 'vitest'
import { databaseKind, databaseReady } from './client'
import { Prisma } from './generated/client'
import { DatabaseBusyError, sqlRows } from './sql'

vi.hoisted(() => {
  process.env.DATABASE_STATEMENT_TIMEOUT_MS = '300'
})

beforeAll(async () => {
  await databaseReady()
})

// PGlite runs statements on this process's own thread: there is nothing to cancel, so no timeout there.
describe.skipIf(!process.env.DATABASE_URL)('statement timeout on PostgreSQL', () => {
  it('cancels a statement that runs past DATABASE_STATEMENT_TIMEOUT_MS, as a DatabaseBusyError', async () => {
    expect(databaseKind()).toBe('postgres')
    await expect(sqlRows(Prisma.sql`SELECT pg_sleep(2)`)).rejects.toBeInstanceOf(DatabaseBusyError)
    // The connection is fine afterwards.
    expect(await sqlRows<{ one: number }>(Prisma.sql`SELECT 1 AS one`)).toEqual([{ one: 1 }])
  })

  it('runs the app connections without JIT compilation, which costs more than it saves on these statements', async () => {
    expect(await sqlRows<{ jit: string }>(Prisma.sql`SHOW jit`)).toEqual([{ jit: 'off' }])
  })

  it('leaves statements within the limit alone', async () => {
    expect(await sqlRows<{ n: number }>(Prisma.sql`SELECT count(*)::int AS n FROM (SELECT pg_sleep(0.05)) slept`)).toEqual([
      { n: 1 },
    ])
  })
})
