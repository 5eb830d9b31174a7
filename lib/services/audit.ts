import 'server-only'
import { insertAuditEvent } from '../db/audit-events'

/** Who did what: every change made in the portal or with the CLI. */
export type Actor = { name: string }

export const CLI_ACTOR: Actor = { name: 'cli' }

export async function recordAudit(
  actor: Actor,
  action: string,
  target: { type: string; id?: string | null; providerId?: string | null },
  details?: Record<string, unknown>,
): Promise<void> {
  await insertAuditEvent({
    actor: actor.name,
    action,
    targetType: target.type,
    targetId: target.id ?? null,
    providerId: target.providerId ?? null,
    ...(details ? { details } : {}),
  })
}
