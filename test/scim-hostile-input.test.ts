import { beforeAll, describe, expect, it } from 'vitest'
import { createTestTenant, entraUser, sendScim, type TestTenant } from './scim-harness'

/** Client input never causes a 500: every malformed request gets a 4xx in the SCIM error schema. */
let tenant: TestTenant
let userId: string
beforeAll(async () => {
  tenant = await createTestTenant()
  userId = (await tenant.request('POST', '/Users', entraUser('hostile'))).body.id
})

const postBodies: Array<[string, string]> = [
  ['an array', '[]'],
  ['a number', '42'],
  ['null', 'null'],
  ['a string', '"user"'],
  ['userName as an object', '{"userName": {"a": 1}}'],
  ['emails as a number', '{"userName": "a@b.c", "emails": 5}'],
  ['name as a string', '{"userName": "a@b.c", "name": "x"}'],
  [
    'two primary emails',
    '{"userName": "a@b.c", "emails": [{"value": "x@y.z", "primary": true}, {"value": "y@y.z", "primary": true}]}',
  ],
  ['active as a word', '{"userName": "a@b.c", "active": "yes please"}'],
]

const patchBodies: Array<[string, unknown]> = [
  ['Operations not an array', { Operations: { op: 'add' } }],
  ['an unknown op', { Operations: [{ op: 'merge', path: 'displayName', value: 'x' }] }],
  ['an op that is a number', { Operations: [{ op: 7 }] }],
  ['remove without a path', { Operations: [{ op: 'remove' }] }],
  ['an unterminated filter', { Operations: [{ op: 'replace', path: 'emails[type eq "work".value', value: 'x' }] }],
  ['a path-less value that is a string', { Operations: [{ op: 'replace', value: 'x' }] }],
  ['removing userName', { Operations: [{ op: 'remove', path: 'userName' }] }],
  ['a null operation', { Operations: [null] }],
]

describe('hostile input', () => {
  it.each(postBodies)('POST with %s answers 4xx', async (_name, raw) => {
    const reply = await sendScim('POST', `${tenant.tenantUrl}/Users`, { token: tenant.token, rawBody: raw })
    expect(reply.status).toBeGreaterThanOrEqual(400)
    expect(reply.status).toBeLessThan(500)
    expect(reply.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('ignores __proto__ and constructor keys without polluting anything', async () => {
    const raw = '{"userName": "proto@b.c", "__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}'
    const reply = await sendScim('POST', `${tenant.tenantUrl}/Users`, { token: tenant.token, rawBody: raw })
    expect(reply.status).toBe(201)
    expect(Object.keys(reply.body)).not.toContain('constructor')
    expect(JSON.stringify(reply.body)).not.toContain('polluted')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect((Object.prototype as Record<string, unknown>).x).toBeUndefined()
  })

  it('refuses nesting past the body limit, naming it, before any attribute is read', async () => {
    const raw = `{"userName": "deep@b.c", "name": {"givenName": "D", "a": ${'{"a":'.repeat(500)}1${'}'.repeat(500)}}}`
    const reply = await sendScim('POST', `${tenant.tenantUrl}/Users`, { token: tenant.token, rawBody: raw })
    expect(reply.status).toBe(400)
    expect(reply.body.scimType).toBe('invalidValue')
    expect(reply.body.detail).toMatch(/nested deeper than the limit of 32 levels/)
  })

  it('discards a nested unknown sub-attribute within the nesting limit instead of failing on it', async () => {
    const raw = `{"userName": "deep2@b.c", "name": {"givenName": "D", "a": ${'{"a":'.repeat(20)}1${'}'.repeat(20)}}}`
    const reply = await sendScim('POST', `${tenant.tenantUrl}/Users`, { token: tenant.token, rawBody: raw })
    expect(reply.status).toBe(201)
    expect(reply.body.name).toEqual({ givenName: 'D' })
  })

  it.each(patchBodies)('PATCH with %s answers 400 and changes nothing', async (_name, body) => {
    const before = (await tenant.request('GET', `/Users/${userId}`)).body
    const reply = await tenant.request('PATCH', `/Users/${userId}`, body)
    expect(reply.status).toBe(400)
    expect(reply.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error'])
    expect((await tenant.request('GET', `/Users/${userId}`)).body).toEqual(before)
  })

  it.each([
    ['filter=userName eq "a" and', 'invalidFilter'],
    [`filter=${'('.repeat(200)}userName eq "a"${')'.repeat(200)}`, 'tooMany'],
    ['filter=userName co "%_\\\\"', null],
    ['sortBy=password', 'invalidValue'],
    ['startIndex=99999999999', 'invalidValue'],
    ['attributes=nosuch', null],
  ])('GET /Users?%s answers without a 500', async (query, scimType) => {
    const reply = await tenant.request('GET', `/Users?${query.replace(/ /g, '+').replace(/"/g, '%22')}`)
    if (scimType) {
      expect(reply.status).toBe(400)
      expect(reply.body.scimType).toBe(scimType)
    } else {
      expect(reply.status).toBe(200)
    }
  })
})
