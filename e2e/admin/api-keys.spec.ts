import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'

/**
 * Directory API keys end to end: an admin creates a key in the portal (shown once), a TraffiTech service uses
 * it for the SSO sign-in link and the directory, the admin revokes it and the next call gets 401. Support staff
 * see the list and the API reference, and nothing to change.
 */

type Credentials = { email: string; password: string }
const state = <T>(name: string): T => JSON.parse(readFileSync(path.join('e2e/.state', `${name}.json`), 'utf8')) as T
let admin: Credentials
let support: Credentials
let providerId: string
test.beforeAll(() => {
  admin = state<Credentials>('admin')
  support = state<Credentials>('support')
  providerId = state<{ providerId: string }>('idp').providerId
})

async function signIn(page: Page, who: Credentials) {
  await page.goto('/login')
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
}

test.describe.configure({ mode: 'serial' })

const run = Math.random().toString(36).slice(2, 8)
const label = `sign-in service ${run}`

test('an admin creates an API key, a service signs a user in with it, and revoking it stops it', async ({ page, request }) => {
  await signIn(page, admin)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click()
  await expect(page.getByRole('heading', { name: 'API keys' })).toBeVisible()
  await page.getByLabel('Label').fill(label)
  await page.getByLabel(/sign-ins:write/).check()
  await page.getByRole('button', { name: 'Create API key' }).click()
  await expect(page.getByTestId('one-time-secret')).toContainText('shown only once')
  const apiKey = (await page.getByTestId('secret-value').textContent())!.trim()
  expect(apiKey).toMatch(/^ttapi_[A-Za-z0-9_-]{43}$/)
  const row = page.getByTestId('api-key-row').filter({ hasText: label })
  await expect(row).toContainText('directory:read, sign-ins:write')
  await expect(row).toContainText('active')
  await expect(row).not.toContainText(apiKey)
  await page.reload()
  await expect(page.locator('body')).not.toContainText(apiKey)

  const headers = { authorization: `Bearer ${apiKey}` }
  const claims = { externalId: `oid-${run}`, userName: `sso-${run}@contoso.example`, displayName: 'SSO Person' }
  const created = await request.post(`/api/v1/enterprise-idps/${providerId}/sign-ins`, { headers, data: claims })
  expect(created.status()).toBe(201)
  const { user } = await created.json()
  expect(user).toMatchObject({ userName: claims.userName, source: 'sso', scimManaged: false, active: true })
  const again = await request.post(`/api/v1/enterprise-idps/${providerId}/sign-ins`, { headers, data: claims })
  expect(again.status()).toBe(200)
  const read = await request.get(`/api/v1/users/${user.id}`, { headers })
  expect(read.status()).toBe(200)
  expect(await read.json()).toEqual(user)
  const noScope = await request.get(`/api/v1/events`, { headers })
  expect(noScope.status()).toBe(403)
  expect(noScope.headers()['content-type']).toBe('application/problem+json')

  await row.getByRole('button', { name: 'Revoke' }).click()
  await page.getByRole('button', { name: 'Yes, revoke' }).click()
  await expect(page.getByTestId('api-key-row').filter({ hasText: label })).toContainText('revoked')
  const refused = await request.get(`/api/v1/users/${user.id}`, { headers })
  expect(refused.status()).toBe(401)
  expect(refused.headers()['www-authenticate']).toBe('Bearer')
})

test('support staff see the keys and the API reference, and cannot create or revoke', async ({ page, request }) => {
  await signIn(page, support)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click()
  await expect(page.getByTestId('api-key-row').filter({ hasText: label })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Create API key' })).toHaveCount(0)
  await expect(page.getByRole('button', { name: 'Revoke' })).toHaveCount(0)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API reference' }).click()
  await expect(page.getByRole('heading', { name: 'Directory API reference' })).toBeVisible()
  for (const path of ['/api/v1/users', '/api/v1/users/{id}', '/api/v1/events', '/api/v1/enterprise-idps/{providerId}/sign-ins']) {
    await expect(page.getByText(path, { exact: true }).first()).toBeVisible()
  }
  await expect(page.locator('#schema-User')).toBeVisible()
  const document = await request.get('/api/v1/openapi.json')
  expect(document.status()).toBe(200)
  expect((await document.json()).openapi).toBe('3.1.0')
})
