'use client'

import { useRouter } from 'next/navigation'
import { createContext, useActionState, useContext, useEffect, useId, type ReactNode } from 'react'
import { useFormStatus } from 'react-dom'
import type { ActionState, FormAction } from '@/lib/http/admin-action'
import { CopyButton } from './copy-button'
import { ReverifyFields } from './reverify-fields'
import { buttonClass, inputClass } from './styles'

const FormStateContext = createContext<ActionState>({ ok: false })

/** A form bound to a server action: errors show next to their fields; a one-time secret shows once. */
export function ActionForm({
  action,
  children,
  className,
  secretLabel = 'Secret',
  secretNote = 'Copy it now: it is shown only once and cannot be retrieved later.',
}: {
  action: FormAction
  children: ReactNode
  className?: string
  secretLabel?: string
  secretNote?: string
}) {
  const [state, formAction] = useActionState(action, { ok: false })
  const router = useRouter()
  useEffect(() => {
    if (state.ok && state.redirectTo && !state.secret) router.push(state.redirectTo)
  }, [state, router])
  return (
    <FormStateContext.Provider value={state}>
      <form action={formAction} className={className} noValidate>
        {children}
        <ReverifyFields state={state} />
        {state.message ? (
          <p role={state.ok ? 'status' : 'alert'} className={`mt-2 text-sm ${state.ok ? 'text-green-800' : 'text-red-700'}`}>
            {state.message}
          </p>
        ) : null}
      </form>
      {state.secret ? (
        <div className="mt-3 rounded-md border border-amber-400 bg-amber-50 p-3" data-testid="one-time-secret">
          <p className="text-sm font-semibold">{secretLabel}</p>
          <div className="mt-1 flex flex-wrap items-center gap-2">
            <code className="break-all rounded bg-white px-2 py-1 font-mono text-sm" data-testid="secret-value">
              {state.secret}
            </code>
            <CopyButton value={state.secret} label={`Copy ${secretLabel.toLowerCase()}`} />
          </div>
          <p className="mt-1 text-sm text-amber-900">{secretNote}</p>
        </div>
      ) : null}
    </FormStateContext.Provider>
  )
}

function FieldError({ id, name }: { id: string; name: string }) {
  const errors = useContext(FormStateContext).fieldErrors?.[name]
  if (!errors?.length) return null
  return (
    <p id={id} className="mt-1 text-sm text-red-700">
      {errors.join(' ')}
    </p>
  )
}

function useFieldIds(name: string) {
  const id = useId()
  const invalid = Boolean(useContext(FormStateContext).fieldErrors?.[name]?.length)
  return { inputId: `${id}-input`, errorId: `${id}-error`, hintId: `${id}-hint`, invalid }
}

type FieldProps = {
  name: string
  label: string
  hint?: string
  className?: string
}

export function TextField({
  name,
  label,
  hint,
  className,
  ...input
}: FieldProps & Omit<React.InputHTMLAttributes<HTMLInputElement>, 'name' | 'className'>) {
  const { inputId, errorId, hintId, invalid } = useFieldIds(name)
  return (
    <div className={className}>
      <label htmlFor={inputId} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={inputId}
        name={name}
        aria-invalid={invalid}
        aria-describedby={[hint ? hintId : '', invalid ? errorId : ''].filter(Boolean).join(' ') || undefined}
        className={`mt-1 ${inputClass}`}
        {...input}
      />
      {hint ? (
        <p id={hintId} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      ) : null}
      <FieldError id={errorId} name={name} />
    </div>
  )
}

export function SelectField({
  name,
  label,
  hint,
  className,
  options,
  defaultValue,
}: FieldProps & { options: readonly { value: string; label: string }[]; defaultValue?: string }) {
  const { inputId, errorId, hintId, invalid } = useFieldIds(name)
  return (
    <div className={className}>
      <label htmlFor={inputId} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <select
        id={inputId}
        name={name}
        defaultValue={defaultValue}
        aria-invalid={invalid}
        aria-describedby={[hint ? hintId : '', invalid ? errorId : ''].filter(Boolean).join(' ') || undefined}
        className={`mt-1 ${inputClass}`}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {hint ? (
        <p id={hintId} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      ) : null}
      <FieldError id={errorId} name={name} />
    </div>
  )
}

export function CheckboxGroup({
  name,
  legend,
  options,
  defaultChecked,
  className,
}: {
  name: string
  legend: string
  options: readonly { value: string; label: string }[]
  defaultChecked: readonly string[]
  className?: string
}) {
  const { errorId, invalid } = useFieldIds(name)
  const id = useId()
  return (
    <fieldset className={className} aria-describedby={invalid ? errorId : undefined}>
      <legend className="text-sm font-medium text-slate-800">{legend}</legend>
      <div className="mt-1 flex flex-wrap gap-4">
        {options.map((option) => (
          <label key={option.value} htmlFor={`${id}-${option.value}`} className="inline-flex items-center gap-2 text-sm">
            <input
              id={`${id}-${option.value}`}
              type="checkbox"
              name={name}
              value={option.value}
              defaultChecked={defaultChecked.includes(option.value)}
              className="h-4 w-4 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
            />
            {option.label}
          </label>
        ))}
      </div>
      <FieldError id={errorId} name={name} />
    </fieldset>
  )
}

export function SubmitButton({ children, variant = 'primary' }: { children: ReactNode; variant?: keyof typeof buttonClass }) {
  const { pending } = useFormStatus()
  return (
    <button type="submit" disabled={pending} className={buttonClass[variant]}>
      {pending ? 'Working…' : children}
    </button>
  )
}
