import { scimRouteHandlers } from '@/lib/http/scim-handlers'

// Users: see the SCIM resource registry (lib/http/scim-resources.ts)
export const { GET, POST } = scimRouteHandlers.users
