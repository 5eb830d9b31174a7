/**
 * The production entry's HTTP server (createAppServer, as server.ts builds it) without Next: what tests start
 * as separate processes to act as several instances on one PostgreSQL. Prints {"port": n} once listening.
 * Run with: tsx --import ./scripts/register-server-only.mjs test/support/scim-server.ts
 */
import type { AddressInfo } from 'node:net'
import { closeDatabase, databaseReady } from '../../lib/db/client'
import { createAppServer } from '../../lib/http/scim-node'
import { flushRequestLog } from '../../lib/services/request-log'

await databaseReady()
const server = createAppServer((_req, res) => {
  res.writeHead(404).end()
})
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }))
})
process.once('SIGTERM', () => {
  server.close()
  void flushRequestLog()
    .then(() => closeDatabase())
    .finally(() => process.exit(0))
})
