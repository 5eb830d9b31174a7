import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { decodeCursor, encodeCursor } from '@/lib/services/portal-logs'
import { findAuditPage } from '@/lib/services/portal-audit'
import { AuditTable } from '@/components/admin/audit-table'
import { Pager } from '@/components/data-table/pager'
import { PageHeader } from '@/components/ui/basics'

export const metadata: Metadata = { title: 'Audit log' }

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireOperator('admin')
  const { after } = await searchParams
  const page = await findAuditPage(decodeCursor(typeof after === 'string' ? after : undefined))
  const rows = page.rows.map((event) => ({
    id: event.id,
    createdAt: event.createdAt,
    actor: event.actor,
    action: event.action,
    target: `${event.targetType}${event.targetId ? ` ${event.targetId}` : ''}`,
    providerId: event.providerId,
    details: event.details ? JSON.stringify(event.details) : '',
  }))
  const last = page.rows[page.rows.length - 1]
  return (
    <>
      <PageHeader title="Audit log" description="Who changed what, from the portal or the CLI. Newest first, UTC." />
      <AuditTable rows={rows} />
      <Pager previous={after ? '/audit' : null} next={page.hasMore && last ? `/audit?after=${encodeCursor(last)}` : null} />
    </>
  )
}
