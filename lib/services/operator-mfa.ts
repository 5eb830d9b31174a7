import 'server-only'
import { createHash, randomBytes } from 'node:crypto'
import { Secret, TOTP } from 'otpauth'
import QRCode from 'qrcode'
import { withTransaction } from '../db/client'
import {
  consumeRecoveryCode,
  consumeTotpStep,
  countUnusedRecoveryCodes,
  deleteRecoveryCodes,
  findOperatorCredentials,
  findOperatorCredentialsById,
  insertRecoveryCodes,
  updateOperator,
  type OperatorCredentials,
} from '../db/operators'
import { deletePasskeysOfOperator } from '../db/passkeys'
import { endOperatorSessions, findSessionWithOperator, markSessionVerified, updateSessionState } from '../db/operator-sessions'
import { openSecret, sealSecret } from '../server-secret'
import { recordAudit, type Actor } from './audit'
import { ConflictError, NotFoundError } from './errors'
import { checkOwnPassword, isMfaRequired, limitKeys, VERIFY_LIMIT, type SignedInOperator } from './portal-auth'
import { releaseAttempt, reserveAttempt, type Limit } from './sign-in-limits'

/**
 * TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of clock drift either way) with single-use
 * recovery codes. Secrets are encrypted at rest (AES-256-GCM); recovery codes are stored as SHA-256 digests,
 * which suffices for 50 random bits that nobody chose.
 */

export const ISSUER = 'TraffiTech Provisioning'
export const RECOVERY_CODE_COUNT = 10
const DRIFT_STEPS = 1

export class MfaCodeError extends Error {}

/** Its key (HKDF info totp-secret-encryption) is the one TOTP secrets were always sealed with: stored ones still open. */
const TOTP_SECRET_PURPOSE = 'totp-secret'

function totpFor(email: string, base32: string) {
  return new TOTP({ issuer: ISSUER, label: email, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(base32) })
}

/** The time step a code belongs to, or null when it matches none within the allowed drift. */
function matchTotp(totp: TOTP, code: string, now: Date): number | null {
  const delta = totp.validate({ token: code, timestamp: now.getTime(), window: DRIFT_STEPS })
  return delta === null ? null : Math.floor(now.getTime() / 1000 / 30) + delta
}

const normalizeRecoveryCode = (code: string) => code.toLowerCase().replace(/[^0-9a-z]/g, '')
const hashRecoveryCode = (code: string) => createHash('sha256').update(normalizeRecoveryCode(code)).digest('hex')
const RECOVERY_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

/** Ten characters from a 32-letter alphabet (50 bits), shown as xxxxx-xxxxx. */
function generateRecoveryCode(): string {
  const chars = Array.from(randomBytes(10), (byte) => RECOVERY_ALPHABET[byte % 32]).join('')
  return `${chars.slice(0, 5)}-${chars.slice(5)}`
}

export type Enrolment = { secret: string; uri: string; qrSvg: string }

/** The secret to enrol (made once and kept until confirmed, so a reload shows the same QR code). */
export async function startMfaEnrolment(operatorId: string): Promise<Enrolment> {
  const operator = await findOperatorCredentialsById(operatorId)
  if (!operator) throw new NotFoundError('No such operator.')
  if (operator.mfaEnabled) throw new ConflictError('Two-factor sign-in is already on.')
  let base32 = operator.mfaPendingSecret ? openSecret(TOTP_SECRET_PURPOSE, operator.mfaPendingSecret) : null
  if (!base32) {
    base32 = new Secret({ size: 20 }).base32
    await updateOperator(operatorId, { mfaPendingSecret: sealSecret(TOTP_SECRET_PURPOSE, base32) })
  }
  const uri = totpFor(operator.email, base32).toString()
  return { secret: base32, uri, qrSvg: await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' }) }
}

/** Checks a second factor: a current TOTP code (each step accepted once) or an unused recovery code. */
async function verifySecondFactor(operator: OperatorCredentials, code: string, now: Date): Promise<'totp' | 'recovery' | null> {
  const trimmed = code.replace(/\s/g, '').slice(0, 64)
  if (/^\d{6}$/.test(trimmed)) {
    if (!operator.mfaSecret) return null
    const step = matchTotp(totpFor(operator.email, openSecret(TOTP_SECRET_PURPOSE, operator.mfaSecret)), trimmed, now)
    return step !== null && (await consumeTotpStep(operator.id, step)) ? 'totp' : null
  }
  if (normalizeRecoveryCode(trimmed).length !== 10) return null
  return (await consumeRecoveryCode(operator.id, hashRecoveryCode(trimmed), now)) ? 'recovery' : null
}

/**
 * One second-factor check under the operator's attempt limit: guessing codes (or sending forged passkey answers)
 * locks like guessing passwords. `check` returns null for a wrong answer.
 */
export async function underVerifyLimit<T>(
  operator: OperatorCredentials,
  now: Date,
  check: () => Promise<T | null>,
  refusal: string,
): Promise<T> {
  const limit: Limit = { key: limitKeys.verify(operator.id), max: VERIFY_LIMIT }
  const reservation = await reserveAttempt([limit], now)
  if (!reservation.allowed) throw new MfaCodeError('Too many wrong codes: wait a few minutes and try again.')
  const result = await check()
  if (result === null) {
    for (const key of reservation.newlyLocked) {
      await recordAudit(
        { name: 'system' },
        'operator.lockout',
        { type: 'sign-in-limit', id: key },
        { email: operator.email, key },
      )
    }
    throw new MfaCodeError(refusal)
  }
  await releaseAttempt([limit.key], [], now)
  return result
}

function checkSecondFactor(operator: OperatorCredentials, code: string, now: Date) {
  return underVerifyLimit(operator, now, () => verifySecondFactor(operator, code, now), 'That code is not correct.')
}

/** Confirms enrolment with a first code; returns the recovery codes, shown once. Other sessions end. */
export async function confirmMfaEnrolment(operatorId: string, code: string, sessionId: string | null, now = new Date()) {
  const operator = await findOperatorCredentialsById(operatorId)
  if (!operator) throw new NotFoundError('No such operator.')
  if (operator.mfaEnabled) throw new ConflictError('Two-factor sign-in is already on.')
  if (!operator.mfaPendingSecret) throw new MfaCodeError('Start the enrolment again: no secret is waiting for confirmation.')
  const base32 = openSecret(TOTP_SECRET_PURPOSE, operator.mfaPendingSecret)
  const limit: Limit = { key: limitKeys.verify(operator.id), max: VERIFY_LIMIT }
  const reservation = await reserveAttempt([limit], now)
  if (!reservation.allowed) throw new MfaCodeError('Too many wrong codes: wait a few minutes and try again.')
  const step = matchTotp(totpFor(operator.email, base32), code.replace(/\s/g, '').slice(0, 64), now)
  if (step === null) throw new MfaCodeError('That code is not correct. Check the time on your phone and try the next code.')
  await releaseAttempt([limit.key], [], now)
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode)
  await withTransaction(async () => {
    await updateOperator(operatorId, {
      mfaSecret: operator.mfaPendingSecret,
      mfaPendingSecret: null,
      mfaEnabledAt: now,
      mfaLastStep: step,
    })
    await insertRecoveryCodes(operatorId, codes.map(hashRecoveryCode))
    const ended = await endOperatorSessions(operatorId, 'mfa-changed', now, sessionId ?? undefined)
    if (sessionId) await updateSessionState(sessionId, 'active', now)
    await recordAudit(
      { name: operator.email },
      'operator.mfa.enrol',
      { type: 'operator', id: operatorId },
      { method: 'totp', endedSessions: ended },
    )
  })
  return codes
}

export type SecondFactorMethod = 'totp' | 'recovery' | 'passkey'

/** The second step of sign-in: the session becomes active with a TOTP or recovery code. */
export function completeMfaSignIn(sessionId: string, code: string, now = new Date()) {
  return completeMfaSignInWith(sessionId, (operator) => checkSecondFactor(operator, code, now), now)
}

/**
 * The second step with any method: `check` proves the factor (throwing MfaCodeError when it fails), then the
 * session becomes active and the sign-in is audited.
 */
export async function completeMfaSignInWith(
  sessionId: string,
  check: (operator: OperatorCredentials) => Promise<SecondFactorMethod>,
  now = new Date(),
) {
  const session = await findSessionWithOperator(sessionId)
  if (!session || session.endedAt || session.state !== 'mfa_required')
    throw new NotFoundError('Your session has ended. Sign in again.')
  const operator = await findOperatorCredentialsById(session.operatorId)
  if (!operator || operator.disabled) throw new NotFoundError('Your session has ended. Sign in again.')
  let method: SecondFactorMethod
  try {
    method = await check(operator)
  } catch (error) {
    await recordAudit(
      { name: operator.email },
      'operator.sign-in.failed',
      { type: 'operator', id: operator.id },
      { step: 'mfa', address: session.address },
    )
    throw error
  }
  const remaining = method === 'recovery' ? await countUnusedRecoveryCodes(operator.id) : undefined
  await withTransaction(async () => {
    await updateSessionState(sessionId, 'active', now)
    await recordAudit(
      { name: operator.email },
      'operator.sign-in',
      { type: 'operator', id: operator.id },
      {
        address: session.address,
        userAgent: session.userAgent,
        session: sessionId,
        mfa: method,
        ...(remaining !== undefined ? { recoveryCodesLeft: remaining } : {}),
      },
    )
  })
  return { method, recoveryCodesLeft: remaining }
}

/** Re-verification before a sensitive action: the password, and a code when MFA is on. */
export async function reverifySession(
  operator: SignedInOperator,
  sessionId: string,
  password: string,
  code: string,
  now = new Date(),
) {
  const credentials = await checkOwnPassword(operator.id, password, now)
  if (credentials.mfaEnabled) await checkSecondFactor(credentials, code, now)
  // An operator whose only second factor is a passkey confirms with it (reverifySessionWithPasskey).
  else if (credentials.hasPasskey) throw new MfaCodeError('Confirm with your passkey.')
  await markSessionVerified(sessionId, now)
}

/** Turns MFA off after the current password and a code; refused while MFA is required for everyone. */
export async function removeMfa(
  operator: SignedInOperator,
  password: string,
  code: string,
  sessionId: string | null,
  now = new Date(),
) {
  if (await isMfaRequired())
    throw new ConflictError('Two-factor sign-in is required for every operator: it cannot be turned off.')
  const credentials = await checkOwnPassword(operator.id, password, now)
  if (!credentials.mfaEnabled) throw new ConflictError('Two-factor sign-in is not on.')
  await checkSecondFactor(credentials, code, now)
  await withTransaction(async () => {
    await updateOperator(operator.id, { mfaSecret: null, mfaPendingSecret: null, mfaEnabledAt: null, mfaLastStep: null })
    await deleteRecoveryCodes(operator.id)
    const ended = await endOperatorSessions(operator.id, 'mfa-changed', now, sessionId ?? undefined)
    if (sessionId) await markSessionVerified(sessionId, now)
    await recordAudit(
      { name: operator.email },
      'operator.mfa.remove',
      { type: 'operator', id: operator.id },
      { endedSessions: ended },
    )
  })
}

/** For an operator who lost their device (the CLI): TOTP and passkeys off, every session ended; they enrol again. */
export async function resetMfa(actor: Actor, email: string, now = new Date()) {
  const operator = await findOperatorCredentials(email.trim().toLowerCase())
  if (!operator) throw new NotFoundError(`No operator has the email '${email}'.`)
  const ended = await withTransaction(async () => {
    await updateOperator(operator.id, { mfaSecret: null, mfaPendingSecret: null, mfaEnabledAt: null, mfaLastStep: null })
    await deleteRecoveryCodes(operator.id)
    const passkeysRemoved = await deletePasskeysOfOperator(operator.id)
    const count = await endOperatorSessions(operator.id, 'mfa-reset', now)
    await recordAudit(
      actor,
      'operator.mfa.reset',
      { type: 'operator', id: operator.id },
      { email: operator.email, endedSessions: count, passkeysRemoved },
    )
    return count
  })
  return { id: operator.id, email: operator.email, hadMfa: operator.mfaEnabled || operator.hasPasskey, endedSessions: ended }
}

export async function mfaStatus(operatorId: string) {
  const operator = await findOperatorCredentialsById(operatorId)
  if (!operator) throw new NotFoundError('No such operator.')
  return { enabled: operator.mfaEnabled, recoveryCodesLeft: operator.mfaEnabled ? await countUnusedRecoveryCodes(operatorId) : 0 }
}
