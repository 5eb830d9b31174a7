import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { findToken, insertToken, listTokens, markTokenRevoked } from '../db/tokens'
import { recordAudit, type Actor } from './audit'
import { getIdentityProvider } from './identity-providers'
import { hashSecret, invalidateScimAccessCache, SCOPES, TOKEN_PREFIX } from './scim-access'
import { NotFoundError } from './errors'

/** Secret tokens: 256 random bits behind a fixed prefix secret scanners can spot, shown once, stored hashed. */

export const createTokenSchema = z.object({
  providerId: z.uuid('Unknown identity provider.'),
  label: z.string().trim().max(120, 'Label is at most 120 characters.').default(''),
  scopes: z.array(z.enum(SCOPES)).min(1, 'Choose at least one scope.').default([...SCOPES]),
  expiresInDays: z.number().int().min(1, 'Expiry is at least 1 day.').max(3650, 'Expiry is at most 3650 days.').nullable().default(null),
})
export type CreateTokenInput = z.input<typeof createTokenSchema>

const PREFIX_LENGTH = TOKEN_PREFIX.length + 6

export async function createToken(actor: Actor, input: CreateTokenInput, now = new Date()) {
  const data = createTokenSchema.parse(input)
  await getIdentityProvider(data.providerId)
  const secret = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`
  const expiresAt = data.expiresInDays ? new Date(now.getTime() + data.expiresInDays * 86_400_000) : null
  const token = await insertToken({
    providerId: data.providerId,
    label: data.label,
    prefix: secret.slice(0, PREFIX_LENGTH),
    secretHash: hashSecret(secret),
    scopes: data.scopes,
    expiresAt,
    createdBy: actor.name,
  })
  await recordAudit(actor, 'token.create', { type: 'token', id: token.id, providerId: data.providerId }, {
    label: data.label,
    scopes: data.scopes,
    expiresAt: expiresAt?.toISOString() ?? null,
  })
  return { token, secret }
}

export type TokenStatus = 'active' | 'revoked' | 'expired'

export function tokenStatus(token: { revokedAt: Date | null; expiresAt: Date | null }, now = new Date()): TokenStatus {
  if (token.revokedAt) return 'revoked'
  if (token.expiresAt && token.expiresAt <= now) return 'expired'
  return 'active'
}

export async function listProviderTokens(providerId: string) {
  await getIdentityProvider(providerId)
  const tokens = await listTokens(providerId)
  return tokens.map((token) => ({ ...token, status: tokenStatus(token) }))
}

export async function revokeToken(actor: Actor, tokenId: string) {
  const token = z.uuid().safeParse(tokenId).success ? await findToken(tokenId) : null
  if (!token) throw new NotFoundError(`No token '${tokenId}'.`)
  await markTokenRevoked(tokenId, new Date())
  invalidateScimAccessCache()
  await recordAudit(actor, 'token.revoke', { type: 'token', id: tokenId, providerId: token.providerId }, { label: token.label })
  return token
}
