import Link from 'next/link'
import type { ReactNode } from 'react'
import { hrefWith } from '@/lib/portal/href'
import { PageHeader } from '../ui/basics'
import { focusRing } from '../ui/styles'

type IdpTab = 'overview' | 'tokens' | 'attributes' | 'guide'

/**
 * The head of every page of one identity provider: its name (with the section, on sub-pages) and the tabs.
 */
export function IdpPageHeader({
  provider,
  section,
  current,
  isAdmin,
  description,
}: {
  provider: { id: string; name: string }
  section?: string
  current: IdpTab
  isAdmin: boolean
  description?: ReactNode
}) {
  return (
    <>
      <PageHeader title={section ? `${provider.name}: ${section}` : provider.name} description={description} />
      <IdpTabs providerId={provider.id} current={current} isAdmin={isAdmin} />
    </>
  )
}

/** Sub-navigation of one identity provider. Tokens only for admins. */
export function IdpTabs({ providerId, current, isAdmin }: { providerId: string; current: IdpTab; isAdmin: boolean }) {
  const tabs = [
    { key: 'overview', href: `/idps/${providerId}`, label: 'Overview' },
    ...(isAdmin ? [{ key: 'tokens', href: `/idps/${providerId}/tokens`, label: 'Secret tokens' }] : []),
    { key: 'attributes', href: `/idps/${providerId}/attributes`, label: 'Custom attributes' },
    { key: 'users', href: hrefWith('/users', { idp: providerId }), label: 'Users' },
    { key: 'logs', href: hrefWith('/logs', { idp: providerId }), label: 'Provisioning log' },
    { key: 'guide', href: `/idps/${providerId}/guide`, label: 'Setup guide' },
  ]
  return (
    <nav aria-label="Identity provider" className="mb-6 border-b border-slate-200">
      <ul className="-mb-px flex flex-wrap gap-1 text-sm">
        {tabs.map((tab) => (
          <li key={tab.key}>
            <Link
              href={tab.href}
              aria-current={tab.key === current ? 'page' : undefined}
              className={`block rounded-t-md border-b-2 px-3 py-2 ${tab.key === current ? 'border-blue-700 font-semibold text-blue-800' : 'border-transparent text-slate-700 hover:border-slate-300'} ${focusRing}`}
            >
              {tab.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  )
}
