import { beforeAll, describe, expect, it } from 'vitest'
import { databaseKind, databaseReady, withTransaction } from './client'
import { Prisma } from './generated/client'
import { insertProvider } from './identity-providers'
import { sqlRows } from './sql'
import { findUser, insertUser } from './users'

/** The hot path's statements go to PostgreSQL as named prepared statements: parsed and planned once per connection. */

beforeAll(async () => {
  await databaseReady()
})

const preparedHere = () =>
  sqlRows<{ name: string; statement: string }>(Prisma.sql`SELECT "name", "statement" FROM pg_prepared_statements`)

describe.skipIf(databaseKind() !== 'postgres')('prepared statements (PostgreSQL)', () => {
  it('prepares a user read once per connection and reuses it, values still parameters', async () => {
    const providerId = (await insertProvider({ name: 'Prepared IdP', kind: 'entra' })).id
    const user = await insertUser(providerId, {
      resource: { userName: 'prepared@example.com', active: true },
      customAttributes: {},
      source: 'scim',
      scimManaged: true,
    })
    // One transaction is one connection: what it prepared is in its pg_prepared_statements.
    await withTransaction(async () => {
      expect((await findUser(providerId, user.id))?.userName).toBe('prepared@example.com')
      expect(await findUser(providerId, '00000000-0000-4000-8000-000000000000')).toBeUndefined()
      const reads = (await preparedHere()).filter((row) => row.name.startsWith('tt_') && row.statement.includes('FROM "User" u'))
      expect(reads.length).toBeGreaterThanOrEqual(1)
      expect(new Set(reads.map((row) => row.name)).size).toBe(reads.length)
      expect(reads.some((row) => row.statement.includes('prepared@example.com'))).toBe(false)
    })
  })

  it('leaves ordinary statements unnamed', async () => {
    await withTransaction(async () => {
      await sqlRows(Prisma.sql`SELECT ${'unnamed-marker'}::text AS marker`)
      expect((await preparedHere()).some((row) => row.statement.includes('AS marker'))).toBe(false)
    })
  })
})
