import 'server-only'
import { isUuid } from '../scim/ids'
import { z } from 'zod'
import { withTransaction } from '../db/client'
import {
  countActiveTokens,
  findSuccessor,
  findTokenForUpdate,
  insertToken,
  listTokens,
  lockProviderTokens,
  markTokenRevoked,
  setTokenExpiry,
  type TokenRow,
} from '../db/tokens'
import { recordAudit, type Actor } from './audit'
import { getIdentityProvider } from './identity-providers'
import { invalidateScimAccessCache, SCOPES, TOKEN_PREFIX } from './scim-access'
import { credentialStatus, expiresInDaysSchema, expiryFrom, newSecret, type CredentialStatus } from './credentials'
import { ConflictError, NotFoundError } from './errors'

/**
 * Secret tokens: credentials of the model in ./credentials, expiring after a year unless asked otherwise
 * (RFC 7644 §7.4 asks for limited lifetimes). They rotate with an overlap, so the IdP can be given the new one
 * before the old one stops working.
 */

const DAY_MS = 86_400_000
export const DEFAULT_ROTATION_OVERLAP_DAYS = 7
export const MAX_ROTATION_OVERLAP_DAYS = 90
/** Enough for a rotation in progress on two apps; more usually means forgotten tokens. */
export const MAX_ACTIVE_TOKENS = 5

export const createTokenSchema = z.object({
  providerId: z.uuid('Unknown identity provider.'),
  label: z.string().trim().max(120, 'Label is at most 120 characters.').default(''),
  scopes: z
    .array(z.enum(SCOPES))
    .min(1, 'Choose at least one scope.')
    .default([...SCOPES]),
  expiresInDays: expiresInDaysSchema,
})
export type CreateTokenInput = z.input<typeof createTokenSchema>

export const rotateTokenSchema = z.object({
  tokenId: z.uuid('Unknown token.'),
  overlapDays: z
    .number('The overlap is a number of days.')
    .int('The overlap is a whole number of days.')
    .min(1, 'The overlap is at least 1 day.')
    .max(MAX_ROTATION_OVERLAP_DAYS, `The overlap is at most ${MAX_ROTATION_OVERLAP_DAYS} days.`)
    .default(DEFAULT_ROTATION_OVERLAP_DAYS),
  expiresInDays: expiresInDaysSchema,
})
export type RotateTokenInput = z.input<typeof rotateTokenSchema>

/** Inside the provider's lock: refuses a token that would make more than MAX_ACTIVE_TOKENS. */
async function ensureRoomForToken(providerId: string, now: Date): Promise<void> {
  if (!(await lockProviderTokens(providerId))) throw new NotFoundError(`No identity provider '${providerId}'.`)
  const active = await countActiveTokens(providerId, now)
  if (active >= MAX_ACTIVE_TOKENS) {
    throw new ConflictError(
      `This identity provider already has ${active} active tokens, the most it may have. Revoke one it no longer uses first.`,
    )
  }
}

export async function createToken(actor: Actor, input: CreateTokenInput, now = new Date()) {
  const data = createTokenSchema.parse(input)
  await getIdentityProvider(data.providerId)
  const { secret, prefix, secretHash } = newSecret(TOKEN_PREFIX)
  const expiresAt = expiryFrom(now, data.expiresInDays)
  const token = await withTransaction(async () => {
    await ensureRoomForToken(data.providerId, now)
    const created = await insertToken({
      providerId: data.providerId,
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
      'token.create',
      { type: 'token', id: created.id, providerId: data.providerId },
      {
        label: data.label,
        scopes: data.scopes,
        expiresAt: expiresAt?.toISOString() ?? null,
      },
    )
    return created
  })
  return { token, secret }
}

/**
 * Issues a successor with the same label and scopes, and shortens the old token's life to the overlap (never
 * lengthens it). Both work until then; SCIM access checks read the new expiry within their 2-second cache.
 */
export async function rotateToken(actor: Actor, input: RotateTokenInput, now = new Date()) {
  const data = rotateTokenSchema.parse(input)
  const { secret, prefix, secretHash } = newSecret(TOKEN_PREFIX)
  const result = await withTransaction(async () => {
    const old = await findTokenForUpdate(data.tokenId)
    if (!old) throw new NotFoundError(`No token '${data.tokenId}'.`)
    if (credentialStatus(old, now) !== 'active') {
      throw new ConflictError(
        `Token ${old.prefix}… is ${credentialStatus(old, now)}: only an active token can be rotated. Generate a new one instead.`,
      )
    }
    // Under the token's lock, so a double click or a parallel rotation makes one successor, not two.
    const successor = await findSuccessor(old.id)
    if (successor) {
      throw new ConflictError(
        `Token ${old.prefix}… has already been rotated: its successor is ${successor.prefix}…. Rotate that one instead.`,
      )
    }
    await ensureRoomForToken(old.providerId, now)
    const overlapEnd = new Date(now.getTime() + data.overlapDays * DAY_MS)
    const oldExpiresAt = old.expiresAt && old.expiresAt < overlapEnd ? old.expiresAt : overlapEnd
    await setTokenExpiry(old.id, oldExpiresAt)
    const expiresAt = expiryFrom(now, data.expiresInDays)
    const token = await insertToken({
      providerId: old.providerId,
      label: old.label,
      prefix,
      secretHash,
      scopes: old.scopes,
      expiresAt,
      createdBy: actor.name,
      createdAt: now,
      rotatedFromId: old.id,
    })
    await recordAudit(
      actor,
      'token.rotate',
      { type: 'token', id: old.id, providerId: old.providerId },
      {
        label: old.label,
        newTokenId: token.id,
        overlapDays: data.overlapDays,
        oldExpiresAt: oldExpiresAt.toISOString(),
        newExpiresAt: expiresAt?.toISOString() ?? null,
      },
    )
    return { token, previous: { ...old, expiresAt: oldExpiresAt } }
  })
  invalidateScimAccessCache()
  return { ...result, secret }
}

export type ListedToken = TokenRow & {
  status: CredentialStatus
  /** Active without an expiry: someone chose "never". */
  neverExpires: boolean
  /** The token that replaced this one by rotation. */
  replacedById: string | null
  /** The token the IdP authenticated with most recently. */
  usedLast: boolean
}

export async function listProviderTokens(providerId: string, now = new Date()): Promise<ListedToken[]> {
  await getIdentityProvider(providerId)
  const tokens = await listTokens(providerId)
  const lastUsed = tokens.reduce<TokenRow | null>(
    (latest, token) => (token.lastUsedAt && (!latest?.lastUsedAt || token.lastUsedAt > latest.lastUsedAt) ? token : latest),
    null,
  )
  return tokens.map((token) => {
    const status = credentialStatus(token, now)
    return {
      ...token,
      status,
      neverExpires: status === 'active' && token.expiresAt === null,
      replacedById: tokens.find((other) => other.rotatedFromId === token.id)?.id ?? null,
      usedLast: token.id === lastUsed?.id,
    }
  })
}

export async function revokeToken(actor: Actor, tokenId: string) {
  const token = await withTransaction(async () => {
    const found = isUuid(tokenId) ? await findTokenForUpdate(tokenId) : undefined
    if (!found) throw new NotFoundError(`No token '${tokenId}'.`)
    await markTokenRevoked(tokenId, new Date())
    await recordAudit(actor, 'token.revoke', { type: 'token', id: tokenId, providerId: found.providerId }, { label: found.label })
    return found
  })
  invalidateScimAccessCache()
  return token
}
