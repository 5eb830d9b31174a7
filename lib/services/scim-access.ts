import 'server-only'
import { findProviderForScim, type ScimProviderRow } from '../db/identity-providers'
import { touchToken } from '../db/tokens'
import { ScimError } from '../scim/errors'
import { isUuid } from '../scim/ids'
import { buildUserSchema, type UserSchema } from '../scim/schema/tenant-schema'
import { hashMatches, presentedSecret, recordUse } from './credentials'

/**
 * Who may call the SCIM API, checked in the order the README documents ("SCIM operations and status codes"):
 * unknown provider → 404, bad/expired/revoked token → 401, SCIM disabled → 403, missing scope → 403.
 */

export const TOKEN_PREFIX = 'ttscim_'
export const SCOPES = ['users:read', 'users:write', 'users:delete'] as const
export type Scope = (typeof SCOPES)[number]

/** A provider's SCIM context once the caller is authenticated. */
export type ScimTenant = {
  providerId: string
  providerName: string
  tokenId: string
  scopes: string[]
  schema: UserSchema
}

export class ScimAuthError extends ScimError {
  constructor(
    status: number,
    detail: string,
    /** Known once the provider resolved, even when the token did not. */
    readonly providerId: string | null,
    readonly tokenId: string | null = null,
  ) {
    super(status, detail)
  }
}

/**
 * Successful lookups are kept for a moment: the lookup is a database round trip on every SCIM request, the
 * largest share of a lookup's cost. Any change to tokens, IdPs or custom attributes made in this process
 * clears the cache at once (it lives on globalThis, shared by server.ts and Next's bundle); another instance
 * sees a revocation within ACCESS_CACHE_TTL_MS. Failures are never cached, so a new token works at once.
 */
const ACCESS_CACHE_TTL_MS = 2_000
const ACCESS_CACHE_MAX = 10_000
type CachedProvider = { row: ScimProviderRow; schema: UserSchema; expires: number }
const globalForAccess = globalThis as unknown as { __traffitechScimAccess?: Map<string, CachedProvider> }
const accessCache = (globalForAccess.__traffitechScimAccess ??= new Map())

/** Call after changing a token, an IdP or its custom attributes. */
export function invalidateScimAccessCache(): void {
  accessCache.clear()
}

function cacheKey(providerId: string, secretHash: string | null): string {
  return `${providerId}:${secretHash}`
}

async function lookUpProvider(providerId: string, secretHash: string | null, now: number) {
  const key = cacheKey(providerId, secretHash)
  const cached = accessCache.get(key)
  if (cached && cached.expires > now) return cached
  const row = await findProviderForScim(providerId, secretHash)
  if (!row) return undefined
  const entry: CachedProvider = {
    row,
    schema: buildUserSchema({ extensionName: row.extensionName, customAttributes: row.customAttributes }),
    expires: now + ACCESS_CACHE_TTL_MS,
  }
  if (row.token) {
    if (accessCache.size >= ACCESS_CACHE_MAX) accessCache.clear()
    accessCache.set(key, entry)
  }
  return entry
}

function unknownProvider(providerId: string): ScimAuthError {
  return new ScimAuthError(404, `No identity provider has the id '${providerId}'. Check the Tenant URL.`, null)
}

export async function authenticateScimRequest(
  providerId: string,
  authorization: string | null,
  now = new Date(),
): Promise<ScimTenant> {
  if (!isUuid(providerId)) throw unknownProvider(providerId)
  const { secret, secretHash } = presentedSecret(authorization, TOKEN_PREFIX)
  const found = await lookUpProvider(providerId, secretHash, now.getTime())
  if (!found) throw unknownProvider(providerId)
  return checkAccess(found, secret, secretHash, now)
}

/**
 * The tenant of a request whose token this process accepted a moment ago, without touching the database;
 * undefined otherwise. While a client address is over its failure limit, only such requests are served.
 */
export function authenticateFromCache(
  providerId: string,
  authorization: string | null,
  now = new Date(),
): ScimTenant | undefined {
  const { secret, secretHash } = presentedSecret(authorization, TOKEN_PREFIX)
  if (!secretHash) return undefined
  const cached = accessCache.get(cacheKey(providerId, secretHash))
  if (!cached || cached.expires <= now.getTime()) return undefined
  try {
    return checkAccess(cached, secret, secretHash, now)
  } catch {
    return undefined
  }
}

function checkAccess(found: CachedProvider, secret: string | null, secretHash: string | null, now: Date): ScimTenant {
  const provider = found.row
  const { token } = provider
  if (!secret) {
    throw new ScimAuthError(401, 'Missing bearer token: send "Authorization: Bearer <secret token>".', provider.id)
  }
  if (!token || !hashMatches(token.secretHash, secretHash)) {
    throw new ScimAuthError(401, 'The bearer token is not valid for this identity provider.', provider.id)
  }
  if (token.revokedAt) {
    throw new ScimAuthError(
      401,
      'The bearer token has been revoked. Ask your administrator for a new token.',
      provider.id,
      token.id,
    )
  }
  if (token.expiresAt && token.expiresAt <= now) {
    throw new ScimAuthError(401, 'The bearer token has expired. Ask your administrator for a new token.', provider.id, token.id)
  }
  if (!provider.scimEnabled) {
    throw new ScimAuthError(403, 'SCIM provisioning is disabled for this identity provider.', provider.id, token.id)
  }
  recordUse(token, now, touchToken)
  return {
    providerId: provider.id,
    providerName: provider.name,
    tokenId: token.id,
    scopes: token.scopes,
    schema: found.schema,
  }
}

export function requireScope(tenant: ScimTenant, scope: Scope): void {
  if (!tenant.scopes.includes(scope)) {
    throw new ScimAuthError(
      403,
      `Insufficient scope: this operation needs the '${scope}' scope, and the token has ${tenant.scopes.length ? tenant.scopes.join(', ') : 'none'}.`,
      tenant.providerId,
      tenant.tokenId,
    )
  }
}
