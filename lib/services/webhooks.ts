import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { withTransaction } from '../db/client'
import { uuidv7 } from '../uuidv7'
import {
  deleteWebhookEndpoint,
  findDeliveries,
  findDelivery,
  findDisabledWebhookEndpoints,
  findEndpointStats,
  findWebhookEndpoint,
  findWebhookEndpointForUpdate,
  findWebhookEndpoints,
  insertDeliveries,
  insertWebhookEndpoint,
  requeueDeliveries,
  setWebhookEnabled as storeWebhookEnabled,
  setWebhookSecrets,
  type WebhookAttemptRow,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
} from '../db/webhooks'
import { env } from '../env'
import { checkedAddresses, MAX_OUTBOUND_URL_LENGTH, OutboundUrlError, parseOutboundUrl } from '../outbound-url'
import { sealSecret } from '../server-secret'
import { hasUnstorableText, unstorableTextMessage } from '../storable-text'
import { recordAudit, type Actor } from './audit'
import { NotFoundError } from './errors'
import { USER_EVENT_TYPES } from './events'
import { getIdentityProvider } from './identity-providers'
import { nudgeWebhookWorker, WEBHOOK_SECRET_PURPOSE } from './webhook-worker'

/**
 * Webhook endpoints (admin use cases): register, enable and disable, rotate the secret, delete, browse the
 * delivery history, re-send, and send a test event. Each change writes its audit event in its transaction.
 * Secrets are `whsec_` + 256 random bits in base64 (Standard Webhooks), shown once and stored sealed.
 */

export const DEFAULT_SECRET_OVERLAP_HOURS = 24
export const MAX_SECRET_OVERLAP_HOURS = 7 * 24
export const TEST_EVENT_TYPE = 'webhook.test'
const HOUR_MS = 3_600_000

const webhookIdSchema = z.uuid('Unknown webhook.')

export const createWebhookSchema = z.object({
  url: z
    .string('Enter the URL that receives the events.')
    .trim()
    .min(1, 'Enter the URL that receives the events.')
    .max(MAX_OUTBOUND_URL_LENGTH, `The URL is at most ${MAX_OUTBOUND_URL_LENGTH} characters.`),
  providerId: z.uuid('Unknown identity provider.').nullable().default(null),
  eventTypes: z
    .array(z.enum(USER_EVENT_TYPES, { error: `Event types are ${USER_EVENT_TYPES.join(', ')}.` }))
    .max(USER_EVENT_TYPES.length * 2)
    .default([])
    .transform((types) => [...new Set(types)].sort()),
  description: z
    .string()
    .trim()
    .max(200, 'The description is at most 200 characters.')
    .refine((text) => !hasUnstorableText(text), unstorableTextMessage('description'))
    .default(''),
})
export type CreateWebhookInput = z.input<typeof createWebhookSchema>

export const rotateWebhookSecretSchema = z.object({
  webhookId: webhookIdSchema,
  overlapHours: z
    .number('The overlap is a number of hours.')
    .int('The overlap is a whole number of hours.')
    .min(0, 'The overlap is 0 hours or more.')
    .max(MAX_SECRET_OVERLAP_HOURS, `The overlap is at most ${MAX_SECRET_OVERLAP_HOURS} hours.`)
    .default(DEFAULT_SECRET_OVERLAP_HOURS),
})

export const resendRangeSchema = z
  .object({
    webhookId: webhookIdSchema,
    from: z.date('Enter the start of the range.'),
    to: z.date('Enter the end of the range.'),
  })
  .refine((range) => range.from < range.to, { message: 'The range must end after it starts.', path: ['to'] })

/** A URL problem, as zod reports input problems, so the portal and the CLI show it like any other. */
function urlIssue(message: string): z.ZodError {
  return new z.ZodError([{ code: 'custom', path: ['url'], message, input: undefined }])
}

async function checkUrl(url: string): Promise<void> {
  const { WEBHOOK_ALLOW_PRIVATE } = env()
  try {
    const parsed = parseOutboundUrl(url, WEBHOOK_ALLOW_PRIVATE)
    await checkedAddresses(parsed.hostname.replace(/^\[(.*)\]$/, '$1'), WEBHOOK_ALLOW_PRIVATE)
  } catch (error) {
    if (error instanceof OutboundUrlError) throw urlIssue(error.message)
    throw error
  }
}

function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`
}

/** An endpoint as the portal and CLI show it: never its secrets. */
export type WebhookView = Omit<WebhookEndpointRow, 'secret' | 'previousSecret' | 'leaseToken' | 'leasedUntil'> & {
  /** While a rotation overlaps, the old secret signs too until then. */
  rotationEndsAt: Date | null
}

function toView(row: WebhookEndpointRow, now = new Date()): WebhookView {
  const { secret: _secret, previousSecret, leaseToken: _token, leasedUntil: _lease, ...rest } = row
  const overlapping = previousSecret && row.previousSecretExpiresAt && row.previousSecretExpiresAt > now
  return { ...rest, rotationEndsAt: overlapping ? row.previousSecretExpiresAt : null }
}

async function loadEndpoint(webhookId: string): Promise<WebhookEndpointRow> {
  const row = webhookIdSchema.safeParse(webhookId).success ? await findWebhookEndpoint(webhookId) : undefined
  if (!row) throw new NotFoundError(`No webhook '${webhookId}'.`)
  return row
}

const auditTarget = (row: Pick<WebhookEndpointRow, 'id' | 'providerId'>) => ({
  type: 'webhook',
  id: row.id,
  providerId: row.providerId,
})

export async function createWebhook(actor: Actor, input: CreateWebhookInput, now = new Date()) {
  const data = createWebhookSchema.parse(input)
  await checkUrl(data.url)
  if (data.providerId) await getIdentityProvider(data.providerId)
  const secret = newSecret()
  const row = await withTransaction(async () => {
    const created = await insertWebhookEndpoint({
      id: uuidv7(now.getTime()),
      url: data.url,
      description: data.description,
      providerId: data.providerId,
      eventTypes: data.eventTypes,
      secret: sealSecret(WEBHOOK_SECRET_PURPOSE, secret),
      previousSecret: null,
      previousSecretExpiresAt: null,
      enabled: true,
      disabledAt: null,
      disabledReason: null,
      failingSince: null,
      createdBy: actor.name,
      createdAt: now,
      updatedAt: now,
    })
    await recordAudit(actor, 'webhook.create', auditTarget(created), {
      url: data.url,
      providerId: data.providerId,
      eventTypes: data.eventTypes,
    })
    return created
  })
  return { webhook: toView(row, now), secret }
}

export type WebhookListItem = WebhookView & {
  attempts24h: number
  /** Share of attempts in the last 24 hours that got a 2xx, or null without attempts. */
  successRate24h: number | null
  lastAttemptAt: Date | null
  lastStatusCode: number | null
}

export async function listWebhooks(now = new Date()): Promise<WebhookListItem[]> {
  const [rows, stats] = await Promise.all([findWebhookEndpoints(), findEndpointStats(new Date(now.getTime() - 24 * HOUR_MS))])
  const statsById = new Map(stats.map((entry) => [entry.endpointId, entry]))
  return rows.map((row) => {
    const entry = statsById.get(row.id)
    return {
      ...toView(row, now),
      attempts24h: entry?.attempts ?? 0,
      successRate24h: entry && entry.attempts > 0 ? entry.successes / entry.attempts : null,
      lastAttemptAt: entry?.lastAttemptAt ?? null,
      lastStatusCode: entry?.lastStatusCode ?? null,
    }
  })
}

export async function getWebhook(webhookId: string): Promise<WebhookView> {
  return toView(await loadEndpoint(webhookId))
}

/** Endpoints that are switched off, for the dashboard's banner. */
export async function listDisabledWebhooks(): Promise<WebhookView[]> {
  return (await findDisabledWebhookEndpoints()).map((row) => toView(row))
}

export async function setWebhookEnabled(
  actor: Actor,
  webhookId: string,
  enabled: boolean,
  now = new Date(),
): Promise<WebhookView> {
  await loadEndpoint(webhookId)
  const row = await withTransaction(async () => {
    const updated = await storeWebhookEnabled(webhookId, enabled, now, enabled ? null : `Disabled by ${actor.name}.`)
    if (!updated) throw new NotFoundError(`No webhook '${webhookId}'.`)
    await recordAudit(actor, enabled ? 'webhook.enable' : 'webhook.disable', auditTarget(updated))
    return updated
  })
  if (enabled) nudgeWebhookWorker()
  return toView(row, now)
}

/**
 * A new secret; the old one keeps signing for the overlap (both signatures are sent, space-separated), so the
 * receiver can switch without rejecting anything. Rotating again during an overlap drops the oldest secret.
 */
export async function rotateWebhookSecret(actor: Actor, input: z.input<typeof rotateWebhookSecretSchema>, now = new Date()) {
  const data = rotateWebhookSecretSchema.parse(input)
  await loadEndpoint(data.webhookId)
  const secret = newSecret()
  const row = await withTransaction(async () => {
    const current = await findWebhookEndpointForUpdate(data.webhookId)
    if (!current) throw new NotFoundError(`No webhook '${data.webhookId}'.`)
    const overlapEnd = data.overlapHours > 0 ? new Date(now.getTime() + data.overlapHours * HOUR_MS) : null
    const updated = await setWebhookSecrets(
      current.id,
      {
        secret: sealSecret(WEBHOOK_SECRET_PURPOSE, secret),
        previousSecret: overlapEnd ? current.secret : null,
        previousSecretExpiresAt: overlapEnd,
      },
      now,
    )
    await recordAudit(actor, 'webhook.rotate-secret', auditTarget(current), {
      overlapHours: data.overlapHours,
      previousSecretExpiresAt: overlapEnd?.toISOString() ?? null,
    })
    return updated!
  })
  return { webhook: toView(row, now), secret }
}

export async function deleteWebhook(actor: Actor, webhookId: string): Promise<void> {
  const row = await loadEndpoint(webhookId)
  await withTransaction(async () => {
    if (!(await deleteWebhookEndpoint(webhookId))) throw new NotFoundError(`No webhook '${webhookId}'.`)
    await recordAudit(actor, 'webhook.delete', auditTarget(row), { url: row.url })
  })
}

export type DeliveryView = Omit<WebhookDeliveryRow, 'seq' | 'payload'> & { seq: string; attemptLog: WebhookAttemptRow[] }

/** An endpoint's deliveries, newest first, each with every attempt; `before` pages to older ones. */
export async function listWebhookDeliveries(webhookId: string, options: { limit?: number; before?: string } = {}) {
  await loadEndpoint(webhookId)
  const beforeSeq = options.before && /^\d{1,19}$/.test(options.before) ? BigInt(options.before) : undefined
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200)
  const { deliveries, attempts } = await findDeliveries(webhookId, { limit, ...(beforeSeq !== undefined ? { beforeSeq } : {}) })
  const byDelivery = new Map<string, WebhookAttemptRow[]>()
  for (const attempt of attempts) byDelivery.set(attempt.deliveryId, [...(byDelivery.get(attempt.deliveryId) ?? []), attempt])
  const views: DeliveryView[] = deliveries.map(({ payload: _payload, seq, ...delivery }) => ({
    ...delivery,
    seq: String(seq),
    attemptLog: byDelivery.get(delivery.id) ?? [],
  }))
  return { deliveries: views, next: deliveries.length === limit ? String(deliveries.at(-1)!.seq) : null }
}

/** Queues one delivery again (same webhook-id, so receivers can tell it is the same event). */
export async function resendDelivery(actor: Actor, webhookId: string, deliveryId: string, now = new Date()): Promise<void> {
  const endpoint = await loadEndpoint(webhookId)
  const delivery = z.uuid().safeParse(deliveryId).success ? await findDelivery(deliveryId) : undefined
  if (!delivery || delivery.endpointId !== endpoint.id) throw new NotFoundError(`No delivery '${deliveryId}' of this webhook.`)
  await withTransaction(async () => {
    await requeueDeliveries({ id: delivery.id }, now)
    await recordAudit(actor, 'webhook.resend', auditTarget(endpoint), { deliveryId: delivery.id, eventId: delivery.eventId })
  })
  nudgeWebhookWorker()
}

/** Queues again every delivery of the endpoint created in [from, to); returns how many. */
export async function resendDeliveries(
  actor: Actor,
  input: z.input<typeof resendRangeSchema>,
  now = new Date(),
): Promise<number> {
  const data = resendRangeSchema.parse(input)
  const endpoint = await loadEndpoint(data.webhookId)
  const count = await withTransaction(async () => {
    const requeued = await requeueDeliveries({ endpointId: endpoint.id, from: data.from, to: data.to }, now)
    await recordAudit(actor, 'webhook.resend-range', auditTarget(endpoint), {
      from: data.from.toISOString(),
      to: data.to.toISOString(),
      deliveries: requeued,
    })
    return requeued
  })
  nudgeWebhookWorker()
  return count
}

/** Queues a `webhook.test` event for this endpoint only, signed and sent like every other. */
export async function sendTestEvent(actor: Actor, webhookId: string, now = new Date()): Promise<{ eventId: string }> {
  const endpoint = await loadEndpoint(webhookId)
  const eventId = `evt_${uuidv7(now.getTime()).replaceAll('-', '')}`
  const event = {
    id: eventId,
    type: TEST_EVENT_TYPE,
    createdAt: now.toISOString(),
    providerId: endpoint.providerId,
    data: { webhookId: endpoint.id, message: 'A test event from TraffiTech Provisioning.' },
  }
  await withTransaction(async () => {
    await insertDeliveries([
      {
        id: uuidv7(now.getTime()),
        endpointId: endpoint.id,
        eventId,
        eventType: TEST_EVENT_TYPE,
        payload: JSON.stringify(event),
        createdAt: now,
      },
    ])
    await recordAudit(actor, 'webhook.test', auditTarget(endpoint), { eventId })
  })
  nudgeWebhookWorker()
  return { eventId }
}
