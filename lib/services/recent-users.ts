import 'server-only'
import type { UserRow } from '../db/users'

/**
 * The users this instance read or wrote last, so that a change following a read skips its own read of the row:
 * Entra looks a user up (GET /Users?filter=…) and then PATCHes it. Nothing is ever answered from here. A
 * remembered row is only the starting point of a write that names the version it was computed from
 * (lib/db/users.ts updateUserIfVersion): if another request or instance wrote the user since, or deleted it,
 * the write matches no row and the change is made again from a fresh read. Every write of a user raises its
 * version, so a stale row can never be written back.
 *
 * Rows are kept with their JSON as text, so no later change to an answered object can reach a remembered one.
 * Bounded by count, the least recently used first out: at well under 1 kB a row, the default holds a few MB.
 */
const MAX_USERS = 10_000

type RememberedRow = Omit<UserRow, 'resource' | 'customAttributes'> & { resourceJson: string; customJson: string }

const rows = new Map<string, RememberedRow>()
const keyOf = (providerId: string, userId: string) => `${providerId}/${userId}`

export const recentUsers = {
  remember(row: UserRow): void {
    const { resource, customAttributes, ...columns } = row
    const key = keyOf(row.providerId, row.id)
    rows.delete(key)
    rows.set(key, { ...columns, resourceJson: JSON.stringify(resource), customJson: JSON.stringify(customAttributes) })
    if (rows.size > MAX_USERS) rows.delete(rows.keys().next().value!)
  },
  /** The row as this instance last saw it, maybe out of date; a copy of its own. */
  recall(providerId: string, userId: string): UserRow | undefined {
    const remembered = rows.get(keyOf(providerId, userId))
    if (!remembered) return undefined
    const { resourceJson, customJson, ...columns } = remembered
    return {
      ...columns,
      resource: JSON.parse(resourceJson) as UserRow['resource'],
      customAttributes: JSON.parse(customJson) as UserRow['customAttributes'],
    }
  },
  forget(providerId: string, userId: string): void {
    rows.delete(keyOf(providerId, userId))
  },
  get size(): number {
    return rows.size
  },
}
