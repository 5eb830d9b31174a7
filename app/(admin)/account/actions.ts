'use server'

import { z } from 'zod'
import { adminAction } from '@/lib/http/admin-action'
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

export const endSessionAction = adminAction({ role: 'support', schema: z.object({ sessionId: z.uuid() }) }, async (input, { operator }) => {
  await endOwnSession(operator, input.sessionId)
  return { message: 'Session ended.' }
})

export const endOtherSessionsAction = adminAction({ role: 'support', schema: z.object({}) }, async (_input, { operator, sessionId }) => {
  if (!sessionId) return { message: 'No session.' }
  const count = await endOtherOwnSessions(operator, sessionId)
  return { message: `Ended ${count} other session${count === 1 ? '' : 's'}.` }
})

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
