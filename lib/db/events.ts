import { Prisma } from './generated/client'
import { sqlExecute, sqlRows } from './sql'

/**
 * The user-event outbox (table "UserEvent"). Events are inserted with the SQL runner, so inside
 * `withTransaction` they commit or roll back with the change they describe.
 *
 * Reading in commit-safe order: "seq" is handed out at insert, so a transaction that inserts seq 10 may commit
 * after one that inserted seq 11; a reader that had moved past 11 would never see 10. Every event therefore
 * carries the id of its transaction ("txid"), and readers see only events of transactions older than the
 * oldest one still running (`pg_snapshot_xmin(pg_current_snapshot())`): those are finished for good, so
 * nothing can appear behind a cursor on ("txid", "seq") once it has moved on. The price is that one long
 * transaction (bounded by the statement timeout) holds back the events behind it.
 */

export type EventPosition = { txid: bigint; seq: bigint }

export type NewUserEvent = {
  id: string
  type: string
  providerId: string
  userId: string
  createdAt: Date
  /** The event exactly as it is delivered and served. */
  payload: unknown
}

export type StoredUserEvent = EventPosition & NewUserEvent

/** A row as the driver returns it: the bigint columns may come back as text. */
type EventRow = NewUserEvent & { seq: string | bigint; txid: string | bigint }

const eventColumns = Prisma.sql`"seq", "txid", "id", "type", "providerId", "userId", "createdAt", "payload"`

function toStoredEvent(row: EventRow): StoredUserEvent {
  return { ...row, seq: BigInt(row.seq), txid: BigInt(row.txid) }
}

/** Inserts events in the caller's transaction (call it inside `withTransaction` with the change itself). */
export async function insertUserEvents(events: readonly NewUserEvent[]): Promise<void> {
  if (events.length === 0) return
  const rows = events.map(
    (event) =>
      Prisma.sql`(${event.id}, ${event.type}, ${event.providerId}::uuid, ${event.userId}::uuid, ${JSON.stringify(event.payload)}::json, ${event.createdAt})`,
  )
  await sqlExecute(Prisma.sql`
    INSERT INTO "UserEvent" ("id", "type", "providerId", "userId", "payload", "createdAt")
    VALUES ${Prisma.join(rows)}`)
}

/**
 * The INSERT of one event for each row of `source` (a CTE of the same statement): a user write and its event
 * then commit as one statement, which saves the BEGIN/COMMIT round trips of a transaction on the hot path.
 */
export function insertUserEventFromSql(event: NewUserEvent, source: 'written' | 'removed'): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO "UserEvent" ("id", "type", "providerId", "userId", "payload", "createdAt")
    SELECT ${event.id}, ${event.type}, ${event.providerId}::uuid, ${event.userId}::uuid, ${JSON.stringify(event.payload)}::json,
      ${event.createdAt} FROM ${Prisma.raw(source)}`
}

export type EventQuery = {
  after: EventPosition | null
  limit: number
  providerId?: string
  types?: readonly string[]
}

/** Committed events after `after`, oldest first, never past the oldest transaction still running. */
export async function findEventsAfter(query: EventQuery): Promise<StoredUserEvent[]> {
  const conditions = [Prisma.sql`"txid" < ((pg_snapshot_xmin(pg_current_snapshot()))::text)::bigint`]
  if (query.after) conditions.push(Prisma.sql`("txid", "seq") > (${query.after.txid}::bigint, ${query.after.seq}::bigint)`)
  if (query.providerId) conditions.push(Prisma.sql`"providerId" = ${query.providerId}::uuid`)
  if (query.types && query.types.length > 0) conditions.push(Prisma.sql`"type" = ANY(${[...query.types]}::text[])`)
  const rows = await sqlRows<EventRow>(Prisma.sql`
    SELECT ${eventColumns} FROM "UserEvent" WHERE ${Prisma.join(conditions, ' AND ')}
    ORDER BY "txid", "seq" LIMIT ${query.limit}`)
  return rows.map(toStoredEvent)
}

/** A user's most recent events, newest first (the portal's user page). */
export async function findEventsOfUser(userId: string, limit: number): Promise<StoredUserEvent[]> {
  const rows = await sqlRows<EventRow>(Prisma.sql`
    SELECT ${eventColumns} FROM "UserEvent" WHERE "userId" = ${userId}::uuid ORDER BY "seq" DESC LIMIT ${limit}`)
  return rows.map(toStoredEvent)
}

/**
 * Retention: deletes up to `batch` events created before `before`; returns how many went. The primary key is
 * walked from the oldest event (seq follows createdAt), so the old ones are found first without an index of their own.
 */
export function deleteEventsBefore(before: Date, batch: number): Promise<number> {
  return sqlExecute(Prisma.sql`
    DELETE FROM "UserEvent" WHERE "seq" IN (
      SELECT "seq" FROM "UserEvent" WHERE "createdAt" < ${before} ORDER BY "seq" LIMIT ${batch})`)
}

/**
 * Resolves once every transaction that had started when it was called has ended, so that the events they
 * committed are visible to `findEventsAfter` (tests and tools use it; consumers simply poll). Gives up after
 * `timeoutMs`, when a transaction somewhere on the server stays open that long.
 */
export async function eventsSettled(timeoutMs = 20_000): Promise<void> {
  const [start] = await sqlRows<{ horizon: string }>(
    Prisma.sql`SELECT (pg_snapshot_xmax(pg_current_snapshot()))::text AS horizon`,
  )
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const [now] = await sqlRows<{ settled: boolean }>(
      Prisma.sql`SELECT (pg_snapshot_xmin(pg_current_snapshot()))::text::bigint >= ${start?.horizon ?? '0'}::bigint AS settled`,
    )
    if (now?.settled) return
    if (Date.now() > deadline) throw new Error('Events did not settle: a transaction stayed open too long.')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
