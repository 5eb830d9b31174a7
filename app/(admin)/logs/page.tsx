import Link from 'next/link'
import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { listIdentityProviders } from '@/lib/services/identity-providers'
import { findLogPage, logFilterQuery, readLogFilter, requestMethods, requestOperations } from '@/lib/services/portal-logs'
import { LogTable } from '@/components/admin/log-table'
import { Pager } from '@/components/data-table/pager'
import { PageHeader } from '@/components/ui/basics'
import { buttonClass, inputClass } from '@/components/ui/styles'

export const metadata: Metadata = { title: 'Provisioning log' }

type SearchParams = Promise<Record<string, string | string[] | undefined>>

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

export default async function LogsPage({ searchParams }: { searchParams: SearchParams }) {
  await requireOperator()
  const { params, errors } = readLogFilter(await searchParams)
  const [page, providers] = await Promise.all([findLogPage(params), listIdentityProviders()])
  const names = new Map(providers.map((provider) => [provider.id, provider.name]))
  const filter = {
    idp: params.idp,
    from: params.from,
    to: params.to,
    status: params.status,
    operation: params.operation,
    method: params.method,
    user: params.user,
    requestId: params.requestId,
  }
  const rows = page.rows.map((row) => ({
    id: row.id,
    createdAt: row.createdAt,
    providerName: row.providerId ? (names.get(row.providerId) ?? null) : null,
    method: row.method,
    path: row.path,
    query: row.query,
    status: row.status,
    durationMs: row.durationMs,
    operation: row.operation,
    userName: row.userName,
    userEmail: row.userEmail,
    errorDetail: row.errorDetail,
    discarded: row.discardedAttributes.length,
    repeatCount: row.repeatCount,
  }))
  const local = (date: Date | undefined) => (date ? date.toISOString().slice(0, 16) : '')
  return (
    <>
      <PageHeader
        title="Provisioning log"
        description="Every SCIM request, newest first. Times are UTC."
        actions={
          <>
            <a href={`/logs/export/csv${logFilterQuery(filter)}`} className={buttonClass.secondary} download>
              Export CSV
            </a>
            <a href={`/logs/export/json${logFilterQuery(filter)}`} className={buttonClass.secondary} download>
              Export JSON
            </a>
          </>
        }
      />
      <form method="get" className="mb-4 grid grid-cols-2 gap-3 rounded-lg border border-slate-200 bg-white p-3 md:grid-cols-4 xl:grid-cols-8" aria-label="Filter the log">
        <Field id="f-idp" label="Identity provider" error={errors.idp}>
          <select id="f-idp" name="idp" defaultValue={params.idp ?? ''} className={inputClass}>
            <option value="">All</option>
            {providers.map((provider) => (
              <option key={provider.id} value={provider.id}>
                {provider.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="f-from" label="From (UTC)" error={errors.from}>
          <input id="f-from" aria-invalid={Boolean(errors.from)} aria-describedby={errors.from ? 'f-from-error' : undefined} name="from" type="datetime-local" defaultValue={local(params.from)} className={inputClass} />
        </Field>
        <Field id="f-to" label="To (UTC)" error={errors.to}>
          <input id="f-to" aria-invalid={Boolean(errors.to)} aria-describedby={errors.to ? 'f-to-error' : undefined} name="to" type="datetime-local" defaultValue={local(params.to)} className={inputClass} />
        </Field>
        <Field id="f-status" label="Status" error={errors.status}>
          <input id="f-status" aria-invalid={Boolean(errors.status)} aria-describedby={errors.status ? 'f-status-error' : undefined} name="status" list="status-options" placeholder="4xx or 401" defaultValue={params.status ?? ''} className={inputClass} />
          <datalist id="status-options">
            {['2xx', '4xx', '5xx', '400', '401', '403', '404', '409', '412'].map((value) => (
              <option key={value} value={value} />
            ))}
          </datalist>
        </Field>
        <Field id="f-operation" label="Operation" error={errors.operation}>
          <select id="f-operation" name="operation" defaultValue={params.operation ?? ''} className={inputClass}>
            <option value="">All</option>
            {requestOperations.map((operation) => (
              <option key={operation} value={operation}>
                {operation}
              </option>
            ))}
          </select>
        </Field>
        <Field id="f-method" label="Method" error={errors.method}>
          <select id="f-method" name="method" defaultValue={params.method ?? ''} className={inputClass}>
            <option value="">All</option>
            {requestMethods.map((method) => (
              <option key={method} value={method}>
                {method}
              </option>
            ))}
          </select>
        </Field>
        <Field id="f-user" label="User mail or userName" error={errors.user}>
          <input id="f-user" aria-invalid={Boolean(errors.user)} aria-describedby={errors.user ? 'f-user-error' : undefined} name="user" type="search" defaultValue={params.user ?? ''} className={inputClass} />
        </Field>
        <Field id="f-request-id" label="Request id" error={errors.requestId}>
          <input id="f-request-id" aria-invalid={Boolean(errors.requestId)} aria-describedby={errors.requestId ? 'f-request-id-error' : undefined} name="requestId" type="search" defaultValue={params.requestId ?? ''} className={inputClass} />
        </Field>
        <div className="flex items-end gap-2">
          <button type="submit" className={buttonClass.primary}>
            Filter
          </button>
          <Link href="/logs" className={buttonClass.secondary}>
            Reset
          </Link>
        </div>
      </form>
      <LogTable rows={rows} />
      <Pager
        previous={page.newerCursor ? `/logs${logFilterQuery({ ...filter, before: page.newerCursor })}` : null}
        next={page.olderCursor ? `/logs${logFilterQuery({ ...filter, after: page.olderCursor })}` : null}
        label={`${rows.length} shown`}
      />
    </>
  )
}
