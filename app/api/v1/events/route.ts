import { listEventsRoute } from '@/lib/http/directory-api'
import { directoryRoute, otherMethods } from '@/lib/http/directory-route'

// GET /api/v1/events – user events after a cursor, oldest first
export const GET = directoryRoute(listEventsRoute)
export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET'])
