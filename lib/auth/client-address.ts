import 'server-only'
import { env } from '../env'
import { REMOTE_ADDRESS_HEADER } from '../http/scim-route'

type HeaderSource = Headers | Record<string, string | string[] | undefined> | undefined

function header(source: HeaderSource, name: string): string | null {
  if (!source) return null
  if (source instanceof Headers) return source.get(name)
  const value = source[name]
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null)
}

/**
 * The client address for sign-in limits and session records: the address server.ts takes from the TCP
 * connection, or the first X-Forwarded-For entry behind a trusted proxy (TRUST_PROXY).
 */
export function clientAddressFrom(headers: HeaderSource): string | null {
  if (env().TRUST_PROXY) {
    const forwarded = header(headers, 'x-forwarded-for')?.split(',')[0]?.trim()
    if (forwarded) return forwarded
  }
  return header(headers, REMOTE_ADDRESS_HEADER)
}

export function userAgentFrom(headers: HeaderSource): string | null {
  return header(headers, 'user-agent')
}
