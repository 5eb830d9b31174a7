import { scimRouteHandlers } from '@/lib/http/scim-handlers'

// [...rest]: see the SCIM resource registry (lib/http/scim-resources.ts)
export const { GET, POST, PUT, PATCH, DELETE } = scimRouteHandlers.unsupported
