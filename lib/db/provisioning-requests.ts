import { outsideTransaction } from './client'
import { Prisma } from './generated/client'
import type { RequestOperation } from './generated/enums'
import { sqlExecute, uuidv7 } from './sql'

export type ProvisioningRequestInsert = {
  createdAt: Date
  providerId: string | null
  tokenId: string | null
  method: string
  path: string
  query: string
  status: number
  durationMs: number
  operation: RequestOperation
  userId: string | null
  userName: string | null
  userEmail: string | null
  requestBody: string | null
  responseBody: string | null
  discardedAttributes: string[]
  compatRules: string[]
  changes: unknown[] | null
  scimType: string | null
  errorDetail: string | null
  clientIp: string | null
  userAgent: string | null
  /** The request id (X-Request-Id, given or generated). */
  requestId?: string | null
  /** How many requests the row stands for (1, or more for a folded flood of identical failures). */
  repeatCount: number
}

/** One multi-row INSERT per batch: all rows are written, or none (the caller then retries them one by one). */
export async function insertProvisioningRequests(rows: ProvisioningRequestInsert[]): Promise<void> {
  if (rows.length === 0) return
  const values = rows.map(
    (row) => Prisma.sql`(${uuidv7(row.createdAt.getTime())}::uuid, ${row.createdAt}, ${row.providerId}::uuid, ${row.tokenId}::uuid,
      ${row.method}, ${row.path}, ${row.query}, ${row.status}, ${row.durationMs}, ${row.operation}::"RequestOperation",
      ${row.userId}::uuid, ${row.userName}, ${row.userEmail}, ${row.requestBody}, ${row.responseBody},
      ${row.discardedAttributes}::text[], ${row.compatRules}::text[], ${row.changes === null ? null : JSON.stringify(row.changes)}::jsonb,
      ${row.scimType}, ${row.errorDetail}, ${row.clientIp}, ${row.userAgent}, ${row.requestId ?? null}, ${row.repeatCount})`,
  )
  // The log is written on its own, whatever transaction the code that queued a record was in.
  await outsideTransaction(() =>
    sqlExecute(Prisma.sql`
    INSERT INTO "ProvisioningRequest" ("id", "createdAt", "providerId", "tokenId", "method", "path", "query", "status",
      "durationMs", "operation", "userId", "userName", "userEmail", "requestBody", "responseBody", "discardedAttributes",
      "compatRules", "changes", "scimType", "errorDetail", "clientIp", "userAgent", "requestId", "repeatCount")
    VALUES ${Prisma.join(values)}`),
  )
}
