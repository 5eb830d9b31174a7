import { beforeAll, describe, expect, it } from 'vitest'
import { parseFilter } from '../scim/filter/parse'
import { buildUserSchema } from '../scim/schema/tenant-schema'
import { databaseReady } from './client'
import { insertProvider } from './identity-providers'
import { findUsersPage, insertUser } from './users'

/**
 * startIndex pages past the middle of the collection are read from its end (backwards in the index). These
 * hold every page, forwards or backwards, equal to the same slice of the whole ordered collection: for each
 * order (creation, a sort key with missing values, either direction), with a filter, across chunk boundaries.
 */

const USERS = 230
let providerId: string
const schema = buildUserSchema({ extensionName: 'PageTest', customAttributes: [] })

beforeAll(async () => {
  await databaseReady()
  providerId = (await insertProvider({ name: 'Users page IdP', kind: 'entra' })).id
  for (let i = 0; i < USERS; i++) {
    // Several users share a millisecond of creation (the id breaks the tie), and a display name repeats or is missing.
    const displayName = i % 5 === 0 ? undefined : `Name ${String(i % 17).padStart(2, '0')}`
    await insertUser(providerId, {
      resource: { userName: `page-${i}@example.com`, active: i % 3 !== 0, ...(displayName ? { displayName } : {}) },
      customAttributes: {},
      source: 'scim',
      scimManaged: true,
    })
  }
}, 60_000)

const orders = {
  creation: { descending: false },
  'creation, descending': { descending: true },
  'displayName (missing last)': { sortBy: 'displayName', descending: false },
  'displayName, descending': { sortBy: 'displayName', descending: true },
  'filtered by active': { filter: 'active eq true', descending: false },
} satisfies Record<string, { sortBy?: string; filter?: string; descending: boolean }>

const OFFSETS = [0, 1, 2, 50, 99, 100, 101, 114, 115, 116, 150, 200, 225, 228, 229, 230, 231, 500]

describe('a startIndex page of users', () => {
  it.each(Object.keys(orders) as Array<keyof typeof orders>)(
    'is the same slice read forwards or backwards: %s',
    async (name) => {
      const order: { sortBy?: string; filter?: string; descending: boolean } = orders[name]
      const options = {
        schema,
        descending: order.descending,
        ...(order.sortBy ? { sortBy: order.sortBy } : {}),
        ...(order.filter ? { filter: parseFilter(order.filter) } : {}),
      }
      const whole = await findUsersPage(providerId, { ...options, offset: 0, limit: 1000 })
      const ids = whole.rows.map((row) => row.id)
      expect(ids.length).toBe(order.filter ? USERS - Math.ceil(USERS / 3) : USERS)
      expect(whole.total).toBe(ids.length)
      for (const offset of OFFSETS) {
        for (const limit of [1, 7, 150]) {
          const page = await findUsersPage(providerId, { ...options, offset, limit })
          expect({ offset, limit, ids: page.rows.map((row) => row.id) }).toEqual({
            offset,
            limit,
            ids: ids.slice(offset, offset + limit),
          })
          expect(page.total).toBe(ids.length)
          // Exhausted: a read came back short. A page that ends exactly at the last user may not know it yet.
          if (offset + limit !== ids.length) expect(page.exhausted).toBe(offset + limit > ids.length)
        }
      }
    },
    60_000,
  )
})
