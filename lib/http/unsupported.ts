import { ScimError } from '../scim/errors'
import { scimRoute } from './scim-route'

/**
 * Groups, Bulk and every other path. Authentication still runs first (so an unknown tenant is a 404 and a bad
 * token a 401), then a 501 says plainly what is supported (RFC 7644 §3.12: operation not supported).
 */
export const unsupportedResource = scimRoute({
  scope: null,
  handle: async (context) => {
    const resource = context.url.pathname.split('/').slice(5).join('/') || '(root)'
    if (/^groups\b/i.test(resource)) {
      throw new ScimError(
        501,
        'TraffiTech provisions users only: group objects are not synced. Turn off group provisioning in the identity provider (assigning groups to choose which users are provisioned still works).',
      )
    }
    if (/^bulk\b/i.test(resource)) throw new ScimError(501, 'Bulk operations are not supported: send one request per user to /Users.')
    if (/^me\b/i.test(resource)) {
      throw new ScimError(501, '/Me is not supported: this service is called by identity providers, not by users themselves.')
    }
    if (/^\.search\/?$/i.test(resource)) {
      throw new ScimError(501, 'Searching across resource types is not supported: use POST /Users/.search.')
    }
    throw new ScimError(
      404,
      `No SCIM endpoint '/${resource}'. TraffiTech provisions users only: use /Users, /ServiceProviderConfig, /Schemas or /ResourceTypes.`,
    )
  },
})
