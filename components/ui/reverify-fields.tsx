'use client'

import { useId, useState } from 'react'
import type { ActionState } from '@/lib/http/admin-action'
import { passkeyReverifyOptionsAction } from '@/lib/http/passkey-actions'
import { answerPasskeyChallenge } from './passkey-prompt'
import { buttonClass, inputClass } from './styles'

/**
 * Shown inside a form whose sensitive action asked to confirm who is there: the password, and a code from the
 * authenticator app (or a recovery code) when MFA is on, or else a passkey when one is registered. Submitting
 * the form again sends them along.
 */
export function ReverifyFields({ state }: { state: ActionState }) {
  const id = useId()
  if (!state.reverify) return null
  const errors = state.fieldErrors ?? {}
  return (
    <fieldset className="mt-3 space-y-3 rounded-md border border-amber-400 bg-amber-50 p-3" data-testid="reverify">
      <legend className="px-1 text-sm font-semibold">Confirm it is you</legend>
      <div>
        <label htmlFor={`${id}-password`} className="block text-sm font-medium">
          Your password
        </label>
        <input
          id={`${id}-password`}
          name="reverifyPassword"
          type="password"
          autoComplete="current-password"
          required
          className={`mt-1 ${inputClass}`}
          aria-invalid={Boolean(errors.reverifyPassword)}
        />
        {errors.reverifyPassword ? <p className="mt-1 text-sm text-red-700">{errors.reverifyPassword.join(' ')}</p> : null}
      </div>
      {state.reverify.mfa ? (
        <div>
          <label htmlFor={`${id}-code`} className="block text-sm font-medium">
            Authentication code
          </label>
          <input
            id={`${id}-code`}
            name="reverifyCode"
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            className={`mt-1 ${inputClass}`}
            aria-invalid={Boolean(errors.reverifyCode)}
          />
          {errors.reverifyCode ? <p className="mt-1 text-sm text-red-700">{errors.reverifyCode.join(' ')}</p> : null}
        </div>
      ) : state.reverify.passkey ? (
        <PasskeyConfirmation error={errors.reverifyCode?.join(' ')} />
      ) : null}
    </fieldset>
  )
}

/** Answers a re-verification challenge with a passkey; the answer goes along in a hidden field. */
function PasskeyConfirmation({ error }: { error?: string }) {
  const [answer, setAnswer] = useState('')
  const [message, setMessage] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  async function confirm() {
    setBusy(true)
    setMessage(null)
    const result = await answerPasskeyChallenge(passkeyReverifyOptionsAction)
    setBusy(false)
    if (result.ok) setAnswer(result.response)
    else setMessage(result.message)
  }
  return (
    <div>
      <input type="hidden" name="reverifyPasskey" value={answer} />
      {answer ? (
        <p className="text-sm text-green-800" data-testid="reverify-passkey-done">
          Passkey confirmed: enter your password and submit again.
        </p>
      ) : (
        <button type="button" className={buttonClass.secondary} onClick={confirm} disabled={busy} data-testid="reverify-passkey">
          Confirm with a passkey
        </button>
      )}
      {message || (!answer && error) ? <p className="mt-1 text-sm text-red-700">{message ?? error}</p> : null}
    </div>
  )
}
