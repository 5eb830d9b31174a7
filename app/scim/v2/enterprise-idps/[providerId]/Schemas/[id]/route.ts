import { scimRoute } from '@/lib/http/scim-route'
import { notFound } from '@/lib/scim/errors'
import { schemaDocuments } from '@/lib/scim/discovery'

// GET …/Schemas/[id] – RFC 7644 §4: one schema by its URN
export const GET = scimRoute({
  scope: null,
  handle: async (context) => {
    const document = schemaDocuments(context.baseUrl, context.tenant.schema).byId(context.resourceId!)
    if (!document) throw notFound(`No schema '${context.resourceId}'.`)
    return { status: 200, body: document, operation: 'discovery' }
  },
})
