import { Secret, TOTP } from 'otpauth'
import { beforeAll, describe, expect, it } from 'vitest'
import { databaseReady } from '@/lib/db/client'
import { listAuditEvents } from '@/lib/db/audit-events'
import { findOperatorCredentials } from '@/lib/db/operators'
import { CLI_ACTOR } from './audit'
import {
  completeMfaSignIn,
  confirmMfaEnrolment,
  MfaCodeError,
  removeMfa,
  resetMfa,
  reverifySession,
  startMfaEnrolment,
} from './operator-mfa'
import { createOperator } from './operators'
import { resumeSession, signInOperator } from './portal-auth'

const unique = () => `mfa-${Math.random().toString(36).slice(2, 10)}@auth.test`
const address = () => `198.51.100.${Math.floor(Math.random() * 250)}`
// The code an authenticator app shows at `at`, computed from the secret the enrolment displayed.
const codeAt = (secret: string, at: Date) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at.getTime() })
const steps = (base: Date, count: number) => new Date(base.getTime() + count * 30_000)

async function eventsFor(targetId: string) {
  return (await listAuditEvents({ take: 500 })).filter((event) => event.targetId === targetId)
}

async function enrolled(now = new Date()) {
  const { operator, password } = await createOperator(CLI_ACTOR, { email: unique(), role: 'admin' })
  const { secret, uri, qrSvg } = await startMfaEnrolment(operator.id)
  const codes = await confirmMfaEnrolment(operator.id, codeAt(secret, now), null, now)
  return { operator, password, secret, uri, qrSvg, codes }
}

async function signInWithPassword(email: string, password: string, at = new Date()) {
  const result = await signInOperator({ email, password, address: address(), userAgent: 'vitest' }, at)
  if (!result.ok) throw new Error('password step failed')
  return result
}

beforeAll(async () => {
  await databaseReady()
})

describe('TOTP enrolment', () => {
  it('shows a QR code and key, confirms with a first code, and returns ten single-use recovery codes', async () => {
    const { operator, password } = await createOperator(CLI_ACTOR, { email: unique(), role: 'support' })
    const first = await startMfaEnrolment(operator.id)
    expect(first.uri).toMatch(/^otpauth:\/\/totp\/TraffiTech%20Provisioning:.*secret=[A-Z2-7]+/)
    expect(first.qrSvg).toMatch(/^<svg/)
    // A reload shows the same secret until it is confirmed.
    expect((await startMfaEnrolment(operator.id)).secret).toBe(first.secret)
    await expect(confirmMfaEnrolment(operator.id, '000000', null)).rejects.toBeInstanceOf(MfaCodeError)
    const codes = await confirmMfaEnrolment(operator.id, codeAt(first.secret, new Date()), null)
    expect(codes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    // Stored encrypted, never in clear.
    const stored = await findOperatorCredentials(operator.email)
    expect(stored?.mfaSecret).toMatch(/^v1\./)
    expect(stored?.mfaSecret).not.toContain(first.secret)
    expect(stored?.mfaPendingSecret).toBeNull()
    expect(await eventsFor(operator.id)).toContainEqual(
      expect.objectContaining({ action: 'operator.mfa.enrol', actor: operator.email }),
    )
    expect((await signInWithPassword(operator.email, password)).state).toBe('mfa_required')
  })
})

describe('MFA sign-in', () => {
  it('needs a code after the password; a code works once', async () => {
    const now = new Date()
    const { operator, password, secret } = await enrolled(now)
    const pending = await signInWithPassword(operator.email, password, now)
    expect(pending.state).toBe('mfa_required')
    expect((await resumeSession(pending.sessionId))?.state).toBe('mfa_required')
    await expect(completeMfaSignIn(pending.sessionId, '123456', steps(now, 1))).rejects.toBeInstanceOf(MfaCodeError)
    const code = codeAt(secret, steps(now, 1))
    expect(await completeMfaSignIn(pending.sessionId, code, steps(now, 1))).toMatchObject({ method: 'totp' })
    expect((await resumeSession(pending.sessionId))?.state).toBe('active')
    // The same code again, on another session, is a replay.
    const second = await signInWithPassword(operator.email, password, now)
    await expect(completeMfaSignIn(second.sessionId, code, steps(now, 1))).rejects.toBeInstanceOf(MfaCodeError)
    expect(await eventsFor(operator.id)).toContainEqual(
      expect.objectContaining({ action: 'operator.sign-in', details: expect.objectContaining({ mfa: 'totp' }) }),
    )
  })

  it('accepts a recovery code exactly once, even in parallel', async () => {
    const { operator, password, codes } = await enrolled()
    const sessions = await Promise.all([
      signInWithPassword(operator.email, password),
      signInWithPassword(operator.email, password),
    ])
    const results = await Promise.allSettled(
      sessions.map((session) => completeMfaSignIn(session.sessionId, codes[0]!.toUpperCase())),
    )
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1)
    expect(results.find((result) => result.status === 'fulfilled')).toMatchObject({
      value: { method: 'recovery', recoveryCodesLeft: 9 },
    })
    const third = await signInWithPassword(operator.email, password)
    await expect(completeMfaSignIn(third.sessionId, codes[0]!)).rejects.toBeInstanceOf(MfaCodeError)
    expect(await completeMfaSignIn(third.sessionId, codes[1]!)).toMatchObject({ method: 'recovery' })
  })

  it('locks code guessing after five wrong codes', async () => {
    const now = new Date()
    const { operator, password, secret } = await enrolled(now)
    const pending = await signInWithPassword(operator.email, password, now)
    for (let attempt = 0; attempt < 5; attempt++) {
      await expect(completeMfaSignIn(pending.sessionId, String(100000 + attempt), steps(now, 1))).rejects.toThrow(/not correct/)
    }
    await expect(completeMfaSignIn(pending.sessionId, codeAt(secret, steps(now, 1)), steps(now, 1))).rejects.toThrow(/Too many/)
    expect(
      (await listAuditEvents({ take: 500 })).filter(
        (event) => event.action === 'operator.lockout' && event.targetId === `verify:${operator.id}`,
      ),
    ).toHaveLength(1)
  })
})

describe('changing MFA', () => {
  it('removal needs the current password and a code, and ends the other sessions', async () => {
    const now = new Date()
    const { operator, password, secret } = await enrolled(now)
    const other = await signInWithPassword(operator.email, password, now)
    const me = { id: operator.id, email: operator.email, role: operator.role }
    await expect(removeMfa(me, 'wrong password', codeAt(secret, steps(now, 1)), null, steps(now, 1))).rejects.toThrow(/password/)
    await expect(removeMfa(me, password, '000000', null, steps(now, 1))).rejects.toBeInstanceOf(MfaCodeError)
    await removeMfa(me, password, codeAt(secret, steps(now, 2)), null, steps(now, 2))
    expect(await resumeSession(other.sessionId)).toBeNull()
    expect((await signInWithPassword(operator.email, password)).state).toBe('active')
    expect(await eventsFor(operator.id)).toContainEqual(
      expect.objectContaining({ action: 'operator.mfa.remove', actor: operator.email }),
    )
  })

  it('the CLI reset turns MFA off, ends every session and is audited', async () => {
    const now = new Date()
    const { operator, password, secret } = await enrolled(now)
    const pending = await signInWithPassword(operator.email, password, now)
    await completeMfaSignIn(pending.sessionId, codeAt(secret, steps(now, 1)), steps(now, 1))
    expect(await resetMfa(CLI_ACTOR, operator.email.toUpperCase())).toMatchObject({ hadMfa: true, endedSessions: 1 })
    expect(await resumeSession(pending.sessionId)).toBeNull()
    expect((await signInWithPassword(operator.email, password)).state).toBe('active')
    expect(await eventsFor(operator.id)).toContainEqual(expect.objectContaining({ action: 'operator.mfa.reset', actor: 'cli' }))
    await expect(resetMfa(CLI_ACTOR, 'nobody@auth.test')).rejects.toThrow(/No operator/)
  })

  it('re-verification asks for the password and, with MFA on, a code', async () => {
    const now = new Date()
    const { operator, password, secret } = await enrolled(now)
    const pending = await signInWithPassword(operator.email, password, now)
    await completeMfaSignIn(pending.sessionId, codeAt(secret, steps(now, 1)), steps(now, 1))
    const me = { id: operator.id, email: operator.email, role: operator.role }
    await expect(reverifySession(me, pending.sessionId, password, '', steps(now, 2))).rejects.toBeInstanceOf(MfaCodeError)
    const later = steps(now, 3)
    await reverifySession(me, pending.sessionId, password, codeAt(secret, later), later)
    expect((await resumeSession(pending.sessionId, later))?.verifiedAt.getTime()).toBe(later.getTime())
  })
})
