import type { Metadata } from 'next'
import { redirect } from 'next/navigation'
import { currentOperator } from '@/lib/auth/session'
import { safeRedirectPath } from '@/lib/auth/redirects'
import { LoginForm } from '@/components/admin/login-form'

export const metadata: Metadata = { title: 'Sign in' }

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  const callbackUrl = safeRedirectPath((await searchParams).callbackUrl)
  if (await currentOperator()) redirect(callbackUrl)
  return (
    <>
      <h1 className="mb-4 text-xl font-semibold">Sign in</h1>
      <LoginForm callbackUrl={callbackUrl} />
    </>
  )
}
