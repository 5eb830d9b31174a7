import { operatorRoles, type OperatorRole } from '../db/enums'

/** What each operator role may do. Support staff read; only admins change anything or see tokens. */
export type Role = OperatorRole

export const roles: readonly Role[] = operatorRoles

export function roleAllows(role: Role, needed: Role): boolean {
  return needed === 'support' ? true : role === 'admin'
}
