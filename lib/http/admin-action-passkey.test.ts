import { beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { databaseReady } from '@/lib/db/client'
import { CLI_ACTOR } from '@/lib/services/audit'
import { createOperator } from '@/lib/services/operators'
import { addPasskey, startPasskeyRegistration, startPasskeyReverification } from '@/lib/services/passkeys'
import { resumeSession, signInOperator } from '@/lib/services/portal-auth'
import { SoftwareAuthenticator } from '@/test/support/software-authenticator'
import { runAdminAction } from './admin-action'

const schema = z.record(z.string(), z.unknown())

beforeAll(async () => {
  await databaseReady()
})

describe('runAdminAction with sensitive: true for an operator whose second factor is a passkey', () => {
  it('asks for the password and a passkey, refuses the password alone, and runs with both', async () => {
    const { operator, password } = await createOperator(CLI_ACTOR, {
      email: `passkey-${crypto.randomUUID()}@action.test`,
      role: 'admin',
    })
    const signedIn = await signInOperator({ email: operator.email, password, address: '192.0.2.51', userAgent: 'vitest' })
    if (!signedIn.ok) throw new Error('sign-in failed')
    const me = signedIn.operator
    const authenticator = new SoftwareAuthenticator()
    const options = await startPasskeyRegistration(me, signedIn.sessionId)
    await addPasskey(me, signedIn.sessionId, { name: 'Key', response: authenticator.register(options) })
    const session = {
      id: signedIn.sessionId,
      verifiedAt: new Date(Date.now() - 11 * 60_000),
      mfaEnabled: false,
      hasPasskey: true,
    }
    let received: Record<string, unknown> | undefined
    const handler = async (input: Record<string, unknown>) => void (received = input)
    const run = (raw: Record<string, unknown>) =>
      runAdminAction(me, { role: 'admin', schema, sensitive: true }, handler, raw, session)

    expect(await run({ label: 'x' })).toMatchObject({
      ok: false,
      reverify: { mfa: false, passkey: true },
      message: expect.stringMatching(/passkey/),
    })
    expect(await run({ label: 'x', reverifyPassword: password })).toMatchObject({
      ok: false,
      fieldErrors: { reverifyCode: [expect.stringMatching(/passkey/)] },
    })
    expect(await run({ label: 'x', reverifyPassword: password, reverifyPasskey: '{"junk":true}' })).toMatchObject({
      ok: false,
      reverify: { passkey: true },
    })
    expect(received).toBeUndefined()
    const answer = authenticator.authenticate(await startPasskeyReverification(me, signedIn.sessionId))
    expect((await run({ label: 'x', reverifyPassword: password, reverifyPasskey: answer })).ok).toBe(true)
    // The use case never sees the proof.
    expect(received).toEqual({ label: 'x' })
    expect((await resumeSession(signedIn.sessionId))!.verifiedAt.getTime()).toBeGreaterThan(Date.now() - 60_000)
  })
})
