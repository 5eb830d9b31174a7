import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { LIMITS_EXTENSION_URN } from '@/lib/scim/discovery'
import { scimLimits } from '@/lib/scim/limits'
import { createTestTenant, entraUser, flushRequestLog, sendScim, type TestTenant } from './scim-harness'

/**
 * Through the real handlers: the request limits, text PostgreSQL cannot store, and the protocol fixes
 * from the conformance runs (remove of active, PUT without active, attributes=id, externalId uniqueness).
 */
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error'
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User'

let tenant: TestTenant
let serial = 0
beforeAll(async () => {
  tenant = await createTestTenant()
})
afterAll(async () => {
  await flushRequestLog()
})

function expectScimError(reply: { status: number; body: any }, scimType: string, detail: RegExp) {
  expect(reply.status).toBe(400)
  expect(reply.body.schemas).toEqual([ERROR_SCHEMA])
  expect(reply.body.scimType).toBe(scimType)
  expect(reply.body.detail).toMatch(detail)
}

async function deactivatedUser(): Promise<string> {
  serial += 1
  const created = await tenant.request('POST', '/Users', entraUser(`limits-${serial}`, { active: false }))
  expect(created.status).toBe(201)
  expect(created.body.active).toBe(false)
  return created.body.id
}

describe('the account state survives a remove of active and a PUT without it', () => {
  it.each([
    ['remove active', { op: 'remove', path: 'active' }],
    ['legacy Remove active', { op: 'Remove', path: 'active' }],
    ['remove URN-qualified active', { op: 'remove', path: `${CORE}:active` }],
    ['replace active with null', { op: 'replace', path: 'active', value: null }],
  ])('%s answers 200 and leaves a deactivated user deactivated', async (_name, operation) => {
    const id = await deactivatedUser()
    const reply = await tenant.request('PATCH', `/Users/${id}`, { Operations: [operation] })
    expect(reply.status).toBe(200)
    expect(reply.body.active).toBe(false)
    expect((await tenant.request('GET', `/Users/${id}`)).body.active).toBe(false)
    await flushRequestLog()
    const row = await getDb().provisioningRequest.findFirst({
      where: { providerId: tenant.providerId, userId: id, method: 'PATCH' },
    })
    expect(row?.compatRules).toContain('remove of active keeps the account state')
  })

  it('a PUT that omits active keeps a deactivated user deactivated, and one that sends it applies it', async () => {
    const id = await deactivatedUser()
    const put = await tenant.request('PUT', `/Users/${id}`, {
      userName: `limits-${serial}@contoso.example`,
      displayName: 'Put without active',
    })
    expect(put.status).toBe(200)
    expect(put.body).toMatchObject({ active: false, displayName: 'Put without active' })
    expect((await tenant.request('GET', `/Users/${id}`)).body.active).toBe(false)

    const on = await tenant.request('PUT', `/Users/${id}`, { userName: `limits-${serial}@contoso.example`, active: true })
    expect(on.body.active).toBe(true)
    const keep = await tenant.request('PUT', `/Users/${id}`, { userName: `limits-${serial}@contoso.example` })
    expect(keep.body.active).toBe(true)
  })
})

describe('attributes and excludedAttributes', () => {
  let id: string
  beforeAll(async () => {
    id = (await tenant.request('POST', '/Users', entraUser('projection'))).body.id
  })

  it('attributes=id answers the id, schemas and userName', async () => {
    const reply = await tenant.request('GET', `/Users?filter=${encodeURIComponent(`id eq "${id}"`)}&attributes=id`)
    expect(reply.status).toBe(200)
    const [user] = reply.body.Resources
    expect(Object.keys(user).sort()).toEqual(['id', 'schemas', 'userName'])
    expect(user.id).toBe(id)
  })

  it('accepts the common attributes and ignores names it does not know', async () => {
    const reply = await tenant.request('GET', `/Users/${id}?attributes=externalId,meta.lastModified,nosuch,name.nosuch,urn:x:y`)
    expect(reply.status).toBe(200)
    expect(Object.keys(reply.body).sort()).toEqual(['externalId', 'id', 'meta', 'schemas', 'userName'])
    expect(Object.keys(reply.body.meta)).toEqual(['lastModified'])
  })

  it('excludedAttributes ignores id, schemas and unknown names', async () => {
    const reply = await tenant.request('GET', `/Users/${id}?excludedAttributes=id,schemas,nosuch,emails,meta`)
    expect(reply.status).toBe(200)
    expect(reply.body.id).toBe(id)
    expect(reply.body.schemas).toContain(CORE)
    expect(reply.body.emails).toBeUndefined()
    expect(reply.body.meta).toBeUndefined()
    expect(reply.body.displayName).toBe('User projection')
  })
})

describe('discovery tells the truth', () => {
  it('/Schemas says externalId is unique per identity provider, as POST, PUT and PATCH enforce it', async () => {
    const reply = await tenant.request('GET', `/Schemas/${CORE}`)
    const externalId = reply.body.attributes.find((attribute: any) => attribute.name === 'externalId')
    expect(externalId).toMatchObject({ uniqueness: 'server', caseExact: true })
    const first = await tenant.request('POST', '/Users', entraUser('uniq-1'))
    const second = await tenant.request('POST', '/Users', entraUser('uniq-2'))
    const patch = await tenant.request('PATCH', `/Users/${second.body.id}`, {
      Operations: [{ op: 'replace', path: 'externalId', value: first.body.externalId }],
    })
    expect(patch.status).toBe(409)
  })

  it('/ServiceProviderConfig advertises the limits the checks use', async () => {
    const reply = await tenant.request('GET', '/ServiceProviderConfig')
    expect(reply.status).toBe(200)
    expect(reply.body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig', LIMITS_EXTENSION_URN])
    expect(reply.body.filter).toEqual({ supported: true, maxResults: scimLimits.maxPageSize })
    expect(reply.body[LIMITS_EXTENSION_URN]).toMatchObject({
      maxPatchOperations: 100,
      maxPatchWrites: 1000,
      maxAttributeValues: 100,
      maxStringBytes: 65_536,
      maxResourceBytes: 262_144,
      maxFilterComparisons: 50,
      maxFilterDepth: 20,
      maxRequestBytes: 1_048_576,
    })
  })
})

describe('limits and unstorable text through the handlers', () => {
  let id: string
  beforeAll(async () => {
    id = (await tenant.request('POST', '/Users', entraUser('bounded'))).body.id
  })

  it('refuses 101 PATCH operations, naming the limit, and changes nothing', async () => {
    const before = (await tenant.request('GET', `/Users/${id}`)).body
    const Operations = Array.from({ length: scimLimits.maxPatchOperations + 1 }, (_, index) => ({
      op: 'replace',
      path: 'title',
      value: `t${index}`,
    }))
    expectScimError(
      await tenant.request('PATCH', `/Users/${id}`, { Operations }),
      'invalidValue',
      /limit is 100 operations per PATCH/,
    )
    expect((await tenant.request('GET', `/Users/${id}`)).body).toEqual(before)
    expect((await tenant.request('PATCH', `/Users/${id}`, { Operations: Operations.slice(1) })).status).toBe(200)
  })

  it('refuses 101 emails in a POST and stores nothing', async () => {
    const emails = Array.from({ length: scimLimits.maxAttributeValues + 1 }, (_, index) => ({
      value: `e${index}@contoso.example`,
    }))
    expectScimError(
      await tenant.request('POST', '/Users', entraUser('too-many', { emails })),
      'invalidValue',
      /limit is 100 values per multi-valued attribute/,
    )
    const found = await tenant.request('GET', `/Users?filter=${encodeURIComponent('userName eq "usertoo-many@contoso.example"')}`)
    expect(found.body.totalResults).toBe(0)
    expect((await tenant.request('POST', '/Users', entraUser('just-enough', { emails: emails.slice(1) }))).status).toBe(201)
  })

  it.each([
    ['NUL in userName', entraUser('nul', { userName: 'a\u0000b@contoso.example' }), /'userName' contains a NUL character/],
    [
      'a lone surrogate in displayName',
      entraUser('sur', { displayName: 'x\ud800' }),
      /'displayName' contains a NUL character or an unpaired UTF-16 surrogate/,
    ],
    ['NUL in an email', entraUser('nul-mail', { emails: [{ value: 'a\u0000@b.c' }] }), /'emails\[0\]\.value' contains a NUL/],
  ])('POST with %s answers 400 naming the attribute', async (_name, body, detail) => {
    expectScimError(await tenant.request('POST', '/Users', body), 'invalidValue', detail)
  })

  it.each([
    ['a NUL in a filter value', 'userName eq "a\u0000"', 'invalidFilter', /The filter value for 'userName' contains a NUL/],
    [
      'an escaped lone surrogate in a filter value',
      'userName eq "\\ud800"',
      'invalidFilter',
      /The filter value for 'userName' contains/,
    ],
    ['a NUL in a filter attribute path', 'user\u0000Name eq "a"', 'invalidFilter', /'user\\u0000Name' contains a NUL/],
    [
      '51 comparisons',
      Array.from({ length: 51 }, (_, index) => `userName eq "u${index}"`).join(' or '),
      'tooMany',
      /limit of 50 comparisons/,
    ],
    ['21 levels of nesting', `${'('.repeat(21)}userName eq "a"${')'.repeat(21)}`, 'tooMany', /limit is 20 levels/],
  ])('GET /Users with %s answers 400', async (_name, filter, scimType, detail) => {
    expectScimError(await tenant.request('GET', `/Users?filter=${encodeURIComponent(filter)}`), scimType, detail)
  })

  it.each([
    // The body guard answers first, naming the place in the body; the path parser's own check is unit-tested.
    ['a NUL in a PATCH path', { op: 'remove', path: 'title\u0000' }, 'invalidValue', /'Operations\[0\]\.path' contains a NUL/],
    [
      'an escaped NUL in a PATCH value filter',
      { op: 'remove', path: 'emails[value eq "\\u0000"]' },
      'invalidPath',
      /The filter value for 'value' contains a NUL/,
    ],
    [
      'a NUL in a PATCH value',
      { op: 'replace', path: 'displayName', value: '\u0000' },
      'invalidValue',
      /'Operations\[0\]\.value' contains a NUL/,
    ],
  ])('PATCH with %s answers 400', async (_name, operation, scimType, detail) => {
    expectScimError(await tenant.request('PATCH', `/Users/${id}`, { Operations: [operation] }), scimType, detail)
  })

  it('the refusals are logged like any other answer', async () => {
    const reply = await sendScim('GET', `${tenant.tenantUrl}/Users?filter=${encodeURIComponent('userName eq "\u0000log"')}`, {
      token: tenant.token,
    })
    expect(reply.status).toBe(400)
    await flushRequestLog()
    const rows = await getDb().provisioningRequest.findMany({
      where: { providerId: tenant.providerId, status: 400, scimType: 'invalidFilter' },
    })
    expect(rows.some((row) => row.errorDetail?.includes('contains a NUL'))).toBe(true)
  })
})
