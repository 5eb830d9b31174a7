import { z } from 'zod'
import { API_KEY_SCOPES } from '../services/api-keys'
import { apiSchemas, DIRECTORY_ROUTES } from './directory-api'
import type { DirectoryRouteSpec } from './directory-route'
import { PROBLEM_CONTENT_TYPE, type ProblemStatus } from './problem'

/**
 * The OpenAPI 3.1 document of the directory API, generated from the route table and the zod schemas the
 * funnel validates with (zod's own `z.toJSONSchema`; OpenAPI 3.1 schemas are JSON Schema 2020-12). A small
 * generator of our own rather than a library: the route table already holds everything a document needs.
 */

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` })

type JsonSchema = Record<string, unknown>

function withoutDialect(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema
  return rest
}

/** Named schemas become $refs to components; everything else is inlined. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const id = apiSchemas.get(schema)?.id
  if (id) return ref(id)
  return withoutDialect(z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema)
}

function parametersOf(object: z.ZodObject<z.ZodRawShape> | undefined, where: 'path' | 'query') {
  if (!object) return []
  return Object.entries(object.shape).map(([name, field]) => {
    const schema = field as z.ZodType
    const json = schemaOf(schema, 'input')
    const { description, ...rest } = json
    return {
      name,
      in: where,
      required: where === 'path' || !schema.safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    }
  })
}

const PROBLEM_DESCRIPTIONS: Partial<Record<ProblemStatus, string>> = {
  400: 'The query or body is invalid (field errors in `errors`), or the cursor is not one this API returned.',
  401: 'Missing, wrong, expired or revoked API key.',
  403: 'The key lacks the scope.',
  404: 'Not found.',
  405: 'Method not allowed.',
  409: 'Conflict.',
  413: 'The body is too large.',
  415: 'The body is not JSON.',
  429: 'Rate limited: wait Retry-After seconds.',
  503: 'The database is busy: retry after Retry-After seconds.',
}

function operationOf(route: DirectoryRouteSpec) {
  const problems = new Set<ProblemStatus>([400, 401, 403, 429, 503, ...(route.problems ?? [])])
  if (route.body) {
    problems.add(413)
    problems.add(415)
  }
  const responses: Record<string, unknown> = {}
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema ? { content: { 'application/json': { schema: schemaOf(response.schema, 'output') } } } : {}),
    }
  }
  for (const status of [...problems].sort()) {
    responses[String(status)] = {
      description:
        status === 403 && route.problems?.includes(403)
          ? `${PROBLEM_DESCRIPTIONS[403]} Or see the description.`
          : PROBLEM_DESCRIPTIONS[status],
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ref('Problem') } },
    }
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    security: [{ apiKey: [route.scope] }],
    'x-required-scope': route.scope,
    parameters: [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')],
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } } }
      : {}),
    responses,
  }
}

export function buildOpenApiDocument(serverUrl: string) {
  const components = z.toJSONSchema(apiSchemas, { uri: (id) => `#/components/schemas/${id}`, target: 'draft-2020-12' }).schemas
  const paths: Record<string, Record<string, unknown>> = {}
  for (const route of DIRECTORY_ROUTES) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operationOf(route) }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'TraffiTech Directory API',
      version: '1',
      description:
        'Provisioned users for TraffiTech services: the directory, user events and the SSO sign-in link. Authenticate with an API key (`Authorization: Bearer ttapi_…`) that has the scope each operation names. Errors are RFC 9457 problem documents.',
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: `An API key from \`npm run admin -- apikey create\` or the portal. Scopes: ${API_KEY_SCOPES.join(', ')}.`,
        },
      },
      schemas: Object.fromEntries(Object.entries(components).map(([id, schema]) => [id, withoutDialect(schema as JsonSchema)])),
    },
  }
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>
