import type { Metadata } from 'next'
import { notFound } from 'next/navigation'
import { hasAdmins } from '@/lib/services/operators'
import { setupTokenMatches } from '@/lib/services/portal-auth'
import { SetupForm } from '@/components/admin/setup-form'
import { createFirstAdminAction } from './actions'

export const metadata: Metadata = { title: 'Create the first admin' }

/** Reachable only with the setup token printed at start-up, within its hour, and only while no admin exists. */
export default async function SetupPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  const { token } = await searchParams
  if (typeof token !== 'string' || !(await setupTokenMatches(token)) || (await hasAdmins())) notFound()
  return (
    <>
      <h1 className="mb-2 text-xl font-semibold">Create the first admin</h1>
      <p className="mb-4 text-sm text-slate-600">
        This link works once and for an hour: after this account exists, sign in with it, turn on two-factor sign-in under your
        account, and add other operators.
      </p>
      <SetupForm action={createFirstAdminAction} token={token} />
    </>
  )
}
