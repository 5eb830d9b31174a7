import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { env } from '../env'
import { answerOpsRequest, OPS_PATHS } from '../ops/endpoints'
import { isShuttingDown } from '../ops/health'
import { logger } from '../ops/logger'
import { trackConnections } from '../ops/shutdown'
import { REQUEST_ID_HEADER, requestIdFrom } from '../ops/request-id'
import { ScimError } from '../scim/errors'
import { clientAddressOf, stampClientAddress } from './client-address'
import { dispatchScimRequest } from './scim-dispatch'
import type { ScimAnswer, ScimHttpRequest } from './scim-exchange'
import { recordRejectedRequest, SCIM_CONTENT_TYPE, SCIM_RESPONSE_HEADERS } from './scim-route'

/**
 * The production entry's bridge from Node's HTTP server to the SCIM funnel (scim-exchange.ts: no Web Request or
 * Response in between). Nothing a client sends may escape it: the URL is built on a fixed origin (never the Host
 * header), a request that cannot be read gets a logged SCIM error (405 for a method such as TRACE, 400 otherwise),
 * and any other failure a logged 500, so every request is answered.
 */

let origin: string | undefined

/**
 * The Node body read into one buffer, at most `limit` + 1 bytes, so the funnel's own limit check answers 413 for
 * anything longer. `overflow` says bytes were left unread: the connection then closes after the answer.
 */
function readNodeBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; overflow: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const stop = () => req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted)
    const onData = (chunk: Buffer) => {
      chunks.push(chunk)
      size += chunk.byteLength
      if (size > limit) {
        stop()
        resolve({ body: Buffer.concat(chunks, size).subarray(0, limit + 1), overflow: true })
      }
    }
    const onEnd = () => {
      stop()
      resolve({ body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), overflow: false })
    }
    const onError = (error: Error) => {
      stop()
      reject(error)
    }
    const onAborted = () => onError(new Error('The client aborted the request.'))
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted)
  })
}

type BodyState = { unread: boolean }

function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name]
  if (value === undefined) return null
  return Array.isArray(value) ? value.join(', ') : value
}

/** The funnel's view of a Node request. Nothing is read from the socket until the funnel asks (after authentication). */
function toScimRequest(req: IncomingMessage, state: BodyState): ScimHttpRequest {
  // The handlers build every link on PUBLIC_URL; the request's own origin only has to be a valid, fixed one.
  origin ??= new URL(env().PUBLIC_URL).origin
  return {
    method: req.method ?? 'GET',
    url: new URL(req.url ?? '/', origin),
    header: (name) => headerOf(req, name),
    readBody: async (limit) => {
      if (req.method === 'GET' || req.method === 'HEAD') return new Uint8Array(0)
      const { body, overflow } = await readNodeBody(req, limit)
      state.unread = overflow
      return body
    },
    clientAddress: clientAddressOf(req) ?? null,
  }
}

function sendAnswer(answer: ScimAnswer, res: ServerResponse, closeAfter: boolean): void {
  const headers: Record<string, string | number> = answer.headers
  // writeHead sends the head at once: without a length Node would fall back to chunked encoding.
  if (answer.text !== null && answer.status !== 304) headers['content-length'] = Buffer.byteLength(answer.text)
  if (closeAfter) headers.connection = 'close'
  res.writeHead(answer.status, headers)
  res.end(answer.status === 304 ? undefined : (answer.text ?? undefined))
}

function sendError(res: ServerResponse, error: ScimError, requestId: string): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const body = JSON.stringify(error.toJSON())
  res.writeHead(error.status, {
    'content-type': SCIM_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    ...SCIM_RESPONSE_HEADERS,
    [REQUEST_ID_HEADER]: requestId,
    connection: 'close',
  })
  res.end(body)
}

/** Methods the Fetch standard forbids (a Web Request refuses them, so Next could not route them either). */
const FORBIDDEN_METHOD = /^(CONNECT|TRACE|TRACK)$/i

export function handleScimNodeRequest(req: IncomingMessage, res: ServerResponse): void {
  const started = performance.now()
  const reject = (error: ScimError) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER])
    recordRejectedRequest({
      requestId,
      method: req.method ?? '',
      target: req.url ?? '',
      userAgent: req.headers['user-agent'] ?? null,
      clientIp: clientAddressOf(req) ?? null,
      durationMs: performance.now() - started,
      error,
    })
    // A body we will not read is drained, and the connection closes after the answer.
    req.resume()
    sendError(res, error, requestId)
  }
  let request: ScimHttpRequest
  const body: BodyState = { unread: false }
  try {
    if (FORBIDDEN_METHOD.test(req.method ?? '')) {
      throw new ScimError(405, `The method ${req.method} is not allowed on SCIM endpoints.`)
    }
    request = toScimRequest(req, body)
  } catch (cause) {
    reject(cause instanceof ScimError ? cause : new ScimError(400, 'The request line or a header cannot be read.'))
    return
  }
  dispatchScimRequest(request)
    .then((answer) => {
      // A body cut at the limit, or refused by its declared length, was not read to its end.
      const unread = body.unread || Number(req.headers['content-length'] ?? 0) > env().SCIM_MAX_BODY_BYTES
      if (unread) req.resume()
      sendAnswer(answer, res, unread)
    })
    .catch((cause: unknown) => {
      logger.error({ err: cause, method: req.method, path: req.url?.split('?', 1)[0] }, 'SCIM request failed outside the funnel')
      reject(new ScimError(500, 'An unexpected error occurred. It has been logged; please retry later.'))
    })
}

/**
 * A request Node's HTTP parser refused (malformed request line or header, headers too large): answered with a
 * SCIM error when it was meant for /scim/, and logged; anything else gets Node's plain 400.
 */
export function rejectUnparsableRequest(error: Error & { code?: string; rawPacket?: Buffer }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400
  const requestLine = error.rawPacket?.subarray(0, 4096).toString('latin1').split('\r\n', 1)[0] ?? ''
  const [method = '', target = ''] = requestLine.split(' ')
  if (!target.startsWith('/scim/')) {
    socket.end(`HTTP/1.1 ${status} Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    return
  }
  const scimError = new ScimError(
    status,
    status === 431 ? 'The request headers are too large.' : 'The request cannot be parsed as HTTP/1.1.',
  )
  const requestId = requestIdFrom(null)
  recordRejectedRequest({
    requestId,
    method,
    target,
    userAgent: null,
    clientIp: socket.remoteAddress ?? null,
    durationMs: 0,
    error: scimError,
  })
  endSocketWith(socket, scimError, requestId)
}

/** A whole HTTP/1.1 answer written to a bare socket, which then closes. */
function endSocketWith(socket: Socket, error: ScimError, requestId: string): void {
  const body = JSON.stringify(error.toJSON())
  const reason = STATUS_CODES[error.status] ?? 'Error'
  socket.end(
    `HTTP/1.1 ${error.status} ${reason}\r\nContent-Type: ${SCIM_CONTENT_TYPE}\r\n` +
      `X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nX-Request-Id: ${requestId}\r\n` +
      `Connection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}

/** GET /healthz, /readyz, /metrics: answered here, before Next, unauthenticated (metrics: METRICS_TOKEN) and unlogged. */
function handleOpsRequest(req: IncomingMessage, res: ServerResponse, path: string): void {
  answerOpsRequest(path, req.method ?? 'GET', req.headers.authorization)
    .then((answer) => {
      res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) })
      res.end(req.method === 'HEAD' ? undefined : answer.body)
    })
    .catch((error: unknown) => {
      logger.error({ err: error, path }, 'Operations endpoint failed')
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      res.end(JSON.stringify({ status: 'error' }))
    })
}

function opsPathOf(url: string | undefined): string | undefined {
  if (!url || url.charCodeAt(0) !== 47 /* / */) return undefined
  const end = url.indexOf('?')
  const path = end === -1 ? url : url.slice(0, end)
  return OPS_PATHS.has(path) ? path : undefined
}

/**
 * The production HTTP server (server.ts): /scim/ to the SCIM handlers, the operations endpoints answered
 * here, everything else to `handleOther` (Next). Requests Node's parser refuses never reach a request
 * handler: they are answered by `clientError`. While shutting down, every answer closes its connection.
 */
export function createAppServer(handleOther: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const server = createServer((req, res) => {
    if (isShuttingDown()) res.setHeader('connection', 'close')
    if (req.url?.startsWith('/scim/')) return handleScimNodeRequest(req, res)
    const opsPath = opsPathOf(req.url)
    if (opsPath) return handleOpsRequest(req, res, opsPath)
    stampClientAddress(req)
    handleOther(req, res)
  })
  server.on('clientError', (error: Error & { code?: string; rawPacket?: Buffer }, socket: Socket) =>
    rejectUnparsableRequest(error, socket),
  )
  // CONNECT never reaches the request handler; without this listener Node would drop the connection unanswered.
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    const error = new ScimError(405, 'The method CONNECT is not allowed.')
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER])
    if (req.url?.startsWith('/scim/')) {
      recordRejectedRequest({
        requestId,
        method: 'CONNECT',
        target: req.url,
        userAgent: req.headers['user-agent'] ?? null,
        clientIp: socket.remoteAddress ?? null,
        durationMs: 0,
        error,
      })
    }
    endSocketWith(socket, error, requestId)
  })
  server.keepAliveTimeout = 65_000
  trackConnections(server)
  return server
}
