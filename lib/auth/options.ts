import 'server-only'
import type { NextAuthOptions } from 'next-auth'
import CredentialsProvider from 'next-auth/providers/credentials'
import { env } from '../env'
import { SIGN_IN_REFUSED, signInOperator, signOutSession } from '../services/portal-auth'
import { clientAddressFrom, userAgentFrom } from './client-address'
import { safeRedirectPath } from './redirects'
import { authSecret } from '../server-secret'

/**
 * next-auth carries only an opaque session id in its encrypted cookie; the session itself lives in the
 * database (lib/services/portal-auth.ts), is checked on every request, and ends the moment its row does.
 */
export function authOptions(): NextAuthOptions {
  // next-auth reads its own base URL from the environment; ours is PUBLIC_URL.
  process.env.NEXTAUTH_URL = env().PUBLIC_URL
  const maxAge = env().SESSION_MAX_HOURS * 60 * 60
  return {
    secret: authSecret(),
    session: { strategy: 'jwt', maxAge },
    jwt: { maxAge },
    pages: { signIn: '/login', error: '/login' },
    providers: [
      CredentialsProvider({
        name: 'Email and password',
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials, request) {
          const result = await signInOperator({
            email: typeof credentials?.email === 'string' ? credentials.email : '',
            password: typeof credentials?.password === 'string' ? credentials.password : '',
            address: clientAddressFrom(request?.headers),
            userAgent: userAgentFrom(request?.headers),
          })
          if (result.ok) return { id: result.operator.id, email: result.operator.email, sessionId: result.sessionId }
          if (result.reason === 'disabled') throw new Error('This account is disabled. Ask an admin to enable it.')
          throw new Error(SIGN_IN_REFUSED)
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) token.sid = (user as { sessionId?: string }).sessionId
        return token
      },
      // What the browser may read: nothing beyond the email; the role and state come from the database.
      session({ session }) {
        return { ...session, user: { email: session.user?.email ?? null } }
      },
      redirect({ url, baseUrl }) {
        const path = url.startsWith(baseUrl) ? url.slice(baseUrl.length) || '/' : url
        return `${baseUrl}${safeRedirectPath(path, '/login')}`
      },
    },
    events: {
      async signOut({ token }) {
        if (typeof token?.sid === 'string') await signOutSession(token.sid)
      },
    },
  }
}
