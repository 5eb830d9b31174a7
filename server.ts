/**
 * Production entry (`npm start`). Requests under /scim/ go straight to the SCIM route handlers — the same
 * functions the route files export — because Next's router costs about 1 ms of CPU per request, more than a
 * whole SCIM operation. Everything else goes to Next's request handler.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import next from 'next'
import { closeDatabase, databaseReady } from './lib/db/client'
import { env } from './lib/env'
import { flushRequestLog } from './lib/services/request-log'
import { dispatchScim } from './lib/http/scim-dispatch'
import { REMOTE_ADDRESS_HEADER } from './lib/http/scim-route'

const { PORT, HOSTNAME } = env()

function toWebRequest(req: IncomingMessage): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else if (value !== undefined) headers.set(name, value)
  }
  // Always overwritten, so a client cannot choose the address the provisioning log records.
  headers.delete(REMOTE_ADDRESS_HEADER)
  if (req.socket.remoteAddress) headers.set(REMOTE_ADDRESS_HEADER, req.socket.remoteAddress)
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method: req.method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' } : {}),
  } as RequestInit)
}

async function sendWebResponse(response: Response, res: ServerResponse): Promise<void> {
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined
  res.writeHead(response.status, Object.fromEntries(response.headers))
  res.end(body)
}

async function main() {
  await databaseReady()
  // npm start runs from the project folder, where the Next build and prisma/migrations live.
  const app = next({ dev: false, dir: process.cwd(), hostname: HOSTNAME, port: PORT })
  const handleNext = app.getRequestHandler()
  await app.prepare()

  const server = createServer((req, res) => {
    if (req.url?.startsWith('/scim/')) {
      const request = toWebRequest(req)
      dispatchScim(request)
        .then((response) => sendWebResponse(response, res))
        .catch((error) => {
          console.error('SCIM dispatch failed:', error)
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/scim+json' })
          res.end(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '500', detail: 'Internal error.' }))
        })
      return
    }
    void handleNext(req, res)
  })
  server.keepAliveTimeout = 65_000
  server.listen(PORT, HOSTNAME, () => {
    console.log(`TraffiTech Provisioning listening on http://${HOSTNAME}:${PORT} (public URL ${env().PUBLIC_URL})`)
  })

  const shutdown = () => {
    server.close()
    void flushRequestLog()
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
