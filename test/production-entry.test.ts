import type { AddressInfo } from 'node:net'
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { stampedClientAddress } from '@/lib/http/client-address'
import { createAppServer } from '@/lib/http/scim-node'
import { flushRequestLog } from '@/lib/services/request-log'
import { rawRequest } from './raw-http'
import { createTestTenant, entraUser, type TestTenant } from './scim-harness'

/**
 * The production entry (createAppServer, which server.ts runs) over raw TCP: every request is answered, in
 * the SCIM error schema, and logged, whatever its request line and headers; the server keeps serving.
 */

let server: Server
let port: number
let tenant: TestTenant
let otherPaths = 0
let lastOtherAddress: string | null = null

beforeAll(async () => {
  tenant = await createTestTenant()
  server = createAppServer((req, res) => {
    otherPaths += 1
    lastOtherAddress = stampedClientAddress(req.headers)
    res.writeHead(204).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await flushRequestLog()
})

const usersPath = () => new URL(`${tenant.tenantUrl}/Users`).pathname

function request(lines: string[], body = ''): string {
  return `${lines.join('\r\n')}\r\n\r\n${body}`
}

function expectScimError(reply: { status: number; headers: Record<string, string>; body: string }, status: number) {
  expect(reply.status).toBe(status)
  expect(reply.headers['content-type']).toContain('application/scim+json')
  expect(JSON.parse(reply.body)).toMatchObject({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    status: String(status),
  })
}

/** A request with a chunked body, written chunk by chunk with a pause between them. */
function chunkedRequest(method: string, path: string, chunks: Array<string | Buffer>) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/scim+json' },
      },
      (response) => {
        const parts: Buffer[] = []
        response.on('data', (part: Buffer) => parts.push(part))
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(parts).toString('utf8') }),
        )
      },
    )
    // The server may answer and close before the last chunk: the answer is what is asserted.
    outgoing.on('error', (error) => (outgoing.writableEnded ? undefined : reject(error)))
    void (async () => {
      for (const chunk of chunks) {
        if (outgoing.destroyed) return
        outgoing.write(chunk)
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      outgoing.end()
    })()
  })
}

async function loggedRequests(where: Record<string, unknown>) {
  await flushRequestLog()
  return getDb().provisioningRequest.findMany({ where, orderBy: { createdAt: 'asc' } })
}

describe('the production entry over raw TCP', () => {
  it.each([
    ['a Host with userinfo', 'a@b'],
    ['a Host with a space', 'a b'],
    ['a Host with a port out of range', 'x:99999'],
    ['a Host that is a URL', 'http://evil.example/'],
    ['an empty Host', ''],
  ])('ignores %s: the URL is built on a fixed origin', async (_name, host) => {
    const reply = await rawRequest(
      port,
      request([
        `GET ${usersPath()}?count=1 HTTP/1.1`,
        `Host: ${host}`,
        `Authorization: Bearer ${tenant.token}`,
        'Connection: close',
      ]),
    )
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.body).schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse'])
    expect(reply.headers['x-content-type-options']).toBe('nosniff')
    expect(reply.headers['cache-control']).toBe('no-store')
  })

  it('answers a request without any Host header', async () => {
    const reply = await rawRequest(port, request([`GET ${usersPath()} HTTP/1.0`, `Authorization: Bearer ${tenant.token}`]))
    expect(reply.status).toBe(200)
  })

  // TRACE parses but `new Request()` refuses it; Node's parser itself refuses TRACK.
  it.each([
    ['TRACE', 405],
    ['TRACK', 400],
  ])('refuses %s with a logged %i', async (method, status) => {
    const path = `${usersPath()}/${method.toLowerCase()}-probe`
    const reply = await rawRequest(port, request([`${method} ${path} HTTP/1.1`, 'Host: x', 'Connection: close']))
    expectScimError(reply, status)
    const [row] = await loggedRequests({ path })
    expect(row).toMatchObject({ method, status, operation: 'error', clientIp: '127.0.0.1' })
  })

  it('refuses CONNECT with a logged 405 instead of dropping the connection', async () => {
    const target = `${usersPath()}/connect-probe`
    const reply = await rawRequest(port, request([`CONNECT ${target} HTTP/1.1`, 'Host: x']))
    expectScimError(reply, 405)
    expect(await loggedRequests({ path: target, method: 'CONNECT' })).toHaveLength(1)
  })

  it('answers an unknown method with a logged 405 naming what is allowed', async () => {
    const reply = await rawRequest(
      port,
      request([`PROPFIND ${usersPath()} HTTP/1.1`, 'Host: x', `Authorization: Bearer ${tenant.token}`, 'Connection: close']),
    )
    expectScimError(reply, 405)
    expect(reply.headers.allow).toMatch(/GET/)
    expect(reply.headers['x-request-id']).toBeTruthy()
    const [row] = await loggedRequests({ path: usersPath(), method: 'PROPFIND' })
    expect(row).toMatchObject({ status: 405, operation: 'error', requestId: reply.headers['x-request-id'] })
  })

  it('answers and logs a SCIM path outside any tenant with a 404', async () => {
    const path = '/scim/v2/Users/not-a-tenant-probe'
    const reply = await rawRequest(port, request([`GET ${path} HTTP/1.1`, 'Host: x', 'Connection: close']))
    expectScimError(reply, 404)
    const [row] = await loggedRequests({ path })
    expect(row).toMatchObject({ method: 'GET', status: 404, operation: 'error', clientIp: '127.0.0.1' })
  })

  it('answers a malformed header line with a logged 400', async () => {
    const path = `${usersPath()}/malformed-header`
    const reply = await rawRequest(port, request([`GET ${path} HTTP/1.1`, 'Host: x', 'This is not a header']))
    expectScimError(reply, 400)
    expect(await loggedRequests({ path })).toHaveLength(1)
  })

  it('answers oversized headers with a logged 431', async () => {
    const path = `${usersPath()}/huge-header`
    const reply = await rawRequest(port, request([`GET ${path} HTTP/1.1`, 'Host: x', `X-Big: ${'a'.repeat(70_000)}`]))
    expectScimError(reply, 431)
    expect(await loggedRequests({ path })).toHaveLength(1)
  })

  it('answers and logs a NUL byte in the tenant id, without a token', async () => {
    const reply = await rawRequest(
      port,
      request(['GET /scim/v2/enterprise-idps/%00/Users HTTP/1.1', 'Host: x', 'Connection: close']),
    )
    expectScimError(reply, 404)
    const rows = await loggedRequests({ path: '/scim/v2/enterprise-idps/%00/Users' })
    expect(rows).toHaveLength(1)
  })

  it('records the TCP peer as the client, never a header the client sent', async () => {
    const path = `${usersPath()}/forged-address`
    await rawRequest(
      port,
      request([
        `GET ${path} HTTP/1.1`,
        'Host: x',
        'X-Traffitech-Remote-Address: 192.0.2.66',
        'X-Forwarded-For: 203.0.113.9',
        `Authorization: Bearer ${tenant.token}`,
        'Connection: close',
      ]),
    )
    const [row] = await loggedRequests({ path })
    expect(row?.clientIp).toBe('127.0.0.1')
  })

  it('hands everything outside /scim/ to the other handler, with the TCP peer as the only address it can read', async () => {
    const before = otherPaths
    const reply = await rawRequest(
      port,
      request([
        'GET /login HTTP/1.1',
        'Host: a b',
        'X-Traffitech-Remote-Address: 192.0.2.66',
        'X-Forwarded-For: 203.0.113.9',
        'Connection: close',
      ]),
    )
    expect(reply.status).toBe(204)
    expect(otherPaths).toBe(before + 1)
    expect(lastOtherAddress).toBe('127.0.0.1')
  })

  it('reads a chunked body sent in pieces whole, a character split between chunks included', async () => {
    const created = await chunkedRequest('POST', usersPath(), [JSON.stringify(entraUser('chunked'))])
    expect(created.status).toBe(201)
    const id = (JSON.parse(created.body) as { id: string }).id
    const patch = JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Zoë Ærø 🚦' }],
    })
    const bytes = Buffer.from(patch)
    const split = bytes.indexOf(Buffer.from('🚦')) + 2
    const patched = await chunkedRequest('PATCH', `${usersPath()}/${id}`, [
      bytes.subarray(0, 10),
      bytes.subarray(10, split),
      bytes.subarray(split),
    ])
    expect(patched.status).toBe(200)
    expect(JSON.parse(patched.body)).toMatchObject({ displayName: 'Zoë Ærø 🚦' })
  })

  it('answers a chunked body past the limit with a logged 413 and closes the connection', async () => {
    const piece = Buffer.alloc(256 * 1024, 'a')
    const reply = await chunkedRequest(
      'POST',
      usersPath(),
      Array.from({ length: 6 }, () => piece),
    )
    expectScimError({ ...reply, headers: reply.headers as Record<string, string> }, 413)
    expect(reply.headers.connection).toBe('close')
    const logged = await loggedRequests({ providerId: tenant.providerId, status: 413 })
    expect(logged.length).toBeGreaterThan(0)
  })

  it('keeps serving after all of the above, and on a kept-alive connection', async () => {
    const created = await rawRequest(
      port,
      request(
        [
          `POST ${usersPath()} HTTP/1.1`,
          'Host: x',
          `Authorization: Bearer ${tenant.token}`,
          'Content-Type: application/scim+json',
          `Content-Length: ${Buffer.byteLength(JSON.stringify(entraUser('raw')))}`,
          'Connection: close',
        ],
        JSON.stringify(entraUser('raw')),
      ),
    )
    expect(created.status).toBe(201)
  })
})
