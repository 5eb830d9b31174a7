'use server'

import { z } from 'zod'
import { currentSession } from '@/lib/auth/session'
import { adminAction } from '@/lib/http/admin-action'
import type { PasskeyOptionsResult } from '@/lib/http/passkey-options'
import { ConflictError, NotFoundError } from '@/lib/services/errors'
import { addPasskey, removePasskey, startPasskeyRegistration } from '@/lib/services/passkeys'
import { confirmMfaEnrolment, removeMfa } from '@/lib/services/operator-mfa'
import { changeOwnPassword, endOtherOwnSessions, endOwnSession, passwordSchema } from '@/lib/services/portal-auth'

// Every operator, support included, manages their own password, sessions and second factor.

export const changePasswordAction = adminAction(
  {
    role: 'support',
    schema: z
      .object({ current: z.string().min(1, 'Enter your current password.'), next: passwordSchema, confirm: z.string() })
      .refine((input) => input.next === input.confirm, { path: ['confirm'], message: 'The two new passwords differ.' }),
  },
  async (input, { operator, sessionId }) => {
    await changeOwnPassword(operator.id, input.current, input.next, sessionId ?? undefined)
    return { message: 'Password changed. Your other sessions have ended.' }
  },
)

export const endSessionAction = adminAction(
  { role: 'support', schema: z.object({ sessionId: z.uuid() }) },
  async (input, { operator }) => {
    await endOwnSession(operator, input.sessionId)
    return { message: 'Session ended.' }
  },
)

export const endOtherSessionsAction = adminAction(
  { role: 'support', schema: z.object({}) },
  async (_input, { operator, sessionId }) => {
    if (!sessionId) return { message: 'No session.' }
    const count = await endOtherOwnSessions(operator, sessionId)
    return { message: `Ended ${count} other session${count === 1 ? '' : 's'}.` }
  },
)

const codeSchema = z.string().trim().min(1, 'Enter the code.').max(64, 'That code is too long.')

export const confirmMfaAction = adminAction(
  { role: 'support', schema: z.object({ code: codeSchema }), sensitive: true },
  async (input, { operator, sessionId }) => {
    const codes = await confirmMfaEnrolment(operator.id, input.code, sessionId)
    return { message: 'Two-factor sign-in is on. Your other sessions have ended.', secret: codes.join('\n') }
  },
)

export const removeMfaAction = adminAction(
  { role: 'support', schema: z.object({ password: z.string().min(1, 'Enter your password.'), code: codeSchema }) },
  async (input, { operator, sessionId }) => {
    await removeMfa(operator, input.password, input.code, sessionId)
    return { message: 'Two-factor sign-in is off. Your other sessions have ended.', redirectTo: '/account' }
  },
)

export async function passkeyRegistrationOptionsAction(): Promise<PasskeyOptionsResult<'create'>> {
  const session = await currentSession()
  if (!session || session.state !== 'active') return { ok: false, message: 'Your session has ended. Sign in again.' }
  try {
    return { ok: true, options: await startPasskeyRegistration(session.operator, session.id) }
  } catch (error) {
    if (error instanceof ConflictError || error instanceof NotFoundError) return { ok: false, message: error.message }
    throw error
  }
}

export const addPasskeyAction = adminAction(
  {
    role: 'support',
    schema: z.object({ name: z.string(), response: z.string().max(65_536, 'The passkey answer is too large.') }),
    sensitive: true,
  },
  async (input, { operator, sessionId }) => {
    if (!sessionId) throw new NotFoundError('Your session has ended. Sign in again.')
    const passkey = await addPasskey(operator, sessionId, input)
    return { message: `Passkey “${passkey.name}” added. Your other sessions have ended.` }
  },
)

export const removePasskeyAction = adminAction(
  { role: 'support', schema: z.object({ passkeyId: z.string() }), sensitive: true },
  async (input, { operator, sessionId }) => {
    await removePasskey(operator, sessionId, input.passkeyId)
    return { message: 'Passkey removed. Your other sessions have ended.' }
  },
)
