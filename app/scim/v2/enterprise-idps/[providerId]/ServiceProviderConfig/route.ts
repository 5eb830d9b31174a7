import { env } from '@/lib/env'
import { scimRoute } from '@/lib/http/scim-route'
import { serviceProviderConfig } from '@/lib/scim/discovery'

// GET …/ServiceProviderConfig – RFC 7644 §4, RFC 7643 §5
export const GET = scimRoute({
  scope: null,
  handle: async (context) => ({
    status: 200,
    body: serviceProviderConfig(context.baseUrl, env().SCIM_MAX_BODY_BYTES),
    operation: 'discovery',
  }),
})
