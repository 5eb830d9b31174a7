import 'server-only'
import { AsyncLocalStorage } from 'node:async_hooks'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import { PrismaPg } from '@prisma/adapter-pg'
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import pg from 'pg'
import { env } from '../env'
import { logger } from '../ops/logger'
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
    omit: {
      scimToken: { secretHash: true },
      apiKey: { secretHash: true },
      operator: { passwordHash: true, mfaSecret: true, mfaPendingSecret: true },
    },
  })
}

export type Db = ReturnType<typeof createClient>

/** A parameterized statement straight on the driver: the SCIM hot path skips the ORM (see sql.ts). */
/** `name`: run as a named prepared statement (PostgreSQL only: parsed and planned once per connection). */
export type SqlRunner = (
  text: string,
  values: unknown[],
  name?: string,
) => Promise<{ rows: Record<string, unknown>[]; rowCount: number }>

/** Runs `fn` inside one database transaction, handing it the runner bound to that transaction. */
type TransactionRunner = <T>(fn: (runSql: SqlRunner) => Promise<T>) => Promise<T>

type Database = {
  db: Db
  factory: SqlMigrationAwareDriverAdapterFactory
  runSql: SqlRunner
  runTransaction: TransactionRunner
  kind: 'pglite' | 'postgres'
  /** PostgreSQL: the request pool, for metrics. */
  pool?: pg.Pool
  ready: Promise<void>
  close: () => Promise<void>
}

const globalForDb = globalThis as unknown as { __traffitechDatabase?: Database }

const TIMESTAMP_WITHOUT_TIME_ZONE = 1114
/**
 * Prisma stores DateTime as UTC in `timestamp(3)`; pg and PGlite would read it in the process's local zone. Both
 * runners read it as UTC, so every row of the SQL runner carries Date objects (and sql.ts sends ISO strings in).
 */
const utcTimestamp = (value: string) => new Date(`${value.replace(' ', 'T')}Z`)
const utcTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMP_WITHOUT_TIME_ZONE ? utcTimestamp : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
}
const pgliteUtcParsers = { parsers: { [TIMESTAMP_WITHOUT_TIME_ZONE]: utcTimestamp } }

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

async function openPglite(dataDir: string): Promise<{ pglite: PGlite; factory: SqlMigrationAwareDriverAdapterFactory }> {
  const [{ PGlite }, { PrismaPGlite }, { pg_trgm }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('pglite-prisma-adapter'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
  ])
  // pg_trgm (bundled with PGlite, no download): the trigram indexes of the portal's user search.
  const pglite = new PGlite(dataDir, { extensions: { pg_trgm } })
  return { pglite, factory: new PrismaPGlite(pglite) }
}

function openDatabase(): Database {
  const { DATABASE_URL, DATA_DIR, DATABASE_POOL_SIZE, DATABASE_STATEMENT_TIMEOUT_MS, DATABASE_PREPARED_STATEMENTS } = env()
  let factory: SqlMigrationAwareDriverAdapterFactory
  let runSql: SqlRunner
  let runTransaction: TransactionRunner
  let migrationFactory: SqlMigrationAwareDriverAdapterFactory | undefined
  let endMigrationPool = async () => {}
  let kind: Database['kind']
  let pool: pg.Pool | undefined
  let closeDriver: () => Promise<void>
  if (DATABASE_URL) {
    pool = new pg.Pool({
      connectionString: DATABASE_URL,
      max: DATABASE_POOL_SIZE,
      // The app sends short indexed statements and a few scans: JIT compiling one costs more than it saves
      // (measured: 0.7 s added to a 1 M-row scan), so the app's connections run without it.
      options: '-c jit=off',
      // No request may hold the database for long: a runaway statement is cancelled, a request that cannot
      // get a connection gives up (both answer 503 with Retry-After on SCIM).
      ...(DATABASE_STATEMENT_TIMEOUT_MS > 0
        ? { statement_timeout: DATABASE_STATEMENT_TIMEOUT_MS, connectionTimeoutMillis: 2 * DATABASE_STATEMENT_TIMEOUT_MS }
        : {}),
    })
    factory = new PrismaPg(pool)
    // Migrations may legitimately run longer than any request (an index on a large table): their own pool.
    const migrationPool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 })
    migrationFactory = new PrismaPg(migrationPool)
    endMigrationPool = () => migrationPool.end()
    const runnerOn =
      (client: pg.Pool | pg.PoolClient): SqlRunner =>
      async (text, values, name) => {
        const prepared = name && DATABASE_PREPARED_STATEMENTS ? { name } : {}
        const result = await client.query({ text, values, types: utcTypes, ...prepared })
        return { rows: result.rows, rowCount: result.rowCount ?? 0 }
      }
    const requestPool = pool
    runSql = runnerOn(requestPool)
    runTransaction = async (fn) => {
      const client = await requestPool.connect()
      let broken = false
      try {
        await client.query('BEGIN')
        const result = await fn(runnerOn(client))
        await client.query('COMMIT')
        return result
      } catch (error) {
        try {
          await client.query('ROLLBACK')
        } catch {
          // A connection that cannot even roll back is not handed out again.
          broken = true
        }
        throw error
      } finally {
        client.release(broken)
      }
    }
    kind = 'postgres'
    closeDriver = () => requestPool.end()
  } else {
    const inMemory = DATA_DIR.startsWith('memory://')
    const release = inMemory ? () => {} : lockDataDir(path.resolve(DATA_DIR))
    // Imported only when used: PGlite costs about 50 MB of memory just to load.
    const opened = openPglite(inMemory ? DATA_DIR : path.resolve(DATA_DIR, 'pglite'))
    factory = {
      provider: 'postgres',
      adapterName: 'pglite',
      connect: async () => (await opened).factory.connect(),
      connectToShadowDb: async () => (await opened).factory.connectToShadowDb(),
    }
    const runnerOn =
      (target: Pick<PGlite, 'query'>): SqlRunner =>
      async (text, values) => {
        const result = await target.query<Record<string, unknown>>(text, values, pgliteUtcParsers)
        return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length }
      }
    runSql = async (text, values) => runnerOn((await opened).pglite)(text, values)
    // PGlite has one connection: its transaction holds a lock that every other query waits for, so a
    // transaction here is also serialized against the rest of the process.
    runTransaction = async (fn) => (await opened).pglite.transaction((tx) => fn(runnerOn(tx)))
    kind = 'pglite'
    closeDriver = async () => {
      await (await opened).pglite.close()
      release()
    }
  }
  const db = createClient(factory)
  const ready = applyPendingMigrations(migrationFactory ?? factory)
    .finally(() => endMigrationPool())
    .then((applied) => {
      if (applied.length > 0 && env().NODE_ENV !== 'test') {
        logger.info({ migrations: applied }, `Applied database migrations: ${applied.join(', ')}`)
      }
    })
  return {
    db,
    factory,
    runSql,
    runTransaction,
    kind,
    ...(pool ? { pool } : {}),
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

const transactionScope = new AsyncLocalStorage<SqlRunner>()

/** The runner for the next statement: the open transaction's, when `withTransaction` is running one. */
export function getSqlRunner(): SqlRunner {
  return transactionScope.getStore() ?? database().runSql
}

/** Runs `fn` outside any transaction the caller is in: for writes that must not commit or roll back with it. */
export function outsideTransaction<T>(fn: () => T): T {
  return transactionScope.exit(fn)
}

/**
 * Runs `fn` in one transaction: every statement of `lib/db/sql.ts` that `fn` makes (however deep) joins it,
 * and it commits when `fn` resolves or rolls back when it throws. A nested call joins the outer transaction.
 * Inside, use only the SQL runner (`sql.ts`): a Prisma client call would run outside the transaction, and on
 * PGlite it would wait for the transaction to end, forever.
 */
export async function withTransaction<T>(fn: () => Promise<T>): Promise<T> {
  if (transactionScope.getStore()) return fn()
  return database().runTransaction((runSql) => transactionScope.run(runSql, fn))
}

export function databaseKind(): Database['kind'] {
  return database().kind
}

export type DatabasePoolStats = { max: number; total: number; idle: number; waiting: number }

/**
 * The PostgreSQL request pool's use (connections open, idle, and requests waiting for one); null on PGlite,
 * which has a single connection, and before the database was opened (metrics must not open it).
 */
export function databasePoolStats(): DatabasePoolStats | null {
  const pool = globalForDb.__traffitechDatabase?.pool
  if (!pool) return null
  return { max: pool.options.max ?? 0, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }
}

export async function closeDatabase(): Promise<void> {
  await globalForDb.__traffitechDatabase?.close()
}
