import { describe, expect, it } from 'vitest'
import type { UserRow } from '../db/users'
import { recentUsers } from './recent-users'

const row = (id: string): UserRow => ({
  id,
  providerId: 'p1',
  userName: `${id}@example.com`,
  externalId: null,
  displayName: null,
  primaryEmail: null,
  active: true,
  resource: { userName: `${id}@example.com`, emails: [{ value: `${id}@example.com` }] },
  customAttributes: { level: 1 },
  version: 1,
  scimManaged: true,
  source: 'scim',
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-02T00:00:00Z'),
})

describe('recently seen users', () => {
  it('recalls a copy that no change to the remembered or the recalled object reaches', () => {
    const original = row('copy')
    recentUsers.remember(original)
    ;(original.resource as { emails: Array<{ value: string }> }).emails[0]!.value = 'changed-after@example.com'
    const recalled = recentUsers.recall('p1', 'copy')!
    expect(recalled).toEqual(row('copy'))
    ;(recalled.customAttributes as { level: number }).level = 99
    expect(recentUsers.recall('p1', 'copy')).toEqual(row('copy'))
  })

  it('keys users by their IdP, and forgets a deleted one', () => {
    recentUsers.remember(row('keyed'))
    expect(recentUsers.recall('p2', 'keyed')).toBeUndefined()
    recentUsers.forget('keyed')
    expect(recentUsers.recall('p1', 'keyed')).toBeUndefined()
  })

  it('holds at most 10,000 users, the least recently remembered leaving first', () => {
    for (let i = 0; i < 10_000; i++) recentUsers.remember(row(`bulk-${i}`))
    recentUsers.remember(row('bulk-0'))
    recentUsers.remember(row('one-more'))
    expect(recentUsers.size).toBe(10_000)
    expect(recentUsers.recall('p1', 'bulk-0')).toBeDefined()
    expect(recentUsers.recall('p1', 'bulk-1')).toBeUndefined()
    expect(recentUsers.recall('p1', 'one-more')).toBeDefined()
  })
})
