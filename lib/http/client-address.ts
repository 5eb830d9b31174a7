import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import proxyaddr from 'proxy-addr'
import { env, type TrustedProxies } from '../env'

/**
 * The client address the provisioning log records. Only the production entry knows the TCP peer, and it hands
 * the address over beside the request, never as a header, so no client can choose it. Behind reverse proxies
 * (`TRUST_PROXY`), `X-Forwarded-For` is read from the right, past the trusted hops only: its leftmost entries are
 * whatever the client sent. Under `next dev` there is no socket to read, so no address is recorded.
 */

const addresses = new WeakMap<Request, string>()

type Trust = (address: string, hop: number) => boolean

export function trustFor(setting: TrustedProxies): Trust {
  // Hop 0 is the TCP peer; with n trusted hops, the address the nth proxy saw is the client.
  return 'hops' in setting ? (_address, hop) => hop < setting.hops : proxyaddr.compile(setting.proxies)
}

let configuredTrust: Trust | undefined

/** The client of a Node request: the socket peer, or the address trusted proxies forwarded for it. */
export function clientAddressOf(
  req: Pick<IncomingMessage, 'headers' | 'socket'>,
  trust: Trust = (configuredTrust ??= trustFor(env().TRUST_PROXY)),
): string | undefined {
  if (!req.socket.remoteAddress) return undefined
  // Without X-Forwarded-For the peer is the answer whatever is trusted: skip the parsing on the hot path.
  if (req.headers['x-forwarded-for'] === undefined) return req.socket.remoteAddress
  return proxyaddr(req as IncomingMessage, trust)
}

export function attachClientAddress(request: Request, address: string | undefined): void {
  if (address) addresses.set(request, address)
}

export function clientAddress(request: Request): string | null {
  return addresses.get(request) ?? null
}

/**
 * The portal runs inside Next, which hands its handlers headers, not the socket. server.ts stamps the client
 * address on each request under a header name drawn at random when the process starts: no client can know it,
 * so none can send it (and under `next dev`, where nothing stamps, no address is read at all).
 */
const globalForAddress = globalThis as unknown as { __traffitechAddressHeader?: string }

export function stampClientAddress(req: IncomingMessage): void {
  const name = (globalForAddress.__traffitechAddressHeader ??= `x-traffitech-peer-${randomBytes(12).toString('hex')}`)
  const address = clientAddressOf(req)
  if (address) req.headers[name] = address
  else delete req.headers[name]
}

type HeaderSource = Headers | Record<string, string | string[] | undefined> | undefined

/** The address server.ts stamped on a request Next handles, or null. */
export function stampedClientAddress(headers: HeaderSource): string | null {
  const name = globalForAddress.__traffitechAddressHeader
  if (!name || !headers) return null
  const value = headers instanceof Headers ? headers.get(name) : headers[name]
  return (Array.isArray(value) ? value[0] : value) ?? null
}
