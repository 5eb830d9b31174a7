import { defineConfig } from 'prisma/config'

// Only `prisma generate` uses this file. Migrations run through lib/db/migrate.ts (WebAssembly schema engine).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
})
