import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'

/**
 * Passkeys end to end in Chromium with the DevTools virtual authenticator: an operator registers one on the
 * account page (a sensitive action: the password is asked again) and then signs in with it as the second step.
 */

type Credentials = { email: string; password: string }
const admin = (): Credentials => JSON.parse(readFileSync(path.join('e2e/.state', 'admin.json'), 'utf8')) as Credentials

test.describe.configure({ mode: 'serial' })

const run = Math.random().toString(36).slice(2, 8)
const holder: Credentials = { email: `passkey-${run}@e2e.test`, password: '' }

async function submitPassword(page: Page, who: Credentials) {
  await page.goto('/login')
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

async function addVirtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('WebAuthn.enable')
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  })
  return { cdp, authenticatorId }
}

test('an operator registers a passkey on the account page and signs in with it', async ({ browser }) => {
  const adminPage = await (await browser.newContext()).newPage()
  await submitPassword(adminPage, admin())
  await expect(adminPage.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await adminPage.goto('/operators')
  await adminPage.getByLabel('Email').fill(holder.email)
  await adminPage.getByLabel('Role').selectOption('support')
  await adminPage.getByRole('button', { name: 'Add operator' }).click()
  holder.password = (await adminPage.getByTestId('secret-value').textContent())!.trim()
  await adminPage.context().close()

  const context = await browser.newContext()
  const page = await context.newPage()
  // The passkey code is bundled React code: nothing may trip the CSP or fail in the console.
  const consoleErrors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text())
  })
  const { cdp, authenticatorId } = await addVirtualAuthenticator(page)
  await submitPassword(page, holder)
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await page.goto('/account')
  await page.getByLabel('Passkey name').fill('Virtual key')
  await page.getByTestId('add-passkey').click()
  // Adding a passkey is sensitive: a fresh session was verified moments ago, so it goes through at once.
  await expect(page.getByRole('status').filter({ hasText: 'Passkey “Virtual key” added' })).toBeVisible()
  await page.reload()
  await expect(page.getByTestId('passkey-list')).toContainText('Virtual key')
  await expect(page.getByTestId('passkey-list')).toContainText('never used')
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId })
  expect(credentials).toHaveLength(1)

  // Sign out and in again: the password step now leads to the passkey.
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page).toHaveURL(/\/login/)
  await submitPassword(page, holder)
  await expect(page).toHaveURL(/\/mfa/)
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toHaveCount(0)
  // Before the second step nothing else is reachable.
  await page.goto('/account')
  await expect(page).toHaveURL(/\/mfa/)
  await page.getByTestId('use-passkey').click()
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await page.goto('/account')
  await expect(page.getByTestId('passkey-list')).toContainText('last used')
  const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId })
  expect(after.credentials[0]?.signCount).toBeGreaterThan(0)

  // Removal (sensitive too; the passkey sign-in just verified the session).
  await page.getByTestId('passkey-list').getByRole('button', { name: 'Remove' }).click()
  await page.getByRole('button', { name: 'Yes, remove it' }).click()
  // The row goes away with the page's refresh; a reload shows it stays gone.
  await expect(page.getByText('No passkeys yet.')).toBeVisible()
  await page.reload()
  await expect(page.getByTestId('passkey-list')).toHaveCount(0)
  await expect(page.getByText('No passkeys yet.')).toBeVisible()
  expect(consoleErrors).toEqual([])
  await context.close()
})
