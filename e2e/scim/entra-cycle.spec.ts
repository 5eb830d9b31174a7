import { readFileSync } from 'node:fs'
import { expect, test, type APIRequestContext } from '@playwright/test'

/**
 * An Entra-like client against the production server (server.ts, which skips Next's router for /scim/):
 * Test Connection, an initial cycle, incremental cycles, deactivate, reactivate and delete, in both PATCH
 * styles, with and without ?aadOptscim062020 on the tenant URL. Not one request may fail.
 */
// Seeded by scripts/e2e-server.sh when the server starts, after Playwright has loaded this file.
let tenantUrl: string
let token: string
test.beforeAll(() => {
  tenantUrl = (JSON.parse(readFileSync('e2e/.state/idp.json', 'utf8')) as { tenantUrl: string }).tenantUrl
  token = (JSON.parse(readFileSync('e2e/.state/token.json', 'utf8')) as { token: string }).token
})
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

type Style = { name: string; flag: boolean }
const styles: Style[] = [
  { name: 'legacy PATCH shapes', flag: false },
  { name: 'aadOptscim062020 shapes', flag: true },
]

/** Entra appends the resource path to the tenant URL and keeps the URL's query string. */
function url(path: string, query: string, flag: boolean): string {
  const parts = [flag ? 'aadOptscim062020' : '', query].filter(Boolean).join('&')
  return `${tenantUrl}${path}${parts ? `?${parts}` : ''}`
}

async function scim(request: APIRequestContext, method: string, target: string, body?: unknown) {
  const response = await request.fetch(target, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    ...(body === undefined ? {} : { data: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status(), type: response.headers()['content-type'], body: text ? JSON.parse(text) : undefined }
}

const filterQuery = (filter: string) => `filter=${encodeURIComponent(filter).replace(/%20/g, '+')}`

for (const style of styles) {
  test(`Entra provisioning lifecycle with ${style.name}`, async ({ request }) => {
    const upn = `alex.${style.flag ? 'flag' : 'legacy'}@contoso.example`
    const objectId = crypto.randomUUID()

    // Test Connection: a random GUID must be an empty ListResponse.
    const probe = await scim(request, 'GET', url('/Users', filterQuery(`userName eq "${crypto.randomUUID()}"`), style.flag))
    expect(probe.status).toBe(200)
    expect(probe.type).toBe('application/scim+json')
    expect(probe.body.totalResults).toBe(0)

    // Initial cycle: match by userName, then create.
    const lookup = await scim(request, 'GET', url('/Users', filterQuery(`userName eq "${upn}"`), style.flag))
    expect(lookup.body.Resources).toEqual([])
    const created = await scim(request, 'POST', url('/Users', '', style.flag), {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      externalId: objectId,
      userName: upn,
      active: style.flag ? true : 'True',
      displayName: 'Alex Wilber',
      title: 'Analyst',
      emails: [{ primary: true, type: 'work', value: upn }],
      meta: { resourceType: 'User' },
      name: { formatted: 'Alex Wilber', familyName: 'Wilber', givenName: 'Alex' },
      phoneNumbers: [{ type: 'work', value: '+1 425 555 0109' }],
      roles: [],
      [ENTERPRISE]: { employeeNumber: '1001' },
      'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User': { JobCode: 'AN-1' },
    })
    expect(created.status).toBe(201)
    const id = created.body.id as string

    // Incremental cycle: read by id, then PATCH what changed.
    expect((await scim(request, 'GET', url(`/Users/${id}`, '', style.flag))).status).toBe(200)
    const change = style.flag
      ? [
          {
            op: 'replace',
            value: {
              displayName: 'Alex W.',
              'name.givenName': 'Alexandra',
              [`${ENTERPRISE}:employeeNumber`]: '1002',
              title: 'Lead Analyst',
            },
          },
          { op: 'replace', path: 'emails[type eq "work"].value', value: `new.${upn}` },
          { op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 425 555 0110' },
        ]
      : [
          { op: 'Replace', path: 'displayName', value: 'Alex W.' },
          { op: 'Replace', path: 'name.givenName', value: 'Alexandra' },
          { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: '1002' },
          { op: 'Replace', path: 'title', value: 'Lead Analyst' },
          { op: 'Replace', path: 'emails[type eq "work"].value', value: `new.${upn}` },
          { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 425 555 0110' },
        ]
    const patched = await scim(request, 'PATCH', url(`/Users/${id}`, '', style.flag), {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: change,
    })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({
      displayName: 'Alex W.',
      title: 'Lead Analyst',
      name: { givenName: 'Alexandra' },
      emails: [{ type: 'work', value: `new.${upn}` }],
      [ENTERPRISE]: { employeeNumber: '1002' },
    })
    expect(patched.body.phoneNumbers).toContainEqual({ type: 'mobile', value: '+1 425 555 0110' })

    // Deactivate (soft delete): still readable by id and by filter, with active false.
    const disable = style.flag
      ? { op: 'replace', path: 'active', value: false }
      : { op: 'Replace', path: 'active', value: 'False' }
    expect((await scim(request, 'PATCH', url(`/Users/${id}`, '', style.flag), { Operations: [disable] })).body.active).toBe(false)
    const disabled = await scim(request, 'GET', url('/Users', filterQuery(`userName eq "${upn.toUpperCase()}"`), style.flag))
    expect(disabled.body.Resources[0]).toMatchObject({ id, active: false })

    // Reactivate, then hard-delete.
    const enable = style.flag ? { op: 'replace', path: 'active', value: true } : { op: 'Replace', path: 'active', value: 'True' }
    expect((await scim(request, 'PATCH', url(`/Users/${id}`, '', style.flag), { Operations: [enable] })).body.active).toBe(true)
    const deleted = await request.fetch(url(`/Users/${id}`, '', style.flag), {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(deleted.status()).toBe(204)
    expect((await scim(request, 'GET', url(`/Users/${id}`, '', style.flag))).status).toBe(404)
  })
}

test('the lowercase /users form and discovery work through the production server', async ({ request }) => {
  const list = await scim(request, 'GET', `${tenantUrl}/users?count=1`)
  expect(list.status).toBe(200)
  const schemas = await scim(request, 'GET', `${tenantUrl}/Schemas`)
  const custom = schemas.body.Resources.find((schema: { id: string }) => schema.id.includes(':extension:traffitech:'))
  expect(custom.attributes.map((attribute: { name: string }) => attribute.name)).toContain('JobCode')
  const groups = await scim(request, 'POST', `${tenantUrl}/Groups`, { displayName: 'Sales' })
  expect(groups.status).toBe(501)
  expect(groups.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error'])
})
