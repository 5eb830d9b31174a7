import { listAuditEvents } from '../db/audit-events'

export const AUDIT_PAGE_SIZE = 50

/** One page of audit events, newest first, by keyset on (createdAt, id). */
export async function findAuditPage(before?: { createdAt: Date; id: string }) {
  const rows = await listAuditEvents({ take: AUDIT_PAGE_SIZE + 1, ...(before ? { before } : {}) })
  return { rows: rows.slice(0, AUDIT_PAGE_SIZE), hasMore: rows.length > AUDIT_PAGE_SIZE }
}
