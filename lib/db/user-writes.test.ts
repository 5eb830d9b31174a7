import { beforeAll, describe, expect, it } from 'vitest'
import { databaseReady } from './client'
import { insertProvider } from './identity-providers'
import { findUser, insertUser, updateUserIfVersion } from './users'

/**
 * insertUser and updateUserIfVersion return the row they computed before writing (rowAfterWrite) instead of
 * reading it back. These hold that row equal to what the database stored, for every kind of value a resource
 * can carry, on both back ends.
 */

let providerId: string

beforeAll(async () => {
  await databaseReady()
  providerId = (await insertProvider({ name: 'User writes IdP', kind: 'entra' })).id
})

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

const resources: Record<string, Record<string, unknown>> = {
  complete: {
    userName: 'Ada.Lovelace@Example.com',
    externalId: 'ext-ada',
    active: true,
    displayName: 'Ada Lovelace',
    name: { givenName: 'Ada', familyName: 'Lovelace', formatted: 'Ada Lovelace' },
    emails: [
      { value: 'ada@example.com', type: 'work', primary: true },
      { value: 'ADA@home.example', type: 'home' },
    ],
    phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
    addresses: [{ streetAddress: '1 Main St', locality: 'London', country: 'GB', primary: true }],
    [ENTERPRISE]: { employeeNumber: 'E-42', manager: { value: 'boss' }, department: 'Analytical Engines' },
  },
  minimal: { userName: 'min@example.com', active: false },
  unusual: {
    userName: 'ünïcødé 😀 \u2028 "quoted" \\ back',
    externalId: null,
    displayName: 'x'.repeat(5000),
    title: 'Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich',
    numbers: [0, -1, 1.5, 1e21, 123456789012345],
    empty: { list: [], object: {} },
    zebra: 1,
    alpha: 2,
  },
}

describe('the row a user write returns', () => {
  it.each(Object.keys(resources))('is the stored row, %s resource', async (shape) => {
    const resource = resources[shape]!
    const customAttributes = { costCenter: 'CC-7', level: 3, remote: false, tags: ['a', 'b'], nested: { deep: [1, { x: null }] } }
    const inserted = await insertUser(providerId, { resource, customAttributes, source: 'scim', scimManaged: true })
    expect(await findUser(providerId, inserted.id)).toStrictEqual(inserted)

    const changed = { ...resource, title: 'Changed', active: !(resource.active ?? true) }
    const updated = await updateUserIfVersion(inserted, { resource: changed, customAttributes: {}, scimManaged: false })
    expect(updated).toBeDefined()
    expect(updated!.version).toBe(2)
    expect(await findUser(providerId, inserted.id)).toStrictEqual(updated)
  })

  it('is undefined when the version moved, and nothing is written', async () => {
    const inserted = await insertUser(providerId, {
      resource: { userName: 'race@example.com' },
      customAttributes: {},
      source: 'scim',
      scimManaged: true,
    })
    const first = await updateUserIfVersion(inserted, {
      resource: { userName: 'race@example.com', title: 'A' },
      customAttributes: {},
    })
    expect(first?.version).toBe(2)
    const stale = await updateUserIfVersion(inserted, {
      resource: { userName: 'race@example.com', title: 'B' },
      customAttributes: {},
    })
    expect(stale).toBeUndefined()
    expect(await findUser(providerId, inserted.id)).toStrictEqual(first)
  })
})
