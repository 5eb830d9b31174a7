import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'

/**
 * The credential model SCIM tokens and directory API keys share: 256 random bits behind a fixed prefix secret
 * scanners can spot, shown once, stored as a SHA-256 hash, expiring after a year by default, revocable, and
 * last use recorded at most once a minute.
 */

const DAY_MS = 86_400_000
export const DEFAULT_CREDENTIAL_LIFETIME_DAYS = 365
const LAST_USED_GRANULARITY_MS = 60_000
/** Characters after the kind prefix that lists show, enough to tell credentials apart. */
const SHOWN_CHARS = 6

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex')
}

export function bearerToken(authorization: string | null): string | null {
  if (!authorization) return null
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization)
  return match?.[1] ?? null
}

/** A new secret, the prefix lists show of it, and the hash that is stored. */
export function newSecret(kindPrefix: string) {
  const secret = `${kindPrefix}${randomBytes(32).toString('base64url')}`
  return { secret, prefix: secret.slice(0, kindPrefix.length + SHOWN_CHARS), secretHash: hashSecret(secret) }
}

/** The presented bearer secret and, only when it has the kind's prefix, its hash (nothing else is looked up). */
export function presentedSecret(authorization: string | null, kindPrefix: string) {
  const secret = bearerToken(authorization)
  return { secret, secretHash: secret?.startsWith(kindPrefix) ? hashSecret(secret) : null }
}

/** The lookup was by hash; the constant-time comparison guards against any index-timing leak all the same. */
export function hashMatches(stored: string, presented: string | null): boolean {
  return presented !== null && timingSafeEqual(Buffer.from(stored), Buffer.from(presented))
}

/** Days until expiry; 0 or null mean the credential never expires. */
export const expiresInDaysSchema = z
  .number('Expiry is a number of days.')
  .int('Expiry is a whole number of days.')
  .min(0, 'Expiry is 0 (never) or at least 1 day.')
  .max(3650, 'Expiry is at most 3650 days.')
  .nullable()
  .default(DEFAULT_CREDENTIAL_LIFETIME_DAYS)

export function expiryFrom(now: Date, days: number | null): Date | null {
  return days ? new Date(now.getTime() + days * DAY_MS) : null
}

export type CredentialStatus = 'active' | 'revoked' | 'expired'

export function credentialStatus(
  credential: { revokedAt: Date | null; expiresAt: Date | null },
  now = new Date(),
): CredentialStatus {
  if (credential.revokedAt) return 'revoked'
  if (credential.expiresAt && credential.expiresAt <= now) return 'expired'
  return 'active'
}

/**
 * Records a use without a write per request: the (cached) row remembers the time, and the database is touched
 * in the background only when its stored time is more than a minute old.
 */
export function recordUse(
  credential: { id: string; lastUsedAt: Date | null },
  now: Date,
  touch: (id: string, at: Date, staleBefore: Date) => Promise<unknown>,
): void {
  if (credential.lastUsedAt && now.getTime() - credential.lastUsedAt.getTime() <= LAST_USED_GRANULARITY_MS) return
  credential.lastUsedAt = now
  void touch(credential.id, now, new Date(now.getTime() - LAST_USED_GRANULARITY_MS)).catch(() => {})
}
