'use client'

import { startTransition, useActionState, useId, useState } from 'react'
import type { FormAction } from '@/lib/http/admin-action'
import type { PasskeyOptionsResult } from '@/lib/http/passkey-options'
import { createPasskey } from '../ui/passkey-prompt'
import { ReverifyFields } from '../ui/reverify-fields'
import { buttonClass, inputClass } from '../ui/styles'

/**
 * Adds a passkey: the browser creates it for the server's challenge, then the form sends its name and the
 * answer. Adding one is sensitive, so the form may first ask for the password; the answer stays until then.
 */
export function PasskeyRegistration({
  getOptions,
  action,
}: {
  getOptions: () => Promise<PasskeyOptionsResult<'create'>>
  action: FormAction
}) {
  const [state, formAction, pending] = useActionState(action, { ok: false })
  const [name, setName] = useState('')
  const [response, setResponse] = useState('')
  const [message, setMessage] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const id = useId()
  const waitingForReverify = Boolean(state.reverify) && response !== ''

  async function create() {
    setBusy(true)
    setMessage(null)
    const result = await createPasskey(getOptions)
    setBusy(false)
    if (!result.ok) {
      setMessage(result.message)
      return
    }
    setResponse(result.response)
    const formData = new FormData()
    formData.set('name', name)
    formData.set('response', result.response)
    startTransition(() => formAction(formData))
  }

  const shown = message ?? state.message
  const nameError = state.fieldErrors?.name?.join(' ')
  return (
    <form action={formAction} className="max-w-sm space-y-3" noValidate>
      <div>
        <label htmlFor={`${id}-name`} className="block text-sm font-medium">
          Passkey name
        </label>
        <input
          id={`${id}-name`}
          name="name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          maxLength={64}
          placeholder="Work laptop"
          className={`mt-1 ${inputClass}`}
          aria-invalid={Boolean(nameError)}
        />
        {nameError ? <p className="mt-1 text-sm text-red-700">{nameError}</p> : null}
      </div>
      <input type="hidden" name="response" value={response} />
      {waitingForReverify ? (
        <>
          <ReverifyFields state={state} />
          <button type="submit" className={buttonClass.primary} disabled={pending} data-testid="passkey-confirm">
            Confirm and add passkey
          </button>
        </>
      ) : (
        <button
          type="button"
          className={buttonClass.primary}
          onClick={create}
          disabled={busy || pending || name.trim() === ''}
          data-testid="add-passkey"
        >
          Add a passkey
        </button>
      )}
      {shown ? (
        <p
          role={state.ok && !message ? 'status' : 'alert'}
          className={`text-sm ${state.ok && !message ? 'text-green-800' : 'text-red-700'}`}
        >
          {shown}
        </p>
      ) : null}
    </form>
  )
}
