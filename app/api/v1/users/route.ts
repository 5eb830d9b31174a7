import { listUsersRoute } from '@/lib/http/directory-api'
import { directoryRoute, otherMethods } from '@/lib/http/directory-route'

// GET /api/v1/users – the directory, keyset-paged by last change
export const GET = directoryRoute(listUsersRoute)
export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET'])
