import { getDb } from './client'
import { Prisma } from './generated/client'
import type { AttributeType, IdpKind } from './generated/enums'
import { sqlFirst } from './sql'

export type ScimProviderRow = {
  id: string
  name: string
  scimEnabled: boolean
  extensionName: string
  customAttributes: Array<{ name: string; type: AttributeType; description: string }>
  /** The token with the presented hash, when this IdP has one. */
  token: {
    id: string
    secretHash: string
    scopes: string[]
    expiresAt: Date | null
    revokedAt: Date | null
    lastUsedAt: Date | null
  } | null
}

type ScimProviderSqlRow = Omit<ScimProviderRow, 'token'> & {
  tokenId: string | null
  secretHash: string | null
  scopes: string[] | null
  expiresAt: Date | null
  revokedAt: Date | null
  lastUsedAt: Date | null
}

/** The IdP with everything a SCIM request needs to authenticate and read input: one statement, every request. */
export async function findProviderForScim(providerId: string, secretHash: string | null): Promise<ScimProviderRow | undefined> {
  const row = await sqlFirst<ScimProviderSqlRow>(Prisma.sql`
    SELECT p."id", p."name", p."scimEnabled", p."extensionName",
      COALESCE((SELECT json_agg(json_build_object('name', c."name", 'type', c."type", 'description', c."description")
                ORDER BY c."nameLower") FROM "CustomAttribute" c WHERE c."providerId" = p."id"), '[]'::json) AS "customAttributes",
      t."id" AS "tokenId", t."secretHash", t."scopes", t."expiresAt", t."revokedAt", t."lastUsedAt"
    FROM "IdentityProvider" p
    LEFT JOIN "ScimToken" t ON t."providerId" = p."id" AND t."secretHash" = ${secretHash ?? ''}
    WHERE p."id" = ${providerId}::uuid`)
  if (!row) return undefined
  const { tokenId, secretHash: hash, scopes, expiresAt, revokedAt, lastUsedAt, ...provider } = row
  return {
    ...provider,
    token: tokenId && hash ? { id: tokenId, secretHash: hash, scopes: scopes ?? [], expiresAt, revokedAt, lastUsedAt } : null,
  }
}

export function findProvider(providerId: string) {
  return getDb().identityProvider.findUnique({ where: { id: providerId } })
}

export function insertProvider(data: { name: string; kind: IdpKind }) {
  return getDb().identityProvider.create({ data })
}

export function listProviders() {
  return getDb().identityProvider.findMany({ orderBy: { createdAt: 'asc' } })
}

export function updateProvider(providerId: string, data: { scimEnabled?: boolean; name?: string; extensionName?: string }) {
  return getDb().identityProvider.update({ where: { id: providerId }, data })
}

export function deleteProviderRow(providerId: string) {
  return getDb().identityProvider.delete({ where: { id: providerId } })
}
