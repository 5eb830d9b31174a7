import 'server-only'
import { decode } from 'next-auth/jwt'
import { cookies } from 'next/headers'
import { notFound, redirect } from 'next/navigation'
import { cache } from 'react'
import { env } from '../env'
import { resumeSession, type ResumedSession, type SignedInOperator } from '../services/portal-auth'
import { roleAllows, type Role } from './roles'
import { authSecret } from '../server-secret'

/** next-auth's cookie name: the __Secure- form whenever the portal is served over https. */
function sessionCookieName(): string {
  return env().PUBLIC_URL.startsWith('https://') ? '__Secure-next-auth.session-token' : 'next-auth.session-token'
}

/** The database session behind the request's cookie, in whatever state (MFA pending included). Cached per request. */
export const currentSession = cache(async (): Promise<ResumedSession | null> => {
  const raw = (await cookies()).get(sessionCookieName())?.value
  if (!raw) return null
  const token = await decode({ token: raw, secret: authSecret() }).catch(() => null)
  return typeof token?.sid === 'string' ? resumeSession(token.sid) : null
})

/** The signed-in operator, only once every sign-in step is done. */
export const currentOperator = cache(async (): Promise<SignedInOperator | null> => {
  const session = await currentSession()
  return session?.state === 'active' ? session.operator : null
})

/** For pages: strangers go to sign-in, a pending second step to /mfa, and roles that may not see the page get not-found. */
export async function requireOperator(role: Role = 'support'): Promise<SignedInOperator> {
  const session = await currentSession()
  if (!session) redirect('/login')
  if (session.state !== 'active') redirect('/mfa')
  if (!roleAllows(session.operator.role, role)) notFound()
  return session.operator
}
