import { getDb } from './client'
import { Prisma } from './generated/client'
import { sqlFirst } from './sql'
import type { OperatorRole } from './generated/enums'

export function insertOperator(data: { email: string; passwordHash: string; role: OperatorRole }) {
  return getDb().operator.create({ data })
}

/** Raw SQL: run at every start, and the only Prisma query there would load its ~55 MB query compiler. */
export async function countOperators(): Promise<number> {
  const row = await sqlFirst<{ count: string | number }>(Prisma.sql`SELECT count(*) AS count FROM "Operator"`)
  return Number(row?.count ?? 0)
}

export function listOperatorRows() {
  return getDb().operator.findMany({ orderBy: { email: 'asc' } })
}

/** The only read that returns a password hash: sign-in and password change. */
export function findOperatorWithHash(email: string) {
  return getDb().operator.findUnique({ where: { email }, omit: { passwordHash: false } })
}

export function findOperatorById(id: string) {
  return getDb().operator.findUnique({ where: { id } })
}

export function updateOperator(
  id: string,
  data: Partial<{ passwordHash: string; role: OperatorRole; disabled: boolean; failedAttempts: number; lockedUntil: Date | null; lastSignInAt: Date }>,
) {
  return getDb().operator.update({ where: { id }, data })
}
