/** A date as a `datetime-local` field shows it (UTC, to the minute), and as portal links carry it. */
export function dateTimeLocal(date: Date | undefined): string {
  return date ? date.toISOString().slice(0, 16) : ''
}

/** Query values as portal links carry them: a date as the `datetime-local` text the filter fields show. */
export type HrefValue = string | Date | null | undefined

/**
 * A portal link to `path` with the given search parameters, leaving out empty ones: the one builder behind
 * filter-keeping pager, export, sort and cross-page links.
 */
export function hrefWith(path: string, params: Record<string, HrefValue>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue
    search.set(key, value instanceof Date ? dateTimeLocal(value) : value)
  }
  const text = search.toString()
  return text ? `${path}?${text}` : path
}
