import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { startReceiver, type TestReceiver } from '../../test/support/webhook-receiver'

/**
 * Webhooks in the portal: an admin registers a webhook to a receiver this test runs on 127.0.0.1 (the e2e
 * server allows private addresses), sends a test event, sees it arrive signed, and finds the delivery and its
 * attempt in the history.
 */

type Credentials = { email: string; password: string }
let admin: Credentials
let receiver: TestReceiver

test.beforeAll(async () => {
  admin = JSON.parse(readFileSync(path.join('e2e/.state', 'admin.json'), 'utf8')) as Credentials
  receiver = await startReceiver()
})

test.afterAll(async () => {
  await receiver.close()
})

test('an admin registers a webhook, sends a test event and sees the delivery in the history', async ({ page }) => {
  await page.goto('/login')
  await page.getByLabel('Email').fill(admin.email)
  await page.getByLabel('Password').fill(admin.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click()
  await page.getByLabel('URL').fill(receiver.url)
  await page.getByLabel('Description').fill('Playwright receiver')
  await page.getByRole('button', { name: 'Register webhook' }).click()
  const secret = (await page.getByTestId('secret-value').textContent())!.trim()
  expect(secret).toMatch(/^whsec_/)
  receiver.secrets.push(secret)

  await page.getByTestId('webhook-table').getByRole('link', { name: receiver.url }).click()
  await expect(page).toHaveURL(/\/webhooks\/[0-9a-f-]{36}$/)
  await expect(page.getByRole('heading', { name: 'Webhook', exact: true })).toBeVisible()
  await page.getByRole('button', { name: 'Send test event' }).click()
  await expect(page.getByText(/Test event evt_[0-9a-f]{32} queued/)).toBeVisible()
  await expect.poll(() => receiver.receipts.length, { timeout: 15_000 }).toBe(1)
  expect(receiver.receipts[0]).toMatchObject({ verified: true, event: { type: 'webhook.test' } })

  // The worker has sent it: the history shows the delivery and its attempt once the page is read again.
  await expect
    .poll(
      async () => {
        await page.reload()
        return page.getByTestId('delivery').filter({ hasText: 'succeeded' }).count()
      },
      { timeout: 15_000 },
    )
    .toBe(1)
  const delivery = page.getByTestId('delivery').first()
  await expect(delivery).toContainText('webhook.test')
  await expect(delivery).toContainText(receiver.receipts[0]!.id)
  await expect(delivery.getByTestId('attempt')).toHaveCount(1)
  await expect(delivery.getByTestId('attempt')).toContainText('204')
  await page.screenshot({ path: 'test-results/screenshots/webhook.png', fullPage: true })

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click()
  await expect(page.getByTestId('webhook-table')).toContainText('100 %')
})
