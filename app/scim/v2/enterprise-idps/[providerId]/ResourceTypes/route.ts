import { scimRoute } from '@/lib/http/scim-route'
import { resourceTypes } from '@/lib/scim/discovery'

// GET …/ResourceTypes – RFC 7644 §4, RFC 7643 §6: only User
export const GET = scimRoute({
  scope: null,
  handle: async (context) => ({
    status: 200,
    body: resourceTypes(context.baseUrl, context.tenant.schema).list,
    operation: 'discovery',
  }),
})
