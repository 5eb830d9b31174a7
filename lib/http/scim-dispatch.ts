import { ScimError } from '../scim/errors'
import { scimHandlers } from './scim-handlers'
import { isCatchAll, scimResources, type ScimMethod, type ScimResourceEntry, type ScimResourceName } from './scim-resources'
import { fromWebRequest, toWebResponse, type ScimAnswer, type ScimHttpRequest } from './scim-exchange'
import { REQUEST_ID_HEADER, requestIdFrom } from '../ops/request-id'
import { recordRejectedRequest, scimJson, type ScimHandler } from './scim-route'

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

/** An answer given before any handler (no tenant URL, a method the path lacks): logged like the handlers' answers. */
function refuse(request: ScimHttpRequest, error: ScimError, headers: Record<string, string> = {}): ScimAnswer {
  const requestId = requestIdFrom(request.header(REQUEST_ID_HEADER))
  recordRejectedRequest({
    requestId,
    method: request.method,
    target: `${request.url.pathname}${request.url.search}`,
    userAgent: request.header('user-agent'),
    clientIp: request.clientAddress,
    durationMs: 0,
    error,
  })
  return scimJson(error.status, error.toJSON(), { ...headers, [REQUEST_ID_HEADER]: requestId })
}

export async function dispatchScimRequest(request: ScimHttpRequest): Promise<ScimAnswer> {
  const tenant = TENANT.exec(request.url.pathname)
  if (!tenant?.groups) {
    return refuse(request, new ScimError(404, 'Not a SCIM tenant URL: expected /scim/v2/enterprise-idps/{provider_id}.'))
  }
  const rest = tenant.groups.rest ?? '/'
  const providerId = decodeSegment(tenant.groups.providerId ?? '')
  for (const route of routes) {
    const match = route.pattern.exec(rest)
    if (!match) continue
    const handler = route.handlers[request.method as ScimMethod]
    if (!handler) {
      return refuse(request, new ScimError(405, `${request.method} is not supported on this endpoint.`), {
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
