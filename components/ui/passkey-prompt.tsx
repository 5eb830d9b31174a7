'use client'

import { startAuthentication, startRegistration, WebAuthnError } from '@simplewebauthn/browser'
import type { PasskeyOptionsResult } from '@/lib/http/passkey-options'

/** A browser-side failure in words for the operator (cancelled, not allowed, not supported). */
export function passkeyFailureMessage(error: unknown): string {
  if (error instanceof WebAuthnError && error.code === 'ERROR_CEREMONY_ABORTED') return 'The passkey prompt was cancelled.'
  if (error instanceof Error && error.name === 'NotAllowedError') return 'The passkey prompt was cancelled or timed out.'
  if (error instanceof Error && error.name === 'InvalidStateError') return 'This passkey is already registered.'
  return 'This browser could not use a passkey here.'
}

/** Asks the server for a challenge, lets the browser answer it, and returns the answer as JSON text. */
export async function answerPasskeyChallenge(
  getOptions: () => Promise<PasskeyOptionsResult<'get'>>,
): Promise<{ ok: true; response: string } | { ok: false; message: string }> {
  const started = await getOptions()
  if (!started.ok) return started
  try {
    return { ok: true, response: JSON.stringify(await startAuthentication({ optionsJSON: started.options })) }
  } catch (error) {
    return { ok: false, message: passkeyFailureMessage(error) }
  }
}

/** The same for registering a new passkey. */
export async function createPasskey(
  getOptions: () => Promise<PasskeyOptionsResult<'create'>>,
): Promise<{ ok: true; response: string } | { ok: false; message: string }> {
  const started = await getOptions()
  if (!started.ok) return started
  try {
    return { ok: true, response: JSON.stringify(await startRegistration({ optionsJSON: started.options })) }
  } catch (error) {
    return { ok: false, message: passkeyFailureMessage(error) }
  }
}
