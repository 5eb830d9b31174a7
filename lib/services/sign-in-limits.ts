import 'server-only'
import { withTransaction } from '../db/client'
import { deleteLimits, deleteLimitsOlderThan, lockLimits, saveLimit, type LimitRow } from '../db/sign-in-limits'

/**
 * Attempt limits with growing delays, shared by sign-in, MFA codes and re-verification. An attempt is reserved
 * (counted as a failure) before the slow password hash, under row locks: a parallel burst is counted one by
 * one and gets no more guesses than the limit. A success gives the reservation back.
 */

/** Failures are forgotten after a quiet day. */
export const LIMIT_WINDOW_MS = 24 * 60 * 60_000
/** The first lock lasts a minute; each further failure doubles it, up to an hour. */
export const FIRST_LOCK_MS = 60_000
export const LONGEST_LOCK_MS = 60 * 60_000

export type Limit = {
  key: string
  /** Failures allowed before the key locks. */
  max: number
  /** Whether a running lock on this key refuses this attempt (counted either way). Default true. */
  enforce?: (rows: Map<string, LimitRow>) => boolean
}

export type Reservation = { allowed: boolean; newlyLocked: string[] }

function lockDuration(failuresOverMax: number): number {
  return Math.min(LONGEST_LOCK_MS, FIRST_LOCK_MS * 2 ** Math.min(failuresOverMax, 20))
}

/** A counter as it counts now: untouched for a window, it starts again from zero. */
function current(row: LimitRow, now: Date): LimitRow {
  if (now.getTime() - row.updatedAt.getTime() > LIMIT_WINDOW_MS) return { ...row, failures: 0, lockedUntil: null }
  return row
}

export async function reserveAttempt(limits: Limit[], now: Date): Promise<Reservation> {
  if (limits.length === 0) return { allowed: true, newlyLocked: [] }
  const reservation = await withTransaction(async () => {
    const locked = await lockLimits(
      limits.map((limit) => limit.key),
      now,
    )
    const rows = new Map([...locked].map(([key, row]) => [key, current(row, now)]))
    const blocked = limits.some((limit) => {
      const row = rows.get(limit.key)!
      return row.lockedUntil !== null && row.lockedUntil > now && (limit.enforce?.(rows) ?? true)
    })
    if (blocked) return { allowed: false, newlyLocked: [] }
    const newlyLocked: string[] = []
    for (const limit of limits) {
      const row = rows.get(limit.key)!
      const failures = row.failures + 1
      let lockedUntil = row.lockedUntil
      if (failures >= limit.max) {
        lockedUntil = new Date(now.getTime() + lockDuration(failures - limit.max))
        newlyLocked.push(limit.key)
      }
      await saveLimit({ key: limit.key, failures, lockedUntil, updatedAt: now })
    }
    return { allowed: true, newlyLocked }
  })
  // Housekeeping outside the transaction, now and then; a collision with a running attempt is harmless.
  if (Math.random() < 0.02) await deleteLimitsOlderThan(new Date(now.getTime() - LIMIT_WINDOW_MS)).catch(() => 0)
  return reservation
}

/**
 * After a success: `clear` keys start again from zero (the secret was known), `giveBack` keys return only
 * this attempt's reservation (an address that signed one account in stays counted for its other failures).
 */
export async function releaseAttempt(clear: string[], giveBack: Limit[], now: Date): Promise<void> {
  await withTransaction(async () => {
    if (clear.length > 0) await deleteLimits(clear)
    if (giveBack.length === 0) return
    const rows = await lockLimits(
      giveBack.map((limit) => limit.key),
      now,
    )
    for (const limit of giveBack) {
      const row = current(rows.get(limit.key)!, now)
      const failures = Math.max(0, row.failures - 1)
      await saveLimit({ key: limit.key, failures, lockedUntil: failures < limit.max ? null : row.lockedUntil, updatedAt: now })
    }
  })
}
