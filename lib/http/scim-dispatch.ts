import * as resourceType from '../../app/scim/v2/enterprise-idps/[providerId]/ResourceTypes/[id]/route'
import * as resourceTypes from '../../app/scim/v2/enterprise-idps/[providerId]/ResourceTypes/route'
import * as schema from '../../app/scim/v2/enterprise-idps/[providerId]/Schemas/[id]/route'
import * as schemas from '../../app/scim/v2/enterprise-idps/[providerId]/Schemas/route'
import * as serviceProviderConfig from '../../app/scim/v2/enterprise-idps/[providerId]/ServiceProviderConfig/route'
import * as user from '../../app/scim/v2/enterprise-idps/[providerId]/Users/[id]/route'
import * as users from '../../app/scim/v2/enterprise-idps/[providerId]/Users/route'
import * as unsupported from '../../app/scim/v2/enterprise-idps/[providerId]/[...rest]/route'
import { ScimError } from '../scim/errors'
import { scimJson, type ScimHandler } from './scim-route'

/**
 * Routes a SCIM request to the handlers the route files export, without Next's router (see server.ts).
 * Resource names match in any letter case, like the rewrites in next.config.ts.
 */
type RouteModule = Partial<Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', ScimHandler>>

const routes: Array<{ pattern: RegExp; module: RouteModule }> = [
  { pattern: /^\/Users\/?$/i, module: users },
  { pattern: /^\/Users\/(?<id>[^/]+)\/?$/i, module: user },
  { pattern: /^\/ServiceProviderConfig\/?$/i, module: serviceProviderConfig },
  { pattern: /^\/Schemas\/?$/i, module: schemas },
  { pattern: /^\/Schemas\/(?<id>[^/]+)\/?$/i, module: schema },
  { pattern: /^\/ResourceTypes\/?$/i, module: resourceTypes },
  { pattern: /^\/ResourceTypes\/(?<id>[^/]+)\/?$/i, module: resourceType },
]

/** A segment that is not valid percent-encoding stays as sent: the handlers then answer it (404) and log it. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

const TENANT = /^\/scim\/v2\/enterprise-idps\/(?<providerId>[^/]+)(?<rest>\/.*)?$/

export async function dispatchScim(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url)
  const tenant = TENANT.exec(pathname)
  if (!tenant?.groups) {
    return scimJson(404, new ScimError(404, 'Not a SCIM tenant URL: expected /scim/v2/enterprise-idps/{provider_id}.').toJSON())
  }
  const rest = tenant.groups.rest ?? '/'
  const providerId = decodeSegment(tenant.groups.providerId ?? '')
  for (const route of routes) {
    const match = route.pattern.exec(rest)
    if (!match) continue
    const handler = route.module[request.method as keyof RouteModule]
    if (!handler) {
      return scimJson(405, new ScimError(405, `${request.method} is not supported on this endpoint.`).toJSON(), {
        allow: Object.keys(route.module).join(', '),
      })
    }
    const id = match.groups?.id === undefined ? undefined : decodeSegment(match.groups.id)
    return handler(request, { params: Promise.resolve({ providerId, ...(id === undefined ? {} : { id }) }) })
  }
  const handler = unsupported[request.method as keyof RouteModule] ?? unsupported.GET
  return handler(request, { params: Promise.resolve({ providerId }) })
}
