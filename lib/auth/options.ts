import 'server-only'
import type { NextAuthOptions } from 'next-auth'
import CredentialsProvider from 'next-auth/providers/credentials'
import { env } from '../env'
import { signInOperator } from '../services/portal-auth'
import { authSecret } from './secret'
import type { Role } from './roles'

/** Sessions are signed JWTs that expire; the operator row is re-read on every request (see session.ts). */
export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60

export function authOptions(): NextAuthOptions {
  // next-auth reads its own base URL from the environment; ours is PUBLIC_URL.
  process.env.NEXTAUTH_URL = env().PUBLIC_URL
  return {
    secret: authSecret(),
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
    jwt: { maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: '/login', error: '/login' },
    providers: [
      CredentialsProvider({
        name: 'Email and password',
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials) {
          const result = await signInOperator(credentials?.email ?? '', credentials?.password ?? '')
          if (result.ok) return { id: result.operator.id, email: result.operator.email, role: result.operator.role }
          if (result.reason === 'locked') {
            const until = result.lockedUntil.toISOString().slice(11, 16)
            throw new Error(`Too many failed attempts. Sign-in is locked until ${until} UTC.`)
          }
          if (result.reason === 'disabled') throw new Error('This account is disabled. Ask an admin to enable it.')
          throw new Error('Wrong email or password.')
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) token.role = (user as { role?: Role }).role
        return token
      },
      session({ session, token }) {
        return { ...session, user: { ...session.user, id: token.sub, role: token.role } }
      },
    },
  }
}
