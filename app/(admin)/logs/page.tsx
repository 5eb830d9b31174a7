import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { listIdentityProviders } from '@/lib/services/identity-providers'
import { findLogPage, requestMethods, requestOperations } from '@/lib/services/portal-logs'
import { encodeCursor } from '@/lib/portal/cursor'
import { dateTimeLocal, hrefWith } from '@/lib/portal/href'
import { readLogFilter } from '@/lib/portal/log-filter'
import { LogTable } from '@/components/admin/log-table'
import { Pager } from '@/components/data-table/pager'
import { PageHeader } from '@/components/ui/basics'
import { retentionPolicy } from '@/lib/services/retention'
import { ExportLinks, FilterField, FilterForm } from '@/components/ui/filter-form'
import { inputClass } from '@/components/ui/styles'

export const metadata: Metadata = { title: 'Provisioning log' }

type SearchParams = Promise<Record<string, string | string[] | undefined>>

export default async function LogsPage({ searchParams }: { searchParams: SearchParams }) {
  await requireOperator()
  const { params, errors } = readLogFilter(await searchParams)
  const [page, providers] = await Promise.all([findLogPage(params), listIdentityProviders()])
  const retention = retentionPolicy()
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
  return (
    <>
      <PageHeader
        title="Provisioning log"
        description={`Every SCIM request, newest first. Times are UTC. Request bodies are kept for ${retention.bodyDays} days, the rest of each record for ${retention.recordDays} days.`}
        actions={<ExportLinks hrefFor={(format) => hrefWith(`/logs/export/${format}`, filter)} />}
      />
      <FilterForm label="Filter the log" resetHref="/logs" className="grid-cols-2 md:grid-cols-4 xl:grid-cols-8">
        <FilterField id="f-idp" label="Identity provider" error={errors.idp}>
          {(control) => (
            <select {...control} name="idp" defaultValue={params.idp ?? ''} className={inputClass}>
              <option value="">All</option>
              {providers.map((provider) => (
                <option key={provider.id} value={provider.id}>
                  {provider.name}
                </option>
              ))}
            </select>
          )}
        </FilterField>
        <FilterField id="f-from" label="From (UTC)" error={errors.from}>
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
        <FilterField id="f-to" label="To (UTC)" error={errors.to}>
          {(control) => (
            <input {...control} name="to" type="datetime-local" defaultValue={dateTimeLocal(params.to)} className={inputClass} />
          )}
        </FilterField>
        <FilterField id="f-status" label="Status" error={errors.status}>
          {(control) => (
            <>
              <input
                {...control}
                name="status"
                list="status-options"
                placeholder="4xx or 401"
                defaultValue={params.status ?? ''}
                className={inputClass}
              />
              <datalist id="status-options">
                {['2xx', '4xx', '5xx', '400', '401', '403', '404', '409', '412'].map((value) => (
                  <option key={value} value={value} />
                ))}
              </datalist>
            </>
          )}
        </FilterField>
        <FilterField id="f-operation" label="Operation" error={errors.operation}>
          {(control) => (
            <select {...control} name="operation" defaultValue={params.operation ?? ''} className={inputClass}>
              <option value="">All</option>
              {requestOperations.map((operation) => (
                <option key={operation} value={operation}>
                  {operation}
                </option>
              ))}
            </select>
          )}
        </FilterField>
        <FilterField id="f-method" label="Method" error={errors.method}>
          {(control) => (
            <select {...control} name="method" defaultValue={params.method ?? ''} className={inputClass}>
              <option value="">All</option>
              {requestMethods.map((method) => (
                <option key={method} value={method}>
                  {method}
                </option>
              ))}
            </select>
          )}
        </FilterField>
        <FilterField id="f-user" label="User mail or userName" error={errors.user}>
          {(control) => <input {...control} name="user" type="search" defaultValue={params.user ?? ''} className={inputClass} />}
        </FilterField>
        <FilterField id="f-request-id" label="Request id" error={errors.requestId}>
          {(control) => (
            <input {...control} name="requestId" type="search" defaultValue={params.requestId ?? ''} className={inputClass} />
          )}
        </FilterField>
      </FilterForm>
      <LogTable rows={rows} />
      <Pager
        previous={page.newerCursor ? hrefWith('/logs', { ...filter, before: encodeCursor(page.newerCursor) }) : null}
        next={page.olderCursor ? hrefWith('/logs', { ...filter, after: encodeCursor(page.olderCursor) }) : null}
        label={`${rows.length} shown`}
      />
    </>
  )
}
