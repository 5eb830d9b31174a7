import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'

/**
 * A webhook receiver on 127.0.0.1 for tests: verifies every signature with the `standardwebhooks` library
 * against the secrets it is given, records what arrived, and answers as the test tells it (up, down with a
 * status, or dropping the connection). It also counts receipts of one webhook-id that overlapped in time.
 */

export type Receipt = {
  id: string
  timestamp: string
  signature: string
  contentType: string | undefined
  body: string
  event: { id: string; type: string; providerId: string | null; data: Record<string, unknown> }
  verified: boolean
  /** Which of the given secrets verified the signature, by index. */
  verifiedBy: number[]
}

export type ReceiverMode =
  | { kind: 'up' }
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'drop' }
  | { kind: 'hang' }

export type TestReceiver = {
  url: string
  receipts: Receipt[]
  /** Every request, successful or not (the ids that reached the receiver). */
  requests: string[]
  secrets: string[]
  mode: ReceiverMode
  concurrentDuplicates: number
  delayMs: number
  close: () => Promise<void>
}

export async function startReceiver(secrets: string[] = []): Promise<TestReceiver> {
  const inFlight = new Map<string, number>()
  const receiver: TestReceiver = {
    url: '',
    receipts: [],
    requests: [],
    secrets,
    mode: { kind: 'up' },
    concurrentDuplicates: 0,
    delayMs: 0,
    close: async () => {
      server.closeAllConnections()
      server.close()
    },
  }
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const id = String(request.headers['webhook-id'] ?? '')
      receiver.requests.push(id)
      const mode = receiver.mode
      if (mode.kind === 'drop') return void request.socket.destroy()
      if (mode.kind === 'hang') return
      if (mode.kind === 'status') {
        response.writeHead(mode.status, mode.headers ?? {}).end(mode.body ?? '')
        return
      }
      if ((inFlight.get(id) ?? 0) > 0) receiver.concurrentDuplicates++
      inFlight.set(id, (inFlight.get(id) ?? 0) + 1)
      const body = Buffer.concat(chunks).toString('utf8')
      const headers = {
        'webhook-id': id,
        'webhook-timestamp': String(request.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(request.headers['webhook-signature'] ?? ''),
      }
      const verifiedBy = receiver.secrets.flatMap((secret, index) => {
        try {
          new Webhook(secret).verify(body, headers)
          return [index]
        } catch {
          return []
        }
      })
      const finish = () => {
        inFlight.set(id, inFlight.get(id)! - 1)
        receiver.receipts.push({
          id,
          timestamp: headers['webhook-timestamp'],
          signature: headers['webhook-signature'],
          contentType: request.headers['content-type'],
          body,
          event: JSON.parse(body) as Receipt['event'],
          verified: verifiedBy.length > 0,
          verifiedBy,
        })
        response.writeHead(204).end()
      }
      if (receiver.delayMs > 0) setTimeout(finish, receiver.delayMs)
      else finish()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`
  return receiver
}
