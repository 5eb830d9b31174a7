import 'server-only'
import { Prisma } from './generated/client'
import { sqlExecute, sqlFirst, sqlRows } from './sql'

/**
 * Operators' WebAuthn credentials and the challenges handed out for them, on the SQL runner so a change joins
 * the transaction of its audit event. Times come back as epoch milliseconds (see operator-sessions.ts).
 */

const sql = Prisma.sql

export type PasskeyRecord = {
  id: string
  operatorId: string
  credentialId: string
  publicKey: string
  counter: number
  transports: string[]
  name: string
  createdAt: Date
  lastUsedAt: Date | null
}

type RawPasskey = Omit<PasskeyRecord, 'counter' | 'transports'> & {
  counter: number | string
  transports: string
}

const passkeyColumns = sql`"id", "operatorId", "credentialId", "publicKey", "counter"::float8 AS "counter", "transports", "name",
  "createdAt", "lastUsedAt"`

function toPasskey(raw: RawPasskey): PasskeyRecord {
  const { counter, transports, ...rest } = raw
  return { ...rest, counter: Number(counter), transports: transports ? transports.split(',') : [] }
}

export async function insertPasskey(data: {
  operatorId: string
  credentialId: string
  publicKey: string
  counter: number
  transports: string[]
  name: string
  at: Date
}): Promise<string> {
  const id = crypto.randomUUID()
  await sqlExecute(sql`
    INSERT INTO "OperatorPasskey" ("id", "operatorId", "credentialId", "publicKey", "counter", "transports", "name", "createdAt")
    VALUES (${id}::uuid, ${data.operatorId}::uuid, ${data.credentialId}, ${data.publicKey}, ${data.counter}, ${data.transports.join(',')},
      ${data.name}, ${data.at})`)
  return id
}

export async function listPasskeys(operatorId: string): Promise<PasskeyRecord[]> {
  const rows = await sqlRows<RawPasskey>(sql`
    SELECT ${passkeyColumns} FROM "OperatorPasskey" WHERE "operatorId" = ${operatorId}::uuid ORDER BY "createdAt", "id"`)
  return rows.map(toPasskey)
}

export async function findPasskeyByCredentialId(operatorId: string, credentialId: string): Promise<PasskeyRecord | undefined> {
  const row = await sqlFirst<RawPasskey>(sql`
    SELECT ${passkeyColumns} FROM "OperatorPasskey" WHERE "operatorId" = ${operatorId}::uuid AND "credentialId" = ${credentialId}`)
  return row ? toPasskey(row) : undefined
}

export async function countPasskeys(operatorId: string): Promise<number> {
  const row = await sqlFirst<{ count: string | number }>(sql`
    SELECT count(*) AS count FROM "OperatorPasskey" WHERE "operatorId" = ${operatorId}::uuid`)
  return Number(row?.count ?? 0)
}

/**
 * Stores a use: the counter only moves forward (a parallel use of the same assertion loses), except for
 * authenticators that always report 0. False when the stored counter changed in between.
 */
export async function recordPasskeyUse(id: string, previousCounter: number, newCounter: number, at: Date): Promise<boolean> {
  const changed = await sqlExecute(sql`
    UPDATE "OperatorPasskey" SET "counter" = ${newCounter}, "lastUsedAt" = ${at}
    WHERE "id" = ${id}::uuid AND "counter" = ${previousCounter}
      AND ("counter" < ${newCounter} OR ("counter" = 0 AND ${newCounter}::bigint = 0))`)
  return changed === 1
}

/** Deletes one of the operator's passkeys; returns its name, or undefined when there was none. */
export async function deletePasskey(operatorId: string, id: string): Promise<string | undefined> {
  const rows = await sqlRows<{ name: string }>(sql`
    DELETE FROM "OperatorPasskey" WHERE "id" = ${id}::uuid AND "operatorId" = ${operatorId}::uuid RETURNING "name"`)
  return rows[0]?.name
}

export function deletePasskeysOfOperator(operatorId: string) {
  return sqlExecute(sql`DELETE FROM "OperatorPasskey" WHERE "operatorId" = ${operatorId}::uuid`)
}

export type ChallengePurpose = 'register' | 'sign-in' | 'reverify'

/** Hands a session a new challenge for a purpose; an earlier one for the same purpose stops working. */
export async function savePasskeyChallenge(sessionId: string, purpose: ChallengePurpose, challenge: string, expiresAt: Date) {
  await sqlExecute(sql`
    INSERT INTO "PasskeyChallenge" ("sessionId", "purpose", "challenge", "expiresAt")
    VALUES (${sessionId}::uuid, ${purpose}, ${challenge}, ${expiresAt})
    ON CONFLICT ("sessionId", "purpose") DO UPDATE SET "challenge" = EXCLUDED."challenge", "expiresAt" = EXCLUDED."expiresAt"`)
}

/** Takes the session's challenge for a purpose away (single use) and returns it while it has not expired. */
export async function consumePasskeyChallenge(
  sessionId: string,
  purpose: ChallengePurpose,
  now: Date,
): Promise<string | undefined> {
  const rows = await sqlRows<{ challenge: string; expired: boolean }>(sql`
    DELETE FROM "PasskeyChallenge" WHERE "sessionId" = ${sessionId}::uuid AND "purpose" = ${purpose}
    RETURNING "challenge", ("expiresAt" <= ${now}) AS "expired"`)
  const row = rows[0]
  return row && !row.expired ? row.challenge : undefined
}
