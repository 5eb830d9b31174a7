'use client'

import { useRouter } from 'next/navigation'
import { startTransition, useActionState, useEffect, useState } from 'react'
import type { FormAction } from '@/lib/http/admin-action'
import type { PasskeyOptionsResult } from '@/lib/http/passkey-options'
import { answerPasskeyChallenge } from '../ui/passkey-prompt'
import { buttonClass } from '../ui/styles'

/** The second sign-in step with a passkey: the browser answers the server's challenge, the server checks it. */
export function PasskeySignIn({
  getOptions,
  action,
  callbackUrl,
}: {
  getOptions: () => Promise<PasskeyOptionsResult<'get'>>
  action: FormAction
  callbackUrl: string
}) {
  const [state, formAction, pending] = useActionState(action, { ok: false })
  const [message, setMessage] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const router = useRouter()
  useEffect(() => {
    if (state.ok && state.redirectTo) router.push(state.redirectTo)
  }, [state, router])
  async function usePasskey() {
    setBusy(true)
    setMessage(null)
    const result = await answerPasskeyChallenge(getOptions)
    setBusy(false)
    if (!result.ok) {
      setMessage(result.message)
      return
    }
    const formData = new FormData()
    formData.set('response', result.response)
    formData.set('callbackUrl', callbackUrl)
    startTransition(() => formAction(formData))
  }
  const shown = message ?? state.message
  return (
    <div>
      <button
        type="button"
        className={buttonClass.secondary}
        onClick={usePasskey}
        disabled={busy || pending}
        data-testid="use-passkey"
      >
        Use a passkey
      </button>
      {shown ? (
        <p
          role={state.ok && !message ? 'status' : 'alert'}
          className={`mt-2 text-sm ${state.ok && !message ? 'text-green-800' : 'text-red-700'}`}
        >
          {shown}
        </p>
      ) : null}
    </div>
  )
}
