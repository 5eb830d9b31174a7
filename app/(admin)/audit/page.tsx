import Link from 'next/link'
import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { auditFilterQuery, findAuditPage, readAuditFilter } from '@/lib/services/portal-audit'
import { AuditTable } from '@/components/admin/audit-table'
import { Pager } from '@/components/data-table/pager'
import { PageHeader } from '@/components/ui/basics'
import { buttonClass, inputClass } from '@/components/ui/styles'

export const metadata: Metadata = { title: 'Audit log' }

/** A filter control with its label and, when the URL's value had to be ignored, the reason next to it. */
function Field({ id, label, error, children }: { id: string; label: string; error?: string | undefined; children: React.ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="block text-xs font-medium text-slate-700">
        {label}
      </label>
      <div className="mt-1">{children}</div>
      {error ? (
        <p id={`${id}-error`} role="alert" className="mt-1 text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  )
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
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
  const local = (date: Date | undefined) => (date ? date.toISOString().slice(0, 16) : '')
  const described = (name: keyof typeof errors) => ({ 'aria-invalid': Boolean(errors[name]), 'aria-describedby': errors[name] ? `a-${name}-error` : undefined })
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Who changed what, from the portal or the CLI, and who exported what. Newest first, UTC."
        actions={
          <>
            <a href={`/audit/export/csv${auditFilterQuery(filter)}`} className={buttonClass.secondary} download>
              Export CSV
            </a>
            <a href={`/audit/export/json${auditFilterQuery(filter)}`} className={buttonClass.secondary} download>
              Export JSON
            </a>
          </>
        }
      />
      <form method="get" className="mb-4 grid grid-cols-2 gap-3 rounded-lg border border-slate-200 bg-white p-3 md:grid-cols-3 xl:grid-cols-6" aria-label="Filter the audit log">
        <Field id="a-actor" label="Who" error={errors.actor}>
          <input id="a-actor" name="actor" type="search" placeholder="admin@example.com or cli" defaultValue={params.actor ?? ''} className={inputClass} {...described('actor')} />
        </Field>
        <Field id="a-action" label="Action" error={errors.action}>
          <input id="a-action" name="action" type="search" placeholder="token.rotate or token." defaultValue={params.action ?? ''} className={inputClass} {...described('action')} />
        </Field>
        <Field id="a-target" label="Target or IdP id" error={errors.target}>
          <input id="a-target" name="target" type="search" defaultValue={params.target ?? ''} className={inputClass} {...described('target')} />
        </Field>
        <Field id="a-from" label="From (UTC)" error={errors.from}>
          <input id="a-from" name="from" type="datetime-local" defaultValue={local(params.from)} className={inputClass} {...described('from')} />
        </Field>
        <Field id="a-to" label="To (UTC)" error={errors.to}>
          <input id="a-to" name="to" type="datetime-local" defaultValue={local(params.to)} className={inputClass} {...described('to')} />
        </Field>
        <div className="flex items-end gap-2">
          <button type="submit" className={buttonClass.primary}>
            Filter
          </button>
          <Link href="/audit" className={buttonClass.secondary}>
            Reset
          </Link>
        </div>
      </form>
      <AuditTable rows={rows} />
      <Pager
        previous={page.newerCursor ? `/audit${auditFilterQuery({ ...filter, before: page.newerCursor })}` : null}
        next={page.olderCursor ? `/audit${auditFilterQuery({ ...filter, after: page.olderCursor })}` : null}
        label={`${rows.length} shown`}
      />
    </>
  )
}
