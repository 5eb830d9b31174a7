import { getDb } from './client'
import type { Prisma } from './generated/client'

export function insertAuditEvent(data: {
  actor: string
  action: string
  targetType: string
  targetId?: string | null
  providerId?: string | null
  details?: Prisma.InputJsonValue
}) {
  return getDb().auditEvent.create({ data })
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
