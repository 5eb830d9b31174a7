import { scimRouteHandlers } from '@/lib/http/scim-handlers'

// ResourceTypes/[id]: see the SCIM resource registry (lib/http/scim-resources.ts)
export const { GET } = scimRouteHandlers.resourceType
