import type { Metadata } from 'next'
import { notFound } from 'next/navigation'
import { timingSafeEqual } from 'node:crypto'
import { firstAdminSetupToken } from '@/lib/auth/secret'
import { hasOperators } from '@/lib/services/operators'
import { SetupForm } from '@/components/admin/setup-form'
import { createFirstAdminAction } from './actions'

export const metadata: Metadata = { title: 'Create the first admin' }

function tokenMatches(token: unknown): token is string {
  const expected = Buffer.from(firstAdminSetupToken())
  return typeof token === 'string' && token.length === expected.length && timingSafeEqual(Buffer.from(token), expected)
}

/** Reachable only with the setup token printed at start-up, and only while no operator exists. */
export default async function SetupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams
  if (!tokenMatches(token) || (await hasOperators())) notFound()
  return (
    <>
      <h1 className="mb-2 text-xl font-semibold">Create the first admin</h1>
      <p className="mb-4 text-sm text-slate-600">This link works once: after this account exists, sign in with it and add other operators.</p>
      <SetupForm action={createFirstAdminAction} token={token} />
    </>
  )
}
