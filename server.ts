/**
 * Production entry (`npm start`). Requests under /scim/ go straight to the SCIM route handlers — the same
 * functions the route files export — because Next's router costs about 1 ms of CPU per request, more than a
 * whole SCIM operation. Everything else goes to Next's request handler.
 */
import next from 'next'
import { closeDatabase, databaseReady } from './lib/db/client'
import { env } from './lib/env'
import { flushRequestLog } from './lib/services/request-log'
import { startWebhookWorker, stopWebhookWorker } from './lib/services/webhook-worker'
import { createAppServer } from './lib/http/scim-node'

const { PORT, HOSTNAME } = env()

async function main() {
  await databaseReady()
  // npm start runs from the project folder, where the Next build and prisma/migrations live.
  const app = next({ dev: false, dir: process.cwd(), hostname: HOSTNAME, port: PORT })
  const handleNext = app.getRequestHandler()
  await app.prepare()
  startWebhookWorker()

  const server = createAppServer((req, res) => void handleNext(req, res))
  // The last resort: an error raised outside any request is logged, and the server keeps serving.
  process.on('uncaughtException', (error) => console.error('Uncaught exception (the server keeps running):', error))
  process.on('unhandledRejection', (reason) => console.error('Unhandled rejection (the server keeps running):', reason))
  server.listen(PORT, HOSTNAME, () => {
    console.log(`TraffiTech Provisioning listening on http://${HOSTNAME}:${PORT} (public URL ${env().PUBLIC_URL})`)
  })

  const shutdown = () => {
    server.close()
    void Promise.all([flushRequestLog(), stopWebhookWorker()])
      .then(() => closeDatabase())
      .finally(() => process.exit(0))
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
