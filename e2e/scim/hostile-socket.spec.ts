import { readFileSync } from 'node:fs'
import { expect, test } from '@playwright/test'
import { rawRequest } from '../../test/raw-http'

/**
 * The real production server (server.ts with Next behind it) over raw TCP: requests that cannot become a Web
 * Request, or that Node's parser refuses, are answered in the SCIM error schema; the server keeps serving.
 */
let usersPath: string
let token: string
let port: number
test.beforeAll(() => {
  const tenantUrl = (JSON.parse(readFileSync('e2e/.state/idp.json', 'utf8')) as { tenantUrl: string }).tenantUrl
  usersPath = `${new URL(tenantUrl).pathname}/Users`
  port = Number(new URL(tenantUrl).port)
  token = (JSON.parse(readFileSync('e2e/.state/token.json', 'utf8')) as { token: string }).token
})

const wire = (lines: string[], body = '') => `${lines.join('\r\n')}\r\n\r\n${body}`
const isScimError = (body: string) => JSON.parse(body).schemas?.[0] === 'urn:ietf:params:scim:api:messages:2.0:Error'

test('bad Host headers do not matter: the request is served', async () => {
  for (const host of ['a@b', 'a b', 'x:99999', '']) {
    const reply = await rawRequest(
      port,
      wire([`GET ${usersPath}?count=1 HTTP/1.1`, `Host: ${host}`, `Authorization: Bearer ${token}`, 'Connection: close']),
    )
    expect(reply.status, `Host: ${host}`).toBe(200)
    expect(reply.headers['x-content-type-options']).toBe('nosniff')
  }
})

test('forbidden, unknown and malformed requests get SCIM errors', async () => {
  const cases: Array<[string, string, number]> = [
    ['TRACE', wire([`TRACE ${usersPath} HTTP/1.1`, 'Host: x', 'Connection: close']), 405],
    ['CONNECT', wire([`CONNECT ${usersPath} HTTP/1.1`, 'Host: x']), 405],
    ['a malformed header', wire([`GET ${usersPath} HTTP/1.1`, 'Host: x', 'not a header']), 400],
    ['a NUL tenant', wire(['GET /scim/v2/enterprise-idps/%00/Users HTTP/1.1', 'Host: x', 'Connection: close']), 404],
  ]
  for (const [name, payload, status] of cases) {
    const reply = await rawRequest(port, payload)
    expect(reply.status, name).toBe(status)
    expect(isScimError(reply.body), name).toBe(true)
  }
  // And the server still answers.
  const after = await rawRequest(
    port,
    wire([`GET ${usersPath}?count=1 HTTP/1.1`, 'Host: x', `Authorization: Bearer ${token}`, 'Connection: close']),
  )
  expect(after.status).toBe(200)
})
