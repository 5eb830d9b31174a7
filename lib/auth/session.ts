import 'server-only'
import { getServerSession } from 'next-auth'
import { notFound, redirect } from 'next/navigation'
import { cache } from 'react'
import { findActiveOperator, type SignedInOperator } from '../services/portal-auth'
import { authOptions } from './options'
import { roleAllows, type Role } from './roles'

/**
 * The signed-in operator, re-read from the database: a disabled operator's session stops working at once,
 * and a role change applies on the next request. Cached per request.
 */
export const currentOperator = cache(async (): Promise<SignedInOperator | null> => {
  const session = await getServerSession(authOptions())
  const id = (session?.user as { id?: string } | undefined)?.id
  return id ? findActiveOperator(id) : null
})

/** For pages: sends strangers to sign-in, and answers not-found to roles that may not see the page. */
export async function requireOperator(role: Role = 'support'): Promise<SignedInOperator> {
  const operator = await currentOperator()
  if (!operator) redirect('/login')
  if (!roleAllows(operator.role, role)) notFound()
  return operator
}
