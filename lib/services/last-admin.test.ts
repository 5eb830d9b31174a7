import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { databaseReady, getSqlRunner, withTransaction } from '@/lib/db/client'
import { listAuditEvents } from '@/lib/db/audit-events'
import { createOperator, listOperators } from './operators'
import { LastAdminError, setOperatorDisabled, setOperatorRole } from './portal-auth'
import { NotFoundError } from './errors'

/**
 * The last active admin cannot be demoted or disabled. On PostgreSQL other files create admins in the same
 * database at the same time, so each case runs in a transaction that first disables every other active admin
 * and is rolled back at the end: nobody outside ever sees it.
 */

const actor = { id: randomUUID(), name: `last-admin-${randomUUID()}@operators.test` }
let target: { id: string; email: string }
let disabledAdmin: { id: string; email: string }

class RollBack extends Error {}

/** Runs `fn` while `keep` is the only active admin, then undoes everything. */
async function whileOnlyActiveAdmin(keep: string, fn: () => Promise<void>) {
  const rolledBack = withTransaction(async () => {
    await getSqlRunner()(
      `UPDATE "Operator" SET "disabled" = true WHERE "role" = 'admin' AND NOT "disabled" AND "id" <> $1::uuid`,
      [keep],
    )
    await fn()
    throw new RollBack()
  })
  await expect(rolledBack).rejects.toBeInstanceOf(RollBack)
}

async function stateOf(id: string) {
  const operator = (await listOperators()).find((row) => row.id === id)!
  return { role: operator.role, disabled: operator.disabled }
}

beforeAll(async () => {
  await databaseReady()
  target = (await createOperator(actor, { email: `target-${randomUUID()}@operators.test`, role: 'admin' })).operator
  disabledAdmin = (await createOperator(actor, { email: `off-${randomUUID()}@operators.test`, role: 'admin' })).operator
  await setOperatorDisabled(actor, disabledAdmin.id, true)
})

describe('the last active admin', () => {
  it('cannot be demoted to support, and nothing about it changes', async () => {
    await whileOnlyActiveAdmin(target.id, async () => {
      await expect(setOperatorRole(actor, target.id, 'support')).rejects.toThrow(
        new LastAdminError('At least one active admin must remain.'),
      )
    })
    expect(await stateOf(target.id)).toEqual({ role: 'admin', disabled: false })
  })

  it('cannot be disabled', async () => {
    await whileOnlyActiveAdmin(target.id, async () => {
      await expect(setOperatorDisabled(actor, target.id, true)).rejects.toThrow(
        new LastAdminError('At least one active admin must remain.'),
      )
      // Setting it to what it already is, or to admin, is no demotion.
      await expect(setOperatorDisabled(actor, target.id, false)).resolves.toMatchObject({ id: target.id })
      await expect(setOperatorRole(actor, target.id, 'admin')).resolves.toMatchObject({ id: target.id })
    })
    expect(await stateOf(target.id)).toEqual({ role: 'admin', disabled: false })
  })

  it('is counted among active admins only: a disabled admin may be demoted while one active admin remains', async () => {
    await whileOnlyActiveAdmin(target.id, async () => {
      await expect(setOperatorRole(actor, disabledAdmin.id, 'support')).resolves.toMatchObject({ id: disabledAdmin.id })
    })
    // The rollback undid the demotion and its audit event alike.
    expect(await stateOf(disabledAdmin.id)).toEqual({ role: 'admin', disabled: true })
    const events = await listAuditEvents({ take: 100, filter: { actor: actor.name } })
    expect(events.map((event) => event.action).sort()).toEqual(['operator.create', 'operator.create', 'operator.disable'])
  })

  it('can be demoted once another admin is active, and that is audited', async () => {
    const other = (await createOperator(actor, { email: `second-${randomUUID()}@operators.test`, role: 'admin' })).operator
    const onlyTwo = withTransaction(async () => {
      await getSqlRunner()(
        `UPDATE "Operator" SET "disabled" = true WHERE "role" = 'admin' AND NOT "disabled" AND "id" <> ALL($1::uuid[])`,
        [[target.id, other.id]],
      )
      await setOperatorRole(actor, target.id, 'support')
      // Now `other` is the last one.
      await expect(setOperatorDisabled(actor, other.id, true)).rejects.toBeInstanceOf(LastAdminError)
      throw new RollBack()
    })
    await expect(onlyTwo).rejects.toBeInstanceOf(RollBack)
    expect(await stateOf(target.id)).toEqual({ role: 'admin', disabled: false })
  })

  it('is not something an admin can do to themselves, nor to an unknown operator', async () => {
    await expect(setOperatorRole({ id: target.id, name: target.email }, target.id, 'support')).rejects.toThrow(
      new LastAdminError('You cannot change your own role or disable yourself.'),
    )
    await expect(setOperatorDisabled({ id: target.id, name: target.email }, target.id, true)).rejects.toBeInstanceOf(
      LastAdminError,
    )
    await expect(setOperatorRole(actor, randomUUID(), 'support')).rejects.toBeInstanceOf(NotFoundError)
    await expect(setOperatorRole(actor, 'not-a-uuid', 'support')).rejects.toBeInstanceOf(NotFoundError)
    expect(await stateOf(target.id)).toEqual({ role: 'admin', disabled: false })
  })
})
