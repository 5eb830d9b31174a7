import { NextResponse, type NextRequest } from 'next/server'
import { env } from './lib/env'
import { portalSecurityHeaders } from './lib/http/security-headers'
import { REQUEST_ID_HEADER, requestIdFrom } from './lib/ops/request-id'

/**
 * Runs before every portal request: a fresh CSP nonce per request, and the security headers. Next reads the
 * nonce from the request's Content-Security-Policy header and puts it on the scripts it renders.
 */
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64')
  const { PUBLIC_URL, NODE_ENV } = env()
  const headers = portalSecurityHeaders({
    nonce,
    https: PUBLIC_URL.startsWith('https:'),
    development: NODE_ENV === 'development',
  })
  const requestHeaders = new Headers(request.headers)
  requestHeaders.set('Content-Security-Policy', headers['Content-Security-Policy']!)
  const response = NextResponse.next({ request: { headers: requestHeaders } })
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value)
  response.headers.set(REQUEST_ID_HEADER, requestIdFrom(request.headers.get(REQUEST_ID_HEADER)))
  return response
}

export const config = {
  // Not /scim/: the SCIM API sets its own headers (and in production never passes through Next). Static
  // files get the fixed headers from next.config.ts.
  matcher: ['/((?!scim/|_next/static/|_next/image|favicon\\.ico).*)'],
}
