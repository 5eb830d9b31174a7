/**
 * The security headers of every portal response (SCIM responses set their own). Pure, so the proxy, the
 * static-file rules in next.config.ts and the tests share one definition.
 */

/** Headers that never vary: also sent with static files, which the proxy does not see. */
export const staticSecurityHeaders = {
  'X-Content-Type-Options': 'nosniff',
  // frame-ancestors in the CSP is the modern form; X-Frame-Options covers browsers that predate it.
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Permissions-Policy':
    'accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()',
} as const

export type PolicyOptions = { nonce: string; https: boolean; development: boolean }

/**
 * A strict policy: scripts only with this response's nonce (and what they load, 'strict-dynamic'), no plugins,
 * no framing, forms only to this site. Style attributes stay allowed: Next's built-in error pages use them, and
 * an attribute cannot run script. Development adds what React's dev build needs (eval, injected styles).
 */
export function contentSecurityPolicy({ nonce, https, development }: PolicyOptions): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`,
    development ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ]
  return directives.join('; ')
}

/** Two years, the preload list's minimum; sent only when the portal is served over https. */
export const STRICT_TRANSPORT_SECURITY = 'max-age=63072000; includeSubDomains'

/** Everything a page, route handler or action response of the portal gets. */
export function portalSecurityHeaders(options: PolicyOptions): Record<string, string> {
  return {
    ...staticSecurityHeaders,
    'Content-Security-Policy': contentSecurityPolicy(options),
    ...(options.https ? { 'Strict-Transport-Security': STRICT_TRANSPORT_SECURITY } : {}),
    // Portal pages show personal data and one-time secrets: never kept by a browser or a shared cache.
    'Cache-Control': 'no-store',
  }
}
