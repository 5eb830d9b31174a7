import { randomBytes, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'
import { withTransaction } from '../db/client'
import {
  findApiKeyBySecretHash,
  findApiKeyForUpdate,
  insertApiKey,
  listApiKeyRows,
  markApiKeyRevoked,
  touchApiKey,
  type ApiKeyRow,
} from '../db/api-keys'
import { recordAudit, type Actor } from './audit'
import { NotFoundError } from './errors'
import { bearerToken, hashSecret } from './scim-access'

/**
 * Keys for TraffiTech's own services to call the directory API: the model of SCIM tokens (256 random bits
 * behind a prefix secret scanners can spot, shown once, stored as a SHA-256 hash, scoped, expiring after a
 * year by default, revocable, last use recorded at most once a minute).
 */

export const API_KEY_PREFIX = 'ttapi_'
export const API_KEY_SCOPES = ['directory:read', 'events:read', 'sign-ins:write'] as const
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number]

const DAY_MS = 86_400_000
export const DEFAULT_API_KEY_LIFETIME_DAYS = 365
const PREFIX_LENGTH = API_KEY_PREFIX.length + 6
const LAST_USED_GRANULARITY_MS = 60_000

export const createApiKeySchema = z.object({
  label: z
    .string()
    .trim()
    .min(1, 'A label is required: say which service uses the key.')
    .max(120, 'Label is at most 120 characters.'),
  scopes: z
    .array(z.enum(API_KEY_SCOPES, { error: `Scopes are ${API_KEY_SCOPES.join(', ')}.` }))
    .min(1, 'Choose at least one scope.')
    .max(API_KEY_SCOPES.length)
    .transform((scopes) => [...new Set(scopes)]),
  /** Days until expiry; 0 or null mean the key never expires. */
  expiresInDays: z
    .number('Expiry is a number of days.')
    .int('Expiry is a whole number of days.')
    .min(0, 'Expiry is 0 (never) or at least 1 day.')
    .max(3650, 'Expiry is at most 3650 days.')
    .nullable()
    .default(DEFAULT_API_KEY_LIFETIME_DAYS),
})
export type CreateApiKeyInput = z.input<typeof createApiKeySchema>

export type ApiKeyStatus = 'active' | 'revoked' | 'expired'

export function apiKeyStatus(key: { revokedAt: Date | null; expiresAt: Date | null }, now = new Date()): ApiKeyStatus {
  if (key.revokedAt) return 'revoked'
  if (key.expiresAt && key.expiresAt <= now) return 'expired'
  return 'active'
}

export type ListedApiKey = ApiKeyRow & { status: ApiKeyStatus }

export async function createApiKey(actor: Actor, input: CreateApiKeyInput, now = new Date()) {
  const data = createApiKeySchema.parse(input)
  const apiKey = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`
  const expiresAt = data.expiresInDays ? new Date(now.getTime() + data.expiresInDays * DAY_MS) : null
  const key = await withTransaction(async () => {
    const created = await insertApiKey({
      label: data.label,
      prefix: apiKey.slice(0, PREFIX_LENGTH),
      secretHash: hashSecret(apiKey),
      scopes: data.scopes,
      expiresAt,
      createdBy: actor.name,
      createdAt: now,
    })
    await recordAudit(
      actor,
      'apikey.create',
      { type: 'apiKey', id: created.id },
      {
        label: data.label,
        scopes: data.scopes,
        expiresAt: expiresAt?.toISOString() ?? null,
      },
    )
    return created
  })
  return { key, apiKey }
}

export async function listApiKeys(now = new Date()): Promise<ListedApiKey[]> {
  return (await listApiKeyRows()).map((key) => ({ ...key, status: apiKeyStatus(key, now) }))
}

export async function revokeApiKey(actor: Actor, apiKeyId: string): Promise<ApiKeyRow> {
  const key = await withTransaction(async () => {
    const found = z.uuid().safeParse(apiKeyId).success ? await findApiKeyForUpdate(apiKeyId) : undefined
    if (!found) throw new NotFoundError(`No API key '${apiKeyId}'.`)
    await markApiKeyRevoked(apiKeyId, new Date())
    await recordAudit(actor, 'apikey.revoke', { type: 'apiKey', id: apiKeyId }, { label: found.label, prefix: found.prefix })
    return found
  })
  invalidateApiKeyCache()
  return key
}

/** A caller of the directory API once its key checked out. */
export type ApiCaller = { apiKeyId: string; label: string; scopes: string[] }

export class ApiKeyAuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Found keys are kept for a moment (a database round trip per request otherwise); a revocation in this
 * process clears the cache at once, another instance sees it within API_KEY_CACHE_TTL_MS. Misses are not
 * cached, so a new key works at once and a flood of wrong keys cannot fill the cache.
 */
const API_KEY_CACHE_TTL_MS = 2_000
const API_KEY_CACHE_MAX = 10_000
type CachedKey = { row: ApiKeyRow & { secretHash: string }; expires: number }
const globalForKeys = globalThis as unknown as { __traffitechApiKeys?: Map<string, CachedKey> }
const keyCache = (globalForKeys.__traffitechApiKeys ??= new Map())

export function invalidateApiKeyCache(): void {
  keyCache.clear()
}

async function lookUpKey(secretHash: string, now: number) {
  const cached = keyCache.get(secretHash)
  if (cached && cached.expires > now) return cached.row
  const row = await findApiKeyBySecretHash(secretHash)
  if (!row) return undefined
  if (keyCache.size >= API_KEY_CACHE_MAX) keyCache.clear()
  keyCache.set(secretHash, { row, expires: now + API_KEY_CACHE_TTL_MS })
  return row
}

/** 401 for a missing, unknown, expired or revoked key; the scope check is `requireApiScope`. */
export async function authenticateApiKey(authorization: string | null, now = new Date()): Promise<ApiCaller> {
  const { secret, secretHash } = secretOf(authorization)
  const key = secretHash ? await lookUpKey(secretHash, now.getTime()) : undefined
  return checkKey(key, secret, secretHash, now)
}

/**
 * The caller of a key this process accepted a moment ago, without touching the database; undefined otherwise.
 * While a client address is over its failure limit, only such requests are served.
 */
export function authenticateApiKeyFromCache(authorization: string | null, now = new Date()): ApiCaller | undefined {
  const { secret, secretHash } = secretOf(authorization)
  const cached = secretHash ? keyCache.get(secretHash) : undefined
  if (!cached || cached.expires <= now.getTime()) return undefined
  try {
    return checkKey(cached.row, secret, secretHash, now)
  } catch {
    return undefined
  }
}

function secretOf(authorization: string | null) {
  const secret = bearerToken(authorization)
  return { secret, secretHash: secret?.startsWith(API_KEY_PREFIX) ? hashSecret(secret) : null }
}

function checkKey(key: CachedKey['row'] | undefined, secret: string | null, secretHash: string | null, now: Date): ApiCaller {
  if (!secret) throw new ApiKeyAuthError(401, 'Missing API key: send "Authorization: Bearer ttapi_…".')
  // The lookup was by hash; the constant-time comparison guards against any index-timing leak all the same.
  if (!key || !secretHash || !timingSafeEqual(Buffer.from(key.secretHash), Buffer.from(secretHash))) {
    throw new ApiKeyAuthError(401, 'The API key is not valid.')
  }
  if (key.revokedAt) throw new ApiKeyAuthError(401, 'The API key has been revoked.')
  if (key.expiresAt && key.expiresAt <= now) throw new ApiKeyAuthError(401, 'The API key has expired.')
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS) {
    key.lastUsedAt = now
    void touchApiKey(key.id, now, new Date(now.getTime() - LAST_USED_GRANULARITY_MS)).catch(() => {})
  }
  return { apiKeyId: key.id, label: key.label, scopes: key.scopes }
}

export function requireApiScope(caller: ApiCaller, scope: ApiKeyScope): void {
  if (!caller.scopes.includes(scope)) {
    throw new ApiKeyAuthError(
      403,
      `This operation needs the '${scope}' scope; the key has ${caller.scopes.length ? caller.scopes.join(', ') : 'none'}.`,
    )
  }
}
