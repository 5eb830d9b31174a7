import 'server-only'
import { Prisma } from './generated/client'
import { sqlExecute, sqlFirst, sqlRows } from './sql'
import type { OperatorRole, OperatorSessionState } from './generated/enums'

export type { OperatorSessionState }

/**
 * Operator sessions on the SQL runner, so ending them joins the transaction of the change that ends them.
 */

const sql = Prisma.sql

export type SessionRecord = {
  id: string
  operatorId: string
  state: OperatorSessionState
  userAgent: string | null
  address: string | null
  createdAt: Date
  lastSeenAt: Date
  verifiedAt: Date
  endedAt: Date | null
}

export type SessionWithOperator = SessionRecord & {
  email: string
  role: OperatorRole
  disabled: boolean
  mfaEnabled: boolean
  hasPasskey: boolean
}

const sessionColumns = sql`s."id", s."operatorId", s."state"::text AS "state", s."userAgent", s."address",
  s."createdAt", s."lastSeenAt", s."verifiedAt", s."endedAt"`

export async function insertSession(data: {
  operatorId: string
  state: OperatorSessionState
  userAgent: string | null
  address: string | null
  at: Date
}): Promise<string> {
  const id = crypto.randomUUID()
  await sqlExecute(sql`
    INSERT INTO "OperatorSession" ("id", "operatorId", "state", "userAgent", "address", "createdAt", "lastSeenAt", "verifiedAt")
    VALUES (${id}::uuid, ${data.operatorId}::uuid, ${data.state}::"OperatorSessionState", ${data.userAgent}, ${data.address},
      ${data.at}, ${data.at}, ${data.at})`)
  return id
}

export async function findSessionWithOperator(id: string): Promise<SessionWithOperator | undefined> {
  return sqlFirst<SessionWithOperator>(sql`
    SELECT ${sessionColumns}, o."email", o."role"::text AS "role", o."disabled", (o."mfaEnabledAt" IS NOT NULL) AS "mfaEnabled",
      EXISTS (SELECT 1 FROM "OperatorPasskey" p WHERE p."operatorId" = o."id") AS "hasPasskey"
    FROM "OperatorSession" s JOIN "Operator" o ON o."id" = s."operatorId"
    WHERE s."id" = ${id}::uuid`)
}

/** Records activity without a write per request: only when the stored time is older than `staleBefore`. */
export function touchSession(id: string, at: Date, staleBefore: Date) {
  return sqlExecute(sql`
    UPDATE "OperatorSession" SET "lastSeenAt" = ${at}
    WHERE "id" = ${id}::uuid AND "endedAt" IS NULL AND "lastSeenAt" < ${staleBefore}`)
}

export function updateSessionState(id: string, state: OperatorSessionState, verifiedAt: Date) {
  return sqlExecute(sql`
    UPDATE "OperatorSession" SET "state" = ${state}::"OperatorSessionState", "verifiedAt" = ${verifiedAt}, "lastSeenAt" = ${verifiedAt}
    WHERE "id" = ${id}::uuid AND "endedAt" IS NULL`)
}

export function markSessionVerified(id: string, at: Date) {
  return sqlExecute(sql`UPDATE "OperatorSession" SET "verifiedAt" = ${at} WHERE "id" = ${id}::uuid AND "endedAt" IS NULL`)
}

/** Ends one open session; returns the operator it belonged to, or undefined when it was not open. */
export async function endSession(id: string, reason: string, at: Date, operatorId?: string) {
  const rows = await sqlRows<{ operatorId: string }>(sql`
    UPDATE "OperatorSession" SET "endedAt" = ${at}, "endReason" = ${reason}
    WHERE "id" = ${id}::uuid AND "endedAt" IS NULL ${operatorId ? sql`AND "operatorId" = ${operatorId}::uuid` : sql``}
    RETURNING "operatorId"`)
  return rows[0]?.operatorId
}

/** Ends every open session of an operator, except `exceptId` when given; returns how many it ended. */
export function endOperatorSessions(operatorId: string, reason: string, at: Date, exceptId?: string) {
  return sqlExecute(sql`
    UPDATE "OperatorSession" SET "endedAt" = ${at}, "endReason" = ${reason}
    WHERE "operatorId" = ${operatorId}::uuid AND "endedAt" IS NULL ${exceptId ? sql`AND "id" <> ${exceptId}::uuid` : sql``}`)
}

/** Open sessions still inside both timeouts, newest activity first. */
export async function listLiveSessions(operatorId: string, idleCutoff: Date, absoluteCutoff: Date): Promise<SessionRecord[]> {
  return sqlRows<SessionRecord>(sql`
    SELECT ${sessionColumns} FROM "OperatorSession" s
    WHERE s."operatorId" = ${operatorId}::uuid AND s."endedAt" IS NULL
      AND s."lastSeenAt" >= ${idleCutoff} AND s."createdAt" >= ${absoluteCutoff}
    ORDER BY s."lastSeenAt" DESC, s."id"`)
}
