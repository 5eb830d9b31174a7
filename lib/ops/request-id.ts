import { uuidv7 } from '../uuidv7'

/**
 * The request id: taken from the client's (or the reverse proxy's) `X-Request-Id` when it is usable —
 * printable ASCII, no leading or trailing space, at most 128 characters — and otherwise a new UUID, time-ordered
 * (version 7) so the log's request-id index grows at its end however large the log is. It is
 * returned in the `X-Request-Id` response header, stored on the provisioning log record and put on server
 * log lines, so one request can be followed from the proxy to the portal.
 */

export const REQUEST_ID_HEADER = 'x-request-id'
export const MAX_REQUEST_ID_LENGTH = 128

const USABLE_REQUEST_ID = /^[!-~](?:[ -~]{0,126}[!-~])?$/

export function isUsableRequestId(value: string): boolean {
  return value.length <= MAX_REQUEST_ID_LENGTH && USABLE_REQUEST_ID.test(value)
}

/** The client's id when usable, else a fresh one. `header` is the header's value (a repeated header: its first). */
export function requestIdFrom(header: string | string[] | null | undefined): string {
  const value = Array.isArray(header) ? header[0] : header
  return value && isUsableRequestId(value) ? value : uuidv7()
}
