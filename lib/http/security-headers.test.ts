import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy, portalSecurityHeaders } from './security-headers'

describe('portal security headers', () => {
  it('send HSTS and upgrade-insecure-requests only over https', () => {
    const https = portalSecurityHeaders({ nonce: 'abc123', https: true, development: false })
    expect(https['Strict-Transport-Security']).toBe('max-age=63072000; includeSubDomains')
    expect(https['Content-Security-Policy']).toContain('upgrade-insecure-requests')
    const http = portalSecurityHeaders({ nonce: 'abc123', https: false, development: false })
    expect(http['Strict-Transport-Security']).toBeUndefined()
    expect(http['Content-Security-Policy']).not.toContain('upgrade-insecure-requests')
    expect(http).toMatchObject({
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    })
  })

  it('allow scripts only by nonce in production, never unsafe-inline', () => {
    const policy = contentSecurityPolicy({ nonce: 'n0nce', https: false, development: false })
    const scriptSrc = policy.split('; ').find((directive) => directive.startsWith('script-src '))
    expect(scriptSrc).toBe("script-src 'self' 'nonce-n0nce' 'strict-dynamic'")
    expect(policy).toContain("frame-ancestors 'none'")
    expect(policy).not.toMatch(/script-src[^;]*unsafe/)
    expect(contentSecurityPolicy({ nonce: 'n0nce', https: false, development: true })).toContain("'unsafe-eval'")
  })
})
