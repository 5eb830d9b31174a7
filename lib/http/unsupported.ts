import { ScimError } from '../scim/errors'
import { unsupportedResources } from './scim-resources'
import { scimRoute } from './scim-route'

/**
 * Groups, Bulk and every other path. Authentication still runs first (so an unknown tenant is a 404 and a bad
 * token a 401), then a 501 says plainly what is supported (RFC 7644 §3.12: operation not supported).
 */
export const unsupportedResource = scimRoute({
  scope: null,
  handle: async (context) => {
    const resource = context.url.pathname.split('/').slice(5).join('/') || '(root)'
    const unsupported = unsupportedResources.find((entry) => entry.pattern.test(resource))
    if (unsupported) throw new ScimError(501, unsupported.detail)
    throw new ScimError(
      404,
      `No SCIM endpoint '/${resource}'. TraffiTech provisions users only: use /Users, /ServiceProviderConfig, /Schemas or /ResourceTypes.`,
    )
  },
})
