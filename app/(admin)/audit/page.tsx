import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { findAuditPage } from '@/lib/services/portal-audit'
import { readAuditFilter } from '@/lib/portal/audit-filter'
import { encodeCursor } from '@/lib/portal/cursor'
import { dateTimeLocal, hrefWith } from '@/lib/portal/href'
import { AuditTable } from '@/components/admin/audit-table'
import { Pager } from '@/components/data-table/pager'
import { PageHeader } from '@/components/ui/basics'
import { ExportLinks, FilterField, FilterForm } from '@/components/ui/filter-form'
import { inputClass } from '@/components/ui/styles'

export const metadata: Metadata = { title: 'Audit log' }

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  await requireOperator('admin')
  const { params, errors } = readAuditFilter(await searchParams)
  const page = await findAuditPage(params)
  const filter = { actor: params.actor, action: params.action, target: params.target, from: params.from, to: params.to }
  const rows = page.rows.map((event) => ({
    id: event.id,
    createdAt: event.createdAt,
    actor: event.actor,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    providerId: event.providerId,
    details: event.details ? JSON.stringify(event.details) : '',
  }))
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Who changed what, from the portal or the CLI, and who exported what. Newest first, UTC."
        actions={<ExportLinks hrefFor={(format) => hrefWith(`/audit/export/${format}`, filter)} />}
      />
      <FilterForm label="Filter the audit log" resetHref="/audit" className="grid-cols-2 md:grid-cols-3 xl:grid-cols-6">
        <FilterField id="a-actor" label="Who" error={errors.actor}>
          {(control) => (
            <input
              {...control}
              name="actor"
              type="search"
              placeholder="admin@example.com or cli"
              defaultValue={params.actor ?? ''}
              className={inputClass}
            />
          )}
        </FilterField>
        <FilterField id="a-action" label="Action" error={errors.action}>
          {(control) => (
            <input
              {...control}
              name="action"
              type="search"
              placeholder="token.rotate or token."
              defaultValue={params.action ?? ''}
              className={inputClass}
            />
          )}
        </FilterField>
        <FilterField id="a-target" label="Target or IdP id" error={errors.target}>
          {(control) => (
            <input {...control} name="target" type="search" defaultValue={params.target ?? ''} className={inputClass} />
          )}
        </FilterField>
        <FilterField id="a-from" label="From (UTC)" error={errors.from}>
          {(control) => (
            <input
              {...control}
              name="from"
              type="datetime-local"
              defaultValue={dateTimeLocal(params.from)}
              className={inputClass}
            />
          )}
        </FilterField>
        <FilterField id="a-to" label="To (UTC)" error={errors.to}>
          {(control) => (
            <input {...control} name="to" type="datetime-local" defaultValue={dateTimeLocal(params.to)} className={inputClass} />
          )}
        </FilterField>
      </FilterForm>
      <AuditTable rows={rows} />
      <Pager
        previous={page.newerCursor ? hrefWith('/audit', { ...filter, before: encodeCursor(page.newerCursor) }) : null}
        next={page.olderCursor ? hrefWith('/audit', { ...filter, after: encodeCursor(page.olderCursor) }) : null}
        label={`${rows.length} shown`}
      />
    </>
  )
}
