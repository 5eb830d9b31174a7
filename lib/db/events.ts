import { Prisma } from './generated/client'
import { directoryUserJsonSql } from './directory'
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
const eventColumnsWithTextPayload = Prisma.sql`"seq", "txid", "id", "type", "providerId", "userId", "createdAt", "payload"::text AS "payload"`

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
 * The INSERT of one event for each row of `written` (a CTE of the same statement): a user write and its event
 * then commit as one statement, which saves the BEGIN/COMMIT round trips of a transaction on the hot path.
 */
export function insertUserEventFromSql(event: NewUserEvent): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO "UserEvent" ("id", "type", "providerId", "userId", "payload", "createdAt")
    SELECT ${event.id}, ${event.type}, ${event.providerId}::uuid, ${event.userId}::uuid, ${JSON.stringify(event.payload)}::json,
      ${event.createdAt} FROM written`
}

/** A deletion's event before the statement that deletes the user fills in the user (see insertDeletionEventFromSql). */
export type DeletionEventHead = { id: string; type: string; createdAt: Date }

/**
 * The INSERT of a deletion's event for each row of `removed` (a CTE of the same statement: the deleted row),
 * with `data.user` the user as it was, built in SQL from that row (`directoryUserJsonSql`), and no changes.
 * Same envelope as the events built in lib/services/events.ts `userEventOf`, key for key.
 */
export function insertDeletionEventFromSql(head: DeletionEventHead): Prisma.Sql {
  const payload = Prisma.sql`json_build_object('id', ${head.id}::text, 'type', ${head.type}::text,
    'createdAt', ${head.createdAt.toISOString()}::text, 'providerId', removed."providerId",
    'data', json_build_object('user', ${directoryUserJsonSql('removed')}, 'changes', '[]'::json))`
  return Prisma.sql`
    INSERT INTO "UserEvent" ("id", "type", "providerId", "userId", "payload", "createdAt")
    SELECT ${head.id}, ${head.type}, removed."providerId", removed."id", ${payload}, ${head.createdAt} FROM removed`
}

export type EventQuery = {
  after: EventPosition | null
  limit: number
  providerId?: string
  types?: readonly string[]
  /** The payload as its stored JSON text rather than parsed (the webhook fan-out sends the text as it is). */
  payloadAsText?: boolean
}

/** Only events of transactions that have ended for good: see the top of this file. */
const committedForGood = Prisma.sql`"txid" < ((pg_snapshot_xmin(pg_current_snapshot()))::text)::bigint`

/** Committed events after `after`, oldest first, never past the oldest transaction still running. */
export async function findEventsAfter(query: EventQuery): Promise<StoredUserEvent[]> {
  const conditions = [committedForGood]
  if (query.after) conditions.push(Prisma.sql`("txid", "seq") > (${query.after.txid}::bigint, ${query.after.seq}::bigint)`)
  if (query.providerId) conditions.push(Prisma.sql`"providerId" = ${query.providerId}::uuid`)
  if (query.types && query.types.length > 0) conditions.push(Prisma.sql`"type" = ANY(${[...query.types]}::text[])`)
  const columns = query.payloadAsText ? eventColumnsWithTextPayload : eventColumns
  const rows = await sqlRows<EventRow>(Prisma.sql`
    SELECT ${columns} FROM "UserEvent" WHERE ${Prisma.join(conditions, ' AND ')}
    ORDER BY "txid", "seq" LIMIT ${query.limit}`)
  return rows.map(toStoredEvent)
}

/**
 * The position of the newest committed event after `after`, and how many events lie between (counted up to
 * `countUpTo` only, so a cursor far behind costs no more than a batch), without reading them: the fan-out
 * passes over events when no endpoint exists to deliver them to.
 */
export async function findNewestEventAfter(
  after: EventPosition,
  countUpTo: number,
): Promise<{ position: EventPosition; count: number } | undefined> {
  const newer = Prisma.sql`${committedForGood} AND ("txid", "seq") > (${after.txid}::bigint, ${after.seq}::bigint)`
  const [row] = await sqlRows<{ txid: string | bigint; seq: string | bigint; count: string | number }>(Prisma.sql`
    SELECT newest."txid", newest."seq",
      (SELECT count(*) FROM (SELECT 1 FROM "UserEvent" WHERE ${newer} LIMIT ${countUpTo}) counted) AS "count"
    FROM (SELECT "txid", "seq" FROM "UserEvent" WHERE ${newer} ORDER BY "txid" DESC, "seq" DESC LIMIT 1) newest`)
  return row && { position: { txid: BigInt(row.txid), seq: BigInt(row.seq) }, count: Number(row.count) }
}

/** A user's most recent events, newest first (the portal's user page). */
export async function findEventsOfUser(userId: string, limit: number): Promise<StoredUserEvent[]> {
  const rows = await sqlRows<EventRow>(Prisma.sql`
    SELECT ${eventColumns} FROM "UserEvent" WHERE "userId" = ${userId}::uuid ORDER BY "seq" DESC LIMIT ${limit}`)
  return rows.map(toStoredEvent)
}

/**
 * Retention: deletes up to `batch` events created before `before`; returns how many went. The primary key is
 * walked from the oldest transaction (transaction ids follow createdAt), so the old ones are found first without
 * an index of their own.
 */
export function deleteEventsBefore(before: Date, batch: number): Promise<number> {
  return sqlExecute(Prisma.sql`
    DELETE FROM "UserEvent" WHERE ("txid", "seq") IN (
      SELECT "txid", "seq" FROM "UserEvent" WHERE "createdAt" < ${before} ORDER BY "txid", "seq" LIMIT ${batch})`)
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
