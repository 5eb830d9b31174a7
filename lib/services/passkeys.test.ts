import { beforeAll, describe, expect, it } from 'vitest'
import { databaseReady } from '@/lib/db/client'
import { SoftwareAuthenticator } from '@/test/support/software-authenticator'
import { listAuditEvents } from '@/lib/db/audit-events'
import { CLI_ACTOR } from './audit'
import { MfaCodeError, resetMfa, reverifySession } from './operator-mfa'
import { createOperator } from './operators'
import {
  addPasskey,
  CHALLENGE_TTL_MS,
  completePasskeySignIn,
  listOperatorPasskeys,
  PasskeyError,
  removePasskey,
  reverifySessionWithPasskey,
  startPasskeyRegistration,
  startPasskeyReverification,
  startPasskeySignIn,
} from './passkeys'
import { resumeSession, signInOperator, VERIFY_LIMIT } from './portal-auth'

const unique = () => `passkey-${Math.random().toString(36).slice(2, 10)}@auth.test`
async function eventsFor(targetId: string) {
  return (await listAuditEvents({ take: 500 })).filter((event) => event.targetId === targetId)
}

async function signIn(email: string, password: string, at = new Date()) {
  const result = await signInOperator({ email, password, address: '198.51.100.7', userAgent: 'vitest' }, at)
  if (!result.ok) throw new Error('password step failed')
  return result
}

/** An operator with one passkey registered from a signed-in session. */
async function withPasskey() {
  const { operator, password } = await createOperator(CLI_ACTOR, { email: unique(), role: 'support' })
  const signedIn = await signIn(operator.email, password)
  const authenticator = new SoftwareAuthenticator()
  const options = await startPasskeyRegistration(signedIn.operator, signedIn.sessionId)
  const passkey = await addPasskey(signedIn.operator, signedIn.sessionId, {
    name: 'Laptop',
    response: JSON.stringify(authenticator.register(options)),
  })
  return { operator: signedIn.operator, password, sessionId: signedIn.sessionId, authenticator, passkey }
}

beforeAll(async () => {
  await databaseReady()
})

describe('passkey registration', () => {
  it('stores a verified passkey, audits it, ends other sessions, and makes sign-in ask for a second step', async () => {
    const { operator, password } = await createOperator(CLI_ACTOR, { email: unique(), role: 'support' })
    const other = await signIn(operator.email, password)
    const current = await signIn(operator.email, password)
    const authenticator = new SoftwareAuthenticator()
    const options = await startPasskeyRegistration(current.operator, current.sessionId)
    expect(options.rp).toEqual({ id: 'scim.test', name: 'TraffiTech Provisioning' })
    expect(options.attestation).toBe('none')
    const added = await addPasskey(current.operator, current.sessionId, {
      name: ' Laptop ',
      response: authenticator.register(options),
    })
    expect(added.name).toBe('Laptop')
    const [listed] = await listOperatorPasskeys(operator.id)
    expect(listed).toMatchObject({ id: added.id, name: 'Laptop', lastUsedAt: null })
    expect(await eventsFor(operator.id)).toContainEqual(
      expect.objectContaining({
        action: 'operator.passkey.add',
        actor: operator.email,
        details: expect.objectContaining({ passkey: added.id, endedSessions: 1 }),
      }),
    )
    expect(await resumeSession(other.sessionId)).toBeNull()
    expect((await resumeSession(current.sessionId))?.state).toBe('active')
    expect((await signIn(operator.email, password)).state).toBe('mfa_required')
    // The next registration excludes it, and the same credential cannot be added twice.
    const again = await startPasskeyRegistration(current.operator, current.sessionId)
    expect(again.excludeCredentials?.map((credential) => credential.id)).toEqual([authenticator.register(again).id])
    await expect(
      addPasskey(current.operator, current.sessionId, { name: 'Twice', response: authenticator.register(again) }),
    ).rejects.toThrow(/already registered/)
  })

  it('refuses a wrong origin, a wrong RP ID, a used or missing challenge, and junk', async () => {
    const { operator, password } = await createOperator(CLI_ACTOR, { email: unique(), role: 'support' })
    const { operator: signedIn, sessionId } = await signIn(operator.email, password)
    const authenticator = new SoftwareAuthenticator()
    const add = (response: unknown) => addPasskey(signedIn, sessionId, { name: 'Key', response })
    await expect(
      add(authenticator.register(await startPasskeyRegistration(signedIn, sessionId), { origin: 'http://evil.test' })),
    ).rejects.toBeInstanceOf(PasskeyError)
    await expect(
      add(authenticator.register(await startPasskeyRegistration(signedIn, sessionId), { rpID: 'evil.test' })),
    ).rejects.toBeInstanceOf(PasskeyError)
    // Each failure used its challenge up: the same answer again finds none.
    const options = await startPasskeyRegistration(signedIn, sessionId)
    const response = authenticator.register(options)
    await add(response)
    await expect(add(response)).rejects.toThrow(/expired or was already used/)
    for (const junk of [
      '',
      '{',
      'null',
      '[]',
      'x'.repeat(70_000),
      JSON.stringify({ ...response, id: '\u0000' }),
      { deep: [[[[]]]] },
    ]) {
      await startPasskeyRegistration(signedIn, sessionId)
      await expect(add(junk)).rejects.toBeInstanceOf(PasskeyError)
    }
    await expect(addPasskey(signedIn, sessionId, { name: 'x'.repeat(65), response })).rejects.toThrow(/at most 64/)
    expect(await listOperatorPasskeys(operator.id)).toHaveLength(1)
  })

  it('refuses a challenge older than five minutes', async () => {
    const { operator, password } = await createOperator(CLI_ACTOR, { email: unique(), role: 'support' })
    const { operator: signedIn, sessionId } = await signIn(operator.email, password)
    const start = new Date()
    const options = await startPasskeyRegistration(signedIn, sessionId, start)
    const late = new Date(start.getTime() + CHALLENGE_TTL_MS + 1000)
    await expect(
      addPasskey(signedIn, sessionId, { name: 'Late', response: new SoftwareAuthenticator().register(options) }, late),
    ).rejects.toThrow(/expired/)
  })
})

describe('passkey sign-in', () => {
  it('completes the second step like a code: the session becomes active, audited with the method', async () => {
    const { operator, password, authenticator, passkey } = await withPasskey()
    const { sessionId } = await signIn(operator.email, password)
    const options = await startPasskeySignIn(sessionId)
    expect(options.allowCredentials?.map((credential) => credential.id)).toEqual([
      authenticator.credentialId.toString('base64url'),
    ])
    expect(options.userVerification).toBe('preferred')
    expect(await completePasskeySignIn(sessionId, authenticator.authenticate(options))).toMatchObject({ method: 'passkey' })
    expect((await resumeSession(sessionId))?.state).toBe('active')
    expect((await listOperatorPasskeys(operator.id))[0]?.lastUsedAt).toBeInstanceOf(Date)
    expect(await eventsFor(operator.id)).toContainEqual(
      expect.objectContaining({
        action: 'operator.sign-in',
        details: expect.objectContaining({ session: sessionId, mfa: 'passkey' }),
      }),
    )
    expect(passkey.name).toBe('Laptop')
  })

  it('refuses a replayed answer, an answer to an older challenge, an expired challenge and a wrong origin', async () => {
    const { operator, password, authenticator } = await withPasskey()
    const { sessionId } = await signIn(operator.email, password)
    const first = await startPasskeySignIn(sessionId)
    const second = await startPasskeySignIn(sessionId)
    // The newer challenge replaced the older one.
    await expect(completePasskeySignIn(sessionId, authenticator.authenticate(first))).rejects.toBeInstanceOf(MfaCodeError)
    // That failure used the newer one up too: a fresh one is needed.
    await expect(completePasskeySignIn(sessionId, authenticator.authenticate(second))).rejects.toBeInstanceOf(MfaCodeError)
    const evil = await startPasskeySignIn(sessionId)
    await expect(
      completePasskeySignIn(sessionId, authenticator.authenticate(evil, { origin: 'http://evil.test' })),
    ).rejects.toBeInstanceOf(MfaCodeError)
    const start = new Date()
    const slow = await startPasskeySignIn(sessionId, start)
    await expect(
      completePasskeySignIn(sessionId, authenticator.authenticate(slow), new Date(start.getTime() + CHALLENGE_TTL_MS + 1000)),
    ).rejects.toBeInstanceOf(MfaCodeError)
    expect((await resumeSession(sessionId))?.state).toBe('mfa_required')
    const good = authenticator.authenticate(await startPasskeySignIn(sessionId))
    await completePasskeySignIn(sessionId, good)
    expect((await resumeSession(sessionId))?.state).toBe('active')
    // The same answer replayed in another session at the second step finds no challenge of its own.
    const { sessionId: another } = await signIn(operator.email, password)
    await startPasskeySignIn(another)
    await expect(completePasskeySignIn(another, good)).rejects.toBeInstanceOf(MfaCodeError)
    const failures = (await eventsFor(operator.id)).filter((event) => event.action === 'operator.sign-in.failed')
    expect(failures.length).toBeGreaterThanOrEqual(5)
  })

  it('refuses and audits a signature counter that goes backwards (a cloned authenticator)', async () => {
    const { operator, password, authenticator, passkey } = await withPasskey()
    const { sessionId } = await signIn(operator.email, password)
    await completePasskeySignIn(sessionId, authenticator.authenticate(await startPasskeySignIn(sessionId), { counter: 7 }))
    const { sessionId: next } = await signIn(operator.email, password)
    await expect(
      completePasskeySignIn(next, authenticator.authenticate(await startPasskeySignIn(next), { counter: 3 })),
    ).rejects.toBeInstanceOf(MfaCodeError)
    await expect(
      completePasskeySignIn(next, authenticator.authenticate(await startPasskeySignIn(next), { counter: 7 })),
    ).rejects.toBeInstanceOf(MfaCodeError)
    const regressions = (await eventsFor(operator.id)).filter((event) => event.action === 'operator.passkey.counter-regression')
    expect(regressions).toHaveLength(2)
    expect(regressions.map((event) => event.details)).toContainEqual(
      expect.objectContaining({ passkey: passkey.id, storedCounter: 7, receivedCounter: 3 }),
    )
    expect((await resumeSession(next))?.state).toBe('mfa_required')
    await completePasskeySignIn(next, authenticator.authenticate(await startPasskeySignIn(next), { counter: 8 }))
    expect((await resumeSession(next))?.state).toBe('active')
  })

  it('counts failures towards the same limit as wrong codes', async () => {
    const { operator, password, authenticator } = await withPasskey()
    const { sessionId } = await signIn(operator.email, password)
    for (let attempt = 0; attempt < VERIFY_LIMIT; attempt += 1) {
      await startPasskeySignIn(sessionId)
      await expect(completePasskeySignIn(sessionId, '{}')).rejects.toThrow(/could not be verified/)
    }
    const options = await startPasskeySignIn(sessionId)
    await expect(completePasskeySignIn(sessionId, authenticator.authenticate(options))).rejects.toThrow(/Too many/)
    expect((await resumeSession(sessionId))?.state).toBe('mfa_required')
  })
})

describe('passkey re-verification, removal and reset', () => {
  it('re-verifies with the password and a passkey, not with the password alone', async () => {
    const { operator, password, sessionId, authenticator } = await withPasskey()
    await expect(reverifySession(operator, sessionId, password, '')).rejects.toThrow(/passkey/)
    const options = await startPasskeyReverification(operator, sessionId)
    const answer = authenticator.authenticate(options)
    // A wrong password is refused before the passkey is looked at; the answer then works once, and only once.
    await expect(reverifySessionWithPasskey(operator, sessionId, 'wrong password!', answer)).rejects.toThrow(/password/)
    await reverifySessionWithPasskey(operator, sessionId, password, answer)
    await expect(reverifySessionWithPasskey(operator, sessionId, password, answer)).rejects.toBeInstanceOf(MfaCodeError)
    // A sign-in challenge does not serve a re-verification.
    const { sessionId: pending } = await signIn(operator.email, password)
    const signInAnswer = authenticator.authenticate(await startPasskeySignIn(pending))
    await expect(reverifySessionWithPasskey(operator, pending, password, signInAnswer)).rejects.toBeInstanceOf(MfaCodeError)
  })

  it('removes a passkey, audits it, and sign-in no longer asks for it', async () => {
    const { operator, password, sessionId, passkey } = await withPasskey()
    const other = await signIn(operator.email, password)
    await expect(removePasskey(operator, sessionId, crypto.randomUUID())).rejects.toThrow(/No such passkey/)
    await expect(removePasskey(operator, sessionId, 'not-a-uuid')).rejects.toThrow(/No such passkey/)
    const stranger = await withPasskey()
    await expect(removePasskey(stranger.operator, stranger.sessionId, passkey.id)).rejects.toThrow(/No such passkey/)
    await removePasskey(operator, sessionId, passkey.id)
    expect(await listOperatorPasskeys(operator.id)).toEqual([])
    expect(await eventsFor(operator.id)).toContainEqual(
      expect.objectContaining({
        action: 'operator.passkey.remove',
        details: expect.objectContaining({ passkey: passkey.id, name: 'Laptop' }),
      }),
    )
    expect(await resumeSession(other.sessionId)).toBeNull()
    expect((await resumeSession(sessionId))?.state).toBe('active')
    expect((await signIn(operator.email, password)).state).toBe('active')
  })

  it('the CLI MFA reset removes passkeys too', async () => {
    const { operator, password } = await withPasskey()
    expect(await resetMfa(CLI_ACTOR, operator.email)).toMatchObject({ hadMfa: true })
    expect(await listOperatorPasskeys(operator.id)).toEqual([])
    expect(await eventsFor(operator.id)).toContainEqual(
      expect.objectContaining({
        action: 'operator.mfa.reset',
        actor: 'cli',
        details: expect.objectContaining({ passkeysRemoved: 1 }),
      }),
    )
    expect((await signIn(operator.email, password)).state).toBe('active')
  })
})
