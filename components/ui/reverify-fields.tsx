'use client'

import { useId } from 'react'
import type { ActionState } from '@/lib/http/admin-action'
import { inputClass } from './styles'

/**
 * Shown inside a form whose sensitive action asked to confirm who is there: the password, and a code from the
 * authenticator app (or a recovery code) when MFA is on. Submitting the form again sends them along.
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
        <input id={`${id}-password`} name="reverifyPassword" type="password" autoComplete="current-password" required className={`mt-1 ${inputClass}`} aria-invalid={Boolean(errors.reverifyPassword)} />
        {errors.reverifyPassword ? <p className="mt-1 text-sm text-red-700">{errors.reverifyPassword.join(' ')}</p> : null}
      </div>
      {state.reverify.mfa ? (
        <div>
          <label htmlFor={`${id}-code`} className="block text-sm font-medium">
            Authentication code
          </label>
          <input id={`${id}-code`} name="reverifyCode" inputMode="numeric" autoComplete="one-time-code" required className={`mt-1 ${inputClass}`} aria-invalid={Boolean(errors.reverifyCode)} />
          {errors.reverifyCode ? <p className="mt-1 text-sm text-red-700">{errors.reverifyCode.join(' ')}</p> : null}
        </div>
      ) : null}
    </fieldset>
  )
}
