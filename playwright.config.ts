import { defineConfig } from '@playwright/test'

const port = Number(process.env.E2E_PORT ?? 3100)
// localhost, not 127.0.0.1: WebAuthn accepts only a host name as relying party id (and localhost is a secure context).
const baseURL = `http://localhost:${port}`

/**
 * Two projects: `scim` drives the SCIM API like Entra ID does (no browser); `admin` drives the portal in
 * Debian's Chromium (Playwright cannot download its own browsers here).
 */
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'scim', testMatch: /scim\/.*\.spec\.ts/ },
    {
      name: 'admin',
      testMatch: /admin\/.*\.spec\.ts/,
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
        viewport: { width: 1280, height: 800 },
      },
    },
  ],
  webServer: {
    command: 'bash scripts/e2e-server.sh',
    url: `http://127.0.0.1:${port}/`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
  },
})
