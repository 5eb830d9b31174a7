/**
 * Production entry (`npm start`). Requests under /scim/ go straight to the SCIM route handlers — the same
 * functions the route files export — because Next's router costs about 1 ms of CPU per request, more than a
 * whole SCIM operation. /healthz, /readyz and /metrics are answered there too; everything else goes to Next's
 * request handler. SIGTERM or SIGINT shut it down gracefully (lib/ops/shutdown.ts).
 */
import next from 'next'
import { databaseReady } from './lib/db/client'
import { env } from './lib/env'
import { startWebhookWorker } from './lib/services/webhook-worker'
import { createAppServer } from './lib/http/scim-node'
import { logger } from './lib/ops/logger'
import { installGracefulShutdown } from './lib/ops/shutdown'

const { PORT, HOSTNAME, SHUTDOWN_TIMEOUT_MS } = env()

async function main() {
  await databaseReady()
  // npm start runs from the project folder, where the Next build and prisma/migrations live.
  const app = next({ dev: false, dir: process.cwd(), hostname: HOSTNAME, port: PORT })
  const handleNext = app.getRequestHandler()
  await app.prepare()
  startWebhookWorker()

  const server = createAppServer((req, res) => void handleNext(req, res))
  // The last resort: an error raised outside any request is logged, and the server keeps serving.
  process.on('uncaughtException', (error) => logger.error({ err: error }, 'Uncaught exception (the server keeps running)'))
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'Unhandled rejection (the server keeps running)'))
  // A port that cannot be had (taken, not permitted) ends the process: kept alive by the handler above, it would
  // serve nothing while looking healthy to a supervisor.
  const onListenError = (error: Error) => {
    logger.fatal({ err: error }, `Cannot listen on ${HOSTNAME}:${PORT}: ${error.message}`)
    process.exit(1)
  }
  server.once('error', onListenError)
  server.listen(PORT, HOSTNAME, () => {
    server.off('error', onListenError)
    logger.info(
      { port: PORT, hostname: HOSTNAME, publicUrl: env().PUBLIC_URL },
      `TraffiTech Provisioning listening on http://${HOSTNAME}:${PORT} (public URL ${env().PUBLIC_URL})`,
    )
  })
  installGracefulShutdown(server, { timeoutMs: SHUTDOWN_TIMEOUT_MS })
}

main().catch((error) => {
  logger.fatal({ err: error }, error instanceof Error ? error.message : String(error))
  process.exit(1)
})
