import { scimRouteHandlers } from '@/lib/http/scim-handlers'

// Users/[id]: see the SCIM resource registry (lib/http/scim-resources.ts)
export const { GET, PUT, PATCH, DELETE, POST } = scimRouteHandlers.user
