import 'server-only'
import { createHash } from 'node:crypto'
import { getSqlRunner } from './client'
import type { Prisma } from './generated/client'

/**
 * Parameterized SQL straight on the driver, for the SCIM hot path. Measured here, Prisma's client runtime and
 * its WebAssembly query compiler cost more CPU than the rest of a SCIM request together; the portal and CLI
 * keep using the Prisma client. Statements are built with Prisma.sql, so values are always parameters.
 */

export class UniqueViolationError extends Error {
  constructor(readonly constraint: string | undefined) {
    super(`Unique constraint violated${constraint ? `: ${constraint}` : ''}`)
  }
}

/**
 * The database could not answer in time: a statement ran past `DATABASE_STATEMENT_TIMEOUT_MS`, or no pooled
 * connection became free. The request may be retried later; nothing it did was committed.
 */
export class DatabaseBusyError extends Error {}

const UNIQUE_VIOLATION = '23505'
const QUERY_CANCELED = '57014'

/** Dates travel as ISO strings: pg would otherwise send them in the process's local zone. */
function toParameter(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value
}

/**
 * `prepare`: send it as a named prepared statement, which each PostgreSQL connection parses and plans once
 * instead of on every call. For the hot path's statements, whose text is the same on every call (values are
 * parameters): parse and planning were half or more of their database time (a user write with its event
 * composed in SQL: 0.25 ms unnamed, 0.08 ms prepared). Not for statements whose text varies with their input
 * (filters, lists of values): each distinct text would stay prepared on every connection.
 */
export type SqlOptions = { prepare?: boolean }

/** At most this many statement names are remembered; past it, statements are simply sent unnamed. */
const MAX_PREPARED = 100
const preparedNames = new Map<string, string>()

/** A name for the text, the same in every process (a digest), so it never names two different texts. */
function preparedName(text: string): string | undefined {
  const known = preparedNames.get(text)
  if (known || preparedNames.size >= MAX_PREPARED) return known
  const name = `tt_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`
  preparedNames.set(text, name)
  return name
}

async function run(statement: Prisma.Sql, options?: SqlOptions) {
  try {
    const name = options?.prepare ? preparedName(statement.text) : undefined
    return await getSqlRunner()(statement.text, statement.values.map(toParameter), name)
  } catch (error) {
    const { code, constraint } = error as { code?: string; constraint?: string }
    if (code === UNIQUE_VIOLATION) throw new UniqueViolationError(constraint)
    if (code === QUERY_CANCELED) throw new DatabaseBusyError('A database statement took too long and was cancelled.')
    if (error instanceof Error && /timeout exceeded when trying to connect/i.test(error.message)) {
      throw new DatabaseBusyError('No database connection became free in time.')
    }
    throw error
  }
}

export async function sqlRows<T>(statement: Prisma.Sql, options?: SqlOptions): Promise<T[]> {
  return (await run(statement, options)).rows as T[]
}

export async function sqlFirst<T>(statement: Prisma.Sql, options?: SqlOptions): Promise<T | undefined> {
  return (await sqlRows<T>(statement, options))[0]
}

/** Runs a statement and returns how many rows it changed. */
export async function sqlExecute(statement: Prisma.Sql, options?: SqlOptions): Promise<number> {
  return (await run(statement, options)).rowCount
}
