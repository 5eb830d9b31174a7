import { z } from 'zod'

/**
 * Opaque keyset cursors of the time-ordered portal lists (log, audit): `<epoch ms>.<id>` in the URL, the
 * row's sort key in the services. Only the portal's URLs know the text form.
 */

export type PageCursor = { createdAt: Date; id: string }

export function encodeCursor(row: PageCursor): string {
  return `${row.createdAt.getTime()}.${row.id}`
}

export function decodeCursor(cursor: string | undefined): PageCursor | undefined {
  const match = cursor ? /^(\d{1,15})\.([0-9a-f-]{36})$/i.exec(cursor) : null
  if (!match) return undefined
  return { createdAt: new Date(Number(match[1])), id: match[2]! }
}

/** A cursor search parameter: decoded, or undefined when missing or unreadable (the list starts over). */
export const cursorParam = z.preprocess((value) => {
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === 'string' && first.length <= 100 ? decodeCursor(first) : undefined
}, z.custom<PageCursor>().optional())
