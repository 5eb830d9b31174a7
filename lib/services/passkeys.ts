import 'server-only'
import { isUuid } from '../scim/ids'
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server'
import { isIP } from 'node:net'
import { z } from 'zod'
import { withTransaction } from '../db/client'
import { findOperatorCredentialsById, type OperatorCredentials } from '../db/operators'
import { endOperatorSessions, findSessionWithOperator, markSessionVerified } from '../db/operator-sessions'
import {
  consumePasskeyChallenge,
  countPasskeys,
  deletePasskey,
  findPasskeyByCredentialId,
  insertPasskey,
  listPasskeys,
  recordPasskeyUse,
  savePasskeyChallenge,
  type ChallengePurpose,
} from '../db/passkeys'
import { UniqueViolationError } from '../db/sql'
import { env } from '../env'
import { recordAudit } from './audit'
import { ConflictError, NotFoundError } from './errors'
import { completeMfaSignInWith, ISSUER, MfaCodeError, underVerifyLimit } from './operator-mfa'
import { checkOwnPassword, isMfaRequired, type SignedInOperator } from './portal-auth'

/**
 * Passkeys (WebAuthn) as a second factor after the password. The relying party is PUBLIC_URL: its host is the
 * RP ID and its origin the only accepted origin. User verification is preferred, not required: the password is
 * the knowledge factor, the passkey proves possession (user presence is always required), so security keys
 * without a PIN work too. Challenges live server-side per session and purpose, are used once and expire.
 */

export const CHALLENGE_TTL_MS = 5 * 60_000
export const MAX_PASSKEYS = 10
const USER_VERIFICATION = 'preferred' as const
const TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const

export class PasskeyError extends Error {}

export function relyingParty() {
  const url = new URL(env().PUBLIC_URL)
  return { rpID: url.hostname, origin: url.origin }
}

/** Browsers accept only a host name as relying party id: with PUBLIC_URL at an IP address, passkeys cannot work. */
export function passkeysAvailable(): boolean {
  return isIP(relyingParty().rpID.replace(/^\[|\]$/g, '')) === 0
}

const base64url = z
  .string()
  .max(16_384)
  .regex(/^[A-Za-z0-9_-]*$/, 'Not base64url.')

/** The browser's answers, bounded before the library sees them: anything else is refused as unreadable. */
const registrationResponseSchema = z.object({
  id: base64url.min(1).max(1024),
  rawId: base64url.min(1).max(1024),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url,
    attestationObject: base64url,
    transports: z.array(z.string().max(32)).max(10).optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
})

const authenticationResponseSchema = z.object({
  id: base64url.min(1).max(1024),
  rawId: base64url.min(1).max(1024),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: base64url.optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
})

/** A response as the form sends it (JSON text) or as an object; null when it is not one. */
function parseResponse<T>(schema: z.ZodType<T>, input: unknown): T | null {
  let value = input
  if (typeof input === 'string') {
    if (input.length > 65_536) return null
    try {
      value = JSON.parse(input)
    } catch {
      return null
    }
  }
  const parsed = schema.safeParse(value)
  return parsed.success ? parsed.data : null
}

const passkeyNameSchema = z.string().trim().min(1, 'Name the passkey.').max(64, 'Use at most 64 characters.')

async function newChallenge(sessionId: string, purpose: ChallengePurpose, challenge: string, now: Date) {
  await savePasskeyChallenge(sessionId, purpose, challenge, new Date(now.getTime() + CHALLENGE_TTL_MS))
}

async function requireOpenSession(sessionId: string, operatorId: string) {
  const session = await findSessionWithOperator(sessionId)
  if (!session || session.endedAt || session.operatorId !== operatorId)
    throw new NotFoundError('Your session has ended. Sign in again.')
  return session
}

// ---------- registration ----------

export async function listOperatorPasskeys(operatorId: string) {
  return (await listPasskeys(operatorId)).map(({ id, name, createdAt, lastUsedAt }) => ({ id, name, createdAt, lastUsedAt }))
}

/** Options for navigator.credentials.create; the challenge is kept for this session. */
export async function startPasskeyRegistration(
  operator: SignedInOperator,
  sessionId: string,
  now = new Date(),
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  if (!passkeysAvailable()) throw new ConflictError('Passkeys need PUBLIC_URL with a host name, not an IP address.')
  await requireOpenSession(sessionId, operator.id)
  const existing = await listPasskeys(operator.id)
  if (existing.length >= MAX_PASSKEYS) throw new ConflictError(`You have ${MAX_PASSKEYS} passkeys: remove one first.`)
  const options = await generateRegistrationOptions({
    rpName: ISSUER,
    rpID: relyingParty().rpID,
    userName: operator.email,
    userID: Buffer.from(operator.id.replace(/-/g, ''), 'hex'),
    attestationType: 'none',
    excludeCredentials: existing.map((passkey) => ({
      id: passkey.credentialId,
      transports: passkey.transports as AuthenticatorTransport[],
    })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: USER_VERIFICATION },
  })
  await newChallenge(sessionId, 'register', options.challenge, now)
  return options
}

/** Verifies the authenticator's answer to this session's challenge and stores the passkey. Other sessions end. */
export async function addPasskey(
  operator: SignedInOperator,
  sessionId: string,
  input: { name: unknown; response: unknown },
  now = new Date(),
) {
  const name = passkeyNameSchema.parse(input.name)
  const response = parseResponse(registrationResponseSchema, input.response)
  if (!response) throw new PasskeyError('The browser sent no usable passkey: try again.')
  await requireOpenSession(sessionId, operator.id)
  const expectedChallenge = await consumePasskeyChallenge(sessionId, 'register', now)
  if (!expectedChallenge) throw new PasskeyError('The passkey request has expired or was already used: try again.')
  const { rpID, origin } = relyingParty()
  const verification = await verifyRegistrationResponse({
    response: response as RegistrationResponseJSON,
    expectedChallenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    requireUserVerification: false,
  }).catch(() => null)
  if (!verification?.verified) throw new PasskeyError('The passkey could not be verified: try again.')
  const { credential } = verification.registrationInfo
  const transports = (credential.transports ?? []).filter((transport) => (TRANSPORTS as readonly string[]).includes(transport))
  try {
    return await withTransaction(async () => {
      if ((await countPasskeys(operator.id)) >= MAX_PASSKEYS)
        throw new ConflictError(`You have ${MAX_PASSKEYS} passkeys: remove one first.`)
      const id = await insertPasskey({
        operatorId: operator.id,
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        transports,
        name,
        at: now,
      })
      const ended = await endOperatorSessions(operator.id, 'mfa-changed', now, sessionId)
      await recordAudit(
        { name: operator.email },
        'operator.passkey.add',
        { type: 'operator', id: operator.id },
        { passkey: id, name, endedSessions: ended },
      )
      return { id, name }
    })
  } catch (error) {
    if (error instanceof UniqueViolationError) throw new ConflictError('This passkey is already registered.')
    throw error
  }
}

/** Removes a passkey; refused when it is the last second factor while MFA is required. Other sessions end. */
export async function removePasskey(operator: SignedInOperator, sessionId: string | null, passkeyId: string, now = new Date()) {
  if (!isUuid(passkeyId)) throw new NotFoundError('No such passkey.')
  const required = await isMfaRequired()
  return withTransaction(async () => {
    // The operator's row is locked so that two removals cannot both leave no second factor.
    const credentials = await findOperatorCredentialsById(operator.id, { forUpdate: true })
    if (!credentials) throw new NotFoundError('No such operator.')
    if (required && !credentials.mfaEnabled && (await countPasskeys(operator.id)) <= 1) {
      throw new ConflictError(
        'Two-factor sign-in is required for every operator: keep this passkey or set up an authenticator app first.',
      )
    }
    const name = await deletePasskey(operator.id, passkeyId)
    if (name === undefined) throw new NotFoundError('No such passkey.')
    const ended = await endOperatorSessions(operator.id, 'mfa-changed', now, sessionId ?? undefined)
    await recordAudit(
      { name: operator.email },
      'operator.passkey.remove',
      { type: 'operator', id: operator.id },
      { passkey: passkeyId, name, endedSessions: ended },
    )
  })
}

// ---------- sign-in and re-verification ----------

async function authenticationOptions(operatorId: string, sessionId: string, purpose: ChallengePurpose, now: Date) {
  const passkeys = await listPasskeys(operatorId)
  if (passkeys.length === 0) throw new ConflictError('You have no passkey.')
  const options = await generateAuthenticationOptions({
    rpID: relyingParty().rpID,
    allowCredentials: passkeys.map((passkey) => ({
      id: passkey.credentialId,
      transports: passkey.transports as AuthenticatorTransport[],
    })),
    userVerification: USER_VERIFICATION,
  })
  await newChallenge(sessionId, purpose, options.challenge, now)
  return options
}

/**
 * Checks an assertion against the session's challenge (used up whatever the outcome) and the operator's
 * passkeys; null when it fails. A valid signature with a counter that did not move forward means a cloned
 * authenticator: refused and audited.
 */
async function verifyAssertion(
  operator: OperatorCredentials,
  sessionId: string,
  purpose: ChallengePurpose,
  input: unknown,
  now: Date,
) {
  const response = parseResponse(authenticationResponseSchema, input)
  const expectedChallenge = await consumePasskeyChallenge(sessionId, purpose, now)
  if (!response || !expectedChallenge) return null
  const passkey = await findPasskeyByCredentialId(operator.id, response.id)
  if (!passkey) return null
  const { rpID, origin } = relyingParty()
  // The stored counter is compared below, after the signature is known to be good, so that only a genuine
  // answer with a stale counter is reported as a clone.
  const verification = await verifyAuthenticationResponse({
    response: response as AuthenticationResponseJSON,
    expectedChallenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    credential: { id: passkey.credentialId, publicKey: Buffer.from(passkey.publicKey, 'base64url'), counter: 0 },
    requireUserVerification: false,
  }).catch(() => null)
  if (!verification?.verified) return null
  const { newCounter } = verification.authenticationInfo
  const regressed = (newCounter > 0 || passkey.counter > 0) && newCounter <= passkey.counter
  if (regressed || !(await recordPasskeyUse(passkey.id, passkey.counter, newCounter, now))) {
    await recordAudit(
      { name: operator.email },
      'operator.passkey.counter-regression',
      { type: 'operator', id: operator.id },
      {
        passkey: passkey.id,
        name: passkey.name,
        storedCounter: passkey.counter,
        receivedCounter: newCounter,
      },
    )
    return null
  }
  return 'passkey' as const
}

const PASSKEY_REFUSED = 'That passkey could not be verified. Try again, or use a code.'

function checkPasskey(operator: OperatorCredentials, sessionId: string, purpose: ChallengePurpose, response: unknown, now: Date) {
  return underVerifyLimit(operator, now, () => verifyAssertion(operator, sessionId, purpose, response, now), PASSKEY_REFUSED)
}

/** Options for navigator.credentials.get at the second sign-in step. */
export async function startPasskeySignIn(sessionId: string, now = new Date()): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const session = await findSessionWithOperator(sessionId)
  if (!session || session.endedAt || session.state !== 'mfa_required')
    throw new NotFoundError('Your session has ended. Sign in again.')
  return authenticationOptions(session.operatorId, sessionId, 'sign-in', now)
}

/** The second sign-in step with a passkey: the same completion (and failure limit) as a code. */
export function completePasskeySignIn(sessionId: string, response: unknown, now = new Date()) {
  return completeMfaSignInWith(sessionId, (operator) => checkPasskey(operator, sessionId, 'sign-in', response, now), now)
}

/** Options for re-verifying a signed-in session with a passkey. */
export async function startPasskeyReverification(operator: SignedInOperator, sessionId: string, now = new Date()) {
  await requireOpenSession(sessionId, operator.id)
  return authenticationOptions(operator.id, sessionId, 'reverify', now)
}

/** Re-verification before a sensitive action: the password and a passkey. */
export async function reverifySessionWithPasskey(
  operator: SignedInOperator,
  sessionId: string,
  password: string,
  response: unknown,
  now = new Date(),
) {
  const credentials = await checkOwnPassword(operator.id, password, now)
  if (!credentials.hasPasskey) throw new MfaCodeError('You have no passkey.')
  await checkPasskey(credentials, sessionId, 'reverify', response, now)
  await markSessionVerified(sessionId, now)
}
