import { getDb } from './client'
import { Prisma } from './generated/client'
import { sqlExecute } from './sql'

export function insertToken(data: {
  providerId: string
  label: string
  prefix: string
  secretHash: string
  scopes: string[]
  expiresAt: Date | null
  createdBy: string
}) {
  return getDb().scimToken.create({ data })
}

export function listTokens(providerId: string) {
  return getDb().scimToken.findMany({ where: { providerId }, orderBy: { createdAt: 'desc' } })
}

export function findToken(tokenId: string) {
  return getDb().scimToken.findUnique({ where: { id: tokenId } })
}

export function markTokenRevoked(tokenId: string, at: Date) {
  return getDb().scimToken.updateMany({ where: { id: tokenId, revokedAt: null }, data: { revokedAt: at } })
}

/** Records use without contending on the row: only when the stored time is older than `staleBefore`. */
export function touchToken(tokenId: string, at: Date, staleBefore: Date) {
  return sqlExecute(Prisma.sql`
    UPDATE "ScimToken" SET "lastUsedAt" = ${at}
    WHERE "id" = ${tokenId}::uuid AND ("lastUsedAt" IS NULL OR "lastUsedAt" < ${staleBefore})`)
}
