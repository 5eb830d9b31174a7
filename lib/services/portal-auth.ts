import { z } from 'zod'
import { countOperators, findOperatorById, findOperatorWithHash, insertOperator, updateOperator } from '../db/operators'
import { countActiveAdmins, recordFailedSignIn, recordSuccessfulSignIn } from '../db/portal-queries'
import { recordAudit, type Actor } from './audit'
import { hashPassword, operatorRoles, verifyPassword } from './operators'
import { ConflictError, NotFoundError } from './errors'

/** Portal sign-in with throttling, and the operator changes made in the portal. */

export const MAX_FAILED_SIGN_INS = 5
export const LOCK_MINUTES = 15

export type SignedInOperator = { id: string; email: string; role: 'admin' | 'support' }

export type SignInResult =
  | { ok: true; operator: SignedInOperator }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; lockedUntil: Date }
  | { ok: false; reason: 'disabled' }

// Verifying against a throwaway hash keeps an unknown email as slow as a wrong password.
let decoyHash: Promise<string> | undefined

export async function signInOperator(email: string, password: string, now = new Date()): Promise<SignInResult> {
  const operator = await findOperatorWithHash(email.trim().toLowerCase())
  if (!operator) {
    decoyHash ??= hashPassword('decoy password')
    await verifyPassword(password, await decoyHash)
    return { ok: false, reason: 'invalid' }
  }
  if (operator.lockedUntil && operator.lockedUntil > now) return { ok: false, reason: 'locked', lockedUntil: operator.lockedUntil }
  if (!(await verifyPassword(password, operator.passwordHash))) {
    const updated = await recordFailedSignIn(operator.id, MAX_FAILED_SIGN_INS, new Date(now.getTime() + LOCK_MINUTES * 60_000))
    if (updated.lockedUntil && updated.lockedUntil > now) return { ok: false, reason: 'locked', lockedUntil: updated.lockedUntil }
    return { ok: false, reason: 'invalid' }
  }
  // The password is right: only now say that the account is disabled, so the state is not probeable.
  if (operator.disabled) return { ok: false, reason: 'disabled' }
  await recordSuccessfulSignIn(operator.id, now)
  return { ok: true, operator: { id: operator.id, email: operator.email, role: operator.role } }
}

/** The operator behind a session, or null once disabled or deleted: sessions stop working at once. */
export async function findActiveOperator(operatorId: string): Promise<SignedInOperator | null> {
  const operator = z.uuid().safeParse(operatorId).success ? await findOperatorById(operatorId) : null
  if (!operator || operator.disabled) return null
  return { id: operator.id, email: operator.email, role: operator.role }
}

export const passwordSchema = z
  .string()
  .min(12, 'Use at least 12 characters.')
  .max(200, 'Use at most 200 characters.')

export const firstAdminSchema = z.object({
  email: z.email('Enter a valid email address.').transform((email) => email.toLowerCase()),
  password: passwordSchema,
})

/** Creates the first admin; refused once any operator exists, which makes the setup link single-use. */
export async function createFirstAdmin(input: z.input<typeof firstAdminSchema>) {
  const data = firstAdminSchema.parse(input)
  if ((await countOperators()) > 0) throw new ConflictError('An operator already exists: sign in instead.')
  const operator = await insertOperator({ email: data.email, role: 'admin', passwordHash: await hashPassword(data.password) })
  await recordAudit({ name: data.email }, 'operator.setup', { type: 'operator', id: operator.id }, { email: data.email })
  return operator
}

export class WrongPasswordError extends Error {}

export async function changeOwnPassword(operatorId: string, current: string, next: string) {
  const operator = await findOperatorById(operatorId)
  const withHash = operator ? await findOperatorWithHash(operator.email) : null
  if (!withHash) throw new NotFoundError('No such operator.')
  if (!(await verifyPassword(current, withHash.passwordHash))) throw new WrongPasswordError('The current password is not correct.')
  await updateOperator(operatorId, { passwordHash: await hashPassword(passwordSchema.parse(next)) })
}

export class LastAdminError extends Error {}

async function requireOtherOperator(actor: Actor & { id: string }, operatorId: string) {
  if (actor.id === operatorId) throw new LastAdminError('You cannot change your own role or disable yourself.')
  const operator = await findOperatorById(operatorId)
  if (!operator) throw new NotFoundError('No such operator.')
  return operator
}

export async function setOperatorRole(actor: Actor & { id: string }, operatorId: string, role: (typeof operatorRoles)[number]) {
  const operator = await requireOtherOperator(actor, operatorId)
  if (operator.role === 'admin' && role !== 'admin' && !operator.disabled && (await countActiveAdmins()) <= 1) {
    throw new LastAdminError('At least one active admin must remain.')
  }
  await updateOperator(operatorId, { role })
  return operator
}

export async function setOperatorDisabled(actor: Actor & { id: string }, operatorId: string, disabled: boolean) {
  const operator = await requireOtherOperator(actor, operatorId)
  if (disabled && operator.role === 'admin' && !operator.disabled && (await countActiveAdmins()) <= 1) {
    throw new LastAdminError('At least one active admin must remain.')
  }
  // Re-enabling also lifts a sign-in lock, the usual reason for asking.
  await updateOperator(operatorId, disabled ? { disabled } : { disabled, failedAttempts: 0, lockedUntil: null })
  return operator
}
