import { beforeAll, describe, expect, it } from 'vitest'
import { databaseReady } from '@/lib/db/client'
import { listAuditEvents } from '@/lib/db/audit-events'
import { findOperatorById, findOperatorCredentials, updateOperator } from '@/lib/db/operators'
import { CLI_ACTOR } from './audit'
import { createOperator } from './operators'
import { hashPassword } from './passwords'
import {
  changeOwnPassword,
  endSessionsOfOperator,
  isSignInLocked,
  resumeSession,
  setOperatorDisabled,
  setOperatorRole,
  SIGN_IN_LIMITS,
  signInOperator,
  signOutSession,
  unlockOperator,
  WrongPasswordError,
} from './portal-auth'
import { FIRST_LOCK_MS } from './sign-in-limits'

const unique = () => `op-${Math.random().toString(36).slice(2, 10)}@auth.test`
const randomAddress = () =>
  `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`
const attempt = (email: string, password: string, address = '192.0.2.1') => ({ email, password, address, userAgent: 'vitest' })

async function eventsFor(targetId: string) {
  return (await listAuditEvents({ take: 500 })).filter((event) => event.targetId === targetId)
}

async function failedSignInsFor(email: string) {
  return (await listAuditEvents({ take: 1000 })).filter(
    (event) => event.action === 'operator.sign-in.failed' && event.actor === email,
  )
}

beforeAll(async () => {
  await databaseReady()
})

describe('signInOperator', () => {
  it('signs in with the right password, opens a database session and records it', async () => {
    const { operator, password } = await createOperator(CLI_ACTOR, { email: unique(), role: 'support' })
    const address = randomAddress()
    const result = await signInOperator(attempt(operator.email.toUpperCase(), password, address))
    expect(result).toMatchObject({
      ok: true,
      operator: { id: operator.id, email: operator.email, role: 'support' },
      state: 'active',
    })
    if (!result.ok) throw new Error('unreachable')
    expect((await findOperatorById(operator.id))?.lastSignInAt).toBeInstanceOf(Date)
    const session = await resumeSession(result.sessionId)
    expect(session).toMatchObject({ id: result.sessionId, state: 'active', operator: { id: operator.id } })
    expect(await eventsFor(operator.id)).toContainEqual(
      expect.objectContaining({
        action: 'operator.sign-in',
        actor: operator.email,
        details: expect.objectContaining({ address, userAgent: 'vitest' }),
      }),
    )
  })

  it('upgrades an scrypt hash to argon2id at the next sign-in', async () => {
    const { operator } = await createOperator(CLI_ACTOR, { email: unique(), role: 'support' })
    // The format earlier versions stored (scrypt N=2^14), for the password below.
    const { scrypt } = await import('node:crypto')
    const salt = Buffer.from('0123456789abcdef')
    const key = await new Promise<Buffer>((resolve, reject) =>
      scrypt('an old long password', salt, 64, { N: 16384, r: 8, p: 1 }, (error, derived) =>
        error ? reject(error) : resolve(derived),
      ),
    )
    await updateOperator(operator.id, { passwordHash: `scrypt$16384$8$1$${salt.toString('base64')}$${key.toString('base64')}` })
    expect((await signInOperator(attempt(operator.email, 'an old long password', randomAddress()))).ok).toBe(true)
    expect((await findOperatorCredentials(operator.email))?.passwordHash).toMatch(/^\$argon2id\$/)
    expect((await signInOperator(attempt(operator.email, 'an old long password', randomAddress()))).ok).toBe(true)
  })

  it('answers the same for an unknown email, a wrong password and a locked account', async () => {
    const { operator, password } = await createOperator(CLI_ACTOR, { email: unique(), role: 'admin' })
    const address = randomAddress()
    const unknown = await signInOperator(attempt(unique(), 'whatever', address))
    const wrong = await signInOperator(attempt(operator.email, 'wrong password', address))
    expect(unknown).toEqual({ ok: false, reason: 'invalid' })
    expect(wrong).toEqual(unknown)
    for (let index = 0; index < SIGN_IN_LIMITS.accountFromAddress; index++)
      await signInOperator(attempt(operator.email, 'wrong password', address))
    // Locked now: even the right password gets the very same answer.
    expect(await signInOperator(attempt(operator.email, password, address))).toEqual(unknown)
    // Unknown emails are counted the same way, so a lock says nothing about which emails exist.
    const ghost = unique()
    for (let index = 0; index < SIGN_IN_LIMITS.accountFromAddress + 1; index++) {
      expect(await signInOperator(attempt(ghost, 'whatever', address))).toEqual(unknown)
    }
    expect(await isSignInLocked(ghost)).toBe(false)
  })

  it('gives a parallel burst of wrong passwords no more guesses than the limit', async () => {
    const { operator, password } = await createOperator(CLI_ACTOR, { email: unique(), role: 'admin' })
    const address = randomAddress()
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, index) => signInOperator(attempt(operator.email, `wrong ${index}`, address))),
    )
    expect(burst.every((result) => !result.ok)).toBe(true)
    // Only the attempts that got past the limit were checked and audited as failures.
    expect(await failedSignInsFor(operator.email)).toHaveLength(SIGN_IN_LIMITS.accountFromAddress)
    expect(await signInOperator(attempt(operator.email, password, address))).toEqual({ ok: false, reason: 'invalid' })
    const lockouts = (await listAuditEvents({ take: 1000 })).filter(
      (event) => event.action === 'operator.lockout' && event.targetId === `account-address:${operator.email}|${address}`,
    )
    expect(lockouts).toHaveLength(1)
  })

  it('never lets an account lock refuse an address that has not failed', async () => {
    const { operator, password } = await createOperator(CLI_ACTOR, { email: unique(), role: 'admin' })
    const now = new Date('2031-01-01T10:00:00Z')
    const failing = Array.from({ length: SIGN_IN_LIMITS.account }, randomAddress)
    for (const address of failing) await signInOperator(attempt(operator.email, 'wrong password', address), now)
    expect(await isSignInLocked(operator.email, now)).toBe(true)
    // An address that failed before is refused while the account is locked, even with the right password…
    expect((await signInOperator(attempt(operator.email, password, failing[0]), now)).ok).toBe(false)
    // …but the real admin, from an address that never failed, signs in.
    expect((await signInOperator(attempt(operator.email, password, randomAddress()), now)).ok).toBe(true)
  })

  it('grows the delay with each failure after a lock, and an admin can unlock', async () => {
    const { operator: admin } = await createOperator(CLI_ACTOR, { email: unique(), role: 'admin' })
    const { operator, password } = await createOperator(CLI_ACTOR, { email: unique(), role: 'support' })
    const address = randomAddress()
    const start = new Date('2032-01-01T10:00:00Z')
    for (let index = 0; index < SIGN_IN_LIMITS.accountFromAddress; index++)
      await signInOperator(attempt(operator.email, 'nope', address), start)
    const justAfterFirstLock = new Date(start.getTime() + FIRST_LOCK_MS + 1000)
    expect(
      (await signInOperator(attempt(operator.email, password, address), new Date(start.getTime() + FIRST_LOCK_MS - 1000))).ok,
    ).toBe(false)
    // The first lock has passed: one more failure locks for twice as long.
    await signInOperator(attempt(operator.email, 'nope', address), justAfterFirstLock)
    const afterOneMinute = new Date(justAfterFirstLock.getTime() + FIRST_LOCK_MS + 1000)
    expect((await signInOperator(attempt(operator.email, password, address), afterOneMinute)).ok).toBe(false)
    await unlockOperator({ name: admin.email }, operator.id)
    expect((await signInOperator(attempt(operator.email, password, address), afterOneMinute)).ok).toBe(true)
    expect(await eventsFor(operator.id)).toContainEqual(
      expect.objectContaining({ action: 'operator.unlock', actor: admin.email }),
    )
  })

  it('refuses disabled operators only after the right password, and ends their sessions', async () => {
    const { operator: admin } = await createOperator(CLI_ACTOR, { email: unique(), role: 'admin' })
    const { operator, password } = await createOperator(CLI_ACTOR, { email: unique(), role: 'support' })
    const signedIn = await signInOperator(attempt(operator.email, password, randomAddress()))
    if (!signedIn.ok) throw new Error('sign-in failed')
    await setOperatorDisabled({ name: admin.email, id: admin.id }, operator.id, true)
    expect(await resumeSession(signedIn.sessionId)).toBeNull()
    expect(await signInOperator(attempt(operator.email, password, randomAddress()))).toEqual({ ok: false, reason: 'disabled' })
    expect(await signInOperator(attempt(operator.email, 'wrong password', randomAddress()))).toEqual({
      ok: false,
      reason: 'invalid',
    })
    expect(await eventsFor(operator.id)).toContainEqual(
      expect.objectContaining({ action: 'operator.disable', actor: admin.email }),
    )
  })

  it('does not let an admin disable themselves', async () => {
    const { operator: admin } = await createOperator(CLI_ACTOR, { email: unique(), role: 'admin' })
    await expect(setOperatorDisabled({ name: admin.email, id: admin.id }, admin.id, true)).rejects.toThrow(/yourself/)
  })

  it('stores hostile input as text PostgreSQL accepts, without a 500', async () => {
    const result = await signInOperator({
      email: `a\u0000b\ud800@x.test`,
      password: 'x'.repeat(100_000),
      address: '\u0000',
      userAgent: '\ud800'.repeat(10_000),
    })
    expect(result).toEqual({ ok: false, reason: 'invalid' })
  })
})

describe('sessions', () => {
  async function signedIn(role: 'admin' | 'support' = 'support', at = new Date()) {
    const { operator, password } = await createOperator(CLI_ACTOR, { email: unique(), role })
    const result = await signInOperator(attempt(operator.email, password, randomAddress()), at)
    if (!result.ok) throw new Error('sign-in failed')
    return { operator, password, sessionId: result.sessionId }
  }

  it('ends after 30 idle minutes', async () => {
    const t0 = new Date('2033-03-01T08:00:00Z')
    const { sessionId } = await signedIn('support', t0)
    const minutes = (n: number) => new Date(t0.getTime() + n * 60_000)
    expect(await resumeSession(sessionId, minutes(29))).not.toBeNull()
    expect(await resumeSession(sessionId, minutes(58))).not.toBeNull()
    expect(await resumeSession(sessionId, minutes(58 + 31))).toBeNull()
    // Once ended it stays ended, even at a time that would have been within the idle limit.
    expect(await resumeSession(sessionId, minutes(59))).toBeNull()
  })

  it('ends 8 hours after sign-in however active', async () => {
    const t0 = new Date('2033-03-02T08:00:00Z')
    const { sessionId } = await signedIn('support', t0)
    for (let minute = 20; minute < 8 * 60; minute += 20) {
      expect(await resumeSession(sessionId, new Date(t0.getTime() + minute * 60_000))).not.toBeNull()
    }
    expect(await resumeSession(sessionId, new Date(t0.getTime() + 8 * 3_600_000 + 60_000))).toBeNull()
  })

  it('ends at sign-out, audited by the service', async () => {
    const { operator, sessionId } = await signedIn()
    await signOutSession(sessionId)
    expect(await resumeSession(sessionId)).toBeNull()
    expect(await eventsFor(operator.id)).toContainEqual(
      expect.objectContaining({ action: 'operator.sign-out', actor: operator.email }),
    )
  })

  it('a password change ends the other sessions and keeps the current one', async () => {
    const { operator, password, sessionId } = await signedIn()
    const other = await signInOperator(attempt(operator.email, password, randomAddress()))
    if (!other.ok) throw new Error('sign-in failed')
    await expect(changeOwnPassword(operator.id, 'not my password', 'a brand new passphrase')).rejects.toBeInstanceOf(
      WrongPasswordError,
    )
    await expect(changeOwnPassword(operator.id, password, 'password1234')).rejects.toThrow(/common or breached/)
    await changeOwnPassword(operator.id, password, 'a brand new passphrase', sessionId)
    expect(await resumeSession(sessionId)).not.toBeNull()
    expect(await resumeSession(other.sessionId)).toBeNull()
    expect(await eventsFor(operator.id)).toContainEqual(
      expect.objectContaining({ action: 'operator.password', actor: operator.email }),
    )
    expect((await signInOperator(attempt(operator.email, 'a brand new passphrase', randomAddress()))).ok).toBe(true)
  })

  it('a role change ends the operator sessions; an admin can end them too', async () => {
    const { operator: admin } = await createOperator(CLI_ACTOR, { email: unique(), role: 'admin' })
    const actor = { name: admin.email, id: admin.id }
    const first = await signedIn('support')
    await setOperatorRole(actor, first.operator.id, 'admin')
    expect(await resumeSession(first.sessionId)).toBeNull()
    expect(await eventsFor(first.operator.id)).toContainEqual(
      expect.objectContaining({
        action: 'operator.role',
        actor: admin.email,
        details: expect.objectContaining({ from: 'support', to: 'admin' }),
      }),
    )
    const second = await signedIn('support')
    expect(await endSessionsOfOperator(actor, second.operator.id)).toMatchObject({ count: 1 })
    expect(await resumeSession(second.sessionId)).toBeNull()
    expect(await eventsFor(second.operator.id)).toContainEqual(
      expect.objectContaining({ action: 'operator.sessions.ended', actor: admin.email }),
    )
  })

  it('refuses a malformed session id without a query error', async () => {
    expect(await resumeSession('not-a-uuid')).toBeNull()
    expect(await resumeSession(crypto.randomUUID())).toBeNull()
  })
})

describe('hashPassword', () => {
  it('uses argon2id', async () => {
    expect(await hashPassword('correct horse battery')).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
  })
})

describe('signInOperator without a client address', () => {
  it('counts only the account, so no shared bucket can lock everyone out', async () => {
    const { operator, password } = await createOperator(CLI_ACTOR, { email: unique(), role: 'support' })
    const other = await createOperator(CLI_ACTOR, { email: unique(), role: 'support' })
    const now = new Date('2034-01-01T10:00:00Z')
    for (let index = 0; index < SIGN_IN_LIMITS.account; index++) {
      await signInOperator({ email: operator.email, password: 'wrong', address: null, userAgent: null }, now)
    }
    expect(await isSignInLocked(operator.email, now)).toBe(true)
    expect((await signInOperator({ email: operator.email, password, address: null, userAgent: null }, now)).ok).toBe(false)
    expect(
      (await signInOperator({ email: other.operator.email, password: other.password, address: null, userAgent: null }, now)).ok,
    ).toBe(true)
  })
})
