import 'server-only'
import { stampedClientAddress } from '../http/client-address'

type HeaderSource = Headers | Record<string, string | string[] | undefined> | undefined

function header(source: HeaderSource, name: string): string | null {
  if (!source) return null
  if (source instanceof Headers) return source.get(name)
  const value = source[name]
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null)
}

/**
 * The client address for sign-in limits and session records: what server.ts took from the TCP connection,
 * or from X-Forwarded-For past the trusted proxies (TRUST_PROXY); null under `next dev`.
 */
export function clientAddressFrom(headers: HeaderSource): string | null {
  return stampedClientAddress(headers)
}

export function userAgentFrom(headers: HeaderSource): string | null {
  return header(headers, 'user-agent')
}
