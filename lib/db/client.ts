import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { PrismaPg } from '@prisma/adapter-pg'
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import { env } from '../env'
import { PrismaClient } from './generated/client'
import { applyPendingMigrations } from './migrate'

/**
 * One database per process: PGlite in DATA_DIR by default, PostgreSQL when DATABASE_URL is set.
 * The handle lives on globalThis because the production server loads the SCIM handlers outside Next's
 * bundle while Next loads its own copy of this module; two PGlite instances on one folder would corrupt it.
 */

function createClient(factory: SqlMigrationAwareDriverAdapterFactory) {
  // Secrets never leave the database layer unless a query asks for them explicitly.
  return new PrismaClient({
    adapter: factory,
    omit: { scimToken: { secretHash: true }, operator: { passwordHash: true } },
  })
}

export type Db = ReturnType<typeof createClient>

type Database = {
  db: Db
  factory: SqlMigrationAwareDriverAdapterFactory
  kind: 'pglite' | 'postgres'
  ready: Promise<void>
  close: () => Promise<void>
}

const globalForDb = globalThis as unknown as { __traffitechDatabase?: Database }

export class DatabaseLockedError extends Error {}

/** PGlite allows one process per folder; a pid file makes a second one fail clearly instead of corrupting it. */
function lockDataDir(dataDir: string): () => void {
  const lockFile = path.join(dataDir, 'traffitech.pid')
  mkdirSync(dataDir, { recursive: true })
  try {
    const holder = Number(readFileSync(lockFile, 'utf8'))
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new DatabaseLockedError(
        `The embedded database in ${dataDir} is in use by process ${holder} (probably the running server). ` +
          'Stop that process first, or set DATABASE_URL to use PostgreSQL, which many processes can share.',
      )
    }
  } catch (error) {
    if (error instanceof DatabaseLockedError) throw error
  }
  writeFileSync(lockFile, String(process.pid))
  const release = () => rmSync(lockFile, { force: true })
  process.once('exit', release)
  return release
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function openDatabase(): Database {
  const { DATABASE_URL, DATA_DIR, DATABASE_POOL_SIZE } = env()
  let factory: SqlMigrationAwareDriverAdapterFactory
  let kind: Database['kind']
  let closeDriver: () => Promise<void>
  if (DATABASE_URL) {
    factory = new PrismaPg({ connectionString: DATABASE_URL, max: DATABASE_POOL_SIZE })
    kind = 'postgres'
    closeDriver = async () => {}
  } else {
    const inMemory = DATA_DIR.startsWith('memory://')
    const release = inMemory ? () => {} : lockDataDir(path.resolve(DATA_DIR))
    const pglite = new PGlite(inMemory ? DATA_DIR : path.resolve(DATA_DIR, 'pglite'))
    factory = new PrismaPGlite(pglite)
    kind = 'pglite'
    closeDriver = async () => {
      await pglite.close()
      release()
    }
  }
  const db = createClient(factory)
  const ready = applyPendingMigrations(factory).then((applied) => {
    if (applied.length > 0 && env().NODE_ENV !== 'test') {
      console.log(`Applied database migrations: ${applied.join(', ')}`)
    }
  })
  return {
    db,
    factory,
    kind,
    ready,
    close: async () => {
      await db.$disconnect()
      await closeDriver()
      globalForDb.__traffitechDatabase = undefined
    },
  }
}

function database(): Database {
  globalForDb.__traffitechDatabase ??= openDatabase()
  return globalForDb.__traffitechDatabase
}

/** The Prisma client. Call `databaseReady()` once before the first query of a process. */
export function getDb(): Db {
  return database().db
}

/** Resolves when pending migrations have been applied. */
export function databaseReady(): Promise<void> {
  return database().ready
}

export function databaseKind(): Database['kind'] {
  return database().kind
}

export async function closeDatabase(): Promise<void> {
  await globalForDb.__traffitechDatabase?.close()
}
