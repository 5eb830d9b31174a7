import type { Metadata } from 'next'
import { notFound } from 'next/navigation'
import { requireOperator } from '@/lib/auth/session'
import { NotFoundError } from '@/lib/services/errors'
import { DEFAULT_SECRET_OVERLAP_HOURS, getWebhook, listWebhookDeliveries } from '@/lib/services/webhooks'
import { WebhookStatus } from '@/components/admin/webhook-status'
import { Badge, Card, PageHeader, StatusBadge, TextLink, Time } from '@/components/ui/basics'
import { ConfirmForm } from '@/components/ui/confirm-form'
import { ActionForm, SelectField, SubmitButton, TextField } from '@/components/ui/form'
import {
  deleteWebhookAction,
  resendDeliveryAction,
  resendRangeAction,
  rotateWebhookSecretAction,
  sendTestEventAction,
  setWebhookEnabledAction,
} from '../actions'

export const metadata: Metadata = { title: 'Webhook' }

const overlapOptions = [0, 1, 6, 24, 72, 168].map((hours) => ({
  value: String(hours),
  label: hours === 0 ? 'No overlap (the old secret stops at once)' : hours === 1 ? '1 hour' : `${hours} hours`,
}))

const statusTone = { succeeded: 'green', pending: 'blue', failed: 'amber', dead: 'red' } as const

/** UTC as a datetime-local value. */
const localValue = (date: Date) => date.toISOString().slice(0, 16)

export default async function WebhookPage({
  params,
  searchParams,
}: {
  params: Promise<{ webhookId: string }>
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  const operator = await requireOperator()
  const isAdmin = operator.role === 'admin'
  const { webhookId } = await params
  const before = (await searchParams).before
  let webhook
  let history
  try {
    webhook = await getWebhook(webhookId)
    history = await listWebhookDeliveries(webhookId, { limit: 50, ...(typeof before === 'string' ? { before } : {}) })
  } catch (error) {
    if (error instanceof NotFoundError) notFound()
    throw error
  }
  const now = new Date()
  return (
    <>
      <PageHeader
        title="Webhook"
        description={<span className="break-all">{webhook.url}</span>}
        actions={<TextLink href="/webhooks">All webhooks</TextLink>}
      />
      <div className="mb-6 grid gap-6 lg:grid-cols-2">
        <Card title="Endpoint">
          <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="text-slate-600">Status</dt>
            <dd>
              <WebhookStatus enabled={webhook.enabled} failingSince={webhook.failingSince} />
              {webhook.disabledReason ? <p className="mt-1 text-slate-700">{webhook.disabledReason}</p> : null}
            </dd>
            <dt className="text-slate-600">Identity provider</dt>
            <dd>{webhook.providerId ? <TextLink href={`/idps/${webhook.providerId}`}>{webhook.providerId}</TextLink> : 'All'}</dd>
            <dt className="text-slate-600">Events</dt>
            <dd>{webhook.eventTypes.length > 0 ? webhook.eventTypes.join(', ') : 'All'}</dd>
            <dt className="text-slate-600">Secret rotation</dt>
            <dd>
              {webhook.rotationEndsAt ? (
                <>
                  old secret signs too until <Time value={webhook.rotationEndsAt} />
                </>
              ) : (
                'none in progress'
              )}
            </dd>
            <dt className="text-slate-600">Created</dt>
            <dd>
              <Time value={webhook.createdAt} /> by {webhook.createdBy}
            </dd>
          </dl>
          {isAdmin ? (
            <div className="mt-4 flex flex-wrap gap-3">
              <ActionForm action={sendTestEventAction}>
                <input type="hidden" name="webhookId" value={webhook.id} />
                <SubmitButton>Send test event</SubmitButton>
              </ActionForm>
              <ActionForm action={setWebhookEnabledAction}>
                <input type="hidden" name="webhookId" value={webhook.id} />
                <input type="hidden" name="enabled" value={webhook.enabled ? 'false' : 'true'} />
                <SubmitButton variant="secondary">{webhook.enabled ? 'Disable' : 'Enable'}</SubmitButton>
              </ActionForm>
              <ConfirmForm
                action={deleteWebhookAction}
                hidden={{ webhookId: webhook.id }}
                label="Delete"
                question="Delete this webhook and its whole delivery history? Waiting deliveries are dropped."
                confirmLabel="Delete webhook"
              />
            </div>
          ) : null}
        </Card>
        {isAdmin ? (
          <div className="space-y-6">
            <Card title="Rotate the signing secret">
              <ActionForm
                action={rotateWebhookSecretAction}
                className="space-y-3"
                secretLabel="New signing secret"
                secretNote="Give it to the receiver before the overlap ends: it is shown only once."
              >
                <input type="hidden" name="webhookId" value={webhook.id} />
                <SelectField
                  name="overlapHours"
                  label="The old secret also signs for"
                  defaultValue={String(DEFAULT_SECRET_OVERLAP_HOURS)}
                  options={overlapOptions}
                />
                <SubmitButton variant="secondary">Rotate secret</SubmitButton>
              </ActionForm>
            </Card>
            <Card title="Re-send a time range">
              <ActionForm action={resendRangeAction} className="grid gap-3 sm:grid-cols-3 sm:items-end">
                <input type="hidden" name="webhookId" value={webhook.id} />
                <TextField
                  name="from"
                  label="From (UTC)"
                  type="datetime-local"
                  defaultValue={localValue(new Date(now.getTime() - 3_600_000))}
                />
                <TextField
                  name="to"
                  label="To (UTC)"
                  type="datetime-local"
                  defaultValue={localValue(new Date(now.getTime() + 60_000))}
                />
                <SubmitButton variant="secondary">Re-send</SubmitButton>
              </ActionForm>
            </Card>
          </div>
        ) : null}
      </div>
      <h2 className="mb-2 text-lg font-semibold">Deliveries</h2>
      {history.deliveries.length === 0 ? (
        <p className="text-sm text-slate-600">No delivery yet.</p>
      ) : (
        <ol className="space-y-3" data-testid="delivery-history">
          {history.deliveries.map((delivery) => (
            <li key={delivery.id} className="rounded-lg border border-slate-200 bg-white p-3 text-sm" data-testid="delivery">
              <div className="flex flex-wrap items-center gap-2">
                <Badge tone={statusTone[delivery.status]}>{delivery.status}</Badge>
                <span className="font-medium">{delivery.eventType}</span>
                <code className="font-mono text-xs text-slate-600">{delivery.eventId}</code>
                <span className="text-slate-600">
                  queued <Time value={delivery.queuedAt} />
                </span>
                {delivery.status === 'failed' ? (
                  <span className="text-slate-600">
                    next try <Time value={delivery.nextAttemptAt} />
                  </span>
                ) : null}
                {isAdmin ? (
                  <div className="ml-auto">
                    <ActionForm action={resendDeliveryAction}>
                      <input type="hidden" name="webhookId" value={webhook.id} />
                      <input type="hidden" name="deliveryId" value={delivery.id} />
                      <SubmitButton variant="secondary">Re-send</SubmitButton>
                    </ActionForm>
                  </div>
                ) : null}
              </div>
              {delivery.attemptLog.length > 0 ? (
                <table className="mt-2 min-w-full text-xs">
                  <thead className="text-left text-slate-600">
                    <tr>
                      <th className="pr-3">Attempt</th>
                      <th className="pr-3">Status</th>
                      <th className="pr-3">Duration</th>
                      <th>Response</th>
                    </tr>
                  </thead>
                  <tbody>
                    {delivery.attemptLog.map((attempt) => (
                      <tr key={attempt.id} className="align-top" data-testid="attempt">
                        <td className="pr-3 whitespace-nowrap">
                          <Time value={attempt.at} />
                        </td>
                        <td className="pr-3">
                          {attempt.statusCode ? <StatusBadge status={attempt.statusCode} /> : <Badge tone="red">no answer</Badge>}
                        </td>
                        <td className="pr-3 whitespace-nowrap">{attempt.durationMs} ms</td>
                        <td className="break-all">
                          {attempt.error && attempt.statusCode === null ? (
                            <span className="text-red-700">{attempt.error} </span>
                          ) : null}
                          {attempt.responseExcerpt ? <code className="font-mono">{attempt.responseExcerpt}</code> : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
            </li>
          ))}
        </ol>
      )}
      {history.next ? (
        <p className="mt-3 text-sm">
          <TextLink href={`/webhooks/${webhook.id}?before=${history.next}`}>Older deliveries</TextLink>
        </p>
      ) : null}
    </>
  )
}
