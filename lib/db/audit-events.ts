import 'server-only'
import { isUuid } from '../scim/ids'
import { Prisma } from './generated/client'
import { sqlExecute, sqlRows } from './sql'
import { uuidv7 } from '../uuidv7'

const globalForAudit = globalThis as unknown as { __traffitechLastAuditMs?: number }

/**
 * Event times are strictly increasing within a process (a burst within one millisecond moves on by a
 * millisecond each), so the trail keeps the order in which one process wrote it: ids alone are random within
 * a millisecond.
 */
function nextAuditTime(): Date {
  const ms = Math.max(Date.now(), (globalForAudit.__traffitechLastAuditMs ?? 0) + 1)
  globalForAudit.__traffitechLastAuditMs = ms
  return new Date(ms)
}

/** On the SQL runner, so that an audit event commits with the change it records (`withTransaction`). */
export async function insertAuditEvent(data: {
  actor: string
  action: string
  targetType: string
  targetId?: string | null
  providerId?: string | null
  /** Serialized as JSON. */
  details?: Record<string, unknown>
}): Promise<void> {
  const at = nextAuditTime()
  await sqlExecute(Prisma.sql`
    INSERT INTO "AuditEvent" ("id", "createdAt", "actor", "action", "targetType", "targetId", "providerId", "details")
    VALUES (${uuidv7(at.getTime())}::uuid, ${at}, ${data.actor}, ${data.action}, ${data.targetType}, ${data.targetId ?? null},
      ${data.providerId ?? null}::uuid, ${data.details === undefined ? null : JSON.stringify(data.details)}::jsonb)`)
}

export type AuditEventRow = {
  id: string
  createdAt: Date
  actor: string
  action: string
  targetType: string
  targetId: string | null
  providerId: string | null
  details: Prisma.JsonValue | null
}

export type AuditFilter = {
  actor?: string
  /** An exact action, or a family: `token.` matches every action that starts with it. */
  action?: string
  /** A target id, or an IdP id: then also every event about that IdP's tokens, attributes and users. */
  target?: string
  from?: Date
  to?: Date
}

export type AuditCursor = { createdAt: Date; id: string }

function auditWhere(filter: AuditFilter): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [Prisma.sql`TRUE`]
  if (filter.actor) conditions.push(Prisma.sql`"actor" = ${filter.actor}`)
  if (filter.action?.endsWith('.')) {
    conditions.push(Prisma.sql`"action" LIKE ${`${filter.action.replace(/[\\%_]/g, (char) => `\\${char}`)}%`}`)
  } else if (filter.action) {
    conditions.push(Prisma.sql`"action" = ${filter.action}`)
  }
  if (filter.target && isUuid(filter.target)) {
    conditions.push(Prisma.sql`("targetId" = ${filter.target} OR "providerId" = ${filter.target}::uuid)`)
  } else if (filter.target) {
    conditions.push(Prisma.sql`"targetId" = ${filter.target}`)
  }
  if (filter.from) conditions.push(Prisma.sql`"createdAt" >= ${filter.from}`)
  if (filter.to) conditions.push(Prisma.sql`"createdAt" < ${filter.to}`)
  return conditions
}

/**
 * Audit events matching the filter, by keyset on (createdAt, id): newest first, `before` pages to older
 * events, `after` to newer ones (returned newest first all the same). The row comparison walks the
 * (…, createdAt DESC, id DESC) indexes, so a deep page costs what the first does.
 */
export async function listAuditEvents(options: {
  take: number
  filter?: AuditFilter
  before?: AuditCursor
  after?: AuditCursor
}): Promise<AuditEventRow[]> {
  const conditions = auditWhere(options.filter ?? {})
  if (options.before) conditions.push(Prisma.sql`("createdAt", "id") < (${options.before.createdAt}, ${options.before.id}::uuid)`)
  else if (options.after)
    conditions.push(Prisma.sql`("createdAt", "id") > (${options.after.createdAt}, ${options.after.id}::uuid)`)
  const order = Prisma.raw(options.after && !options.before ? 'ASC' : 'DESC')
  const rows = await sqlRows<AuditEventRow>(Prisma.sql`
    SELECT "id", "createdAt", "actor", "action", "targetType", "targetId", "providerId", "details"
    FROM "AuditEvent" WHERE ${Prisma.join(conditions, ' AND ')}
    ORDER BY "createdAt" ${order}, "id" ${order}
    LIMIT ${options.take}`)
  return options.after && !options.before ? rows.reverse() : rows
}
