import { z } from 'zod'
import { env } from '../env'
import { DatabaseBusyError, UniqueViolationError } from '../db/sql'
import { inspectRequestBody, inspectRequestText } from '../scim/body-guard'
import { ScimError } from '../scim/errors'
import {
  ApiKeyAuthError,
  authenticateApiKey,
  authenticateApiKeyFromCache,
  requireApiScope,
  type ApiCaller,
  type ApiKeyScope,
} from '../services/api-keys'
import { ConflictError, NotFoundError } from '../services/errors'
import { DirectoryCursorError } from '../services/directory'
import { EventCursorError } from '../services/events'
import { escapeUnstorableText, hasUnstorableText, unstorableTextMessage } from '../storable-text'
import { withoutJsonExcerpt } from '../redact'
import { clientAddress } from './client-address'
import { PROBLEM_CONTENT_TYPE, ProblemError, type FieldError, type ProblemStatus } from './problem'
import { RateLimiter } from './rate-limit'
import { readWebBody, utf8Text } from './web-body'

/**
 * The one funnel for the directory API (`/api/v1/…`), in this order: method (405 with Allow), API key (401
 * with `WWW-Authenticate: Bearer`), per-key rate limit (429), scope (403), path parameters (404), query and
 * body validated with the route's zod schemas (400, 413, 415), then the handler. Every error is a problem
 * document (RFC 9457); client input never causes a 5xx. The route specs are also what the OpenAPI document
 * is generated from (directory-openapi.ts), so the document describes exactly what is validated.
 */

export const DIRECTORY_RESPONSE_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const

type AnyObject = z.ZodObject<z.ZodRawShape>

export type DirectoryResponseSpec = { description: string; schema?: z.ZodType }

export type DirectoryRouteSpec<
  Params extends AnyObject = AnyObject,
  Query extends AnyObject = AnyObject,
  Body extends AnyObject = AnyObject,
> = {
  method: 'GET' | 'POST'
  /** The OpenAPI path template, e.g. `/api/v1/users/{id}`. */
  path: string
  operationId: string
  summary: string
  description?: string
  scope: ApiKeyScope
  /** Path parameters; a value that does not match is a 404 (`notFound` says which thing is missing). */
  params?: Params
  notFound?: (params: Record<string, string>) => string
  query?: Query
  body?: Body
  /** What the handler answers with, by status: documented in OpenAPI; errors are added by the funnel. */
  responses: Record<number, DirectoryResponseSpec>
  /** Statuses of problems this route raises itself besides the funnel's (documented in OpenAPI). */
  problems?: ProblemStatus[]
  handle: (input: {
    params: z.output<Params>
    query: z.output<Query>
    body: z.output<Body>
    caller: ApiCaller
    request: Request
  }) => Promise<{ status: number; body: unknown }>
}

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> }
export type DirectoryHandler = (request: Request, context: RouteContext) => Promise<Response>

let limiters: { key: RateLimiter; failure: RateLimiter } | undefined

function rateLimiters() {
  const settings = env()
  limiters ??= {
    key: new RateLimiter(settings.DIRECTORY_RATE_LIMIT, settings.DIRECTORY_RATE_BURST),
    // Wrong keys per client address: the same allowance SCIM gives failed authentication.
    failure: new RateLimiter(settings.SCIM_FAILURE_RATE_LIMIT, settings.SCIM_FAILURE_RATE_BURST),
  }
  return limiters
}

export function directoryJson(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...DIRECTORY_RESPONSE_HEADERS, ...headers },
  })
}

export function problemResponse(problem: ProblemError): Response {
  return new Response(JSON.stringify(problem.toJSON()), {
    status: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...DIRECTORY_RESPONSE_HEADERS, ...problem.extra.headers },
  })
}

export function directoryRoute<P extends AnyObject, Q extends AnyObject, B extends AnyObject>(
  spec: DirectoryRouteSpec<P, Q, B>,
): DirectoryHandler {
  return async (request, context) => {
    const address = clientAddress(request)
    try {
      if (request.method !== spec.method && !(request.method === 'HEAD' && spec.method === 'GET')) {
        throw methodNotAllowed([spec.method])
      }
      const caller = await authenticate(request, address)
      const allowed = rateLimiters().key.take(caller.apiKeyId)
      if (!allowed.allowed) {
        throw new ProblemError(429, `This API key sends more than ${env().DIRECTORY_RATE_LIMIT} requests a second; slow down.`, {
          headers: { 'retry-after': String(allowed.retryAfterSeconds) },
        })
      }
      requireApiScope(caller, spec.scope)
      const rawParams = Object.fromEntries(
        Object.entries(await context.params).map(([key, value]) => [
          key,
          Array.isArray(value) ? value.join('/') : String(value ?? ''),
        ]),
      )
      const params = spec.params ? spec.params.safeParse(rawParams) : { success: true as const, data: {} }
      if (!params.success) {
        const shown = Object.fromEntries(Object.entries(rawParams).map(([key, value]) => [key, clip(value)]))
        throw new ProblemError(404, spec.notFound?.(shown) ?? 'Not found.')
      }
      const query = parseQuery(spec.query, new URL(request.url).searchParams)
      const body = spec.body ? await parseBody(spec.body, request) : {}
      const result = await spec.handle({
        params: params.data as z.output<P>,
        query: query as z.output<Q>,
        body: body as z.output<B>,
        caller,
        request,
      })
      return directoryJson(result.status, result.body)
    } catch (error) {
      return problemResponse(toProblem(error))
    }
  }
}

async function authenticate(request: Request, address: string | null): Promise<ApiCaller> {
  const { failure } = rateLimiters()
  const authorization = request.headers.get('authorization')
  const failing = address === null ? { allowed: true as const } : failure.check(address)
  if (!failing.allowed) {
    // An address that keeps failing is served only with a key this instance accepted a moment ago: a flood
    // of wrong keys never reaches the database, and a service behind the same address keeps working.
    const cached = authenticateApiKeyFromCache(authorization)
    if (cached) return cached
    throw new ProblemError(429, 'Too many requests with a missing or wrong API key from this address; retry later.', {
      headers: { 'retry-after': String(failing.retryAfterSeconds) },
    })
  }
  try {
    return await authenticateApiKey(authorization)
  } catch (error) {
    if (error instanceof ApiKeyAuthError && error.status === 401 && address !== null) failure.spend(address)
    throw error
  }
}

/** 405 for a method the path does not serve. */
export function methodNotAllowed(allow: readonly string[]): ProblemError {
  const methods = allow.includes('GET') ? [...allow, 'HEAD'] : [...allow]
  return new ProblemError(405, `This endpoint answers ${methods.join(', ')} only.`, { headers: { allow: methods.join(', ') } })
}

/** Handlers for every other method of a path, so they answer a 405 problem rather than Next's bare one. */
export function otherMethods(allow: readonly string[]): Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', DirectoryHandler> {
  const refuse: DirectoryHandler = async () => problemResponse(methodNotAllowed(allow))
  return { GET: refuse, POST: refuse, PUT: refuse, PATCH: refuse, DELETE: refuse }
}

function parseQuery(schema: AnyObject | undefined, search: URLSearchParams): unknown {
  const values: Record<string, string> = {}
  const errors: FieldError[] = []
  for (const [key, value] of search) {
    const field = clip(key)
    if (hasUnstorableText(key) || hasUnstorableText(value)) errors.push({ field, message: unstorableTextMessage(field) })
    else if (key in values) errors.push({ field, message: `'${field}' is given more than once.` })
    else values[key] = value
  }
  if (errors.length > 0) throw validationProblem('The query string is invalid.', errors)
  const parsed = (schema ?? z.strictObject({})).safeParse(values)
  if (!parsed.success) throw validationProblem('The query string is invalid.', fieldErrors(parsed.error))
  return parsed.data
}

const JSON_TYPE = /^application\/([a-z.+-]*\+)?json\b/i

async function parseBody(schema: AnyObject, request: Request): Promise<unknown> {
  const type = request.headers.get('content-type')
  if (!type || !JSON_TYPE.test(type.trim())) {
    throw new ProblemError(415, 'Send the body as JSON with "Content-Type: application/json".')
  }
  const text = await readBodyText(request, env().DIRECTORY_MAX_BODY_BYTES)
  if (text.trim() === '') throw validationProblem('The request body is empty; a JSON object is required.', [])
  // The structural guards of the SCIM body: nesting before parsing, then sizes and unstorable text.
  const tooDeep = inspectRequestText(text)
  if (tooDeep) throw validationProblem(tooDeep.detail, [])
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (error) {
    throw validationProblem(`The request body is not valid JSON: ${withoutJsonExcerpt((error as Error).message)}`, [])
  }
  const violation = inspectRequestBody(body)
  if (violation) throw validationProblem(violation.detail, [])
  const parsed = schema.safeParse(body)
  if (!parsed.success) throw validationProblem('The request body is invalid.', fieldErrors(parsed.error))
  return parsed.data
}

/** Reads at most `limit` bytes, so an oversized body is refused without buffering all of it. */
async function readBodyText(request: Request, limit: number): Promise<string> {
  const tooLarge = () => new ProblemError(413, `The request body is larger than the ${limit}-byte limit.`)
  if (Number(request.headers.get('content-length') ?? '0') > limit) throw tooLarge()
  const body = await readWebBody(request, limit)
  if (body.byteLength > limit) throw tooLarge()
  return utf8Text(body)
}

const MAX_FIELD_ERRORS = 20
const MAX_ECHO = 100

/** Field names come from the client: clipped and made storable before they are echoed. */
function clip(text: string): string {
  const storable = escapeUnstorableText(text)
  return storable.length > MAX_ECHO ? `${storable.slice(0, MAX_ECHO)}…` : storable
}

function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.slice(0, MAX_FIELD_ERRORS).map((issue) => {
    const field = issue.path.length > 0 ? clip(issue.path.map(String).join('.')) : '(root)'
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.slice(0, 5).map(clip) : []
    const message = keys.length > 0 ? `Unknown field${keys.length > 1 ? 's' : ''}: ${keys.join(', ')}.` : clip(issue.message)
    return { field, message }
  })
}

function validationProblem(detail: string, errors: FieldError[]): ProblemError {
  return new ProblemError(400, detail, errors.length > 0 ? { errors } : {})
}

function toProblem(error: unknown): ProblemError {
  if (error instanceof ProblemError) return error
  if (error instanceof ApiKeyAuthError) {
    return new ProblemError(
      error.status,
      error.message,
      error.status === 401 ? { headers: { 'www-authenticate': 'Bearer' } } : {},
    )
  }
  if (error instanceof z.ZodError) return validationProblem('The request is invalid.', fieldErrors(error))
  if (error instanceof EventCursorError) return validationProblem(error.message, [{ field: 'after', message: error.message }])
  if (error instanceof DirectoryCursorError)
    return validationProblem(error.message, [{ field: 'cursor', message: error.message }])
  if (error instanceof NotFoundError) return new ProblemError(404, error.message)
  if (error instanceof ConflictError || error instanceof UniqueViolationError) {
    return new ProblemError(409, error instanceof ConflictError ? error.message : 'A conflicting record exists.')
  }
  if (error instanceof ScimError && error.status < 500) {
    // Limits of the SCIM core the services apply (sizes, value counts): still the client's input.
    return validationProblem(error.detail, [])
  }
  if (error instanceof DatabaseBusyError) {
    return new ProblemError(503, `The service is busy: ${error.message} Retry the request later.`, {
      headers: { 'retry-after': '5' },
    })
  }
  console.error('Directory API request failed:', error)
  return new ProblemError(500, 'An unexpected error occurred. It has been logged; please retry later.')
}
