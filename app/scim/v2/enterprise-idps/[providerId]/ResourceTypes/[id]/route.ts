import { scimRoute } from '@/lib/http/scim-route'
import { notFound } from '@/lib/scim/errors'
import { resourceTypes } from '@/lib/scim/discovery'

// GET …/ResourceTypes/[id] – RFC 7644 §4
export const GET = scimRoute({
  scope: null,
  handle: async (context) => {
    if (context.resourceId?.toLowerCase() !== 'user') throw notFound(`No resource type '${context.resourceId}': only User is provisioned.`)
    return { status: 200, body: resourceTypes(context.baseUrl, context.tenant.schema).userType, operation: 'discovery' }
  },
})
