/** What each operator role may do. Support staff read; only admins change anything or see tokens. */
export type Role = 'admin' | 'support'

export const roles: readonly Role[] = ['admin', 'support']

export function roleAllows(role: Role, needed: Role): boolean {
  return needed === 'support' ? true : role === 'admin'
}
