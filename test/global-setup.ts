import pg from 'pg'

/**
 * Against PostgreSQL (DATABASE_URL set), start every run from an empty schema so that the migrations
 * are exercised from scratch, as on a new installation. PGlite runs need nothing: each file is fresh.
 */
export default async function setup() {
  const url = process.env.DATABASE_URL
  if (!url) return
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;')
  } finally {
    await client.end()
  }
  const { databaseReady, closeDatabase } = await import('../lib/db/client')
  await databaseReady()
  await closeDatabase()
}
