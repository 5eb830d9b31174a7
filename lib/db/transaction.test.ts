import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { insertAuditEvent } from './audit-events'
import { databaseKind, databaseReady, outsideTransaction, withTransaction } from './client'
import { Prisma } from './generated/client'
import { sqlFirst } from './sql'

beforeAll(async () => {
  await databaseReady()
})

async function countEvents(targetId: string): Promise<number> {
  const row = await sqlFirst<{ n: number }>(
    Prisma.sql`SELECT count(*)::int AS n FROM "AuditEvent" WHERE "targetId" = ${targetId}`,
  )
  return row?.n ?? 0
}

const event = (targetId: string) => ({ actor: 'test', action: 'test.tx', targetType: 'test', targetId })

describe('withTransaction', () => {
  it('commits every statement when the function resolves', async () => {
    const id = randomUUID()
    const result = await withTransaction(async () => {
      await insertAuditEvent(event(id))
      await insertAuditEvent(event(id))
      return 'done'
    })
    expect(result).toBe('done')
    expect(await countEvents(id)).toBe(2)
  })

  it('rolls back every statement when the function throws, and rethrows', async () => {
    const id = randomUUID()
    await expect(
      withTransaction(async () => {
        await insertAuditEvent(event(id))
        throw new Error('after the write, before the commit')
      }),
    ).rejects.toThrow('after the write, before the commit')
    expect(await countEvents(id)).toBe(0)
  })

  it('joins an outer transaction: an inner call rolls back with the outer one', async () => {
    const id = randomUUID()
    await expect(
      withTransaction(async () => {
        await withTransaction(() => insertAuditEvent(event(id)))
        throw new Error('outer fails')
      }),
    ).rejects.toThrow('outer fails')
    expect(await countEvents(id)).toBe(0)
  })

  it('keeps uncommitted writes invisible to statements outside the transaction', async () => {
    const id = randomUUID()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let wrote!: () => void
    const written = new Promise<void>((resolve) => (wrote = resolve))
    const transaction = withTransaction(async () => {
      await insertAuditEvent(event(id))
      wrote()
      await gate
    })
    await written
    // PGlite serializes a transaction against the rest of the process, so an outside read waits for it.
    const outside = countEvents(id)
    if (databaseKind() === 'postgres') expect(await outside).toBe(0)
    release()
    await transaction
    if (databaseKind() === 'pglite') expect(await outside).toBe(1)
    expect(await countEvents(id)).toBe(1)
  })

  it('serves many concurrent transactions without losing one', async () => {
    const id = randomUUID()
    await Promise.all(Array.from({ length: 20 }, () => withTransaction(() => insertAuditEvent(event(id)))))
    expect(await countEvents(id)).toBe(20)
  })

  it('outsideTransaction writes on its own: kept when the transaction around it rolls back', async () => {
    const id = randomUUID()
    let pending: Promise<void> | undefined
    await expect(
      withTransaction(async () => {
        pending = outsideTransaction(() => insertAuditEvent(event(id)))
        // On PGlite the outside write waits for the transaction to end, so only PostgreSQL can await it here.
        if (databaseKind() === 'postgres') await pending
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')
    await pending
    expect(await countEvents(id)).toBe(1)
  })
})
