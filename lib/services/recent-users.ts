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
 * Rows are kept as JSON text, so no later change to an answered object can reach a remembered one, and compactly:
 * 10,000 users like the benchmark's take 12 MB this way (22 MB with their columns as an object beside the JSON).
 * Bounded by count, the least recently used first out.
 */
const MAX_USERS = 10_000

/** By user id: ids are UUIDs, unique across IdPs (the IdP is checked on the way out). */
const rows = new Map<string, string>()

export const recentUsers = {
  remember(row: UserRow): void {
    rows.delete(row.id)
    rows.set(row.id, JSON.stringify(row))
    if (rows.size > MAX_USERS) rows.delete(rows.keys().next().value!)
  },
  /** The row as this instance last saw it, maybe out of date; a copy of its own. */
  recall(providerId: string, userId: string): UserRow | undefined {
    const text = rows.get(userId)
    if (text === undefined) return undefined
    const row = JSON.parse(text) as Omit<UserRow, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string }
    if (row.providerId !== providerId) return undefined
    return { ...row, createdAt: new Date(row.createdAt), updatedAt: new Date(row.updatedAt) }
  },
  forget(userId: string): void {
    rows.delete(userId)
  },
  get size(): number {
    return rows.size
  },
}
