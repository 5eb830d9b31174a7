import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { getDashboard } from '@/lib/services/portal-overview'
import { hrefWith } from '@/lib/portal/href'
import { listDisabledWebhooks } from '@/lib/services/webhooks'
import { BarChart } from '@/components/admin/bar-chart'
import { QuarantineBanner } from '@/components/admin/quarantine-banner'
import { quarantineWarnings } from '@/lib/services/quarantine-warning'
import { Badge, Card, PageHeader, StatusBadge, TextLink, Time } from '@/components/ui/basics'

export const metadata: Metadata = { title: 'Dashboard' }

export default async function DashboardPage() {
  const operator = await requireOperator()
  const [{ cards }, warnings, disabledWebhooks] = await Promise.all([
    getDashboard(),
    quarantineWarnings(),
    listDisabledWebhooks(),
  ])
  return (
    <>
      <PageHeader title="Dashboard" description="SCIM traffic per identity provider. Times are UTC." />
      <QuarantineBanner warnings={warnings} />
      {disabledWebhooks.length > 0 ? (
        <div role="alert" className="mb-6 rounded-lg border border-red-300 bg-red-50 p-3 text-sm" data-testid="disabled-webhooks">
          <p className="font-semibold">
            {disabledWebhooks.length === 1 ? 'A webhook is disabled' : `${disabledWebhooks.length} webhooks are disabled`}: their
            events wait until it is enabled again.
          </p>
          <ul className="mt-1 space-y-1">
            {disabledWebhooks.map((webhook) => (
              <li key={webhook.id} className="break-all">
                <TextLink href={`/webhooks/${webhook.id}`}>{webhook.url}</TextLink> — {webhook.disabledReason ?? 'disabled'}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {cards.length === 0 ? (
        <Card>
          <p className="text-sm">
            No identity provider yet.{' '}
            {operator.role === 'admin' ? <TextLink href="/idps">Register one</TextLink> : 'Ask an admin to register one.'}
          </p>
        </Card>
      ) : null}
      <div className="grid gap-6 lg:grid-cols-2">
        {cards.map((card) => (
          <Card key={card.id} title={<TextLink href={`/idps/${card.id}`}>{card.name}</TextLink>}>
            {operator.role === 'admin' && card.expiringTokens.length > 0 ? (
              <p className="mb-3 text-sm">
                <Badge tone="amber">Token expiring</Badge>{' '}
                {card.expiringTokens
                  .map((token) => `${token.label || token.prefix} on ${token.expiresAt?.toISOString().slice(0, 10)}`)
                  .join(', ')}
              </p>
            ) : null}
            <p className="mb-3 text-sm">
              Last successful request: <Time value={card.lastSuccessAt} />
            </p>
            <div className="grid gap-4 sm:grid-cols-2">
              <BarChart
                title="Last 24 hours"
                bars={card.hourly}
                labelFor={(start) => `${start.toISOString().slice(11, 13)}:00`}
              />
              <BarChart title="Last 7 days" bars={card.daily} labelFor={(start) => start.toISOString().slice(0, 10)} />
            </div>
            <h3 className="mt-4 mb-2 text-sm font-semibold">Latest failures</h3>
            {card.failures.length === 0 ? (
              <p className="text-sm text-slate-500">None.</p>
            ) : (
              <ul className="space-y-1 text-sm">
                {card.failures.map((failure) => (
                  <li key={failure.id} className="flex flex-wrap items-center gap-2">
                    <StatusBadge status={failure.status} />
                    <TextLink href={`/logs/${failure.id}`}>
                      <Time value={failure.createdAt} />
                    </TextLink>
                    <span className="min-w-0 break-words text-slate-700">{failure.errorDetail}</span>
                  </li>
                ))}
              </ul>
            )}
            <p className="mt-3 text-sm">
              <TextLink href={hrefWith('/logs', { idp: card.id, status: '4xx' })}>All 4xx</TextLink> ·{' '}
              <TextLink href={hrefWith('/logs', { idp: card.id, status: '5xx' })}>All 5xx</TextLink>
            </p>
          </Card>
        ))}
      </div>
    </>
  )
}
