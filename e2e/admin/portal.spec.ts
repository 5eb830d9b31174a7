import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'

/**
 * The admin portal end to end, against the seeded e2e server (scripts/e2e-server.sh): an admin sets up an
 * IdP, the test plays Entra with a real SCIM request, and support staff read the result. Only HTTP and the UI:
 * the server holds the embedded database.
 */

type Credentials = { email: string; password: string }
const state = <T>(name: string): T => JSON.parse(readFileSync(path.join('e2e/.state', `${name}.json`), 'utf8')) as T
// Read when a test runs: Playwright loads this file before the web server has seeded a fresh state.
let admin: Credentials
let support: Credentials
test.beforeAll(() => {
  admin = state<Credentials>('admin')
  support = state<Credentials>('support')
})

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true })

async function signIn(page: Page, who: Credentials) {
  await page.goto('/login')
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
}

test.describe.configure({ mode: 'serial' })

const run = Math.random().toString(36).slice(2, 8)
let providerId = ''
let secret = ''
const userName = `pw-${run}@contoso.example`

test('signed-out visitors go to sign-in, and a wrong password is refused', async ({ page }) => {
  await page.goto('/idps')
  await expect(page).toHaveURL(/\/login/)
  await page.getByLabel('Email').fill(admin.email)
  await page.getByLabel('Password').fill('not the password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByText('Wrong email or password.')).toBeVisible()
  await shot(page, 'sign-in')
})

test('an admin registers an IdP, generates a token and adds a custom attribute', async ({ page }) => {
  await signIn(page, admin)
  await shot(page, 'dashboard')

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Identity providers' }).click()
  await page.getByLabel('Name', { exact: true }).fill(`Playwright Entra ${run}`)
  await page.getByRole('button', { name: 'Register' }).click()
  await expect(page).toHaveURL(/\/idps\/[0-9a-f-]{36}$/)
  providerId = page.url().split('/').pop()!
  await expect(page.getByTestId('first-request')).toContainText('Waiting for the first request')
  await expect(page.getByTestId('tenant-url')).toHaveText(`${new URL(page.url()).origin}/scim/v2/enterprise-idps/${providerId}`)
  await page.getByRole('switch').check()
  await expect(page.getByTestId('tenant-url')).toHaveText(/\?aadOptscim062020$/)
  await shot(page, 'idp')

  await page.getByRole('link', { name: 'Secret tokens' }).click()
  await page.getByLabel('Label').fill('playwright')
  await page.getByRole('button', { name: 'Generate token' }).click()
  await expect(page.getByTestId('one-time-secret')).toContainText('shown only once')
  secret = (await page.getByTestId('secret-value').textContent())!.trim()
  expect(secret).toMatch(/^ttscim_/)
  await expect(page.getByTestId('token-row')).toContainText('playwright')
  await shot(page, 'tokens')

  await page.getByRole('link', { name: 'Custom attributes' }).click()
  await page.getByLabel('Name', { exact: true }).fill('CostCenter')
  await page.getByLabel('Description').fill('Finance cost center')
  await page.getByRole('button', { name: 'Add attribute' }).click()
  await expect(page.getByTestId('attribute-row')).toContainText(
    `urn:ietf:params:scim:schemas:extension:traffitech:2.0:User:CostCenter`,
  )
  await shot(page, 'attributes')
})

test('a real SCIM request with the token shows in /Schemas, the log and the users table', async ({ page, request }) => {
  const tenant = `/scim/v2/enterprise-idps/${providerId}`
  const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/scim+json' }
  const schemas = await request.get(`${tenant}/Schemas`, { headers })
  expect(schemas.status()).toBe(200)
  expect(JSON.stringify(await schemas.json())).toContain('CostCenter')

  const created = await request.post(`${tenant}/Users`, {
    headers,
    data: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      externalId: `ext-${run}`,
      userName,
      active: true,
      displayName: 'Playwright User',
      title: 'Tester',
      emails: [{ primary: true, type: 'work', value: userName }],
    },
  })
  expect(created.status()).toBe(201)
  const user = await created.json()

  await signIn(page, admin)
  await page.goto(`/logs?idp=${providerId}`)
  const row = page.getByTestId('log-row').filter({ hasText: userName })
  await expect(row).toContainText('201')
  await shot(page, 'logs')
  await row.getByRole('link').first().click()
  await expect(page.getByTestId('log-url')).toContainText(`${tenant}/Users`)
  await expect(page.getByText('Playwright User').first()).toBeVisible()
  await shot(page, 'log-record')

  await page.goto(`/idps/${providerId}`)
  await expect(page.getByTestId('first-request')).toContainText('First authenticated request')

  await page.goto(`/users?idp=${providerId}`)
  const userRow = page.getByTestId('user-row').filter({ hasText: userName })
  await expect(userRow).toContainText('Playwright User')
  await expect(userRow).toContainText('missing 1 custom')
  await shot(page, 'users')

  await userRow.getByRole('link', { name: userName }).click()
  await expect(page).toHaveURL(new RegExp(`/users/${user.id}$`))
  await expect(page.getByTestId('missing-custom')).toContainText('Provision on demand')
  await expect(page.getByTestId('timeline-entry')).toHaveCount(1)
  await page.getByRole('button', { name: 'Clear title' }).click()
  await page.getByRole('button', { name: 'Yes, clear' }).click()
  await expect(page.getByRole('button', { name: 'Clear title' })).toHaveCount(0)
  await expect(page.getByTestId('attribute-value-row').filter({ hasText: 'Tester' })).toHaveCount(0)
  await shot(page, 'user')

  // The portal's change went through the SCIM logic: the API no longer returns the title.
  const fetched = await request.get(`${tenant}/Users/${user.id}`, { headers })
  expect((await fetched.json()).title).toBeUndefined()

  await page.goto('/audit')
  await expect(page.getByTestId('audit-row').filter({ hasText: 'user.clearAttribute' })).toContainText(admin.email)
  await shot(page, 'audit')

  await page.goto(`/idps/${providerId}/guide`)
  await expect(page.getByRole('link', { name: 'Test Connection fails with 401' })).toHaveAttribute(
    'href',
    new RegExp(`status=401`),
  )
  await shot(page, 'guide')

  // Phone width: wide tables scroll inside their own box, the page itself never scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 })
  for (const [name, path] of [
    ['dashboard', '/dashboard'],
    ['idps', '/idps'],
    ['idp', `/idps/${providerId}`],
    ['tokens', `/idps/${providerId}/tokens`],
    ['users', '/users'],
    ['logs', '/logs'],
    ['guide', `/idps/${providerId}/guide`],
  ] as const) {
    await page.goto(path)
    await shot(page, `${name}-390`)
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${path} at 390 px`).toBeLessThanOrEqual(390)
  }
})

test('support staff read logs and users but never reach tokens', async ({ page, request }) => {
  await signIn(page, support)
  await expect(page.getByTestId('signed-in-as')).toContainText('support')
  await page.goto(`/logs?idp=${providerId}`)
  await expect(page.getByTestId('log-row').first()).toBeVisible()
  await page.goto(`/idps/${providerId}`)
  await expect(page.getByRole('link', { name: 'Secret tokens' })).toHaveCount(0)
  await expect(page.getByRole('button', { name: /Disable SCIM|Delete/ })).toHaveCount(0)
  const tokens = await page.goto(`/idps/${providerId}/tokens`)
  expect(tokens?.status()).toBe(404)
  const operators = await page.goto('/operators')
  expect(operators?.status()).toBe(404)
  await page.goto(`/users?idp=${providerId}`)
  await page.getByTestId('user-row').getByRole('link').first().click()
  await expect(page.getByRole('button', { name: /^Clear / })).toHaveCount(0)
  await shot(page, 'support-user')

  // Exports need a session: the browser's works, a bare request does not.
  const csv = await page.request.get(`/logs/export/csv?idp=${providerId}`)
  expect(csv.status()).toBe(200)
  expect(await csv.text()).toContain(userName)
  const anonymous = await request.get(`/logs/export/json?idp=${providerId}`, { headers: { cookie: '' } })
  expect(anonymous.status()).toBe(401)
})

test('operators change their password and sign out', async ({ page }) => {
  await signIn(page, admin)
  await page.goto('/operators')
  const email = `new-${run}@e2e.test`
  await page.getByLabel('Email').fill(email)
  await page.getByRole('button', { name: 'Add operator' }).click()
  const password = (await page.getByTestId('secret-value').textContent())!.trim()
  await expect(page.getByTestId('operator-row').filter({ hasText: email })).toBeVisible()
  await shot(page, 'operators')
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page).toHaveURL(/\/login/)

  await signIn(page, { email, password })
  await page.goto('/account')
  await page.getByLabel('Current password').fill(password)
  await page.getByLabel('New password', { exact: true }).fill('a brand new password')
  await page.getByLabel('New password again').fill('a brand new password')
  await page.getByRole('button', { name: 'Change password' }).click()
  await expect(page.getByRole('status')).toContainText('Password changed')
})
