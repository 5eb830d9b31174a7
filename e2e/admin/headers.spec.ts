import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, test, type Page, type Response } from '@playwright/test'

/**
 * Security headers on every portal response, and a portal that works under its strict CSP: each main page is
 * visited (and a token rotated) while console errors, page errors and CSP violations are collected.
 */

type Credentials = { email: string; password: string }
const state = <T>(name: string): T => JSON.parse(readFileSync(path.join('e2e/.state', `${name}.json`), 'utf8')) as T

let admin: Credentials
let providerId: string
let token: string
test.beforeAll(() => {
  admin = state<Credentials>('admin')
  providerId = state<{ providerId: string }>('idp').providerId
  token = state<{ token: string }>('token').token
})

test.describe.configure({ mode: 'serial' })

function expectPortalHeaders(response: Response | null, what: string) {
  expect(response, what).not.toBeNull()
  const headers = response!.headers()
  const csp = headers['content-security-policy'] ?? ''
  const scriptSrc =
    csp
      .split(';')
      .map((part) => part.trim())
      .find((part) => part.startsWith('script-src ')) ?? ''
  expect(scriptSrc, `${what}: script-src`).toMatch(/'nonce-[A-Za-z0-9+/=]{16,}'/)
  expect(scriptSrc, `${what}: script-src`).not.toContain('unsafe-inline')
  expect(scriptSrc, `${what}: script-src`).not.toContain('unsafe-eval')
  expect(csp, what).toContain("frame-ancestors 'none'")
  expect(csp, what).toContain("object-src 'none'")
  expect(csp, what).toContain("base-uri 'none'")
  expect(headers['x-frame-options'], what).toBe('DENY')
  expect(headers['x-content-type-options'], what).toBe('nosniff')
  expect(headers['referrer-policy'], what).toBe('no-referrer')
  expect(headers['permissions-policy'], what).toContain('camera=()')
  expect(headers['cache-control'], what).toContain('no-store')
  // The e2e server's PUBLIC_URL is http: no HSTS (the https case is a unit test of the header builder).
  expect(headers['strict-transport-security'], what).toBeUndefined()
}

/** Console errors, uncaught page errors and CSP violations seen while `fn` runs. */
async function collectProblems(page: Page, fn: () => Promise<void>): Promise<string[]> {
  const problems: string[] = []
  const onConsole = (message: { type(): string; text(): string }) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  }
  const onPageError = (error: Error) => problems.push(`page error: ${error.message}`)
  page.on('console', onConsole)
  page.on('pageerror', onPageError)
  await fn()
  const violations = await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [])
  problems.push(...violations.map((violation) => `csp: ${violation}`))
  page.off('console', onConsole)
  page.off('pageerror', onPageError)
  return problems
}

test.beforeEach(async ({ page }) => {
  // Playwright's init scripts are exempt from the page's CSP, so the listener exists before any page script.
  await page.addInitScript(() => {
    const store = window as unknown as { __cspViolations: string[] }
    store.__cspViolations = []
    document.addEventListener('securitypolicyviolation', (event) => {
      store.__cspViolations.push(
        `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`,
      )
    })
  })
})

test('sign-in page and static files carry the security headers, with a fresh nonce per response', async ({ page, request }) => {
  const first = await page.goto('/login')
  expectPortalHeaders(first, '/login')
  const again = await request.get('/login')
  expect(again.headers()['content-security-policy']).not.toBe(first!.headers()['content-security-policy'])

  const script = await page.evaluate(
    () => document.querySelector<HTMLScriptElement>('script[src*="/_next/static/"]')?.src ?? null,
  )
  expect(script).not.toBeNull()
  const asset = await request.get(script!)
  expect(asset.status()).toBe(200)
  expect(asset.headers()['x-content-type-options']).toBe('nosniff')
  expect(asset.headers()['x-frame-options']).toBe('DENY')

  // Next's inline scripts carry this response's nonce.
  const nonce = /'nonce-([^']+)'/.exec(first!.headers()['content-security-policy']!)![1]
  const inline = await page.evaluate(() =>
    [...document.querySelectorAll('script:not([src])')].map((element) => (element as HTMLScriptElement).nonce),
  )
  expect(inline.length).toBeGreaterThan(0)
  expect(inline.every((value) => value === nonce)).toBe(true)
})

test('the not-found page is rendered per request too, so its scripts carry the nonce', async ({ page }) => {
  const problems = await collectProblems(page, async () => {
    const response = await page.goto('/no-such-page')
    expect(response?.status()).toBe(404)
    expectPortalHeaders(response, '/no-such-page')
    await expect(page.getByText('could not be found')).toBeVisible()
  })
  expect(problems.filter((problem) => !problem.includes('404'))).toEqual([])
})

test('every main page works under the CSP without console errors or violations', async ({ page, request }) => {
  // A user and a log record of the seeded IdP, so their pages have something to show.
  const userName = `headers-${Math.random().toString(36).slice(2, 8)}@contoso.example`
  const created = await request.post(`/scim/v2/enterprise-idps/${providerId}/Users`, {
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    data: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName,
      active: true,
      emails: [{ value: userName, primary: true }],
    },
  })
  expect(created.status()).toBe(201)
  const userId = (await created.json()).id as string

  const problems = await collectProblems(page, async () => {
    await page.goto('/login')
    await page.getByLabel('Email').fill(admin.email)
    await page.getByLabel('Password').fill(admin.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()

    for (const url of [
      '/dashboard',
      '/idps',
      `/idps/${providerId}`,
      `/idps/${providerId}/tokens`,
      `/idps/${providerId}/attributes`,
      `/idps/${providerId}/guide`,
      '/users',
      `/users/${userId}`,
      '/logs',
      '/audit',
      '/operators',
      '/account',
    ]) {
      const response = await page.goto(url)
      expect(response?.status(), url).toBe(200)
      expectPortalHeaders(response, url)
      await expect(page.locator('main h1').first(), url).toBeVisible()
    }

    // Client-side navigation and a server action, both needing the nonce-bearing scripts to have run.
    await page.goto('/logs')
    await page.getByTestId('log-row').filter({ hasText: userName }).getByRole('link').first().click()
    await expect(page.getByTestId('log-url')).toContainText(`/Users`)
  })
  expect(problems).toEqual([])
})

test('an admin rotates a token with an overlap, and finds it in the audit log', async ({ page }) => {
  const problems = await collectProblems(page, async () => {
    await page.goto('/login')
    await page.getByLabel('Email').fill(admin.email)
    await page.getByLabel('Password').fill(admin.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()

    await page.goto(`/idps/${providerId}/tokens`)
    const seeded = page.getByTestId('token-row').filter({ hasText: 'e2e' })
    await expect(seeded).toContainText('used last')
    await page.getByLabel('Old token keeps working for').selectOption('3')
    await page.getByRole('button', { name: 'Rotate token' }).click()
    await expect(page.getByTestId('one-time-secret')).toContainText('before the overlap ends')
    const secret = (await page.getByTestId('secret-value').textContent())!.trim()
    expect(secret).toMatch(/^ttscim_/)
    await expect(page.getByTestId('token-row')).toHaveCount(2)
    await expect(page.getByTestId('token-row').filter({ hasText: 'replaced by' })).toHaveCount(1)
    await expect(page.getByTestId('token-row').filter({ hasText: 'replaces' })).toHaveCount(1)

    await page.goto('/audit')
    await expect(page.getByTestId('audit-row').filter({ hasText: 'token.rotate' }).first()).toContainText(admin.email)
    await page.getByLabel('Action').fill('token.')
    await page.getByRole('button', { name: 'Filter' }).click()
    await expect(page).toHaveURL(/action=token\./)
    const rows = page.getByTestId('audit-row')
    await expect(rows.filter({ hasText: 'token.rotate' })).toHaveCount(1)
    for (const text of await rows.allTextContents()) expect(text).toMatch(/token\.(create|rotate|revoke)/)
  })
  const csv = await page.request.get('/audit/export/csv?action=token.rotate')
  expect(csv.status()).toBe(200)
  expect(csv.headers()['content-disposition']).toMatch(/attachment; filename="audit-log-/)
  const lines = (await csv.text()).trim().split('\n')
  expect(lines).toHaveLength(2)
  expect(lines[1]).toContain('token.rotate')
  expect(problems).toEqual([])
})
