import { describe, expect, it } from 'vitest'
import { DIRECTORY_ROUTES } from '@/lib/http/directory-api'
import { callApi } from './directory-harness'

// The OpenAPI document is generated from the route table: every route, its parameters and its schemas.

function resolve(document: any, schema: any): any {
  if (schema?.$ref) {
    const name = String(schema.$ref).replace('#/components/schemas/', '')
    expect(document.components.schemas[name], schema.$ref).toBeDefined()
    return document.components.schemas[name]
  }
  return schema
}

function allRefs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => allRefs(item, found))
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') found.push(item)
      else allRefs(item, found)
    }
  }
  return found
}

describe('GET /api/v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document with every route, scope, parameter and schema', async () => {
    const reply = await callApi('GET', '/openapi.json')
    expect(reply.status).toBe(200)
    const document = reply.body
    expect(document.openapi).toBe('3.1.0')
    expect(document.servers[0].url).toBe('http://scim.test')
    expect(document.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(Object.keys(document.components.schemas).sort()).toEqual([
      'EventList',
      'Problem',
      'SignInResult',
      'User',
      'UserEvent',
      'UserList',
    ])
    for (const ref of allRefs(document)) {
      expect(ref).toMatch(/^#\/components\/schemas\/\w+$/)
      resolve(document, { $ref: ref })
    }
    expect(JSON.stringify(document)).not.toMatch(/"\$schema"|"\$id"/)
    const operations = new Set<string>()
    for (const route of DIRECTORY_ROUTES) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()]
      expect(operation, `${route.method} ${route.path}`).toBeDefined()
      expect(operations.has(operation.operationId)).toBe(false)
      operations.add(operation.operationId)
      expect(operation.security).toEqual([{ apiKey: [route.scope] }])
      for (const name of Object.keys(route.query?.shape ?? {})) {
        expect(
          operation.parameters.find((parameter: any) => parameter.name === name && parameter.in === 'query'),
          name,
        ).toBeDefined()
      }
      for (const name of route.path.match(/\{(\w+)\}/g) ?? []) {
        const parameter = operation.parameters.find((entry: any) => `{${entry.name}}` === name)
        expect(parameter).toMatchObject({ in: 'path', required: true })
      }
      for (const status of Object.keys(route.responses))
        expect(operation.responses[status].content['application/json'].schema.$ref).toBeDefined()
      for (const status of ['400', '401', '403']) {
        expect(operation.responses[status].content['application/problem+json'].schema).toEqual({
          $ref: '#/components/schemas/Problem',
        })
      }
    }
    expect(Object.keys(document.paths).sort()).toEqual([
      '/api/v1/enterprise-idps/{providerId}/sign-ins',
      '/api/v1/events',
      '/api/v1/users',
      '/api/v1/users/{id}',
    ])
    const user = document.components.schemas.User
    expect(user.required).toEqual(
      expect.arrayContaining(['id', 'providerId', 'externalId', 'userName', 'email', 'active', 'source', 'scimManaged']),
    )
    expect(user.properties.source.enum).toEqual(['scim', 'sso', 'admin'])
    const limit = document.paths['/api/v1/events'].get.parameters.find((parameter: any) => parameter.name === 'limit')
    expect(limit).toMatchObject({ required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } })
    const types = document.paths['/api/v1/events'].get.parameters.find((parameter: any) => parameter.name === 'types')
    expect(types.description).toMatch(/user\.created/)
    const body =
      document.paths['/api/v1/enterprise-idps/{providerId}/sign-ins'].post.requestBody.content['application/json'].schema
    expect(body.required).toEqual(['externalId', 'userName'])
    expect(body.additionalProperties).toBe(false)
    expect(document.paths['/api/v1/enterprise-idps/{providerId}/sign-ins'].post.responses['201']).toBeDefined()
    expect(reply.headers.get('cache-control')).toBe('no-store')
  })
})
