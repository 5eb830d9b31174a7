import { env } from '../env'
import { DatabaseBusyError, UniqueViolationError } from '../db/sql'
import type { RequestOperation } from '../db/enums'
import { logger } from '../ops/logger'
import { recordRateLimited, recordScimRequestMetrics } from '../ops/metrics'
import { REQUEST_ID_HEADER, requestIdFrom } from '../ops/request-id'
import { CompatLog } from '../scim/compat'
import type { AttributeChange } from '../scim/diff'
import { inspectRequestBody, inspectRequestText } from '../scim/body-guard'
import { ScimError, invalidSyntax } from '../scim/errors'
import { isUuid } from '../scim/ids'
import {
  authenticateFromCache,
  authenticateScimRequest,
  requireScope,
  ScimAuthError,
  type Scope,
  type ScimTenant,
} from '../services/scim-access'
import { recordRequest } from '../services/request-log'
import { tenantUrlFor } from '../services/tenant-url'
import type { ScimAnswer, ScimHttpRequest, ScimRouteParams } from './scim-exchange'
import { utf8Text } from './web-body'
import { RateLimiter, type RateLimitDecision } from './rate-limit'
import { redactBodyText, redactChanges, redactLogText, withoutJsonExcerpt } from '../redact'

/**
 * The one funnel for SCIM requests: resolve the IdP (404), authenticate the token (401), check SCIM is
 * enabled (403) and the scope (403), read the body (413, 415, 400 invalidSyntax), run the handler, map every
 * error to the SCIM error schema, and record the request in the provisioning log.
 */

export const SCIM_CONTENT_TYPE = 'application/scim+json'

/** What every SCIM answer carries: it is JSON for a machine, and it holds personal data. */
export const SCIM_RESPONSE_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } as const

export type ScimRequestContext = {
  request: ScimHttpRequest
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
  changes?: AttributeChange[]
  discarded?: string[]
}

export type ScimHandler = (request: ScimHttpRequest, params: ScimRouteParams) => Promise<ScimAnswer>

type ScimRouteOptions = {
  /** The scope the operation needs; null for discovery and unsupported-resource answers. */
  scope: Scope | null
  /** Whether the request carries a JSON body (POST, PUT, PATCH), or a test of the `{id}` segment for it. */
  readBody?: boolean | ((resourceId: string | undefined) => boolean)
  handle: (context: ScimRequestContext) => Promise<ScimOutcome>
}

export function scimJson(status: number, body: unknown, headers: Record<string, string> = {}): ScimAnswer {
  return scimAnswer(status, body === undefined ? null : JSON.stringify(body), headers)
}

function scimAnswer(status: number, text: string | null, headers: Record<string, string>): ScimAnswer {
  return {
    status,
    headers:
      text === null
        ? { ...SCIM_RESPONSE_HEADERS, ...headers }
        : { 'content-type': SCIM_CONTENT_TYPE, ...SCIM_RESPONSE_HEADERS, ...headers },
    text,
  }
}

/**
 * Per instance (see rate-limit.ts): each token may send SCIM_RATE_LIMIT requests a second, bursts of
 * SCIM_RATE_BURST; each client address may fail authentication SCIM_FAILURE_RATE_LIMIT times a second.
 */
let limiters: { token: RateLimiter; failure: RateLimiter } | undefined

function rateLimiters() {
  const settings = env()
  limiters ??= {
    token: new RateLimiter(settings.SCIM_RATE_LIMIT, settings.SCIM_RATE_BURST),
    failure: new RateLimiter(settings.SCIM_FAILURE_RATE_LIMIT, settings.SCIM_FAILURE_RATE_BURST),
  }
  return limiters
}

const ALLOWED: RateLimitDecision = { allowed: true }

export class ScimRateLimitError extends ScimError {
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
    /** Which limit refused it: a token's request rate, or an address's failure rate. */
    readonly limit: 'token' | 'failure',
  ) {
    super(429, detail)
  }
}

/** Failures that count against a client address: no valid credentials for a real tenant. */
function isAuthenticationFailure(error: ScimError | undefined): boolean {
  return error instanceof ScimAuthError && (error.status === 401 || error.status === 404)
}

export function scimRoute(options: ScimRouteOptions): ScimHandler {
  return async (request, params) => {
    const started = performance.now()
    const at = new Date()
    const url = request.url
    const providerId = params.providerId
    const resourceId = params.id
    const compat = new CompatLog()
    const requestId = requestIdFrom(request.header(REQUEST_ID_HEADER))
    let tenant: ScimTenant | undefined
    let requestText: string | null = null
    let outcome: ScimOutcome
    let failure: ScimError | undefined
    const address = request.clientAddress
    const { token: tokenLimit, failure: failureLimit } = rateLimiters()
    // Without a known address (under next dev) nothing tells one client from another: no failure limit.
    const failureKey = address ?? undefined
    const authorization = request.header('authorization')
    try {
      // An address that keeps failing is served only with a token this instance accepted a moment ago:
      // a flood of bad tokens or unknown tenants never reaches the database.
      const failing = failureKey === undefined ? ALLOWED : failureLimit.check(failureKey)
      if (failing.allowed) {
        tenant = await authenticateScimRequest(providerId, authorization)
      } else {
        tenant = authenticateFromCache(providerId, authorization)
        if (!tenant) {
          throw new ScimRateLimitError(
            'Too many failed requests from this address: check the Tenant URL and the secret token, then retry later.',
            failing.retryAfterSeconds,
            'failure',
          )
        }
      }
      const allowed = tokenLimit.take(tenant.tokenId)
      if (!allowed.allowed) {
        throw new ScimRateLimitError(
          `This token sends more than ${env().SCIM_RATE_LIMIT} requests a second; slow down and retry later.`,
          allowed.retryAfterSeconds,
          'token',
        )
      }
      if (options.scope) requireScope(tenant, options.scope)
      let body: unknown
      if (typeof options.readBody === 'function' ? options.readBody(resourceId) : options.readBody) {
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
        headers: errorHeaders(failure),
        operation: failure instanceof ScimAuthError ? 'auth_failure' : 'error',
      }
      if (!(error instanceof ScimError) && !(error instanceof DatabaseBusyError)) {
        logger.error({ err: error, requestId, method: request.method, path: redactLogText(url.pathname) }, 'SCIM request failed')
      }
      if (failure instanceof ScimRateLimitError) recordRateLimited(failure.limit)
    }
    // Past its failure limit, an address's identical failures share one log row a minute ("N more like this").
    let overFailureLimit = false
    if (failureKey !== undefined && (isAuthenticationFailure(failure) || failure instanceof ScimRateLimitError)) {
      if (isAuthenticationFailure(failure)) failureLimit.spend(failureKey)
      overFailureLimit = !failureLimit.check(failureKey).allowed
    }
    // Serialized once: for the answer and for the log.
    const responseText = outcome.body === undefined ? null : JSON.stringify(outcome.body)
    const answer = scimAnswer(outcome.status, responseText, { ...outcome.headers, [REQUEST_ID_HEADER]: requestId })
    const user = outcome.user
    const durationMs = performance.now() - started
    // Only a provider that resolved names a series: an unknown tenant id in the URL must not invent one.
    const resolvedProviderId = tenant?.providerId ?? (failure instanceof ScimAuthError ? failure.providerId : null)
    recordScimRequestMetrics(resolvedProviderId, outcome.operation, outcome.status, durationMs)
    recordRequest(
      {
        at,
        requestId,
        providerId: resolvedProviderId,
        tokenId: tenant?.tokenId ?? (failure instanceof ScimAuthError ? failure.tokenId : null),
        method: request.method,
        path: redactLogText(url.pathname),
        query: redactLogText(url.search.replace(/^\?/, '')),
        status: outcome.status,
        durationMs,
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
        errorDetail: redactLogText(failure?.detail ?? null),
        clientIp: address,
        userAgent: redactLogText(request.header('user-agent')),
      },
      { coalesce: overFailureLimit },
    )
    return answer
  }
}

function errorHeaders(error: ScimError): Record<string, string> {
  if (error.status === 401) return { 'www-authenticate': 'Bearer realm="SCIM"' }
  if (error instanceof ScimRateLimitError) return { 'retry-after': String(error.retryAfterSeconds) }
  if (error.status === 503) return { 'retry-after': String(BUSY_RETRY_AFTER_SECONDS) }
  return {}
}

const BUSY_RETRY_AFTER_SECONDS = 5

/**
 * A request the production entry could not hand to a handler (a forbidden method, an unreadable request
 * line): it is answered there, and logged here like any other SCIM request.
 */
export function recordRejectedRequest(rejected: {
  requestId: string
  method: string
  target: string
  userAgent: string | null
  clientIp: string | null
  durationMs: number
  error: ScimError
}): void {
  const failureLimit = rateLimiters().failure
  if (rejected.clientIp) failureLimit.spend(rejected.clientIp)
  const overFailureLimit = rejected.clientIp !== null && !failureLimit.check(rejected.clientIp).allowed
  const queryStart = rejected.target.indexOf('?')
  recordScimRequestMetrics(null, 'error', rejected.error.status, rejected.durationMs)
  recordRequest(
    {
      at: new Date(),
      requestId: rejected.requestId,
      providerId: null,
      tokenId: null,
      method: rejected.method,
      path: redactLogText(queryStart === -1 ? rejected.target : rejected.target.slice(0, queryStart)),
      query: redactLogText(queryStart === -1 ? '' : rejected.target.slice(queryStart + 1)),
      status: rejected.error.status,
      durationMs: rejected.durationMs,
      operation: 'error',
      responseBody: JSON.stringify(rejected.error.toJSON()),
      scimType: rejected.error.scimType ?? null,
      errorDetail: redactLogText(rejected.error.detail),
      clientIp: rejected.clientIp,
      userAgent: redactLogText(rejected.userAgent),
    },
    { coalesce: overFailureLimit },
  )
}

function toScimError(error: unknown): ScimError {
  if (error instanceof ScimError) return error
  if (error instanceof UniqueViolationError) {
    return new ScimError(409, 'A user with these unique attributes already exists.', 'uniqueness')
  }
  if (error instanceof DatabaseBusyError) {
    return new ScimError(503, `The service is busy: ${error.message} Retry the request later.`)
  }
  return new ScimError(500, 'An unexpected error occurred. It has been logged; please retry later.')
}

/** Reads at most `limit` bytes, so an oversized body is refused without buffering all of it. */
async function readBodyText(request: ScimHttpRequest, limit: number): Promise<string> {
  const declared = Number(request.header('content-length') ?? '0')
  if (declared > limit) throw new ScimError(413, `The request body is larger than the ${limit}-byte limit.`)
  const body = await request.readBody(limit)
  if (body.byteLength > limit) throw new ScimError(413, `The request body is larger than the ${limit}-byte limit.`)
  return utf8Text(body)
}

const JSON_TYPE = /^application\/(scim\+)?json\b|^[^;]*\+json\b/i

function parseJsonBody(request: ScimHttpRequest, text: string): unknown {
  const type = request.header('content-type')
  if (type && !JSON_TYPE.test(type.trim())) {
    throw new ScimError(415, `Unsupported Content-Type '${type}': send application/scim+json or application/json.`)
  }
  if (text.trim() === '') throw invalidSyntax('The request body is empty; a JSON object is required.')
  // Nesting is refused before parsing (parsing a megabyte of brackets is itself slow), the rest after.
  const tooDeep = inspectRequestText(text)
  if (tooDeep) throw tooDeep
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (error) {
    throw invalidSyntax(`The request body is not valid JSON: ${withoutJsonExcerpt((error as Error).message)}`)
  }
  const violation = inspectRequestBody(body)
  if (violation) throw violation
  return body
}
