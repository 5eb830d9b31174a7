import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { insertUser } from '@/lib/db/users'
import { CLI_ACTOR } from '@/lib/services/audit'
import { setScimEnabled } from '@/lib/services/identity-providers'
import { createToken, revokeToken } from '@/lib/services/tokens'
import { createTestTenant, entraUser, flushRequestLog, sendScim, type TestTenant } from './scim-harness'

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error'
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

function expectScimError(reply: { status: number; body: any; headers: Headers }, status: number, scimType?: string) {
  expect(reply.status).toBe(status)
  expect(reply.headers.get('content-type')).toBe('application/scim+json')
  expect(reply.body.schemas).toEqual([ERROR_SCHEMA])
  expect(reply.body.status).toBe(String(status))
  if (scimType) expect(reply.body.scimType).toBe(scimType)
  expect(typeof reply.body.detail).toBe('string')
}

async function logRows(providerId: string) {
  await flushRequestLog()
  return getDb().provisioningRequest.findMany({ where: { providerId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
}

let tenant: TestTenant
beforeAll(async () => {
  tenant = await createTestTenant({ customAttributes: [{ name: 'JobCode' }, { name: 'Level', type: 'integer' }] })
})
afterAll(async () => {
  await flushRequestLog()
})

describe('access control, in the documented order', () => {
  it('answers 404 for an unknown provider id, even without a token', async () => {
    expectScimError(
      await sendScim('GET', 'http://scim.test/scim/v2/enterprise-idps/0b9f6f1c-1111-4a4a-9a9a-000000000000/Users'),
      404,
    )
    expectScimError(
      await sendScim('GET', 'http://scim.test/scim/v2/enterprise-idps/not-a-uuid/Users', { token: tenant.token }),
      404,
    )
  })

  it('answers 401 with WWW-Authenticate for a missing, wrong, revoked or expired token', async () => {
    const url = `${tenant.tenantUrl}/Users`
    for (const token of [null, 'ttscim_wrong', 'not-even-ours']) {
      const reply = await sendScim('GET', url, { token })
      expectScimError(reply, 401)
      expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer/)
    }
    const { token: revoked, secret } = await createToken(CLI_ACTOR, { providerId: tenant.providerId, label: 'to revoke' })
    expect((await sendScim('GET', url, { token: secret })).status).toBe(200)
    await revokeToken(CLI_ACTOR, revoked.id)
    expectScimError(await sendScim('GET', url, { token: secret }), 401)

    const expiring = await createToken(
      CLI_ACTOR,
      { providerId: tenant.providerId, expiresInDays: 1 },
      new Date(Date.now() - 2 * 86_400_000),
    )
    expectScimError(await sendScim('GET', url, { token: expiring.secret }), 401)
  })

  it('never lets one IdP token reach another IdP', async () => {
    const other = await createTestTenant()
    const created = await other.request('POST', '/Users', entraUser('other-1'))
    expect(created.status).toBe(201)
    expectScimError(await sendScim('GET', `${other.tenantUrl}/Users/${created.body.id}`, { token: tenant.token }), 401)
    expectScimError(await tenant.request('GET', `/Users/${created.body.id}`), 404)
    expectScimError(await tenant.request('DELETE', `/Users/${created.body.id}`), 404)
    expect((await other.request('GET', `/Users/${created.body.id}`)).status).toBe(200)
  })

  it('answers 403 when SCIM is disabled for the IdP, and 401 still wins over it', async () => {
    const idp = await createTestTenant()
    await setScimEnabled(CLI_ACTOR, idp.providerId, false)
    expectScimError(await idp.request('GET', '/Users'), 403)
    expectScimError(await sendScim('GET', `${idp.tenantUrl}/Users`, { token: 'ttscim_nope' }), 401)
    await setScimEnabled(CLI_ACTOR, idp.providerId, true)
    expect((await idp.request('GET', '/Users')).status).toBe(200)
  })

  it('answers 403 insufficient scope for an operation the token may not do', async () => {
    const readOnly = await createToken(CLI_ACTOR, { providerId: tenant.providerId, scopes: ['users:read'] })
    const reply = await sendScim('POST', `${tenant.tenantUrl}/Users`, { token: readOnly.secret, body: entraUser('scope') })
    expectScimError(reply, 403)
    expect(reply.body.detail).toMatch(/insufficient scope/i)
    expect((await sendScim('GET', `${tenant.tenantUrl}/Users`, { token: readOnly.secret })).status).toBe(200)
    const noDelete = await createToken(CLI_ACTOR, { providerId: tenant.providerId, scopes: ['users:read', 'users:write'] })
    const user = await tenant.request('POST', '/Users', entraUser('scope-delete'))
    expectScimError(await sendScim('DELETE', `${tenant.tenantUrl}/Users/${user.body.id}`, { token: noDelete.secret }), 403)
  })
})

describe('create, link, read', () => {
  it('creates a user from Entra’s POST body: 201, id, Location, ETag, stored as sent', async () => {
    const reply = await tenant.request('POST', '/Users', entraUser(1, { active: 'True' }))
    expect(reply.status).toBe(201)
    expect(reply.headers.get('content-type')).toBe('application/scim+json')
    expect(reply.body.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(reply.headers.get('location')).toBe(`${tenant.tenantUrl}/Users/${reply.body.id}`)
    expect(reply.headers.get('etag')).toBe(reply.body.meta.version)
    expect(reply.body).toMatchObject({
      userName: 'user1@contoso.example',
      externalId: 'ext-1',
      active: true,
      emails: [{ primary: true, type: 'work', value: 'user1@contoso.example' }],
      phoneNumbers: [
        { type: 'work', value: '+1 555 0100' },
        { type: 'mobile', value: '+1 555 0101' },
      ],
      [ENTERPRISE]: { employeeNumber: 'E1' },
      meta: { resourceType: 'User', location: `${tenant.tenantUrl}/Users/${reply.body.id}` },
    })
    const read = await tenant.request('GET', `/Users/${reply.body.id}`)
    expect(read.status).toBe(200)
    expect(read.body).toEqual(reply.body)
  })

  it('answers 409 uniqueness for a second user with the same userName in another case, or the same externalId', async () => {
    await tenant.request('POST', '/Users', entraUser(2))
    expectScimError(
      await tenant.request('POST', '/Users', entraUser(3, { userName: 'USER2@Contoso.Example' })),
      409,
      'uniqueness',
    )
    expectScimError(await tenant.request('POST', '/Users', entraUser(4, { externalId: 'ext-2' })), 409, 'uniqueness')
  })

  it('links an account SCIM does not manage yet by externalId, keeping its id', async () => {
    const existing = await insertUser(tenant.providerId, {
      resource: { userName: 'sso.person@contoso.example', externalId: 'ext-sso', active: true },
      customAttributes: {},
      source: 'sso',
      scimManaged: false,
    })
    const reply = await tenant.request(
      'POST',
      '/Users',
      entraUser('sso', { userName: 'sso.person@contoso.example', displayName: 'From Entra' }),
    )
    expect(reply.status).toBe(201)
    expect(reply.body.id).toBe(existing.id)
    expect(reply.body.displayName).toBe('From Entra')
    const row = await getDb().user.findUniqueOrThrow({ where: { id: existing.id } })
    expect(row.scimManaged).toBe(true)
    expect(row.source).toBe('sso')
    const log = (await logRows(tenant.providerId)).filter((entry) => entry.userId === existing.id)
    expect(log.map((entry) => entry.operation)).toContain('link')
    // Once linked, a second POST is a duplicate.
    expectScimError(
      await tenant.request('POST', '/Users', entraUser('sso', { userName: 'sso.person@contoso.example' })),
      409,
      'uniqueness',
    )
  })

  it('answers 404 in the SCIM error schema for an unknown or malformed user id', async () => {
    expectScimError(await tenant.request('GET', '/Users/4b8a9f2e-0000-4000-8000-000000000000'), 404)
    expectScimError(await tenant.request('GET', '/Users/nope'), 404)
  })

  it('answers 404, not a 500, for a path segment that is not valid percent-encoding', async () => {
    expectScimError(await tenant.request('GET', '/Users/%zz'), 404)
    expectScimError(
      await sendScim('GET', 'http://scim.test/scim/v2/enterprise-idps/%E0%A4%A/Users', { token: tenant.token }),
      404,
    )
  })

  it('rejects bad bodies with the right SCIM error and stores nothing', async () => {
    const url = `${tenant.tenantUrl}/Users`
    expectScimError(await sendScim('POST', url, { token: tenant.token, rawBody: '{"userName": ' }), 400, 'invalidSyntax')
    expectScimError(await sendScim('POST', url, { token: tenant.token, rawBody: '' }), 400, 'invalidSyntax')
    expectScimError(await tenant.request('POST', '/Users', { displayName: 'no userName' }), 400, 'invalidValue')
    expectScimError(
      await sendScim('POST', url, { token: tenant.token, rawBody: 'userName=x', headers: { 'content-type': 'text/plain' } }),
      415,
    )
    const huge = entraUser('huge', { displayName: 'x'.repeat(1_100_000) })
    expectScimError(await tenant.request('POST', '/Users', huge), 413)
    expect(
      await getDb().user.count({ where: { providerId: tenant.providerId, userNameLower: 'userhuge@contoso.example' } }),
    ).toBe(0)
  })

  it('accepts application/json as well as application/scim+json', async () => {
    const reply = await sendScim('POST', `${tenant.tenantUrl}/Users`, {
      token: tenant.token,
      body: entraUser('json'),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    })
    expect(reply.status).toBe(201)
  })
})

describe('custom attributes', () => {
  it('keeps registered ones (plain or under any extension URN), coerces them, and logs the rest as discarded', async () => {
    const reply = await tenant.request(
      'POST',
      '/Users',
      entraUser('custom', {
        JobCode: 'J-7',
        CostCode: 'not registered',
        'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User': { Level: '3', RegionID: 'EU' },
      }),
    )
    expect(reply.status).toBe(201)
    const extension = Object.keys(reply.body).find(
      (key) => key.startsWith('urn:ietf:params:scim:schemas:extension:') && key !== ENTERPRISE,
    )!
    expect(reply.body[extension]).toEqual({ JobCode: 'J-7', Level: 3 })
    expect(reply.body.schemas).toContain(extension)
    expect(JSON.stringify(reply.body)).not.toContain('not registered')
    const entry = (await logRows(tenant.providerId)).find((row) => row.userId === reply.body.id && row.operation === 'create')!
    expect(entry.discardedAttributes).toEqual(expect.arrayContaining(['CostCode']))
    expect(entry.discardedAttributes.some((name) => name.endsWith('RegionID'))).toBe(true)
    expect(entry.compatRules).toEqual(expect.arrayContaining(['plain-name custom attribute']))
  })

  it('advertises registered attributes in /Schemas under the IdP’s own extension', async () => {
    const reply = await tenant.request('GET', '/Schemas')
    expect(reply.status).toBe(200)
    const ids = reply.body.Resources.map((schema: any) => schema.id)
    expect(ids).toEqual(expect.arrayContaining(['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE]))
    const custom = reply.body.Resources.find(
      (schema: any) => !['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE].includes(schema.id),
    )
    expect(custom.attributes.map((attribute: any) => [attribute.name, attribute.type])).toEqual([
      ['JobCode', 'string'],
      ['Level', 'integer'],
    ])
  })
})

describe('list and filter', () => {
  let idp: TestTenant
  beforeAll(async () => {
    idp = await createTestTenant()
    for (let n = 1; n <= 7; n++) expect((await idp.request('POST', '/Users', entraUser(`list${n}`))).status).toBe(201)
  })

  it('answers Test Connection’s lookup of a random GUID with an empty ListResponse', async () => {
    const reply = await idp.request(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "0f3e9a52-7b1c-4c1e-9d61-1d8f0c8b2a11"')}`,
    )
    expect(reply.status).toBe(200)
    expect(reply.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    })
  })

  it('finds a user by userName in any case, by externalId, and by work email, with the form-encoded filter Entra sends', async () => {
    const byName = await idp.request('GET', '/Users?aadOptscim062020&filter=userName+eq+%22USERLIST3%40contoso.example%22')
    expect(byName.body.totalResults).toBe(1)
    expect(byName.body.Resources[0].userName).toBe('userlist3@contoso.example')
    const byExternal = await idp.request('GET', `/Users?filter=${encodeURIComponent('externalId eq "ext-list4"')}`)
    expect(byExternal.body.Resources.map((user: any) => user.externalId)).toEqual(['ext-list4'])
    const byEmail = await idp.request(
      'GET',
      `/Users?filter=${encodeURIComponent('emails[type eq "work"].value eq "userlist5@contoso.example"')}`,
    )
    expect(byEmail.body.Resources.map((user: any) => user.userName)).toEqual(['userlist5@contoso.example'])
  })

  it('pages with startIndex and count, with an exact totalResults', async () => {
    const first = await idp.request('GET', '/Users?startIndex=1&count=3&sortBy=userName')
    const third = await idp.request('GET', '/Users?startIndex=7&count=3&sortBy=userName')
    expect(first.body).toMatchObject({ totalResults: 7, startIndex: 1, itemsPerPage: 3 })
    expect(first.body.Resources.map((user: any) => user.userName)).toEqual([
      'userlist1@contoso.example',
      'userlist2@contoso.example',
      'userlist3@contoso.example',
    ])
    expect(third.body).toMatchObject({ totalResults: 7, startIndex: 7, itemsPerPage: 1 })
    const descending = await idp.request('GET', '/Users?count=1&sortBy=userName&sortOrder=descending')
    expect(descending.body.Resources[0].userName).toBe('userlist7@contoso.example')
    const countOnly = await idp.request('GET', '/Users?count=0')
    expect(countOnly.body).toMatchObject({ totalResults: 7, itemsPerPage: 0, Resources: [] })
  })

  it('projects attributes and excludedAttributes', async () => {
    const reply = await idp.request('GET', '/Users?count=1&attributes=displayName,emails.value')
    const [user] = reply.body.Resources
    expect(Object.keys(user).sort()).toEqual(['displayName', 'emails', 'id', 'schemas', 'userName'])
    expect(user.emails).toEqual([{ value: expect.stringContaining('@contoso.example') }])
    const excluded = await idp.request('GET', '/Users?count=1&excludedAttributes=emails,phoneNumbers')
    expect(excluded.body.Resources[0].emails).toBeUndefined()
    expect(excluded.body.Resources[0].displayName).toBeDefined()
  })

  it('answers 400 invalidFilter for a filter it cannot read, and invalidValue for bad paging', async () => {
    expectScimError(await idp.request('GET', `/Users?filter=${encodeURIComponent('userName eq')}`), 400, 'invalidFilter')
    expectScimError(await idp.request('GET', `/Users?filter=${encodeURIComponent('nosuch eq "x"')}`), 400, 'invalidFilter')
    expectScimError(await idp.request('GET', '/Users?count=abc'), 400, 'invalidValue')
  })
})

describe('update: PATCH in both Entra styles, PUT, deactivate, reactivate, delete', () => {
  let idp: TestTenant
  let id: string
  beforeAll(async () => {
    idp = await createTestTenant()
    id = (await idp.request('POST', '/Users', entraUser('p'))).body.id
  })

  it('applies Entra’s legacy PATCH (capitalised ops, one op per attribute, string booleans) and answers 200 with the user', async () => {
    const reply = await idp.request('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Replace', path: 'displayName', value: 'Legacy Name' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'new.mail@contoso.example' },
        { op: 'Replace', path: 'name.givenName', value: 'Legacy' },
        { op: 'Add', path: `${ENTERPRISE}:employeeNumber`, value: 'E-100' },
      ],
    })
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({
      id,
      displayName: 'Legacy Name',
      name: { givenName: 'Legacy' },
      emails: [{ type: 'work', value: 'new.mail@contoso.example', primary: true }],
      [ENTERPRISE]: { employeeNumber: 'E-100' },
    })
    const found = await idp.request('GET', `/Users?filter=${encodeURIComponent('emails.value eq "NEW.MAIL@contoso.example"')}`)
    expect(found.body.totalResults).toBe(1)
  })

  it('applies the ?aadOptscim062020 shape: one path-less replace with dotted and URN keys', async () => {
    const reply = await idp.request('PATCH', `/Users/${id}?aadOptscim062020`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'replace',
          value: {
            displayName: 'Flag Name',
            'name.familyName': 'Flagged',
            [`${ENTERPRISE}:employeeNumber`]: 'E-200',
            title: 'Lead',
          },
        },
        { op: 'replace', path: 'phoneNumbers[type eq "fax"].value', value: '+1 555 0199' },
      ],
    })
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({
      displayName: 'Flag Name',
      title: 'Lead',
      name: { familyName: 'Flagged' },
      [ENTERPRISE]: { employeeNumber: 'E-200' },
    })
    expect(reply.body.phoneNumbers).toEqual(expect.arrayContaining([{ type: 'fax', value: '+1 555 0199' }]))
  })

  it('deactivates with "False", stays readable by id and filter with active false, and reactivates', async () => {
    const off = await idp.request('PATCH', `/Users/${id}`, { Operations: [{ op: 'Replace', path: 'active', value: 'False' }] })
    expect(off.status).toBe(200)
    expect(off.body.active).toBe(false)
    expect((await idp.request('GET', `/Users/${id}`)).body.active).toBe(false)
    const filtered = await idp.request('GET', `/Users?filter=${encodeURIComponent('userName eq "userp@contoso.example"')}`)
    expect(filtered.body.Resources[0].active).toBe(false)
    const on = await idp.request('PATCH', `/Users/${id}`, { Operations: [{ op: 'replace', path: 'active', value: true }] })
    expect(on.body.active).toBe(true)
    const operations = (await logRows(idp.providerId)).filter((row) => row.method === 'PATCH').map((row) => row.operation)
    expect(operations).toEqual(expect.arrayContaining(['deactivate', 'reactivate']))
  })

  it('succeeds for an empty Operations list and for a PATCH that changes nothing', async () => {
    const before = (await idp.request('GET', `/Users/${id}`)).body
    expect((await idp.request('PATCH', `/Users/${id}`, { Operations: [] })).status).toBe(200)
    const same = await idp.request('PATCH', `/Users/${id}`, {
      Operations: [{ op: 'replace', path: 'displayName', value: before.displayName }],
    })
    expect(same.status).toBe(200)
    expect(same.body.meta.version).toBe(before.meta.version)
  })

  it('applies all operations or none', async () => {
    const before = (await idp.request('GET', `/Users/${id}`)).body
    const reply = await idp.request('PATCH', `/Users/${id}`, {
      Operations: [
        { op: 'replace', path: 'displayName', value: 'Should Not Stick' },
        { op: 'replace', path: 'active', value: 'maybe' },
      ],
    })
    expectScimError(reply, 400, 'invalidValue')
    expect((await idp.request('GET', `/Users/${id}`)).body.displayName).toBe(before.displayName)
  })

  it('reads legacy Entra’s unqualified manager the same way in PATCH, filters and the log', async () => {
    const reply = await idp.request('PATCH', `/Users/${id}`, {
      Operations: [{ op: 'Add', path: 'manager', value: [{ value: 'mgr-7' }] }],
    })
    expect(reply.body[ENTERPRISE].manager).toEqual({ value: 'mgr-7' })
    const found = await idp.request('GET', `/Users?filter=${encodeURIComponent('manager.value eq "mgr-7"')}`)
    expect(found.body.Resources.map((user: any) => user.id)).toEqual([id])
    const patch = (await logRows(idp.providerId)).filter((row) => row.method === 'PATCH').at(-1)!
    expect(patch.compatRules).toContain('unqualified enterprise attribute')
  })

  it('answers 412 for a stale If-Match and applies a current one', async () => {
    const current = await idp.request('GET', `/Users/${id}`)
    const etag = current.headers.get('etag')!
    const ok = await idp.request(
      'PATCH',
      `/Users/${id}`,
      { Operations: [{ op: 'add', path: 'nickName', value: 'Babs' }] },
      { 'if-match': etag },
    )
    expect(ok.status).toBe(200)
    const stale = await idp.request(
      'PATCH',
      `/Users/${id}`,
      { Operations: [{ op: 'add', path: 'nickName', value: 'Bob' }] },
      { 'if-match': etag },
    )
    expectScimError(stale, 412)
  })

  it('replaces with PUT', async () => {
    const reply = await idp.request('PUT', `/Users/${id}`, {
      userName: 'userp@contoso.example',
      externalId: 'ext-p',
      displayName: 'Put Only',
    })
    expect(reply.status).toBe(200)
    expect(reply.body.displayName).toBe('Put Only')
    expect(reply.body.emails).toBeUndefined()
    expect(reply.body.active).toBe(true)
  })

  it('answers 409 when a PATCH would take another user’s userName', async () => {
    await idp.request('POST', '/Users', entraUser('taken'))
    expectScimError(
      await idp.request('PATCH', `/Users/${id}`, {
        Operations: [{ op: 'Replace', path: 'userName', value: 'USERTAKEN@contoso.example' }],
      }),
      409,
      'uniqueness',
    )
  })

  it('deletes with 204; then GET and a second DELETE answer 404', async () => {
    const reply = await idp.request('DELETE', `/Users/${id}`)
    expect(reply.status).toBe(204)
    expect(reply.body).toBeUndefined()
    expectScimError(await idp.request('GET', `/Users/${id}`), 404)
    expectScimError(await idp.request('DELETE', `/Users/${id}`), 404)
  })
})

describe('concurrency', () => {
  it('turns two simultaneous POSTs of one user into one user and one 409', async () => {
    const idp = await createTestTenant()
    const replies = await Promise.all([
      idp.request('POST', '/Users', entraUser('race')),
      idp.request('POST', '/Users', entraUser('race')),
    ])
    expect(replies.map((reply) => reply.status).sort()).toEqual([201, 409])
    expect(await getDb().user.count({ where: { providerId: idp.providerId } })).toBe(1)
  })

  it('loses none of several simultaneous PATCHes to one user', async () => {
    const idp = await createTestTenant()
    const id = (await idp.request('POST', '/Users', entraUser('many'))).body.id
    const attributes = ['displayName', 'nickName', 'title', 'userType', 'locale', 'timezone']
    const replies = await Promise.all(
      attributes.map((attribute) =>
        idp.request('PATCH', `/Users/${id}`, { Operations: [{ op: 'replace', path: attribute, value: `v-${attribute}` }] }),
      ),
    )
    expect(replies.map((reply) => reply.status)).toEqual(attributes.map(() => 200))
    const user = (await idp.request('GET', `/Users/${id}`)).body
    for (const attribute of attributes) expect(user[attribute]).toBe(`v-${attribute}`)
  })
})

describe('discovery and unsupported resources', () => {
  it('describes the service: patch, filter with its page cap, sort, etag; no bulk', async () => {
    const reply = await tenant.request('GET', '/ServiceProviderConfig?aadOptscim062020')
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 1000 },
      etag: { supported: true },
    })
    const types = await tenant.request('GET', '/ResourceTypes')
    expect(types.body.Resources.map((type: any) => type.id)).toEqual(['User'])
  })

  it('answers groups, bulk and unknown paths with a SCIM error that says only users are provisioned', async () => {
    const groups = await tenant.request('POST', '/Groups', { displayName: 'Sales' })
    expectScimError(groups, 501)
    expect(groups.body.detail).toMatch(/users only/i)
    expectScimError(await tenant.request('GET', '/Groups?excludedAttributes=members&filter=displayName+eq+%22Sales%22'), 501)
    expectScimError(await tenant.request('POST', '/Bulk', { Operations: [] }), 501)
    expectScimError(await tenant.request('GET', '/Whatever'), 404)
  })

  it('serves the lowercase /users form', async () => {
    const reply = await tenant.request('GET', '/users?count=1')
    expect(reply.status).toBe(200)
  })
})

describe('the provisioning request log', () => {
  it('records every answered request, failures included, with secrets redacted and changes as old → new', async () => {
    const idp = await createTestTenant()
    const created = await idp.request('POST', '/Users', entraUser('log', { password: 'hunter2-secret', nickName: idp.token }))
    await idp.request('PATCH', `/Users/${created.body.id}`, { Operations: [{ op: 'Replace', path: 'title', value: 'Boss' }] })
    await sendScim('GET', `${idp.tenantUrl}/Users`, {
      token: `${idp.token}x`,
      headers: { 'x-forwarded-for': '203.0.113.9', 'x-traffitech-remote-address': '192.0.2.66', 'user-agent': 'Azure AD SCIM' },
      clientAddress: '198.51.100.7',
    })
    const rows = await logRows(idp.providerId)
    expect(rows.map((row) => [row.method, row.status, row.operation])).toEqual([
      ['POST', 201, 'create'],
      ['PATCH', 200, 'update'],
      ['GET', 401, 'auth_failure'],
    ])
    const [create, patch, denied] = rows
    expect(create!.userName).toBe('userlog@contoso.example')
    expect(create!.userEmail).toBe('userlog@contoso.example')
    expect(create!.tokenId).toBe(idp.tokenId)
    expect(create!.requestBody).not.toContain('hunter2-secret')
    expect(create!.requestBody).toContain('[REDACTED]')
    // A secret pasted into an ordinary attribute is masked in both bodies, too.
    expect(create!.responseBody).toContain('"nickName":"[REDACTED]"')
    expect(patch!.changes).toEqual([{ attribute: 'title', old: 'Engineer', new: 'Boss' }])
    expect(patch!.compatRules).toContain('op name case')
    expect(denied!.errorDetail).toMatch(/not valid/)
    // Without TRUST_PROXY a forwarded address is not believed, nor any header: the entry hands over the peer.
    expect(denied!.clientIp).toBe('198.51.100.7')
    expect(denied!.userAgent).toBe('Azure AD SCIM')
    for (const row of rows) {
      expect(JSON.stringify(row)).not.toContain(idp.token)
      expect(row.durationMs).toBeGreaterThan(0)
    }
  })
})
