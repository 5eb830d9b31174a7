import Link from 'next/link'
import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { listIdentityProviders } from '@/lib/services/identity-providers'
import { findUsers, readUserSearch } from '@/lib/services/portal-users'
import { UserTable } from '@/components/admin/user-table'
import { Pager } from '@/components/data-table/pager'
import { PageHeader } from '@/components/ui/basics'
import { buttonClass, inputClass } from '@/components/ui/styles'

export const metadata: Metadata = { title: 'Users' }

export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
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
  const pageHref = (page: number) => {
    const search = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) if (value) search.set(key, value)
    search.set('page', String(page))
    return `/users?${search.toString()}`
  }
  const sortColumn = params.sort ?? 'updatedAt'
  return (
    <>
      <PageHeader title="Users" description={`${result.total} users${params.idp ? ' of this identity provider' : ' across all identity providers'}.`} />
      <form method="get" className="mb-4 grid grid-cols-1 gap-3 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-2 lg:grid-cols-6" aria-label="Search users">
        <div className="lg:col-span-2">
          <label htmlFor="u-q" className="block text-xs font-medium text-slate-700">
            Search userName, name, email or externalId
          </label>
          <input
            id="u-q"
            name="q"
            type="search"
            defaultValue={params.q ?? ''}
            aria-invalid={Boolean(errors.q)}
            aria-describedby={errors.q ? 'u-q-error' : undefined}
            className={`mt-1 ${inputClass}`}
          />
          {errors.q ? (
            <p id="u-q-error" role="alert" className="mt-1 text-xs text-red-700">
              {errors.q}
            </p>
          ) : null}
        </div>
        <div>
          <label htmlFor="u-idp" className="block text-xs font-medium text-slate-700">
            Identity provider
          </label>
          <select id="u-idp" name="idp" defaultValue={params.idp ?? ''} className={`mt-1 ${inputClass}`}>
            <option value="">All</option>
            {providers.map((provider) => (
              <option key={provider.id} value={provider.id}>
                {provider.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="u-status" className="block text-xs font-medium text-slate-700">
            Status
          </label>
          <select id="u-status" name="status" defaultValue={params.status ?? ''} className={`mt-1 ${inputClass}`}>
            <option value="">All</option>
            <option value="active">Active</option>
            <option value="inactive">Inactive</option>
          </select>
        </div>
        <div>
          <label htmlFor="u-managed" className="block text-xs font-medium text-slate-700">
            Managed by
          </label>
          <select id="u-managed" name="managed" defaultValue={params.managed ?? ''} className={`mt-1 ${inputClass}`}>
            <option value="">All</option>
            <option value="scim">SCIM</option>
            <option value="other">Not SCIM (SSO, admin)</option>
          </select>
        </div>
        <div>
          <label htmlFor="u-missing" className="block text-xs font-medium text-slate-700">
            Custom attributes
          </label>
          <select id="u-missing" name="missing" defaultValue={params.missing ?? ''} className={`mt-1 ${inputClass}`}>
            <option value="">All</option>
            <option value="custom">Missing a registered one</option>
          </select>
        </div>
        <div className="flex items-end gap-2 lg:col-span-6">
          <button type="submit" className={buttonClass.primary}>
            Search
          </button>
          <Link href="/users" className={buttonClass.secondary}>
            Reset
          </Link>
        </div>
      </form>
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
          Entra often leaves custom attributes out of the first POST. Run <strong>Provisioning → Provision on demand</strong> for these users
          in the Entra enterprise app to send their full payload.
        </p>
      ) : null}
      <UserTable rows={result.rows} sort={{ column: sortColumn, direction: params.dir ?? (params.sort ? 'asc' : 'desc') }} query={query} />
      <Pager
        previous={result.page > 1 ? pageHref(result.page - 1) : null}
        next={result.page < result.pageCount ? pageHref(result.page + 1) : null}
        label={`Page ${result.page} of ${result.pageCount}`}
      />
    </>
  )
}
