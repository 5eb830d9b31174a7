import Link from 'next/link'
import { buttonClass } from '../ui/styles'

/** Previous/next links that keep the current filter. Hrefs are built by the page (keyset or numbered). */
export function Pager({ previous, next, label }: { previous: string | null; next: string | null; label?: string }) {
  return (
    <nav aria-label="Pagination" className="mt-3 flex flex-wrap items-center gap-2">
      {previous ? (
        <Link href={previous} className={buttonClass.secondary} rel="prev">
          ← Previous
        </Link>
      ) : (
        <span className={`${buttonClass.secondary} opacity-50`} aria-disabled="true">
          ← Previous
        </span>
      )}
      {next ? (
        <Link href={next} className={buttonClass.secondary} rel="next">
          Next →
        </Link>
      ) : (
        <span className={`${buttonClass.secondary} opacity-50`} aria-disabled="true">
          Next →
        </span>
      )}
      {label ? <span className="text-sm text-slate-600">{label}</span> : null}
    </nav>
  )
}
