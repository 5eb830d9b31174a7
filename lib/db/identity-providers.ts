import 'server-only'
import { randomUUID } from 'node:crypto'
import { Prisma } from './generated/client'
import type { AttributeType, IdpKind } from './generated/enums'
import { sqlExecute, sqlFirst, sqlRows } from './sql'

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

/** An identity provider as the portal and CLI see it. */
export type ProviderRow = {
  id: string
  name: string
  kind: IdpKind
  scimEnabled: boolean
  /** Whether SSO sign-in may create accounts just in time (lib/services/sign-ins.ts). */
  jitEnabled: boolean
  extensionName: string
  createdAt: Date
  updatedAt: Date
}

const providerColumns = Prisma.sql`"id", "name", "kind", "scimEnabled", "jitEnabled", "extensionName", "createdAt", "updatedAt"`

export function findProvider(providerId: string): Promise<ProviderRow | undefined> {
  return sqlFirst<ProviderRow>(Prisma.sql`SELECT ${providerColumns} FROM "IdentityProvider" WHERE "id" = ${providerId}::uuid`)
}

export function listProviders(): Promise<ProviderRow[]> {
  return sqlRows<ProviderRow>(Prisma.sql`SELECT ${providerColumns} FROM "IdentityProvider" ORDER BY "createdAt" ASC, "id" ASC`)
}

/** Names of every IdP, for pickers. */
export function listProviderNames(): Promise<Array<{ id: string; name: string }>> {
  return sqlRows(Prisma.sql`SELECT "id", "name" FROM "IdentityProvider" ORDER BY "name" ASC, "id" ASC`)
}

// The writes below are on the SQL runner, so that each commits with its audit event (`withTransaction`).

export async function insertProvider(data: { name: string; kind: IdpKind }): Promise<ProviderRow> {
  const now = new Date()
  const row = await sqlFirst<ProviderRow>(Prisma.sql`
    INSERT INTO "IdentityProvider" ("id", "name", "kind", "createdAt", "updatedAt")
    VALUES (${randomUUID()}::uuid, ${data.name}, ${data.kind}::"IdpKind", ${now}, ${now})
    RETURNING ${providerColumns}`)
  return row!
}

/** The changed provider, or undefined when there is none with that id. */
export function updateProvider(
  providerId: string,
  data: { scimEnabled?: boolean; name?: string; extensionName?: string },
): Promise<ProviderRow | undefined> {
  const assignments = [Prisma.sql`"updatedAt" = ${new Date()}`]
  if (data.scimEnabled !== undefined) assignments.push(Prisma.sql`"scimEnabled" = ${data.scimEnabled}`)
  if (data.name !== undefined) assignments.push(Prisma.sql`"name" = ${data.name}`)
  if (data.extensionName !== undefined) assignments.push(Prisma.sql`"extensionName" = ${data.extensionName}`)
  return sqlFirst<ProviderRow>(Prisma.sql`
    UPDATE "IdentityProvider" SET ${Prisma.join(assignments, ', ')} WHERE "id" = ${providerId}::uuid
    RETURNING ${providerColumns}`)
}

/** Deletes the provider with its tokens, attributes, users and log (cascades); false when there was none. */
export async function deleteProviderRow(providerId: string): Promise<boolean> {
  return (await sqlExecute(Prisma.sql`DELETE FROM "IdentityProvider" WHERE "id" = ${providerId}::uuid`)) > 0
}
