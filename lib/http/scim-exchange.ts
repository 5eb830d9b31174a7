import { clientAddress } from './client-address'
import { readWebBody } from './web-body'

/**
 * What the SCIM funnel reads of a request and what it answers, without Web Request and Response objects. The
 * production entry (scim-node.ts) builds the request straight from Node's IncomingMessage and writes the answer
 * straight to the socket: building a Web Request (Headers, URL, a body stream, an AbortSignal) and a Response
 * for each call cost about 20 µs of CPU, some 7 % of a lookup. Next's route handlers and the tests still speak
 * Web Request and Response, through the two adapters below.
 */
export type ScimHttpRequest = {
  readonly method: string
  /** The request URL on a fixed origin (never the Host header): handlers read its path and query only. */
  readonly url: URL
  /** A header's value (names in lower case), repeated headers joined by ", "; null when absent. */
  header(name: string): string | null
  /**
   * The body: at most `limit` + 1 bytes are read, so a body over the limit is known without buffering it.
   * Read once; the funnel calls it after authentication only.
   */
  readBody(limit: number): Promise<Uint8Array>
  /** The client address the log records (see client-address.ts); null when unknown. */
  readonly clientAddress: string | null
}

/** A SCIM answer: the JSON text it carries (null for none) and its headers, names in lower case. */
export type ScimAnswer = { status: number; headers: Record<string, string>; text: string | null }

/** The `{providerId}` and `{id}` path segments, decoded. */
export type ScimRouteParams = { providerId: string; id?: string }

/** A Web Request as the funnel reads it (Next's route handlers, the tests). */
export function fromWebRequest(request: Request): ScimHttpRequest {
  return {
    method: request.method,
    url: new URL(request.url),
    header: (name) => request.headers.get(name),
    readBody: (limit) => readWebBody(request, limit),
    clientAddress: clientAddress(request),
  }
}

export function toWebResponse(answer: ScimAnswer): Response {
  return new Response(answer.text, { status: answer.status, headers: answer.headers })
}
