'use client'

import { useActionState, useEffect, useId, useState, type ReactNode } from 'react'
import { useRouter } from 'next/navigation'
import type { ActionState, FormAction } from '@/lib/http/admin-action'
import { ReverifyFields } from './reverify-fields'
import { buttonClass, inputClass } from './styles'

/**
 * A button that asks before it acts. With `typeToConfirm`, the confirm button only works once that exact
 * text is typed (the server checks it again).
 */
export function ConfirmForm({
  action,
  hidden,
  label,
  question,
  confirmLabel,
  variant = 'danger',
  typeToConfirm,
}: {
  action: FormAction
  hidden: Record<string, string>
  label: string
  question: ReactNode
  confirmLabel: string
  variant?: 'danger' | 'secondary' | 'primary'
  typeToConfirm?: string
}) {
  const [open, setOpen] = useState(false)
  const [typed, setTyped] = useState('')
  const [state, formAction, pending] = useActionState(action, { ok: false })
  const router = useRouter()
  const id = useId()
  useEffect(() => {
    if (state.ok && state.redirectTo) router.push(state.redirectTo)
  }, [state, router])
  // A sensitive action that asks for the password again reopens the form with the fields for it.
  const [dismissed, setDismissed] = useState<ActionState | null>(null)
  const reopened = Boolean(state.reverify) && dismissed !== state
  if (!open && !reopened) {
    return (
      <div>
        <button type="button" className={buttonClass[variant]} onClick={() => setOpen(true)}>
          {label}
        </button>
        {state.message ? (
          <p role={state.ok ? 'status' : 'alert'} className={`mt-1 text-sm ${state.ok ? 'text-green-800' : 'text-red-700'}`}>
            {state.message}
          </p>
        ) : null}
      </div>
    )
  }
  return (
    <form
      action={(formData) => {
        setOpen(false)
        setDismissed(state)
        setTyped('')
        formAction(formData)
      }}
      className="rounded-md border border-slate-300 bg-white p-3"
      role="group"
      aria-labelledby={`${id}-question`}
    >
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <div id={`${id}-question`} className="text-sm">
        {question}
      </div>
      {typeToConfirm !== undefined ? (
        <div className="mt-2">
          <label htmlFor={`${id}-typed`} className="block text-sm font-medium">
            Type <strong>{typeToConfirm}</strong> to confirm
          </label>
          <input
            id={`${id}-typed`}
            name="confirmation"
            autoComplete="off"
            className={`mt-1 ${inputClass}`}
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
          />
        </div>
      ) : null}
      <ReverifyFields state={state} />
      {state.reverify && state.message ? (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {state.message}
        </p>
      ) : null}
      <div className="mt-3 flex flex-wrap gap-2">
        <button
          type="submit"
          className={buttonClass[variant]}
          disabled={pending || (typeToConfirm !== undefined && typed !== typeToConfirm)}
        >
          {confirmLabel}
        </button>
        <button
          type="button"
          className={buttonClass.secondary}
          onClick={() => {
            setOpen(false)
            setDismissed(state)
          }}
        >
          Cancel
        </button>
      </div>
    </form>
  )
}
