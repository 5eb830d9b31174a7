import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { listIdentityProviders } from '@/lib/services/identity-providers'
import { findUsers } from '@/lib/services/portal-users'
import { hrefWith } from '@/lib/portal/href'
import { readUserSearch } from '@/lib/portal/user-search'
import { UserTable } from '@/components/admin/user-table'
import { Pager } from '@/components/data-table/pager'
import { PageHeader } from '@/components/ui/basics'
import { FilterField, FilterForm } from '@/components/ui/filter-form'
import { inputClass } from '@/components/ui/styles'

export const metadata: Metadata = { title: 'Users' }

export default async function UsersPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  await requireOperator()
  const { params, errors } = readUserSearch(await searchParams)
  const ignored = Object.entries(errors)
  const [result, providers] = await Promise.all([findUsers(params), listIdentityProviders()])
  const query: Record<string, string | undefined> = {
    idp: params.idp,
    q: params.q,
    status: params.status,
    managed: params.managed,
    missing: params.missing,
    sort: params.sort,
    dir: params.dir,
  }
  const pageHref = (page: number) => hrefWith('/users', { ...query, page: String(page) })
  const sortColumn = params.sort ?? 'updatedAt'
  return (
    <>
      <PageHeader
        title="Users"
        description={`${result.total} users${params.idp ? ' of this identity provider' : ' across all identity providers'}.`}
      />
      <FilterForm
        label="Search users"
        submitLabel="Search"
        resetHref="/users"
        className="grid-cols-1 sm:grid-cols-2 lg:grid-cols-6"
        actionsClassName="lg:col-span-6"
      >
        <FilterField id="u-q" label="Search userName, name, email or externalId" error={errors.q} className="lg:col-span-2">
          {(control) => <input {...control} name="q" type="search" defaultValue={params.q ?? ''} className={inputClass} />}
        </FilterField>
        <FilterField id="u-idp" label="Identity provider">
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
        <FilterField id="u-status" label="Status">
          {(control) => (
            <select {...control} name="status" defaultValue={params.status ?? ''} className={inputClass}>
              <option value="">All</option>
              <option value="active">Active</option>
              <option value="inactive">Inactive</option>
            </select>
          )}
        </FilterField>
        <FilterField id="u-managed" label="Managed by">
          {(control) => (
            <select {...control} name="managed" defaultValue={params.managed ?? ''} className={inputClass}>
              <option value="">All</option>
              <option value="scim">SCIM</option>
              <option value="other">Not SCIM (SSO, admin)</option>
            </select>
          )}
        </FilterField>
        <FilterField id="u-missing" label="Custom attributes">
          {(control) => (
            <select {...control} name="missing" defaultValue={params.missing ?? ''} className={inputClass}>
              <option value="">All</option>
              <option value="custom">Missing a registered one</option>
            </select>
          )}
        </FilterField>
      </FilterForm>
      {ignored.some(([field]) => field !== 'q') ? (
        <div role="alert" className="mb-4 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800">
          Some search settings in the address were ignored:
          <ul className="mt-1 list-disc pl-5">
            {ignored
              .filter(([field]) => field !== 'q')
              .map(([field, message]) => (
                <li key={field}>
                  {field}: {message}
                </li>
              ))}
          </ul>
        </div>
      ) : null}
      {params.missing === 'custom' ? (
        <p className="mb-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
          Entra often leaves custom attributes out of the first POST. Run <strong>Provisioning → Provision on demand</strong> for
          these users in the Entra enterprise app to send their full payload.
        </p>
      ) : null}
      <UserTable
        rows={result.rows}
        sort={{ column: sortColumn, direction: params.dir ?? (params.sort ? 'asc' : 'desc') }}
        query={query}
      />
      <Pager
        previous={result.page > 1 ? pageHref(result.page - 1) : null}
        next={result.page < result.pageCount ? pageHref(result.page + 1) : null}
        label={`Page ${result.page} of ${result.pageCount}`}
      />
    </>
  )
}
