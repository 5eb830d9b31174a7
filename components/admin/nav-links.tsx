'use client'

import Link from 'next/link'
import { usePathname } from 'next/navigation'
import { focusRing } from '../ui/styles'

export function NavLinks({ links }: { links: { href: string; label: string }[] }) {
  const pathname = usePathname()
  return (
    <nav aria-label="Main">
      <ul className="flex flex-wrap gap-1 text-sm">
        {links.map((link) => {
          const current = pathname === link.href || pathname.startsWith(`${link.href}/`)
          return (
            <li key={link.href}>
              <Link
                href={link.href}
                aria-current={current ? 'page' : undefined}
                className={`block rounded-md px-2 py-1 ${current ? 'bg-slate-900 text-white' : 'text-slate-700 hover:bg-slate-100'} ${focusRing}`}
              >
                {link.label}
              </Link>
            </li>
          )
        })}
      </ul>
    </nav>
  )
}
