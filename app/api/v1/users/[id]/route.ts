import { getUserRoute } from '@/lib/http/directory-api'
import { directoryRoute, otherMethods } from '@/lib/http/directory-route'

// GET /api/v1/users/{id} – one user
export const GET = directoryRoute(getUserRoute)
export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET'])
