import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI_ACTOR } from '@/lib/services/audit'
import { createWebhookWorker, type WebhookWorker } from '@/lib/services/webhook-worker'
import { createWebhook } from '@/lib/services/webhooks'
import { createTestTenant, entraUser, type TestTenant } from './scim-harness'
import { startReceiver, type TestReceiver } from './support/webhook-receiver'

// An Entra provisioning cycle through the SCIM handlers reaches a webhook receiver, signed and in order.
process.env.WEBHOOK_ALLOW_PRIVATE = 'true'

let tenant: TestTenant
let receiver: TestReceiver
let worker: WebhookWorker

beforeAll(async () => {
  tenant = await createTestTenant()
  receiver = await startReceiver()
  const { secret } = await createWebhook(CLI_ACTOR, { url: receiver.url, providerId: tenant.providerId })
  receiver.secrets.push(secret)
  worker = createWebhookWorker({ allowPrivate: true, pollIntervalMs: 10, retryBaseMs: 10, retryMaxMs: 50 })
})

afterAll(async () => {
  await worker.stop()
  await receiver.close()
})

const patch = (...Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations })

describe('webhooks for an Entra lifecycle through SCIM', { timeout: 90_000 }, () => {
  it('receives created, updated, deactivated, reactivated and deleted, in order, every signature verified', async () => {
    const created = await tenant.request('POST', '/Users', entraUser('hooked'))
    expect(created.status).toBe(201)
    const id = created.body.id as string
    expect((await tenant.request('PATCH', `/Users/${id}`, patch({ op: 'Replace', path: 'title', value: 'Lead' }))).status).toBe(
      200,
    )
    expect((await tenant.request('PATCH', `/Users/${id}`, patch({ op: 'Replace', path: 'active', value: 'False' }))).status).toBe(
      200,
    )
    expect((await tenant.request('PATCH', `/Users/${id}`, patch({ op: 'Replace', path: 'active', value: 'True' }))).status).toBe(
      200,
    )
    expect((await tenant.request('DELETE', `/Users/${id}`)).status).toBe(204)
    const deadline = Date.now() + 60_000
    while (receiver.receipts.length < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    expect(receiver.receipts.map((receipt) => receipt.event.type)).toEqual([
      'user.created',
      'user.updated',
      'user.deactivated',
      'user.reactivated',
      'user.deleted',
    ])
    expect(receiver.receipts.every((receipt) => receipt.verified && (receipt.event.data.user as { id: string }).id === id)).toBe(
      true,
    )
    expect(new Set(receiver.receipts.map((receipt) => receipt.id)).size).toBe(5)
  })
})
