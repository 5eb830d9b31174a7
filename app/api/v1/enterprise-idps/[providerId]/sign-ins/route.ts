import { signInRoute } from '@/lib/http/directory-api'
import { directoryRoute, otherMethods } from '@/lib/http/directory-route'

// POST /api/v1/enterprise-idps/{providerId}/sign-ins – the SSO sign-in link (JIT create, deactivation check)
export const POST = directoryRoute(signInRoute)
export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST'])
