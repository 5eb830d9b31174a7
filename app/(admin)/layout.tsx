import Link from 'next/link'
import type { ReactNode } from 'react'
import { requireOperator } from '@/lib/auth/session'
import { SignOutButton } from '@/components/admin/sign-out-button'
import { NavLinks } from '@/components/admin/nav-links'
import { focusRing } from '@/components/ui/styles'

// Every portal page reads the session and the database per request; nothing is prerendered at build time.
export const dynamic = 'force-dynamic'

/** The signed-in shell. Each page checks the role again itself: a layout is not re-run on client navigation. */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const operator = await requireOperator()
  const links = [
    { href: '/dashboard', label: 'Dashboard' },
    { href: '/idps', label: 'Identity providers' },
    { href: '/users', label: 'Users' },
    { href: '/logs', label: 'Provisioning log' },
    { href: '/api-keys', label: 'API keys' },
    { href: '/api-reference', label: 'API reference' },
    { href: '/webhooks', label: 'Webhooks' },
    ...(operator.role === 'admin'
      ? [
          { href: '/audit', label: 'Audit log' },
          { href: '/operators', label: 'Operators' },
        ]
      : []),
  ]
  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className={`sr-only focus:not-sr-only focus:absolute focus:m-2 focus:rounded focus:bg-white focus:p-2 ${focusRing}`}
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <Link href="/dashboard" className={`font-semibold rounded-sm ${focusRing}`}>
            TraffiTech Provisioning
          </Link>
          <NavLinks links={links} />
          <div className="ml-auto flex flex-wrap items-center gap-3 text-sm">
            <Link href="/account" className={`rounded-sm text-slate-700 hover:underline ${focusRing}`} data-testid="signed-in-as">
              {operator.email} <span className="text-slate-500">({operator.role})</span>
            </Link>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-7xl px-4 py-6">
        {children}
      </main>
    </div>
  )
}
