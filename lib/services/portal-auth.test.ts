import { beforeAll, describe, expect, it } from 'vitest'
import { databaseReady } from '@/lib/db/client'
import { findOperatorById } from '@/lib/db/operators'
import { CLI_ACTOR } from './audit'
import { createOperator } from './operators'
import { findActiveOperator, LOCK_MINUTES, MAX_FAILED_SIGN_INS, setOperatorDisabled, signInOperator } from './portal-auth'

const unique = () => `op-${Math.random().toString(36).slice(2, 10)}@auth.test`

beforeAll(async () => {
  await databaseReady()
})

describe('signInOperator', () => {
  it('signs in with the right password and records the time', async () => {
    const { operator, password } = await createOperator(CLI_ACTOR, { email: unique(), role: 'support' })
    const result = await signInOperator(operator.email.toUpperCase(), password)
    expect(result).toEqual({ ok: true, operator: { id: operator.id, email: operator.email, role: 'support' } })
    expect((await findOperatorById(operator.id))?.lastSignInAt).toBeInstanceOf(Date)
  })

  it('answers the same for an unknown email and a wrong password', async () => {
    const { operator } = await createOperator(CLI_ACTOR, { email: unique(), role: 'admin' })
    expect(await signInOperator('nobody@auth.test', 'whatever')).toEqual({ ok: false, reason: 'invalid' })
    expect(await signInOperator(operator.email, 'wrong password')).toEqual({ ok: false, reason: 'invalid' })
  })

  it(`locks for ${LOCK_MINUTES} minutes after ${MAX_FAILED_SIGN_INS} failures, kept in the database`, async () => {
    const { operator, password } = await createOperator(CLI_ACTOR, { email: unique(), role: 'admin' })
    const now = new Date('2030-01-01T10:00:00Z')
    for (let attempt = 1; attempt < MAX_FAILED_SIGN_INS; attempt++) {
      expect((await signInOperator(operator.email, 'nope', now)).ok).toBe(false)
    }
    expect((await findOperatorById(operator.id))?.failedAttempts).toBe(MAX_FAILED_SIGN_INS - 1)
    const locked = await signInOperator(operator.email, 'nope', now)
    expect(locked).toMatchObject({ ok: false, reason: 'locked' })
    // Even the right password is refused while locked…
    expect(await signInOperator(operator.email, password, new Date(now.getTime() + 60_000))).toMatchObject({ reason: 'locked' })
    // …and accepted once the lock has passed, which also resets the count.
    const later = new Date(now.getTime() + (LOCK_MINUTES + 1) * 60_000)
    expect((await signInOperator(operator.email, password, later)).ok).toBe(true)
    expect(await findOperatorById(operator.id)).toMatchObject({ failedAttempts: 0, lockedUntil: null })
  })

  it('refuses disabled operators and ends their sessions', async () => {
    const { operator: admin } = await createOperator(CLI_ACTOR, { email: unique(), role: 'admin' })
    const { operator, password } = await createOperator(CLI_ACTOR, { email: unique(), role: 'support' })
    expect(await findActiveOperator(operator.id)).not.toBeNull()
    await setOperatorDisabled({ name: admin.email, id: admin.id }, operator.id, true)
    expect(await signInOperator(operator.email, password)).toEqual({ ok: false, reason: 'disabled' })
    expect(await findActiveOperator(operator.id)).toBeNull()
  })

  it('does not let an admin disable themselves', async () => {
    const { operator: admin } = await createOperator(CLI_ACTOR, { email: unique(), role: 'admin' })
    await expect(setOperatorDisabled({ name: admin.email, id: admin.id }, admin.id, true)).rejects.toThrow(/yourself/)
  })
})
