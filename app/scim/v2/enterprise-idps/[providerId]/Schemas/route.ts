import { scimRoute } from '@/lib/http/scim-route'
import { schemaDocuments } from '@/lib/scim/discovery'

// GET …/Schemas – RFC 7644 §4, RFC 7643 §7: core, enterprise and this IdP's custom extension
export const GET = scimRoute({
  scope: null,
  handle: async (context) => ({
    status: 200,
    body: schemaDocuments(context.baseUrl, context.tenant.schema).list,
    operation: 'discovery',
  }),
})
