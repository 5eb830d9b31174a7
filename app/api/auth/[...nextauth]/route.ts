import NextAuth from 'next-auth'
import { authOptions } from '@/lib/auth/options'

// next-auth's sign-in, sign-out, CSRF and session endpoints. Options are built per request, never at build time.
type Context = { params: Promise<{ nextauth: string[] }> }

function handler(request: Request, context: Context) {
  return NextAuth(authOptions())(request, context)
}

export { handler as GET, handler as POST }
