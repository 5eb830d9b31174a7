'use server'

import { z } from 'zod'
import { currentSession } from '@/lib/auth/session'
import { safeRedirectPath } from '@/lib/auth/redirects'
import type { ActionState } from '@/lib/http/admin-action'
import type { PasskeyOptionsResult } from '@/lib/http/passkey-options'
import { completeMfaSignIn, confirmMfaEnrolment, MfaCodeError } from '@/lib/services/operator-mfa'
import { completePasskeySignIn, startPasskeySignIn } from '@/lib/services/passkeys'
import { ConflictError, NotFoundError } from '@/lib/services/errors'

/**
 * The second sign-in step, for sessions whose password is verified but whose MFA is pending: outside
 * adminAction, which serves only finished sessions. The session state in the database is the check.
 */

const codeSchema = z.string().trim().min(1, 'Enter the code.').max(64, 'That code is too long.')
const SESSION_ENDED: ActionState = { ok: false, message: 'Your session has ended. Sign in again.', redirectTo: '/login' }

function failure(error: unknown): ActionState {
  if (error instanceof z.ZodError)
    return {
      ok: false,
      message: error.issues[0]?.message ?? 'Enter the code.',
      fieldErrors: { code: error.issues.map((issue) => issue.message) },
    }
  if (error instanceof MfaCodeError) return { ok: false, message: error.message, fieldErrors: { code: [error.message] } }
  if (error instanceof NotFoundError || error instanceof ConflictError) return { ok: false, message: error.message }
  throw error
}

export async function verifyMfaCodeAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const session = await currentSession()
  if (!session || session.state !== 'mfa_required') return SESSION_ENDED
  try {
    await completeMfaSignIn(session.id, codeSchema.parse(formData.get('code') ?? ''))
    return { ok: true, message: 'Signed in.', redirectTo: safeRedirectPath(formData.get('callbackUrl')) }
  } catch (error) {
    return failure(error)
  }
}

export async function confirmRequiredEnrolmentAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const session = await currentSession()
  if (!session || session.state !== 'mfa_enrolment') return SESSION_ENDED
  try {
    const codes = await confirmMfaEnrolment(session.operator.id, codeSchema.parse(formData.get('code') ?? ''), session.id)
    return { ok: true, message: 'Two-factor sign-in is on.', secret: codes.join('\n') }
  } catch (error) {
    return failure(error)
  }
}

export async function passkeySignInOptionsAction(): Promise<PasskeyOptionsResult<'get'>> {
  const session = await currentSession()
  if (!session || session.state !== 'mfa_required') return { ok: false, message: SESSION_ENDED.message! }
  try {
    return { ok: true, options: await startPasskeySignIn(session.id) }
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof ConflictError) return { ok: false, message: error.message }
    throw error
  }
}

export async function verifyPasskeyAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const session = await currentSession()
  if (!session || session.state !== 'mfa_required') return SESSION_ENDED
  const response = formData.get('response')
  try {
    await completePasskeySignIn(session.id, typeof response === 'string' ? response : '')
    return { ok: true, message: 'Signed in.', redirectTo: safeRedirectPath(formData.get('callbackUrl')) }
  } catch (error) {
    return failure(error)
  }
}
