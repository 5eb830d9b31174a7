import { readdir } from 'node:fs/promises'
import { databaseReady } from './client'
import { Prisma } from './generated/client'
import { migrationsDir } from './migrate'
import { sqlRows } from './sql'

/** What a readiness probe asks of the database: can it answer, and is the schema the one this build expects. */

export type DatabaseHealth = { reachable: true; pendingMigrations: string[] } | { reachable: false; error: string }

let startup: 'running' | 'done' | 'failed' = 'running'
let startupError = ''
let expected: Promise<string[]> | undefined

function watchStartup(): void {
  if (expected) return
  databaseReady().then(
    () => (startup = 'done'),
    (error: unknown) => {
      startup = 'failed'
      startupError = error instanceof Error ? error.message : String(error)
    },
  )
  // The migrations this build ships: every folder of prisma/migrations.
  expected = readdir(migrationsDir, { withFileTypes: true }).then((entries) =>
    entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name),
  )
}

/**
 * One small query, raced against `timeoutMs`: the database answers, and every migration this build ships
 * is recorded as finished (a rolled back or failed one counts as pending).
 */
export async function checkDatabaseHealth(timeoutMs: number): Promise<DatabaseHealth> {
  watchStartup()
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`The database did not answer within ${timeoutMs} ms.`)), timeoutMs)
  })
  // Start-up migrations that are still running are waited for, within the probe's time.
  if (startup === 'running') await Promise.race([databaseReady(), timeout]).catch(() => {})
  if (startup === 'failed') {
    clearTimeout(timer)
    return { reachable: false, error: `Migrations failed at start-up: ${startupError}` }
  }
  if (startup === 'running') {
    clearTimeout(timer)
    return { reachable: true, pendingMigrations: ['(start-up migrations still running)'] }
  }
  try {
    const [names, rows] = await Promise.race([
      Promise.all([
        expected!,
        sqlRows<{ name: string }>(Prisma.sql`
          SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`),
      ]),
      timeout,
    ])
    const applied = new Set(rows.map((row) => row.name))
    return { reachable: true, pendingMigrations: names.filter((name) => !applied.has(name)) }
  } catch (error) {
    return { reachable: false, error: error instanceof Error ? error.message : String(error) }
  } finally {
    clearTimeout(timer)
  }
}
