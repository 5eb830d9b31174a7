import Link from 'next/link'
import type { ReactNode } from 'react'
import { linkClass } from './styles'

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-wrap items-start justify-between gap-3">
      <div className="min-w-0">
        <h1 className="text-2xl font-semibold break-words">{title}</h1>
        {description ? <div className="mt-1 text-sm text-slate-600">{description}</div> : null}
      </div>
      {actions ? <div className="flex flex-wrap gap-2">{actions}</div> : null}
    </div>
  )
}

export function Card({ title, children, className = '' }: { title?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`rounded-lg border border-slate-200 bg-white p-4 shadow-sm ${className}`}>
      {title ? <h2 className="mb-3 text-lg font-semibold">{title}</h2> : null}
      {children}
    </section>
  )
}

const badgeTones = {
  green: 'bg-green-100 text-green-900',
  red: 'bg-red-100 text-red-900',
  amber: 'bg-amber-100 text-amber-900',
  slate: 'bg-slate-100 text-slate-800',
  blue: 'bg-blue-100 text-blue-900',
} as const

export function Badge({
  tone = 'slate',
  children,
  title,
}: {
  tone?: keyof typeof badgeTones
  children: ReactNode
  title?: string
}) {
  return (
    <span title={title} className={`inline-block rounded px-2 py-0.5 text-xs font-medium whitespace-nowrap ${badgeTones[tone]}`}>
      {children}
    </span>
  )
}

export function StatusBadge({ status }: { status: number }) {
  const tone = status >= 500 ? 'red' : status >= 400 ? 'amber' : 'green'
  return <Badge tone={tone}>{status}</Badge>
}

export function TextLink({ href, children, className = '' }: { href: string; children: ReactNode; className?: string }) {
  return (
    <Link href={href} className={`${linkClass} ${className}`}>
      {children}
    </Link>
  )
}

/** Times are shown in UTC, the zone of the log exports and of Entra's provisioning logs. */
export function Time({ value }: { value: Date | string | number | null | undefined }) {
  if (value === null || value === undefined) return <span className="text-slate-500">—</span>
  const date = new Date(value)
  return (
    <time dateTime={date.toISOString()} className="whitespace-nowrap">
      {date.toISOString().replace('T', ' ').slice(0, 19)} UTC
    </time>
  )
}

export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  let text: string
  if (typeof value === 'string') {
    try {
      text = JSON.stringify(JSON.parse(value), null, 2)
    } catch {
      text = value
    }
  } else {
    text = JSON.stringify(value, null, 2)
  }
  return (
    <pre
      aria-label={label}
      tabIndex={0}
      className="max-h-96 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs text-slate-100 focus-visible:outline-2 focus-visible:outline-blue-600"
    >
      {text}
    </pre>
  )
}
