import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { expiringTokens, getProviderOverview } from '@/lib/services/portal-overview'
import { IdpPageHeader } from '@/components/admin/idp-tabs'
import { TenantUrl } from '@/components/admin/tenant-url'
import { QuarantineBanner } from '@/components/admin/quarantine-banner'
import { SetupChecklist } from '@/components/admin/setup-checklist'
import { quarantineWarnings } from '@/lib/services/quarantine-warning'
import { hrefWith } from '@/lib/portal/href'
import { Badge, Card, StatusBadge, TextLink, Time } from '@/components/ui/basics'
import { ConfirmForm } from '@/components/ui/confirm-form'
import { deleteIdpAction, setScimEnabledAction } from '../actions'
import { setJitEnabledAction } from '../jit-actions'
import { orNotFound } from '@/lib/portal/not-found'

export const metadata: Metadata = { title: 'Identity provider' }

export default async function IdpPage({ params }: { params: Promise<{ providerId: string }> }) {
  const operator = await requireOperator()
  const { providerId } = await params
  const { provider, firstRequest, lastRequest, lastSuccess, counts, tokenCount } = await orNotFound(
    getProviderOverview(providerId),
  )
  const warnings = await quarantineWarnings(new Date(), providerId)
  const expiring = operator.role === 'admin' ? (await expiringTokens()).filter((token) => token.providerId === providerId) : []
  const isAdmin = operator.role === 'admin'
  return (
    <>
      <IdpPageHeader
        provider={provider}
        current="overview"
        isAdmin={isAdmin}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <Badge tone="blue">{provider.kind}</Badge>
            {provider.scimEnabled ? <Badge tone="green">SCIM on</Badge> : <Badge tone="red">SCIM off</Badge>}
            {provider.jitEnabled ? <Badge tone="blue">JIT accounts on</Badge> : <Badge tone="slate">JIT accounts off</Badge>}
            <span>
              {counts.users} users, {counts.active} active
            </span>
          </span>
        }
      />
      <QuarantineBanner warnings={warnings} />
      <SetupChecklist
        steps={[
          {
            label: 'Copy the Tenant URL into the IdP',
            done: firstRequest !== null,
            href: `/idps/${provider.id}/guide`,
            hint: 'Done once the IdP has called it.',
          },
          { label: 'Generate a secret token', done: tokenCount > 0, href: `/idps/${provider.id}/tokens` },
          {
            label: 'First request from the IdP ("Test Connection")',
            done: firstRequest !== null,
            href: `/idps/${provider.id}/guide`,
          },
          {
            label: 'First user created',
            done: counts.users > 0,
            href: hrefWith('/logs', { idp: provider.id, operation: 'create' }),
          },
        ]}
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Connection">
          <TenantUrl url={provider.tenantUrl} entra={provider.kind === 'entra'} />
          <p className="mt-2 text-xs text-slate-600">
            Provider id: <code className="font-mono">{provider.id}</code>
          </p>
          {expiring.length > 0 ? (
            <p className="mt-3 text-sm">
              <Badge tone="amber">Token expiring</Badge> {expiring.length} token(s) expire within 14 days.{' '}
              <TextLink href={`/idps/${provider.id}/tokens`}>Issue a new one</TextLink>
            </p>
          ) : null}
        </Card>
        <Card title="First contact">
          {firstRequest ? (
            <div className="space-y-2 text-sm" data-testid="first-request">
              <p>
                First authenticated request: <Time value={firstRequest.createdAt} /> —{' '}
                <TextLink href={`/logs/${firstRequest.id}`}>
                  {firstRequest.method} {firstRequest.path.replace(/^.*\/enterprise-idps\/[^/]+/, '') || '/'}
                </TextLink>{' '}
                <StatusBadge status={firstRequest.status} />
              </p>
              {lastRequest ? (
                <p>
                  Latest: <Time value={lastRequest.createdAt} /> — {lastRequest.operation}{' '}
                  <StatusBadge status={lastRequest.status} />
                </p>
              ) : null}
              <p>
                Last success: <Time value={lastSuccess?.createdAt} />
              </p>
            </div>
          ) : (
            <p className="text-sm" data-testid="first-request">
              <Badge tone="amber">Waiting for the first request</Badge> Paste the Tenant URL and a secret token into the IdP and
              run &quot;Test Connection&quot;.
            </p>
          )}
        </Card>
      </div>
      {isAdmin ? (
        <Card title="Manage" className="mt-6">
          <div className="flex flex-wrap items-start gap-6">
            <ConfirmForm
              action={setScimEnabledAction}
              hidden={{ providerId: provider.id, enabled: provider.scimEnabled ? 'false' : 'true' }}
              label={provider.scimEnabled ? 'Disable SCIM' : 'Enable SCIM'}
              variant={provider.scimEnabled ? 'danger' : 'primary'}
              confirmLabel={provider.scimEnabled ? 'Yes, disable SCIM' : 'Yes, enable SCIM'}
              question={
                provider.scimEnabled
                  ? 'Every SCIM request from this IdP will be refused with 403 until you enable it again. Users stay as they are.'
                  : 'The IdP will be able to create and change users again.'
              }
            />
            <ConfirmForm
              action={setJitEnabledAction}
              hidden={{ providerId: provider.id, enabled: provider.jitEnabled ? 'false' : 'true' }}
              label={provider.jitEnabled ? 'Turn off just-in-time accounts' : 'Turn on just-in-time accounts'}
              variant={provider.jitEnabled ? 'danger' : 'primary'}
              confirmLabel={provider.jitEnabled ? 'Yes, turn off' : 'Yes, turn on'}
              question={
                provider.jitEnabled
                  ? 'SSO sign-in will refuse people SCIM has not provisioned yet (403). Existing accounts still sign in.'
                  : 'SSO sign-in will create an account for a person SCIM has not provisioned yet; a later SCIM POST links to it.'
              }
            />
            <ConfirmForm
              action={deleteIdpAction}
              hidden={{ providerId: provider.id }}
              label="Delete identity provider"
              confirmLabel="Delete for good"
              typeToConfirm={provider.name}
              question={
                <p>
                  This deletes <strong>{provider.name}</strong> with its {counts.users} users, all its secret tokens, custom
                  attributes and provisioning log records. The Tenant URL stops working. This cannot be undone.
                </p>
              }
            />
          </div>
        </Card>
      ) : null}
    </>
  )
}
