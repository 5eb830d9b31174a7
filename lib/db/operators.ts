import { getDb } from './client'
import type { OperatorRole } from './generated/enums'

export function insertOperator(data: { email: string; passwordHash: string; role: OperatorRole }) {
  return getDb().operator.create({ data })
}

export function countOperators() {
  return getDb().operator.count()
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
