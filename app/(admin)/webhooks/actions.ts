'use server'

import { z } from 'zod'
import { adminAction } from '@/lib/http/admin-action'
import { USER_EVENT_TYPES } from '@/lib/services/events'
import {
  deleteWebhook,
  resendDeliveries,
  resendDelivery,
  rotateWebhookSecret,
  sendTestEvent,
  setWebhookEnabled,
  createWebhook,
} from '@/lib/services/webhooks'

// Webhook endpoints. The services record their own audit events, each in the transaction of its change.

const webhookIdSchema = z.uuid('Unknown webhook.')
const asArray = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value])
/** A datetime-local field, read as UTC (the portal shows UTC everywhere). */
const utcDateField = (message: string) =>
  z.preprocess(
    (value) =>
      typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? new Date(`${value}:00Z`) : undefined,
    z.date(message),
  )

export const createWebhookAction = adminAction(
  {
    role: 'admin',
    sensitive: true,
    schema: z.object({
      url: z.string().max(2048, 'The URL is at most 2048 characters.'),
      providerId: z.preprocess((value) => (value === '' ? null : value), z.uuid('Unknown identity provider.').nullable()),
      eventTypes: z.preprocess(asArray, z.array(z.enum(USER_EVENT_TYPES))),
      description: z.string().default(''),
    }),
  },
  async (input, { actor }) => {
    const { webhook, secret } = await createWebhook(actor, input)
    return { message: `Registered webhook for ${webhook.url}.`, secret }
  },
)

export const setWebhookEnabledAction = adminAction(
  { role: 'admin', schema: z.object({ webhookId: webhookIdSchema, enabled: z.enum(['true', 'false']) }) },
  async (input, { actor }) => {
    await setWebhookEnabled(actor, input.webhookId, input.enabled === 'true')
    return {
      message:
        input.enabled === 'true'
          ? 'Enabled: waiting deliveries go out now, in order.'
          : 'Disabled: events wait until it is enabled again.',
    }
  },
)

export const rotateWebhookSecretAction = adminAction(
  {
    role: 'admin',
    sensitive: true,
    schema: z.object({
      webhookId: webhookIdSchema,
      overlapHours: z.preprocess(
        (value) => (value === '' || value === undefined ? undefined : Number(value)),
        z.number().optional(),
      ),
    }),
  },
  async (input, { actor }) => {
    const { webhook, secret } = await rotateWebhookSecret(actor, {
      webhookId: input.webhookId,
      ...(input.overlapHours !== undefined ? { overlapHours: input.overlapHours } : {}),
    })
    const until = webhook.rotationEndsAt
      ? ` The old secret also signs until ${webhook.rotationEndsAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.`
      : ''
    return { message: `New signing secret.${until}`, secret }
  },
)

export const deleteWebhookAction = adminAction(
  { role: 'admin', sensitive: true, schema: z.object({ webhookId: webhookIdSchema }) },
  async (input, { actor }) => {
    await deleteWebhook(actor, input.webhookId)
    return { message: 'Webhook deleted.', redirectTo: '/webhooks' }
  },
)

export const sendTestEventAction = adminAction(
  { role: 'admin', schema: z.object({ webhookId: webhookIdSchema }) },
  async (input, { actor }) => {
    const { eventId } = await sendTestEvent(actor, input.webhookId)
    return { message: `Test event ${eventId} queued: it appears in the history below once sent.` }
  },
)

export const resendDeliveryAction = adminAction(
  { role: 'admin', schema: z.object({ webhookId: webhookIdSchema, deliveryId: z.uuid('Unknown delivery.') }) },
  async (input, { actor }) => {
    await resendDelivery(actor, input.webhookId, input.deliveryId)
    return { message: 'Queued again.' }
  },
)

export const resendRangeAction = adminAction(
  {
    role: 'admin',
    schema: z.object({
      webhookId: webhookIdSchema,
      from: utcDateField('Enter the start (UTC).'),
      to: utcDateField('Enter the end (UTC).'),
    }),
  },
  async (input, { actor }) => {
    const count = await resendDeliveries(actor, input)
    return { message: `Queued ${count} deliver${count === 1 ? 'y' : 'ies'} again.` }
  },
)
