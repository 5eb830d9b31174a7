import { env } from '../env'
import { UniqueViolationError } from '../db/sql'
import type { RequestOperation } from '../db/generated/enums'
import { CompatLog } from '../scim/compat'
import { ScimError, invalidSyntax } from '../scim/errors'
import { isUuid } from '../scim/ids'
import { authenticateScimRequest, requireScope, ScimAuthError, type Scope, type ScimTenant } from '../services/scim-access'
import { recordRequest } from '../services/request-log'
import { tenantUrlFor } from '../services/tenant-url'
import type { Change } from '../services/users'
import { redactBodyText, redactChanges } from './redact'

/**
 * The one funnel for SCIM requests: resolve the IdP (404), authenticate the token (401), check SCIM is
 * enabled (403) and the scope (403), read the body (413, 415, 400 invalidSyntax), run the handler, map every
 * error to the SCIM error schema, and record the request in the provisioning log.
 */

export const SCIM_CONTENT_TYPE = 'application/scim+json'

export type ScimRequestContext = {
  request: Request
  url: URL
  tenant: ScimTenant
  /** The `{id}` path segment, when the route has one. */
  resourceId: string | undefined
  /** The parsed JSON body; undefined for routes that take none. */
  body: unknown
  compat: CompatLog
  /** The tenant URL: what meta.location and discovery documents are built on. */
  baseUrl: string
}

export type ScimOutcome = {
  status: number
  body?: unknown
  headers?: Record<string, string>
  operation: RequestOperation
  user?: { id: string; userName: string | null; email: string | null } | null
  changes?: Change[]
  discarded?: string[]
}

type RouteParams = { params: Promise<Record<string, string | string[] | undefined>> }
export type ScimHandler = (request: Request, context: RouteParams) => Promise<Response>

type ScimRouteOptions = {
  /** The scope the operation needs; null for discovery and unsupported-resource answers. */
  scope: Scope | null
  /** Whether the request carries a JSON body (POST, PUT, PATCH). */
  readBody?: boolean
  handle: (context: ScimRequestContext) => Promise<ScimOutcome>
}

export function scimJson(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return scimResponse(status, body === undefined ? null : JSON.stringify(body), headers)
}

function scimResponse(status: number, text: string | null, headers: Record<string, string>): Response {
  if (text === null) return new Response(null, { status, headers })
  return new Response(text, { status, headers: { 'content-type': SCIM_CONTENT_TYPE, ...headers } })
}

export function scimRoute(options: ScimRouteOptions): ScimHandler {
  return async (request, context) => {
    const started = performance.now()
    const at = new Date()
    const url = new URL(request.url)
    const params = await context.params
    const providerId = String(params.providerId ?? '')
    const resourceId = typeof params.id === 'string' ? params.id : undefined
    const compat = new CompatLog()
    let tenant: ScimTenant | undefined
    let requestText: string | null = null
    let outcome: ScimOutcome
    let failure: ScimError | undefined
    try {
      tenant = await authenticateScimRequest(providerId, request.headers.get('authorization'))
      if (options.scope) requireScope(tenant, options.scope)
      let body: unknown
      if (options.readBody) {
        requestText = await readBodyText(request, env().SCIM_MAX_BODY_BYTES)
        body = parseJsonBody(request, requestText)
      }
      outcome = await options.handle({
        request,
        url,
        tenant,
        resourceId,
        body,
        compat,
        baseUrl: tenantUrlFor(tenant.providerId),
      })
    } catch (error) {
      failure = toScimError(error)
      outcome = {
        status: failure.status,
        body: failure.toJSON(),
        headers: failure.status === 401 ? { 'www-authenticate': 'Bearer realm="SCIM"' } : {},
        operation: failure instanceof ScimAuthError ? 'auth_failure' : 'error',
      }
      if (!(error instanceof ScimError)) console.error('SCIM request failed:', error)
    }
    // Serialized once: for the answer and for the log.
    const responseText = outcome.body === undefined ? null : JSON.stringify(outcome.body)
    const response = scimResponse(outcome.status, responseText, outcome.headers ?? {})
    const user = outcome.user
    recordRequest({
      at,
      providerId: tenant?.providerId ?? (failure instanceof ScimAuthError ? failure.providerId : null),
      tokenId: tenant?.tokenId ?? (failure instanceof ScimAuthError ? failure.tokenId : null),
      method: request.method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      status: outcome.status,
      durationMs: performance.now() - started,
      operation: outcome.operation,
      userId: user?.id ?? (resourceId && isUuid(resourceId) ? resourceId : null),
      userName: user?.userName ?? null,
      userEmail: user?.email ?? null,
      requestBody: redactBodyText(requestText),
      responseBody: redactBodyText(responseText),
      discardedAttributes: outcome.discarded ?? [],
      compatRules: compat.list(),
      changes: outcome.changes ? redactChanges(outcome.changes) : null,
      scimType: failure?.scimType ?? null,
      errorDetail: failure?.detail ?? null,
      clientIp: clientAddress(request),
      userAgent: request.headers.get('user-agent'),
    })
    return response
  }
}

function toScimError(error: unknown): ScimError {
  if (error instanceof ScimError) return error
  if (error instanceof UniqueViolationError) {
    return new ScimError(409, 'A user with these unique attributes already exists.', 'uniqueness')
  }
  return new ScimError(500, 'An unexpected error occurred. It has been logged; please retry later.')
}

/** Reads at most `limit` bytes, so an oversized body is refused without buffering all of it. */
async function readBodyText(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > limit) throw new ScimError(413, `The request body is larger than the ${limit}-byte limit.`)
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      throw new ScimError(413, `The request body is larger than the ${limit}-byte limit.`)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

const JSON_TYPE = /^application\/(scim\+)?json\b|^[^;]*\+json\b/i

function parseJsonBody(request: Request, text: string): unknown {
  const type = request.headers.get('content-type')
  if (type && !JSON_TYPE.test(type.trim())) {
    throw new ScimError(415, `Unsupported Content-Type '${type}': send application/scim+json or application/json.`)
  }
  if (text.trim() === '') throw invalidSyntax('The request body is empty; a JSON object is required.')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw invalidSyntax(`The request body is not valid JSON: ${(error as Error).message}`)
  }
}

/** Set by server.ts from the TCP connection, replacing whatever a client sent under that name. */
export const REMOTE_ADDRESS_HEADER = 'x-traffitech-remote-address'

function clientAddress(request: Request): string | null {
  if (env().TRUST_PROXY) {
    const forwarded = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim()
    if (forwarded) return forwarded
  }
  return request.headers.get(REMOTE_ADDRESS_HEADER)
}
