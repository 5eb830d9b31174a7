import Link from 'next/link'
import type { ReactNode } from 'react'
import { buttonClass } from './styles'

/**
 * The filter forms of the list pages (log, audit, users): a GET form, so the filter lives in the URL and the
 * page re-queries; a submit and a reset link close it.
 */
export function FilterForm({
  label,
  submitLabel = 'Filter',
  resetHref,
  className,
  actionsClassName = '',
  children,
}: {
  label: string
  submitLabel?: string
  resetHref: string
  /** The grid's columns at each width. */
  className: string
  actionsClassName?: string
  children: ReactNode
}) {
  return (
    <form
      method="get"
      className={`mb-4 grid gap-3 rounded-lg border border-slate-200 bg-white p-3 ${className}`}
      aria-label={label}
    >
      {children}
      <div className={`flex items-end gap-2 ${actionsClassName}`}>
        <button type="submit" className={buttonClass.primary}>
          {submitLabel}
        </button>
        <Link href={resetHref} className={buttonClass.secondary}>
          Reset
        </Link>
      </div>
    </form>
  )
}

/** What a filter control needs to be labelled and, when invalid, described by its error. */
export type FilterControlProps = { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }

/**
 * A filter control with its label and, when the URL's value had to be ignored, the reason next to it. The
 * control is rendered by `children`, which gets the id and aria attributes that tie it to both.
 */
export function FilterField({
  id,
  label,
  error,
  className,
  children,
}: {
  id: string
  label: string
  error?: string | undefined
  className?: string
  children: (control: FilterControlProps) => ReactNode
}) {
  const errorId = `${id}-error`
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-xs font-medium text-slate-700">
        {label}
      </label>
      <div className="mt-1">
        {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': error ? errorId : undefined })}
      </div>
      {error ? (
        <p id={errorId} role="alert" className="mt-1 text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  )
}

/** The CSV and JSON download links of a filtered list: `hrefFor` builds each with the current filter. */
export function ExportLinks({ hrefFor }: { hrefFor: (format: 'csv' | 'json') => string }) {
  return (
    <>
      <a href={hrefFor('csv')} className={buttonClass.secondary} download>
        Export CSV
      </a>
      <a href={hrefFor('json')} className={buttonClass.secondary} download>
        Export JSON
      </a>
    </>
  )
}
