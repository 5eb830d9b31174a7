import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, test, type Browser, type Page } from '@playwright/test'
import { Secret, TOTP } from 'otpauth'

/**
 * Portal authentication end to end: TOTP enrolment and sign-in, recovery codes, required MFA, sessions that
 * end for real, and redirects that stay on the site. Operators are created through the portal per run, so the
 * seeded admin (used by portal.spec.ts) never gets a second factor.
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

test.describe.configure({ mode: 'serial' })

const run = Math.random().toString(36).slice(2, 8)
const mfaAdmin: Credentials & { secret: string; recoveryCodes: string[] } = {
  email: `mfa-admin-${run}@e2e.test`,
  password: '',
  secret: '',
  recoveryCodes: [],
}
const member: Credentials = { email: `member-${run}@e2e.test`, password: '' }

/** The code an authenticator app shows `stepsAhead` 30-second steps from now (one step of drift is accepted). */
const totp = (secret: string, stepsAhead = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + stepsAhead * 30_000 })

async function submitPassword(page: Page, who: Credentials, path = '/login') {
  await page.goto(path)
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

async function signIn(page: Page, who: Credentials) {
  await submitPassword(page, who)
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page).toHaveURL(/\/login/)
}

async function addOperator(page: Page, email: string, role: 'admin' | 'support') {
  await page.goto('/operators')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Role').selectOption(role)
  await page.getByRole('button', { name: 'Add operator' }).click()
  return (await page.getByTestId('secret-value').textContent())!.trim()
}

async function newPage(browser: Browser) {
  const context = await browser.newContext()
  return context.newPage()
}

test('callbackUrl to another site stays on this one', async ({ page }) => {
  for (const evil of ['//evil.example', '/\\evil.example', 'https://evil.example/']) {
    await page.context().clearCookies()
    await submitPassword(page, admin, `/login?callbackUrl=${encodeURIComponent(evil)}`)
    await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
    expect(new URL(page.url()).origin).toBe(new URL(test.info().project.use.baseURL!).origin)
  }
  // A path of this site is honoured.
  await page.context().clearCookies()
  await submitPassword(page, admin, `/login?callbackUrl=${encodeURIComponent('/idps')}`)
  await expect(page).toHaveURL(/\/idps$/)
})

test('sign-out ends the session: the old cookie is refused afterwards', async ({ page }) => {
  await signIn(page, support)
  const cookies = await page.context().cookies()
  expect(cookies.some((cookie) => cookie.name.endsWith('next-auth.session-token'))).toBe(true)
  await signOut(page)
  await page.context().addCookies(cookies)
  await page.goto('/dashboard')
  await expect(page).toHaveURL(/\/login/)
})

test('a support operator still cannot reach tokens', async ({ page }) => {
  await signIn(page, support)
  expect((await page.goto(`/idps/${providerId}/tokens`))?.status()).toBe(404)
  expect((await page.goto('/operators'))?.status()).toBe(404)
})

test('an operator enrols TOTP and signs in with a code computed from the enrolment secret', async ({ page, browser }) => {
  await signIn(page, admin)
  mfaAdmin.password = await addOperator(page, mfaAdmin.email, 'admin')
  member.password = await addOperator(page, member.email, 'support')

  const own = await newPage(browser)
  await signIn(own, mfaAdmin)
  await own.goto('/account')
  await own.getByRole('link', { name: 'Set up two-factor sign-in' }).click()
  await expect(own.getByRole('img', { name: /QR code/ })).toBeVisible()
  mfaAdmin.secret = (await own.getByTestId('mfa-secret').textContent())!.trim()
  await own.getByLabel('Code from the app').fill('000000')
  await own.getByRole('button', { name: 'Turn on two-factor sign-in' }).click()
  await expect(own.getByText('That code is not correct.').first()).toBeVisible()
  await own.getByLabel('Code from the app').fill(totp(mfaAdmin.secret))
  await own.getByRole('button', { name: 'Turn on two-factor sign-in' }).click()
  await expect(own.getByTestId('one-time-secret')).toContainText('Recovery codes')
  mfaAdmin.recoveryCodes = (await own.getByTestId('secret-value').textContent())!.trim().split(/\s+/)
  expect(mfaAdmin.recoveryCodes).toHaveLength(10)
  await own.goto('/account')
  await expect(own.getByTestId('recovery-codes-left')).toHaveText('10')
  await signOut(own)

  // The password alone is not enough any more.
  await submitPassword(own, mfaAdmin)
  await expect(own).toHaveURL(/\/mfa/)
  expect((await own.goto('/dashboard'))?.url()).toMatch(/\/mfa/)
  // The enrolment used the current step; the app's next code (within the allowed drift) signs in.
  await own.getByLabel('Code').fill(totp(mfaAdmin.secret, 1))
  await own.getByRole('button', { name: 'Verify' }).click()
  await expect(own.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await own.context().close()
})

test('a recovery code works once', async ({ page }) => {
  const code = mfaAdmin.recoveryCodes[0]!
  await submitPassword(page, mfaAdmin)
  await expect(page).toHaveURL(/\/mfa/)
  await page.getByLabel('Code').fill(code)
  await page.getByRole('button', { name: 'Verify' }).click()
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await signOut(page)

  await submitPassword(page, mfaAdmin)
  await expect(page).toHaveURL(/\/mfa/)
  await page.getByLabel('Code').fill(code)
  await page.getByRole('button', { name: 'Verify' }).click()
  await expect(page.getByText('That code is not correct.').first()).toBeVisible()
})

test('a password change ends the other sessions', async ({ browser }) => {
  const first = await newPage(browser)
  const second = await newPage(browser)
  await signIn(first, member)
  await signIn(second, member)
  await first.goto('/account')
  await expect(first.getByTestId('session-row')).toHaveCount(2)
  const next = `member passphrase ${run} renewed`
  await first.getByLabel('Current password').fill(member.password)
  await first.getByLabel('New password', { exact: true }).fill(next)
  await first.getByLabel('New password again').fill(next)
  await first.getByRole('button', { name: 'Change password' }).click()
  await expect(first.getByRole('status')).toContainText('Password changed')
  member.password = next
  await second.goto('/idps')
  await expect(second).toHaveURL(/\/login/)
  await first.goto('/idps')
  await expect(first.getByRole('heading', { name: 'Identity providers' })).toBeVisible()
  await first.context().close()
  await second.context().close()
})

test('an admin requires MFA and a new operator is sent to enrolment', async ({ page, browser }) => {
  await submitPassword(page, mfaAdmin)
  await page.getByLabel('Code').fill(mfaAdmin.recoveryCodes[1]!)
  await page.getByRole('button', { name: 'Verify' }).click()
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await page.goto('/operators')
  await page.getByRole('button', { name: 'Require two-factor sign-in for all operators' }).click()
  await page.getByRole('button', { name: 'Yes, require it' }).click()
  await expect(page.getByTestId('mfa-requirement')).toContainText('Required for every operator')
  const newcomer = { email: `newcomer-${run}@e2e.test`, password: await addOperator(page, `newcomer-${run}@e2e.test`, 'support') }

  const other = await newPage(browser)
  await submitPassword(other, newcomer)
  await expect(other.getByRole('heading', { name: 'Set up two-factor sign-in' })).toBeVisible()
  expect((await other.goto('/dashboard'))?.url()).toMatch(/\/mfa/)
  const secret = (await other.getByTestId('mfa-secret').textContent())!.trim()
  await other.getByLabel('Code from the app').fill(totp(secret))
  await other.getByRole('button', { name: 'Turn on two-factor sign-in' }).click()
  await expect(other.getByTestId('one-time-secret')).toContainText('Recovery codes')
  await other.getByTestId('mfa-continue').click()
  await expect(other.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await other.context().close()

  // Back to optional, so the other suites' operators sign in with a password alone.
  await page.goto('/operators')
  await page.getByRole('button', { name: 'Make two-factor sign-in optional' }).click()
  await page.getByRole('button', { name: 'Yes, make it optional' }).click()
  await expect(page.getByTestId('mfa-requirement')).toContainText('Optional')
})
