import { z } from 'zod'
import { hasUnstorableText, unstorableTextMessage } from '../storable-text'
import { cursorParam } from './cursor'

/** URL search parameters of portal pages and exports: lenient to read, explicit about what was ignored. */

export type RawSearchParams = Record<string, string | string[] | undefined>

function firstValue(value: string | string[] | undefined | null): unknown {
  return Array.isArray(value) ? value[0] : value
}

/** An optional parameter: an empty field means "not given"; a repeated one counts once. */
export const optionalParam = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => {
    const first = firstValue(value as string | string[] | undefined)
    return first === '' || first === null ? undefined : first
  }, schema.optional())

/** `datetime-local` inputs (no zone) are read as UTC, which is how the portal shows times. */
export const dateParam = optionalParam(
  z.string().transform((value, ctx) => {
    const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`)
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'Not a date.' })
      return z.NEVER
    }
    return date
  }),
)

/** Keyset paging of the time-ordered portal lists: `after` is older than its cursor, `before` newer. */
export const pageCursorParams = {
  after: cursorParam,
  before: cursorParam,
}

/** What a `from`/`to` field accepts, as the page says it next to an ignored value. */
export const timeRangeHints = {
  from: 'use a date and time such as 2026-01-31T09:00 (UTC).',
  to: 'use a date and time such as 2026-01-31T09:00 (UTC).',
}

/**
 * Parses with a schema that drops invalid values (so a bad value is never applied), then names every field the
 * URL gave but the schema dropped, with what would have been accepted: the page shows it next to the field,
 * and an export refuses to run on a filter it could not read. A value PostgreSQL cannot store (NUL, a lone
 * surrogate) is dropped before parsing and reported without being echoed.
 */
export function readSearchParams<T extends Record<string, unknown>>(
  schema: z.ZodType<T>,
  raw: RawSearchParams,
  hints: Partial<Record<keyof T & string, string>>,
): { params: T; errors: Partial<Record<keyof T & string, string>> } {
  const errors: Partial<Record<keyof T & string, string>> = {}
  const storable: RawSearchParams = {}
  for (const [key, value] of Object.entries(raw)) {
    const values = Array.isArray(value) ? value : [value]
    if (values.some((item) => typeof item === 'string' && hasUnstorableText(item))) {
      errors[key as keyof T & string] = `Ignored: ${unstorableTextMessage(key)}`
    } else {
      storable[key] = value
    }
  }
  const params = schema.parse(storable)
  for (const key of Object.keys(hints) as Array<keyof T & string>) {
    if (errors[key]) continue
    const given = firstValue(storable[key])
    if (typeof given === 'string' && given.trim() !== '' && params[key] === undefined) {
      errors[key] = `'${given.length > 60 ? `${given.slice(0, 60)}…` : given}' was ignored: ${hints[key]}`
    }
  }
  return { params, errors }
}
