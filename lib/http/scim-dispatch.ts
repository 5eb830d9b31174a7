import { ScimError } from '../scim/errors'
import { scimHandlers } from './scim-handlers'
import { isCatchAll, scimResources, type ScimMethod, type ScimResourceEntry, type ScimResourceName } from './scim-resources'
import { fromWebRequest, toWebResponse, type ScimAnswer, type ScimHttpRequest } from './scim-exchange'
import { scimJson, type ScimHandler } from './scim-route'

/**
 * Routes a SCIM request to the registry's handlers (scim-resources.ts, scim-handlers.ts), without Next's router
 * (see server.ts). Resource names match in any letter case, like the rewrites in next.config.ts.
 */
type CompiledRoute = { pattern: RegExp; handlers: Partial<Record<ScimMethod, ScimHandler>>; allow: string }

/** `Users/[id]` → /^\/Users\/(?<id>[^/]+)\/?$/i, compiled once when the module loads. */
function patternOf(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) =>
      /^\[\w+\]$/.test(segment) ? `(?<${segment.slice(1, -1)}>[^/]+)` : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('\\/')
  return new RegExp(`^\\/${source}\\/?$`, 'i')
}

function compile(name: ScimResourceName): CompiledRoute {
  const handlers: Partial<Record<ScimMethod, ScimHandler>> = scimHandlers[name]
  const entry: ScimResourceEntry = scimResources[name]
  // Sorted, as the Allow header listed a route module's exports before the registry.
  return { pattern: patternOf(entry.path), handlers, allow: Object.keys(handlers).sort().join(', ') }
}

const names = Object.keys(scimResources) as ScimResourceName[]
const routes: CompiledRoute[] = names.filter((name) => !isCatchAll(scimResources[name])).map(compile)
const fallback: Partial<Record<ScimMethod, ScimHandler>> = scimHandlers.unsupported

/** A segment that is not valid percent-encoding stays as sent: the handlers then answer it (404) and log it. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

const TENANT = /^\/scim\/v2\/enterprise-idps\/(?<providerId>[^/]+)(?<rest>\/.*)?$/

export async function dispatchScimRequest(request: ScimHttpRequest): Promise<ScimAnswer> {
  const tenant = TENANT.exec(request.url.pathname)
  if (!tenant?.groups) {
    return scimJson(404, new ScimError(404, 'Not a SCIM tenant URL: expected /scim/v2/enterprise-idps/{provider_id}.').toJSON())
  }
  const rest = tenant.groups.rest ?? '/'
  const providerId = decodeSegment(tenant.groups.providerId ?? '')
  for (const route of routes) {
    const match = route.pattern.exec(rest)
    if (!match) continue
    const handler = route.handlers[request.method as ScimMethod]
    if (!handler) {
      return scimJson(405, new ScimError(405, `${request.method} is not supported on this endpoint.`).toJSON(), {
        allow: route.allow,
      })
    }
    const id = match.groups?.id === undefined ? undefined : decodeSegment(match.groups.id)
    return handler(request, { providerId, ...(id === undefined ? {} : { id }) })
  }
  const handler = fallback[request.method as ScimMethod] ?? fallback.GET!
  return handler(request, { providerId })
}

/** The same for a Web Request: what the tests drive, as server.ts drives dispatchScimRequest. */
export async function dispatchScim(request: Request): Promise<Response> {
  return toWebResponse(await dispatchScimRequest(fromWebRequest(request)))
}
