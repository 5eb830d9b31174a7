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
import {
  credentialStatus,
  expiresInDaysSchema,
  expiryFrom,
  hashMatches,
  newSecret,
  presentedSecret,
  recordUse,
  type CredentialStatus,
} from './credentials'

/** Keys for TraffiTech's own services to call the directory API: scoped credentials of the model in ./credentials. */

export const API_KEY_PREFIX = 'ttapi_'
export const API_KEY_SCOPES = ['directory:read', 'events:read', 'sign-ins:write'] as const
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number]

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
  expiresInDays: expiresInDaysSchema,
})
export type CreateApiKeyInput = z.input<typeof createApiKeySchema>

export type ListedApiKey = ApiKeyRow & { status: CredentialStatus }

export async function createApiKey(actor: Actor, input: CreateApiKeyInput, now = new Date()) {
  const data = createApiKeySchema.parse(input)
  const { secret: apiKey, prefix, secretHash } = newSecret(API_KEY_PREFIX)
  const expiresAt = expiryFrom(now, data.expiresInDays)
  const key = await withTransaction(async () => {
    const created = await insertApiKey({
      label: data.label,
      prefix,
      secretHash,
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
  return (await listApiKeyRows()).map((key) => ({ ...key, status: credentialStatus(key, now) }))
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
  const { secret, secretHash } = presentedSecret(authorization, API_KEY_PREFIX)
  const key = secretHash ? await lookUpKey(secretHash, now.getTime()) : undefined
  return checkKey(key, secret, secretHash, now)
}

/**
 * The caller of a key this process accepted a moment ago, without touching the database; undefined otherwise.
 * While a client address is over its failure limit, only such requests are served.
 */
export function authenticateApiKeyFromCache(authorization: string | null, now = new Date()): ApiCaller | undefined {
  const { secret, secretHash } = presentedSecret(authorization, API_KEY_PREFIX)
  const cached = secretHash ? keyCache.get(secretHash) : undefined
  if (!cached || cached.expires <= now.getTime()) return undefined
  try {
    return checkKey(cached.row, secret, secretHash, now)
  } catch {
    return undefined
  }
}

function checkKey(key: CachedKey['row'] | undefined, secret: string | null, secretHash: string | null, now: Date): ApiCaller {
  if (!secret) throw new ApiKeyAuthError(401, 'Missing API key: send "Authorization: Bearer ttapi_…".')
  if (!key || !hashMatches(key.secretHash, secretHash)) {
    throw new ApiKeyAuthError(401, 'The API key is not valid.')
  }
  if (key.revokedAt) throw new ApiKeyAuthError(401, 'The API key has been revoked.')
  if (key.expiresAt && key.expiresAt <= now) throw new ApiKeyAuthError(401, 'The API key has expired.')
  recordUse(key, now, touchApiKey)
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
