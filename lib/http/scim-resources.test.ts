import { readdirSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { dispatchScim } from './scim-dispatch'
import { scimHandlers, scimRouteHandlers } from './scim-handlers'
import { lowercaseRewrites, scimResources, type ScimResourceName } from './scim-resources'

const tenantFolder = path.join(import.meta.dirname, '../../app/scim/v2/enterprise-idps/[providerId]')

/** Every route.ts below the tenant folder, as its path relative to it (`Users/[id]`). */
function routeFiles(folder = tenantFolder): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name)
    if (entry.isDirectory()) return routeFiles(full)
    return entry.name === 'route.ts' ? [path.relative(tenantFolder, folder).split(path.sep).join('/')] : []
  })
}

const names = Object.keys(scimResources) as ScimResourceName[]

describe('the SCIM resource registry', () => {
  it('has exactly one route file per resource, and no route file outside it', () => {
    expect(routeFiles().sort()).toEqual(names.map((name) => scimResources[name].path).sort())
  })

  it.each(names)('route file of %s exports exactly the registry handlers', async (name) => {
    const entry = scimResources[name]
    const routeModule = (await import(path.join(tenantFolder, entry.path, 'route.ts'))) as Record<string, unknown>
    expect(Object.keys(routeModule).sort()).toEqual([...entry.methods].sort())
    const handlers = scimHandlers[name] as Record<string, unknown>
    expect(Object.keys(handlers).sort()).toEqual([...entry.methods].sort())
    const routeHandlers = scimRouteHandlers[name] as Record<string, unknown>
    for (const method of entry.methods) expect(routeModule[method]).toBe(routeHandlers[method])
  })

  it('derives one lowercase rewrite for every named resource', () => {
    expect(lowercaseRewrites()).toEqual([
      { source: '/scim/v2/enterprise-idps/:providerId/users', destination: '/scim/v2/enterprise-idps/:providerId/Users' },
      { source: '/scim/v2/enterprise-idps/:providerId/users/:id', destination: '/scim/v2/enterprise-idps/:providerId/Users/:id' },
      {
        source: '/scim/v2/enterprise-idps/:providerId/serviceproviderconfig',
        destination: '/scim/v2/enterprise-idps/:providerId/ServiceProviderConfig',
      },
      { source: '/scim/v2/enterprise-idps/:providerId/schemas', destination: '/scim/v2/enterprise-idps/:providerId/Schemas' },
      {
        source: '/scim/v2/enterprise-idps/:providerId/schemas/:id',
        destination: '/scim/v2/enterprise-idps/:providerId/Schemas/:id',
      },
      {
        source: '/scim/v2/enterprise-idps/:providerId/resourcetypes',
        destination: '/scim/v2/enterprise-idps/:providerId/ResourceTypes',
      },
      {
        source: '/scim/v2/enterprise-idps/:providerId/resourcetypes/:id',
        destination: '/scim/v2/enterprise-idps/:providerId/ResourceTypes/:id',
      },
    ])
  })

  it('answers a method the registry does not list with 405 and the methods it does', async () => {
    const response = await dispatchScim(
      new Request('http://scim.test/scim/v2/enterprise-idps/any/serviceproviderconfig', { method: 'DELETE' }),
    )
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('GET')
  })
})
