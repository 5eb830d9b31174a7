import { databaseReady, getSqlRunner } from '@/lib/db/client'
import { attachClientAddress } from '@/lib/http/client-address'
import type { DirectoryHandler } from '@/lib/http/directory-route'
import * as signIns from '@/app/api/v1/enterprise-idps/[providerId]/sign-ins/route'
import * as events from '@/app/api/v1/events/route'
import * as openapi from '@/app/api/v1/openapi.json/route'
import * as user from '@/app/api/v1/users/[id]/route'
import * as users from '@/app/api/v1/users/route'
import { createApiKey, type ApiKeyScope } from '@/lib/services/api-keys'
import { CLI_ACTOR } from '@/lib/services/audit'

/**
 * Drives the real directory API route handlers with Web Requests, as Next hands them over: the path is
 * matched here the way the app/api/v1 folders do.
 */

export const API_BASE = 'http://scim.test/api/v1'

type RouteModule = Partial<Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', DirectoryHandler>>

const ROUTES: Array<{ pattern: RegExp; module: RouteModule; names: string[] }> = [
  { pattern: /^\/users$/, module: users, names: [] },
  { pattern: /^\/users\/([^/]+)$/, module: user, names: ['id'] },
  { pattern: /^\/events$/, module: events, names: [] },
  { pattern: /^\/enterprise-idps\/([^/]+)\/sign-ins$/, module: signIns, names: ['providerId'] },
  { pattern: /^\/openapi\.json$/, module: openapi as unknown as RouteModule, names: [] },
]

export type ApiReply = { status: number; headers: Headers; body: any }

export async function callApi(
  method: string,
  pathAndQuery: string,
  options: {
    key?: string | null
    body?: unknown
    rawBody?: string
    headers?: Record<string, string>
    clientAddress?: string
  } = {},
): Promise<ApiReply> {
  const url = new URL(`${API_BASE}${pathAndQuery}`)
  const path = url.pathname.slice('/api/v1'.length)
  const route = ROUTES.find((candidate) => candidate.pattern.test(path))
  if (!route) throw new Error(`No route for ${path}`)
  const match = route.pattern.exec(path)!
  const params = Object.fromEntries(route.names.map((name, index) => [name, decodeURIComponent(match[index + 1]!)]))
  const headers: Record<string, string> = { ...options.headers }
  if (options.key) headers.authorization = `Bearer ${options.key}`
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body))
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json'
  const request = new Request(url, { method, headers, ...(body !== undefined ? { body } : {}) })
  attachClientAddress(request, options.clientAddress)
  const handler = route.module[method as keyof RouteModule]
  if (!handler) throw new Error(`No ${method} handler for ${path}`)
  const response = await handler(request, { params: Promise.resolve(params) })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined }
}

export async function createTestApiKey(
  scopes: ApiKeyScope[] = ['directory:read', 'events:read', 'sign-ins:write'],
  expiresInDays: number | null = 30,
) {
  await databaseReady()
  const { key, apiKey } = await createApiKey(CLI_ACTOR, { label: `test ${scopes.join(' ')}`, scopes, expiresInDays })
  return { id: key.id, key: apiKey }
}

/** A parameterized statement for a test's own look at the tables: `sql\`SELECT … WHERE "id" = ${id}::uuid\``. */
export type TestStatement = { text: string; values: unknown[] }

export function sql(strings: TemplateStringsArray, ...values: unknown[]): TestStatement {
  return { text: strings.reduce((text, part, index) => `${text}$${index}${part}`), values }
}

async function runStatement(statement: TestStatement) {
  return getSqlRunner()(
    statement.text,
    statement.values.map((value) => (value instanceof Date ? value.toISOString() : value)),
  )
}

export async function queryRows<T>(statement: TestStatement): Promise<T[]> {
  return (await runStatement(statement)).rows as T[]
}

export async function queryFirst<T>(statement: TestStatement): Promise<T | undefined> {
  return (await queryRows<T>(statement))[0]
}

export async function queryExecute(statement: TestStatement): Promise<number> {
  return (await runStatement(statement)).rowCount
}
