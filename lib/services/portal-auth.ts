import 'server-only'
import { isUuid } from '../scim/ids'
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'
import { withTransaction } from '../db/client'
import {
  countAdmins,
  findOperatorById,
  findOperatorCredentials,
  findOperatorCredentialsById,
  insertOperator,
  lockActiveAdmins,
  lockOperatorsForSetup,
  updateOperator,
} from '../db/operators'
import {
  endOperatorSessions,
  endSession,
  findSessionWithOperator,
  insertSession,
  listLiveSessions,
  markSessionVerified,
  touchSession,
  type OperatorSessionState,
} from '../db/operator-sessions'
import { deleteLimits, deleteLimitsWithPrefix, findLockedKeys } from '../db/sign-in-limits'
import { consumeSetupToken, findUsableSetupTokenHashes, replaceSetupToken } from '../db/setup-tokens'
import { findPortalSetting, savePortalSetting } from '../db/portal-settings'
import { UniqueViolationError } from '../db/sql'
import { env } from '../env'
import { escapeUnstorableText, hasUnstorableText } from '../storable-text'
import { recordAudit, type Actor } from './audit'
import { ConflictError, NotFoundError } from './errors'
import { operatorRoles } from './operators'
import { hashPassword, needsRehash, passwordSchema, verifyPassword } from './passwords'
import { releaseAttempt, reserveAttempt, type Limit } from './sign-in-limits'

/** Portal sign-in, sessions, the first admin, and the operator changes that end sessions. */

export { passwordSchema } from './passwords'

/** Failures allowed before a lock: one account from one address, one account from addresses that have failed, one address. */
export const SIGN_IN_LIMITS = { accountFromAddress: 5, account: 10, address: 30 } as const
/** Wrong MFA codes or passwords (re-verification) allowed per operator before a lock. */
export const VERIFY_LIMIT = 5
/** Sensitive actions ask for the password again when the last proof is older than this. */
export const REVERIFY_AFTER_MS = 10 * 60_000
/** lastSeenAt is written at most this often per session. */
const TOUCH_EVERY_MS = 60_000

export type SignedInOperator = { id: string; email: string; role: 'admin' | 'support' }

export type SignInAttempt = { email: string; password: string; address: string | null; userAgent: string | null }

export type SignInResult =
  | { ok: true; operator: SignedInOperator; sessionId: string; state: OperatorSessionState }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'disabled' }

/** The one answer to an unknown email, a wrong password and a locked account alike. */
export const SIGN_IN_REFUSED = 'Wrong email or password. After repeated failures, sign-in pauses for a while: wait and try again.'

const MAX_EMAIL_LENGTH = 320
const MAX_HEADER_LENGTH = 512

/** A header value as it may be stored: bounded, and free of text PostgreSQL refuses. */
function storableHeader(value: string | null): string | null {
  if (!value) return null
  return escapeUnstorableText(value.slice(0, MAX_HEADER_LENGTH))
}

function normalizeEmail(email: string): string | null {
  const normalized = email.trim().toLowerCase()
  if (normalized.length === 0 || normalized.length > MAX_EMAIL_LENGTH || hasUnstorableText(normalized)) return null
  return normalized
}

export const limitKeys = {
  address: (address: string) => `address:${address}`,
  account: (email: string) => `account:${email}`,
  accountFromAddress: (email: string, address: string) => `account-address:${email}|${address}`,
  accountFromAnyAddress: (email: string) => `account-address:${email}|`,
  verify: (operatorId: string) => `verify:${operatorId}`,
}

function signInLimits(email: string | null, address: string | null): Limit[] {
  if (!address) {
    // Without a client address (server.ts not in front, no trusted proxy) address keys would put every client
    // in one bucket that anyone could lock: only the account is counted then.
    return email ? [{ key: limitKeys.account(email), max: SIGN_IN_LIMITS.account }] : []
  }
  const addressKey = limitKeys.address(address)
  const limits: Limit[] = [{ key: addressKey, max: SIGN_IN_LIMITS.address }]
  if (email) {
    limits.push({ key: limitKeys.accountFromAddress(email, address), max: SIGN_IN_LIMITS.accountFromAddress })
    // A lock of the account as a whole never refuses an address that has not failed, so nobody can keep an
    // admin out by failing on purpose from elsewhere.
    limits.push({
      key: limitKeys.account(email),
      max: SIGN_IN_LIMITS.account,
      enforce: (rows) => (rows.get(addressKey)?.failures ?? 0) > 0,
    })
  }
  return limits
}

// Verifying against a throwaway hash keeps an unknown email as slow as a wrong password.
let decoyHash: Promise<string> | undefined

async function auditLockouts(keys: string[], details: Record<string, unknown>) {
  for (const key of keys) {
    await recordAudit({ name: 'system' }, 'operator.lockout', { type: 'sign-in-limit', id: key }, { ...details, key })
  }
}

export async function signInOperator(attempt: SignInAttempt, now = new Date()): Promise<SignInResult> {
  const email = normalizeEmail(attempt.email)
  const address = storableHeader(attempt.address)
  const userAgent = storableHeader(attempt.userAgent)
  const limits = signInLimits(email, address)
  const reservation = await reserveAttempt(limits, now)
  const operator = email ? await findOperatorCredentials(email) : undefined
  // The hash runs in every case, locked or not, so the answer takes the same time whatever the reason.
  decoyHash ??= hashPassword(randomBytes(16).toString('base64'))
  const valid = await verifyPassword(attempt.password.slice(0, 1000), operator?.passwordHash ?? (await decoyHash))
  const auditDetails = { email: email ?? escapeUnstorableText(attempt.email.slice(0, MAX_EMAIL_LENGTH)), address, userAgent }
  if (!reservation.allowed) return { ok: false, reason: 'invalid' }
  if (!operator || !valid) {
    await recordAudit(
      { name: auditDetails.email },
      'operator.sign-in.failed',
      { type: 'operator', id: operator?.id ?? null },
      auditDetails,
    )
    await auditLockouts(reservation.newlyLocked, { email: auditDetails.email, address })
    return { ok: false, reason: 'invalid' }
  }
  await releaseAttempt(
    address
      ? [limitKeys.account(operator.email), limitKeys.accountFromAddress(operator.email, address)]
      : [limitKeys.account(operator.email)],
    address ? limits.filter((limit) => limit.key === limitKeys.address(address)) : [],
    now,
  )
  // The password is right: only now say that the account is disabled, so the state is not probeable.
  if (operator.disabled) {
    await recordAudit(
      { name: operator.email },
      'operator.sign-in.failed',
      { type: 'operator', id: operator.id },
      { ...auditDetails, reason: 'disabled' },
    )
    return { ok: false, reason: 'disabled' }
  }
  const state: OperatorSessionState =
    operator.mfaEnabled || operator.hasPasskey ? 'mfa_required' : (await isMfaRequired()) ? 'mfa_enrolment' : 'active'
  const upgradedHash = needsRehash(operator.passwordHash) ? await hashPassword(attempt.password) : null
  const sessionId = await withTransaction(async () => {
    await updateOperator(operator.id, { lastSignInAt: now, ...(upgradedHash ? { passwordHash: upgradedHash } : {}) })
    const id = await insertSession({ operatorId: operator.id, state, userAgent, address, at: now })
    await recordAudit(
      { name: operator.email },
      state === 'active' ? 'operator.sign-in' : 'operator.sign-in.password',
      { type: 'operator', id: operator.id },
      { address, userAgent, session: id, ...(state !== 'active' ? { next: state } : {}) },
    )
    return id
  })
  return { ok: true, operator: { id: operator.id, email: operator.email, role: operator.role }, sessionId, state }
}

// ---------- sessions ----------

export type ResumedSession = {
  id: string
  state: OperatorSessionState
  verifiedAt: Date
  createdAt: Date
  operator: SignedInOperator
  /** A TOTP authenticator app is enrolled. */
  mfaEnabled: boolean
  /** At least one passkey is registered (a second factor on its own). */
  hasPasskey: boolean
}

export function sessionTimeouts() {
  return { idleMs: env().SESSION_IDLE_MINUTES * 60_000, absoluteMs: env().SESSION_MAX_HOURS * 3_600_000 }
}

/**
 * The session behind a cookie, re-read from the database on every request: ended, timed-out and disabled
 * operators' sessions stop working at once, and a role change applies on the next request.
 */
export async function resumeSession(sessionId: string, now = new Date()): Promise<ResumedSession | null> {
  if (!isUuid(sessionId)) return null
  const session = await findSessionWithOperator(sessionId)
  if (!session || session.endedAt || session.disabled) return null
  const { idleMs, absoluteMs } = sessionTimeouts()
  const idle = now.getTime() - session.lastSeenAt.getTime() > idleMs
  const expired = now.getTime() - session.createdAt.getTime() > absoluteMs
  if (idle || expired) {
    await endSession(session.id, expired ? 'expired' : 'idle-timeout', now)
    return null
  }
  await touchSession(session.id, now, new Date(now.getTime() - TOUCH_EVERY_MS))
  let state = session.state
  // The requirement is read at every request: turning it on reaches operators already signed in, and turning
  // it off releases those waiting at the enrolment (their password is verified).
  const hasSecondFactor = session.mfaEnabled || session.hasPasskey
  if ((state === 'active' && !hasSecondFactor) || state === 'mfa_enrolment') {
    state = (await isMfaRequired()) && !hasSecondFactor ? 'mfa_enrolment' : 'active'
  }
  return {
    id: session.id,
    state,
    verifiedAt: session.verifiedAt,
    createdAt: session.createdAt,
    operator: { id: session.operatorId, email: session.email, role: session.role },
    mfaEnabled: session.mfaEnabled,
    hasPasskey: session.hasPasskey,
  }
}

export function needsReverification(session: Pick<ResumedSession, 'verifiedAt'>, now = new Date()): boolean {
  return now.getTime() - session.verifiedAt.getTime() > REVERIFY_AFTER_MS
}

export async function signOutSession(sessionId: string, now = new Date()): Promise<void> {
  if (!isUuid(sessionId)) return
  await withTransaction(async () => {
    const operatorId = await endSession(sessionId, 'sign-out', now)
    if (!operatorId) return
    const operator = await findOperatorCredentialsById(operatorId)
    await recordAudit(
      { name: operator?.email ?? operatorId },
      'operator.sign-out',
      { type: 'operator', id: operatorId },
      { session: sessionId },
    )
  })
}

export async function listOperatorSessions(operatorId: string, now = new Date()) {
  const { idleMs, absoluteMs } = sessionTimeouts()
  return listLiveSessions(operatorId, new Date(now.getTime() - idleMs), new Date(now.getTime() - absoluteMs))
}

/** An operator ends one of their own sessions. */
export async function endOwnSession(operator: SignedInOperator, sessionId: string, now = new Date()) {
  await withTransaction(async () => {
    const ended = await endSession(sessionId, 'ended-by-operator', now, operator.id)
    if (!ended) throw new NotFoundError('That session has already ended.')
    await recordAudit(
      { name: operator.email },
      'operator.session.end',
      { type: 'operator', id: operator.id },
      { session: sessionId },
    )
  })
}

/** An operator ends every session but the one they are using. */
export async function endOtherOwnSessions(operator: SignedInOperator, currentSessionId: string, now = new Date()) {
  return withTransaction(async () => {
    const count = await endOperatorSessions(operator.id, 'ended-by-operator', now, currentSessionId)
    await recordAudit(
      { name: operator.email },
      'operator.session.end',
      { type: 'operator', id: operator.id },
      { others: true, count },
    )
    return count
  })
}

/** An admin ends all sessions of another operator ("session ended by someone else"). */
export async function endSessionsOfOperator(actor: Actor & { id: string }, operatorId: string, now = new Date()) {
  return withTransaction(async () => {
    const operator = await findOperatorCredentialsById(operatorId)
    if (!operator) throw new NotFoundError('No such operator.')
    const count = await endOperatorSessions(operatorId, 'ended-by-admin', now)
    await recordAudit(actor, 'operator.sessions.ended', { type: 'operator', id: operatorId }, { email: operator.email, count })
    return { email: operator.email, count }
  })
}

// ---------- sign-in locks ----------

export async function isSignInLocked(email: string, now = new Date()): Promise<boolean> {
  return (await findLockedKeys([limitKeys.account(email)], now)).length > 0
}

/** An admin lifts every sign-in and code lock of an operator (address locks stay: they protect the portal). */
export async function unlockOperator(actor: Actor, operatorId: string) {
  const operator = await findOperatorCredentialsById(operatorId)
  if (!operator) throw new NotFoundError('No such operator.')
  await withTransaction(async () => {
    await deleteLimits([limitKeys.account(operator.email), limitKeys.verify(operator.id)])
    await deleteLimitsWithPrefix(limitKeys.accountFromAnyAddress(operator.email))
    await recordAudit(actor, 'operator.unlock', { type: 'operator', id: operator.id }, { email: operator.email })
  })
  return operator
}

// ---------- portal settings ----------

const REQUIRE_MFA = 'requireMfa'

export async function isMfaRequired(): Promise<boolean> {
  return (await findPortalSetting(REQUIRE_MFA)) === true
}

export async function setMfaRequired(actor: Actor, required: boolean) {
  await withTransaction(async () => {
    await savePortalSetting(REQUIRE_MFA, required, actor.name)
    await recordAudit(actor, 'settings.require-mfa', { type: 'setting', id: REQUIRE_MFA }, { required })
  })
}

// ---------- the first admin ----------

export const SETUP_TOKEN_TTL_MS = 60 * 60_000

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest()

/** A new one-time setup token while no admin exists (the previous one stops working); null once one does. */
export async function issueSetupToken(now = new Date()): Promise<string | null> {
  if ((await countAdmins()) > 0) return null
  const token = randomBytes(32).toString('base64url')
  await replaceSetupToken(digest(token).toString('hex'), now, new Date(now.getTime() + SETUP_TOKEN_TTL_MS))
  return token
}

/** Compares digests, so any input (empty, huge, multi-byte) takes the same constant-time path. */
export async function setupTokenMatches(token: unknown, now = new Date()): Promise<boolean> {
  if (typeof token !== 'string') return false
  const given = digest(token)
  let matched = false
  for (const hash of await findUsableSetupTokenHashes(now)) {
    if (timingSafeEqual(given, Buffer.from(hash, 'hex'))) matched = true
  }
  return matched
}

export class SetupTokenError extends Error {}

export const firstAdminSchema = z.object({
  email: z
    .email('Enter a valid email address.')
    .max(MAX_EMAIL_LENGTH)
    .transform((email) => email.toLowerCase()),
  password: passwordSchema,
})

/**
 * Creates the first admin in one transaction that takes a table lock, refuses when any admin exists and uses
 * the setup token up: of concurrent setups exactly one succeeds.
 */
export async function createFirstAdmin(token: unknown, input: z.input<typeof firstAdminSchema>, now = new Date()) {
  if (!(await setupTokenMatches(token, now))) throw new SetupTokenError('This setup link is not valid or has expired.')
  const data = firstAdminSchema.parse(input)
  const passwordHash = await hashPassword(data.password)
  try {
    return await withTransaction(async () => {
      await lockOperatorsForSetup()
      if ((await countAdmins()) > 0) throw new ConflictError('An admin already exists: sign in instead.')
      if (!(await consumeSetupToken(digest(token as string).toString('hex'), now))) {
        throw new SetupTokenError('This setup link is not valid or has expired.')
      }
      const operator = await insertOperator({ email: data.email, role: 'admin', passwordHash })
      await recordAudit({ name: data.email }, 'operator.setup', { type: 'operator', id: operator.id }, { email: data.email })
      return operator
    })
  } catch (error) {
    if (error instanceof UniqueViolationError)
      throw new ConflictError(`An operator with the email '${data.email}' already exists.`)
    throw error
  }
}

// ---------- changes that end sessions ----------

export class WrongPasswordError extends Error {}

/** Verifies an operator's own password, counted against their verification limit. */
export async function checkOwnPassword(operatorId: string, password: string, now = new Date()) {
  const operator = await findOperatorCredentialsById(operatorId)
  if (!operator) throw new NotFoundError('No such operator.')
  const limit: Limit = { key: limitKeys.verify(operatorId), max: VERIFY_LIMIT }
  const reservation = await reserveAttempt([limit], now)
  const valid = await verifyPassword(password.slice(0, 1000), operator.passwordHash)
  if (!reservation.allowed) throw new WrongPasswordError('Too many wrong attempts: wait a few minutes and try again.')
  if (!valid) {
    await auditLockouts(reservation.newlyLocked, { email: operator.email })
    throw new WrongPasswordError('The current password is not correct.')
  }
  await releaseAttempt([limit.key], [], now)
  return operator
}

/** Changes the operator's password and ends every other session of theirs. */
export async function changeOwnPassword(
  operatorId: string,
  current: string,
  next: string,
  currentSessionId?: string,
  now = new Date(),
) {
  const operator = await checkOwnPassword(operatorId, current, now)
  const passwordHash = await hashPassword(passwordSchema.parse(next))
  await withTransaction(async () => {
    await updateOperator(operatorId, { passwordHash })
    const ended = await endOperatorSessions(operatorId, 'password-changed', now, currentSessionId)
    if (currentSessionId) await markSessionVerified(currentSessionId, now)
    await recordAudit(
      { name: operator.email },
      'operator.password',
      { type: 'operator', id: operatorId },
      { endedSessions: ended },
    )
  })
}

export class LastAdminError extends Error {}

async function lockOtherOperator(actor: Actor & { id: string }, operatorId: string) {
  if (actor.id === operatorId) throw new LastAdminError('You cannot change your own role or disable yourself.')
  const operator = await findOperatorCredentialsById(operatorId, { forUpdate: true })
  if (!operator) throw new NotFoundError('No such operator.')
  return operator
}

export async function setOperatorRole(
  actor: Actor & { id: string },
  operatorId: string,
  role: (typeof operatorRoles)[number],
  now = new Date(),
) {
  if (!isUuid(operatorId)) throw new NotFoundError('No such operator.')
  return withTransaction(async () => {
    const activeAdmins = await lockActiveAdmins()
    const operator = await lockOtherOperator(actor, operatorId)
    if (operator.role === 'admin' && role !== 'admin' && !operator.disabled && activeAdmins <= 1) {
      throw new LastAdminError('At least one active admin must remain.')
    }
    await updateOperator(operatorId, { role })
    const ended = await endOperatorSessions(operatorId, 'role-changed', now)
    await recordAudit(
      actor,
      'operator.role',
      { type: 'operator', id: operatorId },
      { email: operator.email, from: operator.role, to: role, endedSessions: ended },
    )
    return { id: operator.id, email: operator.email, role: operator.role }
  })
}

export async function setOperatorDisabled(
  actor: Actor & { id: string },
  operatorId: string,
  disabled: boolean,
  now = new Date(),
) {
  if (!isUuid(operatorId)) throw new NotFoundError('No such operator.')
  return withTransaction(async () => {
    const activeAdmins = await lockActiveAdmins()
    const operator = await lockOtherOperator(actor, operatorId)
    if (disabled && operator.role === 'admin' && !operator.disabled && activeAdmins <= 1) {
      throw new LastAdminError('At least one active admin must remain.')
    }
    await updateOperator(operatorId, { disabled })
    const ended = disabled ? await endOperatorSessions(operatorId, 'disabled', now) : 0
    // Re-enabling also lifts a sign-in lock, the usual reason for asking.
    if (!disabled) await deleteLimits([limitKeys.account(operator.email), limitKeys.verify(operator.id)])
    await recordAudit(
      actor,
      disabled ? 'operator.disable' : 'operator.enable',
      { type: 'operator', id: operatorId },
      {
        email: operator.email,
        ...(disabled ? { endedSessions: ended } : {}),
      },
    )
    return { id: operator.id, email: operator.email, role: operator.role }
  })
}

/** The operator behind an id, or null once disabled or deleted. */
export async function findActiveOperator(operatorId: string): Promise<SignedInOperator | null> {
  const operator = isUuid(operatorId) ? await findOperatorById(operatorId) : null
  if (!operator || operator.disabled) return null
  return { id: operator.id, email: operator.email, role: operator.role }
}
