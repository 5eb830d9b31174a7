/**
 * The production entry's HTTP server (createAppServer, as server.ts builds it, with its graceful shutdown)
 * without Next: what tests start as separate processes to act as several instances on one PostgreSQL.
 * Prints {"port": n} once listening.
 * Run with: tsx --import ./scripts/register-server-only.mjs test/support/scim-server.ts
 */
import type { AddressInfo } from 'node:net'
import { databaseReady } from '../../lib/db/client'
import { env } from '../../lib/env'
import { createAppServer } from '../../lib/http/scim-node'
import { installGracefulShutdown } from '../../lib/ops/shutdown'

await databaseReady()
const server = createAppServer((_req, res) => {
  res.writeHead(404).end()
})
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }))
})
installGracefulShutdown(server, { timeoutMs: env().SHUTDOWN_TIMEOUT_MS })
