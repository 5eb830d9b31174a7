import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { USER_EVENT_TYPES } from '@/lib/services/events'
import { listIdentityProviders } from '@/lib/services/identity-providers'
import { listWebhooks } from '@/lib/services/webhooks'
import { WebhookStatus } from '@/components/admin/webhook-status'
import { Card, PageHeader, TextLink, Time } from '@/components/ui/basics'
import { ActionForm, CheckboxGroup, SelectField, SubmitButton, TextField } from '@/components/ui/form'
import { createWebhookAction } from './actions'

export const metadata: Metadata = { title: 'Webhooks' }

function percent(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 1000) / 10} %`
}

// Admins manage webhooks; support staff see them read-only.
export default async function WebhooksPage() {
  const operator = await requireOperator()
  const isAdmin = operator.role === 'admin'
  const [webhooks, providers] = await Promise.all([listWebhooks(), listIdentityProviders()])
  const providerName = new Map(providers.map((provider) => [provider.id, provider.name]))
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="User events are POSTed to these URLs, signed with the Standard Webhooks scheme (webhook-id, webhook-timestamp, webhook-signature). Times are UTC."
      />
      {isAdmin ? (
        <Card title="Register a webhook" className="mb-6 max-w-2xl">
          <ActionForm
            action={createWebhookAction}
            className="space-y-4"
            secretLabel="Signing secret"
            secretNote="Give it to the receiver now, to verify signatures with: it is shown only once and stored encrypted."
          >
            <TextField
              name="url"
              label="URL"
              type="url"
              required
              maxLength={2048}
              placeholder="https://hooks.example.com/traffitech"
              hint="http or https; private and loopback addresses are refused unless WEBHOOK_ALLOW_PRIVATE=true."
            />
            <SelectField
              name="providerId"
              label="Identity provider"
              defaultValue=""
              options={[
                { value: '', label: 'All identity providers' },
                ...providers.map((provider) => ({ value: provider.id, label: provider.name })),
              ]}
            />
            <CheckboxGroup
              name="eventTypes"
              legend="Events (none checked: all)"
              options={USER_EVENT_TYPES.map((type) => ({ value: type, label: type }))}
              defaultChecked={[]}
            />
            <TextField name="description" label="Description" maxLength={200} hint="Optional: what receives it." />
            <SubmitButton>Register webhook</SubmitButton>
          </ActionForm>
        </Card>
      ) : null}
      {webhooks.length === 0 ? (
        <Card>
          <p className="text-sm">No webhook yet.</p>
        </Card>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full text-sm" data-testid="webhook-table">
            <thead className="bg-slate-50 text-left">
              <tr>
                <th className="px-3 py-2">URL</th>
                <th className="px-3 py-2">Status</th>
                <th className="px-3 py-2">Identity provider</th>
                <th className="px-3 py-2">Events</th>
                <th className="px-3 py-2">Success (24 h)</th>
                <th className="px-3 py-2">Last delivery</th>
              </tr>
            </thead>
            <tbody>
              {webhooks.map((webhook) => (
                <tr key={webhook.id} className="border-t border-slate-200 align-top">
                  <td className="max-w-md break-all px-3 py-2">
                    <TextLink href={`/webhooks/${webhook.id}`}>{webhook.url}</TextLink>
                    {webhook.description ? <div className="text-slate-600">{webhook.description}</div> : null}
                  </td>
                  <td className="px-3 py-2">
                    <WebhookStatus enabled={webhook.enabled} failingSince={webhook.failingSince} />
                  </td>
                  <td className="px-3 py-2">
                    {webhook.providerId ? (providerName.get(webhook.providerId) ?? webhook.providerId) : 'All'}
                  </td>
                  <td className="px-3 py-2">{webhook.eventTypes.length > 0 ? webhook.eventTypes.join(', ') : 'All'}</td>
                  <td className="px-3 py-2">
                    {percent(webhook.successRate24h)}
                    {webhook.attempts24h > 0 ? <span className="text-slate-500"> of {webhook.attempts24h}</span> : null}
                  </td>
                  <td className="px-3 py-2">
                    <Time value={webhook.lastAttemptAt} />
                    {webhook.lastStatusCode ? <span className="text-slate-600"> ({webhook.lastStatusCode})</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  )
}
