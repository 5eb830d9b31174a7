import 'server-only'
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

async function run(statement: Prisma.Sql) {
  try {
    return await getSqlRunner()(statement.text, statement.values.map(toParameter))
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

export async function sqlRows<T>(statement: Prisma.Sql): Promise<T[]> {
  return (await run(statement)).rows as T[]
}

export async function sqlFirst<T>(statement: Prisma.Sql): Promise<T | undefined> {
  return (await sqlRows<T>(statement))[0]
}

/** Runs a statement and returns how many rows it changed. */
export async function sqlExecute(statement: Prisma.Sql): Promise<number> {
  return (await run(statement)).rowCount
}

/** A time-ordered UUID (RFC 9562 version 7), so log ids sort by creation. */
export function uuidv7(now = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  const time = BigInt(now)
  for (let index = 0; index < 6; index++) bytes[index] = Number((time >> BigInt(8 * (5 - index))) & 0xffn)
  bytes[6] = (bytes[6]! & 0x0f) | 0x70
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
