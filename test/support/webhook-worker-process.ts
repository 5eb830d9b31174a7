/**
 * A second app instance's webhook worker, in its own process with its own database pool: what the tests
 * start beside their in-process worker to show that two instances never send one delivery twice at once.
 * Prints {"started": true}, runs until SIGTERM, then stops cleanly.
 * Run with: tsx --import ./scripts/register-server-only.mjs test/support/webhook-worker-process.ts
 */
import { closeDatabase, databaseReady } from '../../lib/db/client'
import { createWebhookWorker } from '../../lib/services/webhook-worker'

await databaseReady()
const worker = createWebhookWorker({ allowPrivate: true, pollIntervalMs: 5, retryBaseMs: 10, retryMaxMs: 50 })
console.log(JSON.stringify({ started: true }))
process.once('SIGTERM', () => {
  void worker
    .stop()
    .then(() => closeDatabase())
    .finally(() => process.exit(0))
})
