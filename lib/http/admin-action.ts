import 'server-only'
import { revalidatePath } from 'next/cache'
import { redirect } from 'next/navigation'
import { z } from 'zod'
import { currentOperator, currentSession } from '../auth/session'
import { roleAllows, type Role } from '../auth/roles'
import { logger } from '../ops/logger'
import { ScimError } from '../scim/errors'
import { recordAudit, type Actor } from '../services/audit'
import { LastAdminError, needsReverification, WrongPasswordError, type SignedInOperator } from '../services/portal-auth'
import { MfaCodeError, reverifySession } from '../services/operator-mfa'
import { PasskeyError, reverifySessionWithPasskey } from '../services/passkeys'
import { ConflictError, NotFoundError } from '../services/errors'
import { hasUnstorableText, unstorableTextMessage } from '../storable-text'

/**
 * The one wrapper for portal mutations (server actions): re-checks the signed-in operator and role, validates
 * the form with zod, runs the use case, and turns known failures into form state. The use cases write their own
 * audit events (so the CLI and tests audit alike); the wrapper records only what it alone sees: a denied action.
 */

export type ActionState = {
  ok: boolean
  message?: string
  fieldErrors?: Record<string, string[]>
  /** A secret shown once (token, generated password). */
  secret?: string
  /** Where the form should send the browser next. */
  redirectTo?: string
  /** A sensitive action asks for the password (and a code, when `mfa`, or a passkey, when `passkey`) before it runs. */
  reverify?: { mfa: boolean; passkey?: boolean }
}

export const initialActionState: ActionState = { ok: false }

/** A server action as the portal's forms take it: every adminAction, and the sign-in steps outside it. */
export type FormAction = (previous: ActionState, formData: FormData) => Promise<ActionState>

export type ActionContext = {
  operator: SignedInOperator
  actor: Actor & { id: string }
  /** The session the action runs in (for use cases that keep it while ending the others). */
  sessionId: string | null
}

export type ActionOutcome = {
  message?: string
  secret?: string
  redirectTo?: string
} | void

export type ActionOptions<S extends z.ZodType> = {
  role: Role
  schema: S
  /** Asks for the password (and an MFA code) again when the session's last proof is older than 10 minutes. */
  sensitive?: boolean
}

/** The session an action runs in, for the re-verification of sensitive actions. */
export type ActionSession = { id: string; verifiedAt: Date; mfaEnabled: boolean; hasPasskey?: boolean }

/** The form fields that carry a re-verification; never passed on to the use case. */
const REVERIFY_FIELDS = ['reverifyPassword', 'reverifyCode', 'reverifyPasskey'] as const

/** FormData as plain values: a key sent more than once becomes an array. */
export function formDataToObject(formData: FormData): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {}
  for (const [key, value] of formData.entries()) {
    if (key.startsWith('$ACTION') || typeof value !== 'string') continue
    const existing = result[key]
    result[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value]
  }
  return result
}

/** The top-level fields of a form whose text (or any of whose values) PostgreSQL could not store. */
function unstorableFields(raw: unknown): string[] {
  if (!raw || typeof raw !== 'object') return []
  return Object.entries(raw).flatMap(([field, value]) => {
    const values: unknown[] = Array.isArray(value) ? value : [value]
    return values.some((item) => typeof item === 'string' && hasUnstorableText(item)) ? [field] : []
  })
}

/** A use case's complaint about one field, shown next to it. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message)
  }
}

const knownErrors = [NotFoundError, ConflictError, LastAdminError, WrongPasswordError, MfaCodeError, PasskeyError, ScimError]

async function reverificationRefusal(
  operator: SignedInOperator,
  session: ActionSession | null | undefined,
  raw: unknown,
): Promise<ActionState | null> {
  if (!session) return { ok: false, message: 'Your session has ended. Sign in again.' }
  if (!needsReverification(session)) return null
  const reverify = { mfa: session.mfaEnabled, passkey: Boolean(session.hasPasskey) }
  const fields = (raw ?? {}) as Record<string, unknown>
  const password = typeof fields.reverifyPassword === 'string' ? fields.reverifyPassword : ''
  const code = typeof fields.reverifyCode === 'string' ? fields.reverifyCode : ''
  const passkey = typeof fields.reverifyPasskey === 'string' ? fields.reverifyPasskey : ''
  if (!password) {
    const factor = session.mfaEnabled ? ' and a code from your authenticator app' : session.hasPasskey ? ' and a passkey' : ''
    return { ok: false, reverify, message: `This is a sensitive action: confirm your password${factor}, then submit again.` }
  }
  try {
    if (passkey && session.hasPasskey) await reverifySessionWithPasskey(operator, session.id, password, passkey)
    else await reverifySession(operator, session.id, password, code)
    return null
  } catch (error) {
    if (error instanceof WrongPasswordError || error instanceof MfaCodeError) {
      const field = error instanceof MfaCodeError ? 'reverifyCode' : 'reverifyPassword'
      return { ok: false, reverify, message: error.message, fieldErrors: { [field]: [error.message] } }
    }
    throw error
  }
}

/** The wrapper without Next's session and cache plumbing: what the tests drive. */
export async function runAdminAction<S extends z.ZodType>(
  operator: SignedInOperator | null,
  options: ActionOptions<S>,
  handler: (input: z.output<S>, context: ActionContext) => Promise<ActionOutcome>,
  raw: unknown,
  session?: ActionSession | null,
): Promise<ActionState> {
  if (!operator) return { ok: false, message: 'Your session has ended. Sign in again.' }
  if (!roleAllows(operator.role, options.role)) {
    await recordAudit(
      { name: operator.email },
      'portal.denied',
      { type: 'operator', id: operator.id },
      { role: operator.role, required: options.role },
    )
    return { ok: false, message: 'You do not have permission to do this.' }
  }
  if (options.sensitive) {
    const refusal = await reverificationRefusal(operator, session, raw)
    if (refusal) return refusal
  }
  if (raw && typeof raw === 'object') {
    raw = Object.fromEntries(Object.entries(raw).filter(([key]) => !(REVERIFY_FIELDS as readonly string[]).includes(key)))
  }
  // Text PostgreSQL cannot store is refused for every form alike, before any schema sees it.
  const unstorable = unstorableFields(raw)
  if (unstorable.length > 0) {
    return {
      ok: false,
      message: 'Check the highlighted fields.',
      fieldErrors: Object.fromEntries(unstorable.map((field) => [field, [unstorableTextMessage(field)]])),
    }
  }
  const parsed = options.schema.safeParse(raw)
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {}
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? 'form')
      ;(fieldErrors[key] ??= []).push(issue.message)
    }
    return { ok: false, message: 'Check the highlighted fields.', fieldErrors }
  }
  const context: ActionContext = { operator, actor: { name: operator.email, id: operator.id }, sessionId: session?.id ?? null }
  try {
    const outcome = (await handler(parsed.data, context)) ?? {}
    return {
      ok: true,
      message: outcome.message ?? 'Saved.',
      ...(outcome.secret ? { secret: outcome.secret } : {}),
      ...(outcome.redirectTo ? { redirectTo: outcome.redirectTo } : {}),
    }
  } catch (error) {
    if (error instanceof FieldError) return { ok: false, message: error.message, fieldErrors: { [error.field]: [error.message] } }
    if (error instanceof z.ZodError) {
      return { ok: false, message: error.issues.map((issue) => issue.message).join(' ') }
    }
    if (knownErrors.some((type) => error instanceof type)) return { ok: false, message: (error as Error).message }
    logger.error({ err: error }, 'Portal action failed')
    return { ok: false, message: 'Something went wrong. It has been logged.' }
  }
}

/** Wraps a use case as a server action for `useActionState(action, initialActionState)`. */
export function adminAction<S extends z.ZodType>(
  options: ActionOptions<S>,
  handler: (input: z.output<S>, context: ActionContext) => Promise<ActionOutcome>,
): FormAction {
  return async (_previous: ActionState, formData: FormData): Promise<ActionState> => {
    const [operator, session] = await Promise.all([currentOperator(), currentSession()])
    const state = await runAdminAction(operator, options, handler, formDataToObject(formData), session)
    if (state.ok) revalidatePath('/', 'layout')
    // A page that no longer exists (a deleted IdP) is left by a redirect, outside the error handling above.
    if (state.ok && state.redirectTo && !state.secret) redirect(state.redirectTo)
    return state
  }
}
