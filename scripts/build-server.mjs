// Compiles server.ts (and the SCIM handlers it imports) to dist/server.mjs, so production runs plain
// JavaScript: no TypeScript loader in memory or on the start-up path. Packages stay external.
import { build } from 'esbuild'

await build({
  entryPoints: ['server.ts'],
  outfile: 'dist/server.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  // Next resolves `server-only` to its empty module for server code; so do we.
  alias: { 'server-only': './node_modules/server-only/empty.js' },
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
})
console.log('Built dist/server.mjs')
