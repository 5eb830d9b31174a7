import 'server-only'
import { getDb } from './client'
import { Prisma } from './generated/client'
import { sqlExecute, sqlFirst, sqlRows } from './sql'
import type { OperatorRole } from './generated/enums'

const sql = Prisma.sql

/**
 * On the SQL runner, so an operator is created inside the transaction that records it (and the first admin
 * inside the one that checks no admin exists). Throws UniqueViolationError when the email is taken.
 */
export async function insertOperator(data: { email: string; passwordHash: string; role: OperatorRole }) {
  const id = crypto.randomUUID()
  const now = new Date()
  await sqlExecute(sql`
    INSERT INTO "Operator" ("id", "email", "passwordHash", "role", "createdAt", "updatedAt")
    VALUES (${id}::uuid, ${data.email}, ${data.passwordHash}, ${data.role}::"OperatorRole", ${now}, ${now})`)
  return { id, email: data.email, role: data.role }
}

/**
 * Admins of any state, disabled included: while one exists, the first-admin setup is closed. Raw SQL: it runs at
 * every start, and the only Prisma query there would load its ~55 MB query compiler.
 */
export async function countAdmins(): Promise<number> {
  const row = await sqlFirst<{ count: string | number }>(sql`SELECT count(*) AS count FROM "Operator" WHERE "role" = 'admin'`)
  return Number(row?.count ?? 0)
}

/** Serializes first-admin setups: concurrent transactions wait here until the first one has committed. */
export async function lockOperatorsForSetup(): Promise<void> {
  await sqlExecute(sql`LOCK TABLE "Operator" IN SHARE ROW EXCLUSIVE MODE`)
}

/** Locks the active admins' rows for the rest of the transaction, so two demotions cannot both pass the check. */
export async function lockActiveAdmins(): Promise<number> {
  const rows = await sqlRows<{ id: string }>(sql`
    SELECT "id" FROM "Operator" WHERE "role" = 'admin' AND NOT "disabled" ORDER BY "id" FOR UPDATE`)
  return rows.length
}

export function listOperatorRows() {
  return getDb().operator.findMany({ orderBy: { email: 'asc' } })
}

export type OperatorCredentials = {
  id: string
  email: string
  role: OperatorRole
  disabled: boolean
  passwordHash: string
  mfaSecret: string | null
  mfaPendingSecret: string | null
  mfaEnabled: boolean
  mfaLastStep: number | null
  /** At least one passkey registered: a second factor on its own. */
  hasPasskey: boolean
}

const credentialColumns = sql`"id", "email", "role"::text AS "role", "disabled", "passwordHash", "mfaSecret",
  "mfaPendingSecret", ("mfaEnabledAt" IS NOT NULL) AS "mfaEnabled", "mfaLastStep",
  EXISTS (SELECT 1 FROM "OperatorPasskey" p WHERE p."operatorId" = "Operator"."id") AS "hasPasskey"`

/** The only reads that return a password hash and the MFA secret: sign-in, re-verification, MFA changes. */
export function findOperatorCredentials(email: string) {
  return sqlFirst<OperatorCredentials>(sql`SELECT ${credentialColumns} FROM "Operator" WHERE "email" = ${email}`)
}

export function findOperatorCredentialsById(id: string, options: { forUpdate?: boolean } = {}) {
  return sqlFirst<OperatorCredentials>(
    sql`SELECT ${credentialColumns} FROM "Operator" WHERE "id" = ${id}::uuid ${options.forUpdate ? sql`FOR UPDATE` : sql``}`,
  )
}

export function findOperatorById(id: string) {
  return getDb().operator.findUnique({ where: { id } })
}

export type OperatorUpdate = Partial<{
  passwordHash: string
  role: OperatorRole
  disabled: boolean
  lastSignInAt: Date
  mfaSecret: string | null
  mfaPendingSecret: string | null
  mfaEnabledAt: Date | null
  mfaLastStep: number | null
}>

const updatableColumns: Record<keyof OperatorUpdate, Prisma.Sql> = {
  passwordHash: sql`"passwordHash"`,
  role: sql`"role"`,
  disabled: sql`"disabled"`,
  lastSignInAt: sql`"lastSignInAt"`,
  mfaSecret: sql`"mfaSecret"`,
  mfaPendingSecret: sql`"mfaPendingSecret"`,
  mfaEnabledAt: sql`"mfaEnabledAt"`,
  mfaLastStep: sql`"mfaLastStep"`,
}

/** On the SQL runner, so a change can commit together with its audit event and the sessions it ends. */
export async function updateOperator(id: string, data: OperatorUpdate): Promise<number> {
  const assignments = Object.entries(data).map(([key, value]) => {
    const column = updatableColumns[key as keyof OperatorUpdate]
    return key === 'role' ? sql`${column} = ${value}::"OperatorRole"` : sql`${column} = ${value}`
  })
  if (assignments.length === 0) return 0
  return sqlExecute(sql`
    UPDATE "Operator" SET ${Prisma.join([...assignments, sql`"updatedAt" = ${new Date()}`], ', ')} WHERE "id" = ${id}::uuid`)
}

/** Accepts a TOTP time step only once and only moving forward: a replayed or older code changes nothing. */
export async function consumeTotpStep(operatorId: string, step: number): Promise<boolean> {
  const changed = await sqlExecute(sql`
    UPDATE "Operator" SET "mfaLastStep" = ${step}
    WHERE "id" = ${operatorId}::uuid AND ("mfaLastStep" IS NULL OR "mfaLastStep" < ${step})`)
  return changed === 1
}

export async function insertRecoveryCodes(operatorId: string, codeHashes: string[]): Promise<void> {
  const now = new Date()
  await sqlExecute(sql`DELETE FROM "RecoveryCode" WHERE "operatorId" = ${operatorId}::uuid`)
  for (const codeHash of codeHashes) {
    await sqlExecute(sql`
      INSERT INTO "RecoveryCode" ("id", "operatorId", "codeHash", "createdAt")
      VALUES (${crypto.randomUUID()}::uuid, ${operatorId}::uuid, ${codeHash}, ${now})`)
  }
}

export function deleteRecoveryCodes(operatorId: string) {
  return sqlExecute(sql`DELETE FROM "RecoveryCode" WHERE "operatorId" = ${operatorId}::uuid`)
}

/** Marks a recovery code used; false when it is unknown or already used (a parallel second use loses). */
export async function consumeRecoveryCode(operatorId: string, codeHash: string, at: Date): Promise<boolean> {
  const changed = await sqlExecute(sql`
    UPDATE "RecoveryCode" SET "usedAt" = ${at}
    WHERE "operatorId" = ${operatorId}::uuid AND "codeHash" = ${codeHash} AND "usedAt" IS NULL`)
  return changed === 1
}

export async function countUnusedRecoveryCodes(operatorId: string): Promise<number> {
  const row = await sqlFirst<{ count: string | number }>(sql`
    SELECT count(*) AS count FROM "RecoveryCode" WHERE "operatorId" = ${operatorId}::uuid AND "usedAt" IS NULL`)
  return Number(row?.count ?? 0)
}
