import { invalidCursor } from './errors'
import { isUuid } from './ids'

/**
 * RFC 9865 cursors for GET /Users: opaque to clients, and to us the position after the last user of a page in
 * the list's (created, id) order, plus the total counted when the paging began (later pages do not count the
 * collection again) and a fingerprint of the query, since a cursor is only valid for the query that made it.
 * The text uses only RFC 3986 unreserved characters (base64url). Cursors do not expire: the position is a key,
 * not server state.
 */

export type CursorPosition = { createdAt: Date; id: string }

export type ListCursor = { after: CursorPosition; total: number; query: string }

const MAX_CURSOR_LENGTH = 256
/** 9999-12-31T23:59:59.999Z: a forged cursor's time must stay inside what the database and ISO strings hold. */
const LATEST_TIME = 253_402_300_799_999

/** `query`: a fingerprint of the list parameters but the cursor and the page size (the caller makes it). */
export function encodeCursor(cursor: ListCursor): string {
  // The JSON is ASCII (numbers, a UUID, a base64url fingerprint), so btoa takes it as it is.
  const fields = [cursor.after.createdAt.getTime(), cursor.after.id, cursor.total, cursor.query]
  return btoa(JSON.stringify(fields)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

/** The cursor of `text`, for the query with fingerprint `query`; invalidCursor (400) for anything else. */
export function decodeCursor(text: string, query: string): ListCursor {
  const fail = () =>
    invalidCursor('The cursor is not one this service provider returned for this query: send an empty cursor for the first page.')
  if (text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) throw fail()
  let fields: unknown
  try {
    fields = JSON.parse(atob(text.replaceAll('-', '+').replaceAll('_', '/')))
  } catch {
    throw fail()
  }
  if (!Array.isArray(fields) || fields.length !== 4) throw fail()
  const [time, id, total, fingerprint] = fields as unknown[]
  const valid =
    Number.isSafeInteger(time) &&
    (time as number) >= 0 &&
    (time as number) <= LATEST_TIME &&
    typeof id === 'string' &&
    isUuid(id) &&
    Number.isSafeInteger(total) &&
    (total as number) >= 0 &&
    fingerprint === query
  if (!valid) throw fail()
  return { after: { createdAt: new Date(time as number), id: id as string }, total: total as number, query }
}
