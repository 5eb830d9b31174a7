import type { NextConfig } from 'next'
import { lowercaseRewrites } from './lib/http/scim-resources'
import { staticSecurityHeaders } from './lib/http/security-headers'

const nextConfig: NextConfig = {
  // A separate build folder lets a benchmark or e2e build sit beside a developer's (NEXT_DIST_DIR=.next-bench).
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
  // The embedded database, the schema engine and the Prisma adapters load WebAssembly and native files
  // from their packages at run time: they must stay plain Node modules, outside the bundle.
  serverExternalPackages: [
    '@electric-sql/pglite',
    'pglite-prisma-adapter',
    '@prisma/adapter-pg',
    '@prisma/driver-adapter-utils',
    'pg',
  ],
  poweredByHeader: false,
  // Static files bypass proxy.ts, which sets these (and the CSP) on everything else of the portal.
  async headers() {
    const headers = Object.entries(staticSecurityHeaders).map(([key, value]) => ({ key, value }))
    return [
      { source: '/_next/static/:path*', headers },
      { source: '/favicon.ico', headers },
    ]
  },
  // Derived from the SCIM resource registry: /users reaches the Users route, as the production dispatcher does.
  async rewrites() {
    return lowercaseRewrites()
  },
}

export default nextConfig
