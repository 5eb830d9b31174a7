import { databaseReady } from '@/lib/db/client'
import type { AttributeType } from '@/lib/db/enums'
import { attachClientAddress } from '@/lib/http/client-address'
import { dispatchScim } from '@/lib/http/scim-dispatch'
import { CLI_ACTOR } from '@/lib/services/audit'
import { addCustomAttribute } from '@/lib/services/custom-attributes'
import { createIdentityProvider } from '@/lib/services/identity-providers'
import { flushRequestLog } from '@/lib/services/request-log'
import { createToken, type CreateTokenInput } from '@/lib/services/tokens'

/**
 * Drives the real SCIM handlers with HTTP requests (Web Request objects, as server.ts builds them) against the
 * test database. Every test makes its own IdP, so tests never see each other's users.
 */

export type ScimReply = { status: number; headers: Headers; body: any }

export type TestTenant = {
  providerId: string
  tenantUrl: string
  token: string
  tokenId: string
  request: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<ScimReply>
}

export async function sendScim(
  method: string,
  url: string,
  options: {
    token?: string | null
    body?: unknown
    rawBody?: string
    headers?: Record<string, string>
    /** The TCP peer, as the production entry hands it over. */
    clientAddress?: string
  } = {},
): Promise<ScimReply> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  let body: string | undefined = options.rawBody
  if (options.body !== undefined) body = JSON.stringify(options.body)
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/scim+json'
  const request = new Request(url, { method, headers, ...(body !== undefined ? { body } : {}) })
  attachClientAddress(request, options.clientAddress)
  const response = await dispatchScim(request)
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined }
}

export async function createTestTenant(
  options: {
    customAttributes?: Array<{ name: string; type?: AttributeType }>
    token?: Omit<CreateTokenInput, 'providerId'>
  } = {},
): Promise<TestTenant> {
  await databaseReady()
  const provider = await createIdentityProvider(CLI_ACTOR, { name: `Test IdP ${Math.random().toString(36).slice(2, 8)}` })
  for (const attribute of options.customAttributes ?? []) {
    await addCustomAttribute(CLI_ACTOR, { providerId: provider.id, name: attribute.name, type: attribute.type ?? 'string' })
  }
  const { token, secret } = await createToken(CLI_ACTOR, { providerId: provider.id, ...options.token })
  return {
    providerId: provider.id,
    tenantUrl: provider.tenantUrl,
    token: secret,
    tokenId: token.id,
    request: (method, path, body, headers) =>
      sendScim(method, `${provider.tenantUrl}${path}`, {
        token: secret,
        ...(body === undefined ? {} : { body }),
        ...(headers ? { headers } : {}),
      }),
  }
}

/** An Entra-shaped POST /Users body (docs/entra-behaviour.md §4). */
export function entraUser(n: number | string, overrides: Record<string, unknown> = {}) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
    externalId: `ext-${n}`,
    userName: `user${n}@contoso.example`,
    active: true,
    displayName: `User ${n}`,
    title: 'Engineer',
    emails: [{ primary: true, type: 'work', value: `user${n}@contoso.example` }],
    meta: { resourceType: 'User' },
    name: { formatted: `User ${n}`, familyName: `Family${n}`, givenName: `Given${n}` },
    phoneNumbers: [
      { type: 'work', value: '+1 555 0100' },
      { type: 'mobile', value: '+1 555 0101' },
    ],
    roles: [],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: `E${n}` },
    ...overrides,
  }
}

export { flushRequestLog }
