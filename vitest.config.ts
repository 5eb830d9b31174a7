import path from 'node:path'
import { defineConfig } from 'vitest/config'

const root = import.meta.dirname

export default defineConfig({
  resolve: {
    alias: {
      '@': root,
      // Outside Next, `server-only` would throw; its empty build is what Next itself resolves on the server.
      'server-only': path.join(root, 'node_modules/server-only/empty.js'),
    },
  },
  test: {
    environment: 'node',
    include: ['lib/**/*.test.ts', 'app/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts'],
    // Each test file gets its own in-memory PGlite unless DATABASE_URL points at PostgreSQL.
    env: { DATA_DIR: 'memory://', NODE_ENV: 'test', PUBLIC_URL: 'http://scim.test' },
    globalSetup: './test/global-setup.ts',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
