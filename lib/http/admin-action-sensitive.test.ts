import { beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { databaseReady } from '@/lib/db/client'
import { CLI_ACTOR } from '@/lib/services/audit'
import { createOperator } from '@/lib/services/operators'
import { resumeSession, signInOperator } from '@/lib/services/portal-auth'
import { runAdminAction } from './admin-action'

const schema = z.record(z.string(), z.unknown())
const elevenMinutesAgo = () => new Date(Date.now() - 11 * 60_000)

beforeAll(async () => {
  await databaseReady()
})

async function signedIn() {
  const { operator, password } = await createOperator(CLI_ACTOR, {
    email: `sensitive-${crypto.randomUUID()}@action.test`,
    role: 'admin',
  })
  const result = await signInOperator({ email: operator.email, password, address: '192.0.2.50', userAgent: 'vitest' })
  if (!result.ok) throw new Error('sign-in failed')
  const me = { id: operator.id, email: operator.email, role: operator.role }
  return { me, password, sessionId: result.sessionId }
}

describe('runAdminAction with sensitive: true', () => {
  it('runs at once within ten minutes of the last verification', async () => {
    const { me, sessionId } = await signedIn()
    let ran = false
    const state = await runAdminAction(
      me,
      { role: 'admin', schema, sensitive: true },
      async () => void (ran = true),
      {},
      {
        id: sessionId,
        verifiedAt: new Date(),
        mfaEnabled: false,
      },
    )
    expect(state.ok).toBe(true)
    expect(ran).toBe(true)
  })

  it('asks for the password again after ten minutes, and runs once it is given', async () => {
    const { me, password, sessionId } = await signedIn()
    const session = { id: sessionId, verifiedAt: elevenMinutesAgo(), mfaEnabled: false }
    let received: Record<string, unknown> | undefined
    const handler = async (input: Record<string, unknown>) => void (received = input)
    const asked = await runAdminAction(me, { role: 'admin', schema, sensitive: true }, handler, { label: 'x' }, session)
    expect(asked).toMatchObject({ ok: false, reverify: { mfa: false } })
    expect(received).toBeUndefined()
    const wrong = await runAdminAction(
      me,
      { role: 'admin', schema, sensitive: true },
      handler,
      { label: 'x', reverifyPassword: 'nope' },
      session,
    )
    expect(wrong).toMatchObject({
      ok: false,
      reverify: { mfa: false },
      fieldErrors: { reverifyPassword: [expect.stringMatching(/not correct/)] },
    })
    expect(received).toBeUndefined()
    const done = await runAdminAction(
      me,
      { role: 'admin', schema, sensitive: true },
      handler,
      { label: 'x', reverifyPassword: password },
      session,
    )
    expect(done.ok).toBe(true)
    // The use case never sees the password.
    expect(received).toEqual({ label: 'x' })
    expect((await resumeSession(sessionId))!.verifiedAt.getTime()).toBeGreaterThan(Date.now() - 60_000)
  })

  it('refuses a sensitive action without a session', async () => {
    const { me } = await signedIn()
    const state = await runAdminAction(me, { role: 'admin', schema, sensitive: true }, async () => {}, {}, null)
    expect(state).toMatchObject({ ok: false, message: expect.stringMatching(/sign in/i) })
  })
})
