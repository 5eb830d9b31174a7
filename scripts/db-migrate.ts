// npm run db:migrate: applies pending migrations to the configured database (PGlite or DATABASE_URL).
import { closeDatabase, databaseKind, databaseReady } from '../lib/db/client'

try {
  await databaseReady()
  console.log(`Database (${databaseKind()}) is up to date.`)
} finally {
  await closeDatabase()
}
