import { getDb } from './client'
import { Prisma } from './generated/client'
import { sqlExecute, uuidv7 } from './sql'

/** On the SQL runner, so that an audit event commits with the change it records (`withTransaction`). */
export async function insertAuditEvent(data: {
  actor: string
  action: string
  targetType: string
  targetId?: string | null
  providerId?: string | null
  details?: Prisma.InputJsonValue
}): Promise<void> {
  const at = new Date()
  await sqlExecute(Prisma.sql`
    INSERT INTO "AuditEvent" ("id", "createdAt", "actor", "action", "targetType", "targetId", "providerId", "details")
    VALUES (${uuidv7(at.getTime())}::uuid, ${at}, ${data.actor}, ${data.action}, ${data.targetType}, ${data.targetId ?? null},
      ${data.providerId ?? null}::uuid, ${data.details === undefined ? null : JSON.stringify(data.details)}::jsonb)`)
}

export function listAuditEvents(options: { take: number; before?: { createdAt: Date; id: string } }) {
  return getDb().auditEvent.findMany({
    where: options.before
      ? {
          OR: [
            { createdAt: { lt: options.before.createdAt } },
            { createdAt: options.before.createdAt, id: { lt: options.before.id } },
          ],
        }
      : {},
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: options.take,
  })
}
