'use client'

import { signIn } from 'next-auth/react'
import { useRouter } from 'next/navigation'
import { useId, useState } from 'react'
import { buttonClass, inputClass } from '../ui/styles'

export function LoginForm({ callbackUrl }: { callbackUrl: string }) {
  const router = useRouter()
  const id = useId()
  const [error, setError] = useState<string | null>(null)
  const [pending, setPending] = useState(false)
  return (
    <form
      noValidate
      onSubmit={async (event) => {
        event.preventDefault()
        const form = new FormData(event.currentTarget)
        setPending(true)
        setError(null)
        const result = await signIn('credentials', {
          email: String(form.get('email') ?? ''),
          password: String(form.get('password') ?? ''),
          redirect: false,
        })
        setPending(false)
        if (result?.ok && !result.error) {
          // The next step decides: a code when MFA is on, the enrolment when it is required, else the page asked for.
          router.push(`/mfa?callbackUrl=${encodeURIComponent(callbackUrl)}`)
          router.refresh()
        } else {
          setError(result?.error && result.error !== 'CredentialsSignin' ? result.error : 'Wrong email or password.')
        }
      }}
      className="space-y-4"
    >
      <div>
        <label htmlFor={`${id}-email`} className="block text-sm font-medium">
          Email
        </label>
        <input
          id={`${id}-email`}
          name="email"
          type="email"
          autoComplete="username"
          required
          className={`mt-1 ${inputClass}`}
          aria-invalid={Boolean(error)}
          aria-describedby={error ? `${id}-error` : undefined}
        />
      </div>
      <div>
        <label htmlFor={`${id}-password`} className="block text-sm font-medium">
          Password
        </label>
        <input
          id={`${id}-password`}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          className={`mt-1 ${inputClass}`}
          aria-invalid={Boolean(error)}
          aria-describedby={error ? `${id}-error` : undefined}
        />
      </div>
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
      <button type="submit" className={`${buttonClass.primary} w-full`} disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  )
}
