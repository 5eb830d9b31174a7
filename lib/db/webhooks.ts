import { Prisma } from './generated/client'
import type { EventPosition } from './events'
import { sqlExecute, sqlFirst, sqlRows } from './sql'

/**
 * Webhook endpoints, their deliveries and attempts, and the fan-out cursor. Everything runs on the SQL runner,
 * so the services can put a change and its audit event in one `withTransaction`, and the worker's claims are
 * plain statements that several instances can race on safely.
 */

export type WebhookEndpointRow = {
  id: string
  url: string
  description: string
  providerId: string | null
  eventTypes: string[]
  secret: string
  previousSecret: string | null
  previousSecretExpiresAt: Date | null
  enabled: boolean
  disabledAt: Date | null
  disabledReason: string | null
  failingSince: Date | null
  leasedUntil: Date | null
  leaseToken: string | null
  createdBy: string
  createdAt: Date
  updatedAt: Date
}

export type DeliveryStatus = 'pending' | 'failed' | 'succeeded' | 'dead'

export type WebhookDeliveryRow = {
  id: string
  seq: bigint
  endpointId: string
  eventId: string
  eventType: string
  payload: string
  status: DeliveryStatus
  attempts: number
  queuedAt: Date
  firstAttemptAt: Date | null
  nextAttemptAt: Date
  lastAttemptAt: Date | null
  lastStatus: number | null
  lastError: string | null
  createdAt: Date
}

export type WebhookAttemptRow = {
  id: string
  deliveryId: string
  endpointId: string
  at: Date
  statusCode: number | null
  durationMs: number
  responseExcerpt: string | null
  error: string | null
}

const endpointColumns = Prisma.sql`"id", "url", "description", "providerId", "eventTypes", "secret", "previousSecret",
  "previousSecretExpiresAt", "enabled", "disabledAt", "disabledReason", "failingSince", "leasedUntil", "leaseToken",
  "createdBy", "createdAt", "updatedAt"`

const deliveryColumns = Prisma.sql`"id", "seq", "endpointId", "eventId", "eventType", "payload", "status", "attempts",
  "queuedAt", "firstAttemptAt", "nextAttemptAt", "lastAttemptAt", "lastStatus", "lastError", "createdAt"`

type RawDelivery = Omit<WebhookDeliveryRow, 'seq'> & { seq: string | bigint }
const toDelivery = (row: RawDelivery): WebhookDeliveryRow => ({ ...row, seq: BigInt(row.seq) })

// ---- endpoints ----

export async function insertWebhookEndpoint(
  row: Omit<WebhookEndpointRow, 'leasedUntil' | 'leaseToken'>,
): Promise<WebhookEndpointRow> {
  const inserted = await sqlFirst<WebhookEndpointRow>(Prisma.sql`
    INSERT INTO "WebhookEndpoint" ("id", "url", "description", "providerId", "eventTypes", "secret", "previousSecret",
      "previousSecretExpiresAt", "enabled", "disabledAt", "disabledReason", "failingSince", "createdBy", "createdAt", "updatedAt")
    VALUES (${row.id}::uuid, ${row.url}, ${row.description}, ${row.providerId}::uuid, ${row.eventTypes}::text[], ${row.secret},
      ${row.previousSecret}, ${row.previousSecretExpiresAt}, ${row.enabled}, ${row.disabledAt}, ${row.disabledReason},
      ${row.failingSince}, ${row.createdBy}, ${row.createdAt}, ${row.updatedAt})
    RETURNING ${endpointColumns}`)
  return inserted!
}

export function findWebhookEndpoint(id: string): Promise<WebhookEndpointRow | undefined> {
  return sqlFirst<WebhookEndpointRow>(Prisma.sql`SELECT ${endpointColumns} FROM "WebhookEndpoint" WHERE "id" = ${id}::uuid`)
}

/** The endpoint, locked until the transaction ends (call inside `withTransaction`). */
export function findWebhookEndpointForUpdate(id: string): Promise<WebhookEndpointRow | undefined> {
  return sqlFirst<WebhookEndpointRow>(
    Prisma.sql`SELECT ${endpointColumns} FROM "WebhookEndpoint" WHERE "id" = ${id}::uuid FOR UPDATE`,
  )
}

export function findWebhookEndpoints(): Promise<WebhookEndpointRow[]> {
  return sqlRows<WebhookEndpointRow>(Prisma.sql`SELECT ${endpointColumns} FROM "WebhookEndpoint" ORDER BY "createdAt", "id"`)
}

export function findDisabledWebhookEndpoints(): Promise<WebhookEndpointRow[]> {
  return sqlRows<WebhookEndpointRow>(Prisma.sql`
    SELECT ${endpointColumns} FROM "WebhookEndpoint" WHERE NOT "enabled" ORDER BY "disabledAt" DESC NULLS LAST`)
}

export async function setWebhookEnabled(
  id: string,
  enabled: boolean,
  now: Date,
  reason: string | null,
): Promise<WebhookEndpointRow | undefined> {
  const row = await sqlFirst<WebhookEndpointRow>(Prisma.sql`
    UPDATE "WebhookEndpoint" SET "enabled" = ${enabled}, "updatedAt" = ${now},
      "disabledAt" = ${enabled ? null : now}, "disabledReason" = ${enabled ? null : reason},
      "failingSince" = CASE WHEN ${enabled} THEN NULL ELSE "failingSince" END
    WHERE "id" = ${id}::uuid RETURNING ${endpointColumns}`)
  // Re-enabled: deliveries waiting for a retry go out now instead of at their backed-off time.
  if (row && enabled) {
    await sqlExecute(Prisma.sql`
      UPDATE "WebhookDelivery" SET "nextAttemptAt" = ${now} WHERE "endpointId" = ${id}::uuid AND "status" = 'failed'`)
  }
  return row
}

export function setWebhookSecrets(
  id: string,
  secrets: { secret: string; previousSecret: string | null; previousSecretExpiresAt: Date | null },
  now: Date,
): Promise<WebhookEndpointRow | undefined> {
  return sqlFirst<WebhookEndpointRow>(Prisma.sql`
    UPDATE "WebhookEndpoint" SET "secret" = ${secrets.secret}, "previousSecret" = ${secrets.previousSecret},
      "previousSecretExpiresAt" = ${secrets.previousSecretExpiresAt}, "updatedAt" = ${now}
    WHERE "id" = ${id}::uuid RETURNING ${endpointColumns}`)
}

export async function deleteWebhookEndpoint(id: string): Promise<boolean> {
  return (await sqlExecute(Prisma.sql`DELETE FROM "WebhookEndpoint" WHERE "id" = ${id}::uuid`)) > 0
}

export type EndpointStats = {
  endpointId: string
  attempts: number
  successes: number
  lastAttemptAt: Date | null
  lastStatusCode: number | null
}

/** Attempts and successes since `since`, and the latest attempt, per endpoint. */
export async function findEndpointStats(since: Date): Promise<EndpointStats[]> {
  const rows = await sqlRows<{
    endpointId: string
    attempts: string | number
    successes: string | number
    lastAttemptAt: Date | null
    lastStatusCode: number | null
  }>(Prisma.sql`
    SELECT e."id" AS "endpointId",
      (SELECT count(*) FROM "WebhookAttempt" a WHERE a."endpointId" = e."id" AND a."at" >= ${since}) AS "attempts",
      (SELECT count(*) FROM "WebhookAttempt" a WHERE a."endpointId" = e."id" AND a."at" >= ${since}
        AND a."statusCode" BETWEEN 200 AND 299) AS "successes",
      last."at" AS "lastAttemptAt", last."statusCode" AS "lastStatusCode"
    FROM "WebhookEndpoint" e
    LEFT JOIN LATERAL (SELECT a."at", a."statusCode" FROM "WebhookAttempt" a WHERE a."endpointId" = e."id"
      ORDER BY a."at" DESC LIMIT 1) last ON TRUE`)
  return rows.map((row) => ({ ...row, attempts: Number(row.attempts), successes: Number(row.successes) }))
}

// ---- fan-out ----

/** Any constant: the key of the advisory lock that lets one instance at a time fan out. */
const FANOUT_LOCK_KEY = 7_361_420_905

/**
 * The fan-out cursor, for this transaction alone; null while another instance holds the fan-out lock (that
 * instance is fanning out, so this one need not). Holding the lock while deliveries are inserted and the
 * cursor moved, in one transaction, is what makes each event fan out exactly once. An advisory lock rather
 * than a row lock: an idle poll then writes nothing and takes no transaction id, so it never holds back the
 * commit-safe horizon that event readers wait for.
 */
export async function lockFanoutCursor(): Promise<EventPosition | null> {
  const lock = await sqlFirst<{ locked: boolean }>(
    Prisma.sql`SELECT pg_try_advisory_xact_lock(${FANOUT_LOCK_KEY}::bigint) AS "locked"`,
  )
  if (!lock?.locked) return null
  const row = await sqlFirst<{ txid: string | bigint; seq: string | bigint }>(Prisma.sql`
    SELECT "txid", "seq" FROM "WebhookFanoutCursor" WHERE "id" = 1`)
  if (row) return { txid: BigInt(row.txid), seq: BigInt(row.seq) }
  // No row at all (never on a migrated database): start from the beginning.
  await sqlExecute(
    Prisma.sql`INSERT INTO "WebhookFanoutCursor" ("id", "txid", "seq") VALUES (1, 0, 0) ON CONFLICT ("id") DO NOTHING`,
  )
  return { txid: 0n, seq: 0n }
}

export async function saveFanoutCursor(position: EventPosition): Promise<void> {
  await sqlExecute(Prisma.sql`
    UPDATE "WebhookFanoutCursor" SET "txid" = ${position.txid}::bigint, "seq" = ${position.seq}::bigint WHERE "id" = 1`)
}

export type NewDelivery = {
  id: string
  endpointId: string
  eventId: string
  eventType: string
  payload: string
  createdAt: Date
}

/** Inserts deliveries in the given order (their seq follows it); one that exists already is left alone. */
export async function insertDeliveries(deliveries: readonly NewDelivery[]): Promise<number> {
  if (deliveries.length === 0) return 0
  let inserted = 0
  // Bounded statements: PostgreSQL takes at most 65,535 parameters in one.
  for (let start = 0; start < deliveries.length; start += 1000) {
    const rows = deliveries
      .slice(start, start + 1000)
      .map(
        (delivery) =>
          Prisma.sql`(${delivery.id}::uuid, ${delivery.endpointId}::uuid, ${delivery.eventId}, ${delivery.eventType}, ${delivery.payload}, ${delivery.createdAt}::timestamp, ${delivery.createdAt}::timestamp, ${delivery.createdAt}::timestamp)`,
      )
    inserted += await sqlExecute(Prisma.sql`
      INSERT INTO "WebhookDelivery" ("id", "endpointId", "eventId", "eventType", "payload", "queuedAt", "nextAttemptAt", "createdAt")
      VALUES ${Prisma.join(rows)}
      ON CONFLICT ("endpointId", "eventId") DO NOTHING`)
  }
  return inserted
}

// ---- claiming and recording ----

/** The first open delivery of the endpoint `e`: one index seek per open status. */
const headSeq = Prisma.sql`LEAST(
  (SELECT h."seq" FROM "WebhookDelivery" h WHERE h."endpointId" = e."id" AND h."status" = 'pending' ORDER BY h."seq" LIMIT 1),
  (SELECT h."seq" FROM "WebhookDelivery" h WHERE h."endpointId" = e."id" AND h."status" = 'failed' ORDER BY h."seq" LIMIT 1))`

/**
 * Leases up to `limit` enabled endpoints whose first open delivery is due and that no instance holds: the
 * rows are picked with FOR UPDATE SKIP LOCKED and re-checked after locking, so two instances racing here
 * never lease the same endpoint. The lease (not a held transaction) covers the HTTP calls that follow.
 */
export function leaseDueEndpoints(now: Date, leaseUntil: Date, leaseToken: string, limit: number): Promise<WebhookEndpointRow[]> {
  return sqlRows<WebhookEndpointRow>(Prisma.sql`
    UPDATE "WebhookEndpoint" SET "leasedUntil" = ${leaseUntil}, "leaseToken" = ${leaseToken}::uuid
    WHERE "id" IN (
      SELECT e."id" FROM "WebhookEndpoint" e
      WHERE e."enabled" AND (e."leasedUntil" IS NULL OR e."leasedUntil" <= ${now})
        AND EXISTS (SELECT 1 FROM "WebhookDelivery" d WHERE d."seq" = ${headSeq} AND d."nextAttemptAt" <= ${now})
      ORDER BY e."leasedUntil" NULLS FIRST
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING ${endpointColumns}`)
}

/** The endpoint's first `limit` open deliveries, in order. */
export async function findOpenDeliveries(endpointId: string, limit: number): Promise<WebhookDeliveryRow[]> {
  const [pending, failed] = await Promise.all(
    (['pending', 'failed'] as const).map((status) =>
      sqlRows<RawDelivery>(Prisma.sql`
        SELECT ${deliveryColumns} FROM "WebhookDelivery" WHERE "endpointId" = ${endpointId}::uuid AND "status" = ${status}
        ORDER BY "seq" LIMIT ${limit}`),
    ),
  )
  return [...pending!, ...failed!]
    .map(toDelivery)
    .sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0))
    .slice(0, limit)
}

export type NewAttempt = Omit<WebhookAttemptRow, 'id'> & { id: string }

export async function insertAttempts(attempts: readonly NewAttempt[]): Promise<void> {
  if (attempts.length === 0) return
  for (let start = 0; start < attempts.length; start += 1000) {
    const rows = attempts
      .slice(start, start + 1000)
      .map(
        (attempt) =>
          Prisma.sql`(${attempt.id}::uuid, ${attempt.deliveryId}::uuid, ${attempt.endpointId}::uuid, ${attempt.at}::timestamp, ${attempt.statusCode}::int, ${attempt.durationMs}::int, ${attempt.responseExcerpt}, ${attempt.error})`,
      )
    await sqlExecute(Prisma.sql`
      INSERT INTO "WebhookAttempt" ("id", "deliveryId", "endpointId", "at", "statusCode", "durationMs", "responseExcerpt", "error")
      VALUES ${Prisma.join(rows)}`)
  }
}

/** Marks deliveries succeeded (one statement for a batch). */
export async function markDeliveriesSucceeded(results: readonly { id: string; at: Date; statusCode: number }[]): Promise<void> {
  if (results.length === 0) return
  await sqlExecute(Prisma.sql`
    UPDATE "WebhookDelivery" d SET "status" = 'succeeded', "attempts" = d."attempts" + 1, "lastAttemptAt" = v."at",
      "firstAttemptAt" = COALESCE(d."firstAttemptAt", v."at"),
      "lastStatus" = v."statusCode", "lastError" = NULL
    FROM (SELECT unnest(${results.map((result) => result.id)}::uuid[]) AS "id",
      unnest(${results.map((result) => result.at.toISOString())}::timestamp[]) AS "at",
      unnest(${results.map((result) => result.statusCode)}::int[]) AS "statusCode") v
    WHERE d."id" = v."id"`)
}

export async function markDeliveryFailed(
  id: string,
  outcome: { at: Date; statusCode: number | null; error: string; nextAttemptAt: Date; giveUp: boolean },
): Promise<void> {
  await sqlExecute(Prisma.sql`
    UPDATE "WebhookDelivery" SET "status" = ${outcome.giveUp ? 'dead' : 'failed'}, "attempts" = "attempts" + 1,
      "lastAttemptAt" = ${outcome.at}, "lastStatus" = ${outcome.statusCode}::int, "lastError" = ${outcome.error},
      "firstAttemptAt" = COALESCE("firstAttemptAt", ${outcome.at}::timestamp),
      "nextAttemptAt" = ${outcome.nextAttemptAt}
    WHERE "id" = ${id}::uuid`)
}

/** Ends a lease; false when the lease is no longer this holder's (it ran out and another instance took over). */
export async function releaseEndpointLease(
  id: string,
  leaseToken: string,
  health: { failingSince: Date | null } | null,
): Promise<boolean> {
  const changed = await sqlExecute(Prisma.sql`
    UPDATE "WebhookEndpoint" SET "leasedUntil" = NULL, "leaseToken" = NULL,
      "failingSince" = CASE WHEN ${health === null} THEN "failingSince" ELSE ${health?.failingSince ?? null}::timestamp END
    WHERE "id" = ${id}::uuid AND "leaseToken" = ${leaseToken}::uuid`)
  return changed > 0
}

/** Is the lease still this holder's? Locks the endpoint row for the transaction. */
export async function holdsEndpointLease(id: string, leaseToken: string): Promise<WebhookEndpointRow | undefined> {
  return sqlFirst<WebhookEndpointRow>(Prisma.sql`
    SELECT ${endpointColumns} FROM "WebhookEndpoint" WHERE "id" = ${id}::uuid AND "leaseToken" = ${leaseToken}::uuid FOR UPDATE`)
}

// ---- history and re-sending ----

export type DeliveryPage = { deliveries: WebhookDeliveryRow[]; attempts: WebhookAttemptRow[] }

/** An endpoint's deliveries, newest first (by seq, below `beforeSeq`), with all their attempts. */
export async function findDeliveries(endpointId: string, options: { limit: number; beforeSeq?: bigint }): Promise<DeliveryPage> {
  const before = options.beforeSeq === undefined ? Prisma.empty : Prisma.sql`AND "seq" < ${options.beforeSeq}::bigint`
  const deliveries = (
    await sqlRows<RawDelivery>(Prisma.sql`
      SELECT ${deliveryColumns} FROM "WebhookDelivery" WHERE "endpointId" = ${endpointId}::uuid ${before}
      ORDER BY "seq" DESC LIMIT ${options.limit}`)
  ).map(toDelivery)
  const attempts =
    deliveries.length === 0
      ? []
      : await sqlRows<WebhookAttemptRow>(Prisma.sql`
          SELECT "id", "deliveryId", "endpointId", "at", "statusCode", "durationMs", "responseExcerpt", "error"
          FROM "WebhookAttempt" WHERE "deliveryId" = ANY(${deliveries.map((delivery) => delivery.id)}::uuid[]) ORDER BY "at", "id"`)
  return { deliveries, attempts }
}

export async function findDelivery(id: string): Promise<WebhookDeliveryRow | undefined> {
  const row = await sqlFirst<RawDelivery>(Prisma.sql`SELECT ${deliveryColumns} FROM "WebhookDelivery" WHERE "id" = ${id}::uuid`)
  return row && toDelivery(row)
}

/** Queues deliveries again from the start of the retry schedule; returns how many. */
export function requeueDeliveries(
  filter: { id: string } | { endpointId: string; from: Date; to: Date },
  now: Date,
): Promise<number> {
  const where =
    'id' in filter
      ? Prisma.sql`"id" = ${filter.id}::uuid`
      : Prisma.sql`"endpointId" = ${filter.endpointId}::uuid AND "createdAt" >= ${filter.from} AND "createdAt" < ${filter.to}`
  return sqlExecute(Prisma.sql`
    UPDATE "WebhookDelivery" SET "status" = 'pending', "attempts" = 0, "queuedAt" = ${now}, "firstAttemptAt" = NULL,
      "nextAttemptAt" = ${now}
    WHERE ${where}`)
}

/** Retention: deletes up to `batch` finished deliveries (and so their attempts) created before `before`. */
export function deleteFinishedDeliveriesBefore(before: Date, batch: number): Promise<number> {
  return sqlExecute(Prisma.sql`
    DELETE FROM "WebhookDelivery" WHERE "id" IN (
      SELECT "id" FROM "WebhookDelivery" WHERE "status" IN ('succeeded', 'dead') AND "createdAt" < ${before} LIMIT ${batch})`)
}
