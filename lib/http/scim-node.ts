import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { Readable } from 'node:stream'
import { env } from '../env'
import { ScimError } from '../scim/errors'
import { attachClientAddress, clientAddressOf, stampClientAddress } from './client-address'
import { dispatchScim } from './scim-dispatch'
import { recordRejectedRequest, SCIM_CONTENT_TYPE, SCIM_RESPONSE_HEADERS } from './scim-route'

/**
 * The production entry's bridge from Node's HTTP server to the SCIM handlers (Web Request → Response).
 * Nothing a client sends may escape it: the URL is built on a fixed origin (never the Host header), a request
 * that cannot become a Web Request gets a logged SCIM error (405 for a method such as TRACE, 400 otherwise),
 * and any other failure a logged 500, so every request is answered.
 */

let origin: string | undefined

function toWebRequest(req: IncomingMessage): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else if (value !== undefined) headers.set(name, value)
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  // The handlers build every link on PUBLIC_URL; the request's own origin only has to be a valid, fixed one.
  origin ??= new URL(env().PUBLIC_URL).origin
  const request = new Request(new URL(req.url ?? '/', origin), {
    method: req.method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' } : {}),
  } as RequestInit)
  attachClientAddress(request, clientAddressOf(req))
  return request
}

async function send(response: Response, res: ServerResponse): Promise<void> {
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined
  const headers: Record<string, string | number> = Object.fromEntries(response.headers)
  // writeHead sends the head at once: without a length Node would fall back to chunked encoding.
  if (body && response.status !== 304) headers['content-length'] = body.byteLength
  res.writeHead(response.status, headers)
  res.end(body)
}

function sendError(res: ServerResponse, error: ScimError): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const body = JSON.stringify(error.toJSON())
  res.writeHead(error.status, {
    'content-type': SCIM_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    ...SCIM_RESPONSE_HEADERS,
    connection: 'close',
  })
  res.end(body)
}

/** Methods the Fetch standard forbids: `new Request()` refuses them. */
const FORBIDDEN_METHOD = /^(CONNECT|TRACE|TRACK)$/i

export function handleScimNodeRequest(req: IncomingMessage, res: ServerResponse): void {
  const started = performance.now()
  const reject = (error: ScimError) => {
    recordRejectedRequest({
      method: req.method ?? '',
      target: req.url ?? '',
      userAgent: req.headers['user-agent'] ?? null,
      clientIp: clientAddressOf(req) ?? null,
      durationMs: performance.now() - started,
      error,
    })
    // A body we will not read is drained, and the connection closes after the answer.
    req.resume()
    sendError(res, error)
  }
  let request: Request
  try {
    if (FORBIDDEN_METHOD.test(req.method ?? '')) {
      throw new ScimError(405, `The method ${req.method} is not allowed on SCIM endpoints.`)
    }
    request = toWebRequest(req)
  } catch (cause) {
    reject(cause instanceof ScimError ? cause : new ScimError(400, 'The request line or a header cannot be read.'))
    return
  }
  dispatchScim(request)
    .then((response) => send(response, res))
    .catch((cause: unknown) => {
      console.error('SCIM request failed outside the funnel:', cause)
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
  const scimError = new ScimError(status, status === 431 ? 'The request headers are too large.' : 'The request cannot be parsed as HTTP/1.1.')
  recordRejectedRequest({ method, target, userAgent: null, clientIp: socket.remoteAddress ?? null, durationMs: 0, error: scimError })
  endSocketWith(socket, scimError)
}

/** A whole HTTP/1.1 answer written to a bare socket, which then closes. */
function endSocketWith(socket: Socket, error: ScimError): void {
  const body = JSON.stringify(error.toJSON())
  const reason = STATUS_CODES[error.status] ?? 'Error'
  socket.end(
    `HTTP/1.1 ${error.status} ${reason}\r\nContent-Type: ${SCIM_CONTENT_TYPE}\r\n` +
      `X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n` +
      `Connection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}

/**
 * The production HTTP server (server.ts): /scim/ to the SCIM handlers, everything else to `handleOther` (Next).
 * Requests Node's parser refuses never reach a request handler: they are answered by `clientError`.
 */
export function createAppServer(handleOther: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/scim/')) return handleScimNodeRequest(req, res)
    stampClientAddress(req)
    handleOther(req, res)
  })
  server.on('clientError', (error: Error & { code?: string; rawPacket?: Buffer }, socket: Socket) =>
    rejectUnparsableRequest(error, socket),
  )
  // CONNECT never reaches the request handler; without this listener Node would drop the connection unanswered.
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    const error = new ScimError(405, 'The method CONNECT is not allowed.')
    if (req.url?.startsWith('/scim/')) {
      recordRejectedRequest({
        method: 'CONNECT',
        target: req.url,
        userAgent: req.headers['user-agent'] ?? null,
        clientIp: socket.remoteAddress ?? null,
        durationMs: 0,
        error,
      })
    }
    endSocketWith(socket, error)
  })
  server.keepAliveTimeout = 65_000
  return server
}
