'use server'

import { currentSession } from '../auth/session'
import { ConflictError, NotFoundError } from '../services/errors'
import { startPasskeyReverification } from '../services/passkeys'
import type { PasskeyOptionsResult } from './passkey-options'

/** The challenge for confirming a sensitive action with a passkey; the action itself checks the answer. */
export async function passkeyReverifyOptionsAction(): Promise<PasskeyOptionsResult<'get'>> {
  const session = await currentSession()
  if (!session || session.state !== 'active') return { ok: false, message: 'Your session has ended. Sign in again.' }
  try {
    return { ok: true, options: await startPasskeyReverification(session.operator, session.id) }
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof ConflictError) return { ok: false, message: error.message }
    throw error
  }
}
