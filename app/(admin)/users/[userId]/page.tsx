import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { getUserDetail } from '@/lib/services/portal-users'
import { ChangesList } from '@/components/admin/changes-list'
import { Badge, Card, PageHeader, StatusBadge, TextLink, Time } from '@/components/ui/basics'
import { ConfirmForm } from '@/components/ui/confirm-form'
import { clearAttributeAction, setUserActiveAction } from '../actions'
import { orNotFound } from '@/lib/portal/not-found'

export const metadata: Metadata = { title: 'User' }

function showValue(value: unknown) {
  if (value === null || value === undefined) return <span className="text-slate-500">—</span>
  if (typeof value === 'object') return <code className="break-all font-mono text-xs">{JSON.stringify(value)}</code>
  return <span className="break-all">{String(value)}</span>
}

export default async function UserPage({ params }: { params: Promise<{ userId: string }> }) {
  const operator = await requireOperator()
  const { userId } = await params
  const { user, rows, missingCustom, timeline, events } = await orNotFound(getUserDetail(userId))
  const isAdmin = operator.role === 'admin'
  return (
    <>
      <PageHeader
        title={user.userName}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <TextLink href={`/idps/${user.providerId}`}>{user.providerName}</TextLink>
            {user.active ? <Badge tone="green">active</Badge> : <Badge tone="red">inactive</Badge>}
            {user.scimManaged ? <Badge tone="blue">managed by SCIM</Badge> : <Badge>from {user.source}, not SCIM-managed</Badge>}
            <span>
              version {user.version}, modified <Time value={user.updatedAt} />
            </span>
          </span>
        }
        actions={
          isAdmin ? (
            <ConfirmForm
              action={setUserActiveAction}
              hidden={{ userId: user.id, active: user.active ? 'false' : 'true' }}
              label={user.active ? 'Deactivate' : 'Reactivate'}
              variant={user.active ? 'danger' : 'primary'}
              confirmLabel={user.active ? 'Yes, deactivate' : 'Yes, reactivate'}
              question={
                user.active
                  ? 'The user can no longer sign in. The IdP may turn this back on at its next change for this user.'
                  : 'The user can sign in again.'
              }
            />
          ) : null
        }
      />
      {missingCustom.length > 0 ? (
        <p className="mb-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="missing-custom">
          <Badge tone="amber">Missing custom attributes</Badge> No value for {missingCustom.join(', ')}. Entra often omits custom
          attributes from the first POST: run <strong>Provisioning → Provision on demand</strong> for this user in the Entra
          enterprise app.
        </p>
      ) : null}
      <div className="grid gap-6 xl:grid-cols-2">
        <Card title="Attributes">
          <p className="mb-2 text-xs text-slate-600">
            Entra does not send cleared values. Clear one here when it was removed in Entra but remains in TraffiTech.
          </p>
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">User attributes</caption>
              <thead>
                <tr className="border-b border-slate-200 text-slate-600">
                  <th scope="col" className="py-2 pr-3">
                    Attribute
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Value
                  </th>
                  {isAdmin ? (
                    <th scope="col" className="py-2">
                      <span className="sr-only">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                <tr className="border-b border-slate-100">
                  <th scope="row" className="py-2 pr-3 font-mono text-xs font-normal">
                    id
                  </th>
                  <td className="py-2 pr-3 font-mono text-xs">{user.id}</td>
                  {isAdmin ? <td /> : null}
                </tr>
                {rows.map((row) => (
                  <tr key={row.path} className="border-b border-slate-100 align-top" data-testid="attribute-value-row">
                    <th scope="row" className="py-2 pr-3 font-mono text-xs font-normal" title={row.path}>
                      {row.label}
                    </th>
                    <td className="py-2 pr-3">{showValue(row.value)}</td>
                    {isAdmin ? (
                      <td className="py-2">
                        {row.clearable ? (
                          <ConfirmForm
                            action={clearAttributeAction}
                            hidden={{ userId: user.id, path: row.path }}
                            label={`Clear ${row.label}`}
                            variant="secondary"
                            confirmLabel="Yes, clear"
                            question={`Remove ${row.label} from this user, as a SCIM PATCH remove would.`}
                          />
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
        <Card title="Provisioning timeline">
          {timeline.length === 0 ? (
            <p className="text-sm text-slate-500">No SCIM request has touched this user.</p>
          ) : (
            <ol className="space-y-3" aria-label="Requests for this user, newest first">
              {timeline.map((entry) => (
                <li key={entry.id} className="rounded-md border border-slate-200 p-3 text-sm" data-testid="timeline-entry">
                  <div className="flex flex-wrap items-center gap-2">
                    <TextLink href={`/logs/${entry.id}`}>
                      <Time value={entry.createdAt} />
                    </TextLink>
                    <span className="font-mono text-xs">{entry.method}</span>
                    <StatusBadge status={entry.status} />
                    <Badge tone="blue">{entry.operation}</Badge>
                  </div>
                  {entry.errorDetail ? <p className="mt-1 text-red-700">{entry.errorDetail}</p> : null}
                  <div className="mt-2">
                    <ChangesList changes={entry.changes} />
                  </div>
                  {entry.compatRules.length ? (
                    <p className="mt-1 text-xs text-slate-600">Compatibility rules: {entry.compatRules.join(', ')}</p>
                  ) : null}
                  {entry.discardedAttributes.length ? (
                    <p className="mt-1 text-xs text-amber-800">Discarded: {entry.discardedAttributes.join(', ')}</p>
                  ) : null}
                </li>
              ))}
            </ol>
          )}
        </Card>
        <Card title="Events sent to TraffiTech">
          <p className="mb-2 text-xs text-slate-600">
            What the events API and webhooks carry for this user, newest first (the latest 50).
          </p>
          {events.length === 0 ? (
            <p className="text-sm text-slate-500">No event for this user yet.</p>
          ) : (
            <ol className="space-y-3" aria-label="Events for this user, newest first">
              {events.map((event) => (
                <li key={event.id} className="rounded-md border border-slate-200 p-3 text-sm" data-testid="user-event">
                  <div className="flex flex-wrap items-center gap-2">
                    <Time value={new Date(event.createdAt)} />
                    <Badge tone="blue">{event.type}</Badge>
                    <span className="font-mono text-xs text-slate-500">{event.id}</span>
                  </div>
                  <div className="mt-2">
                    <ChangesList changes={event.data.changes} />
                  </div>
                </li>
              ))}
            </ol>
          )}
        </Card>
      </div>
    </>
  )
}
