import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

/** The webhook commands of the operator CLI, as automation uses them: real processes on a fresh embedded database. */
function admin(dataDir: string, ...args: string[]) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', './scripts/register-server-only.mjs', 'scripts/admin.ts', ...args],
    {
      encoding: 'utf8',
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', NODE_ENV: 'production', WEBHOOK_ALLOW_PRIVATE: 'false' },
    },
  )
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('npm run admin -- webhook', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'traffitech-cli-hooks-'))

  it('creates, lists, disables, enables and rotates a webhook, printing stable JSON and the secret once', () => {
    const { providerId } = JSON.parse(admin(dataDir, 'idp', 'create', '--name', 'Hooks Entra', '--json').stdout)
    const created = admin(
      dataDir,
      'webhook',
      'create',
      '--url',
      'https://93.184.216.34/hooks',
      '--idp',
      providerId,
      '--events',
      'user.created,user.deactivated',
      '--json',
    )
    expect(created.code, created.stderr).toBe(0)
    const { webhookId, secret } = JSON.parse(created.stdout)
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)

    const list = admin(dataDir, 'webhook', 'list', '--json')
    expect(list.code, list.stderr).toBe(0)
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({
        webhookId,
        providerId,
        eventTypes: 'user.created,user.deactivated',
        enabled: true,
        successRate24h: null,
      }),
    ])
    expect(list.stdout).not.toContain(secret)

    expect(JSON.parse(admin(dataDir, 'webhook', 'disable', webhookId, '--json').stdout)).toEqual({ webhookId, enabled: false })
    expect(JSON.parse(admin(dataDir, 'webhook', 'enable', webhookId, '--json').stdout)).toEqual({ webhookId, enabled: true })

    const rotated = admin(dataDir, 'webhook', 'rotate-secret', webhookId, '--overlap-hours', '12', '--json')
    expect(rotated.code, rotated.stderr).toBe(0)
    const rotation = JSON.parse(rotated.stdout)
    expect(rotation.secret).toMatch(/^whsec_/)
    expect(rotation.secret).not.toBe(secret)
    expect(new Date(rotation.previousSecretExpiresAt).getTime()).toBeGreaterThan(Date.now() + 11 * 3_600_000)
  }, 300_000)

  it('refuses private addresses, bad event types and unknown webhooks clearly', () => {
    const privateUrl = admin(dataDir, 'webhook', 'create', '--url', 'http://10.0.0.8/hooks')
    expect(privateUrl.code).toBe(2)
    expect(privateUrl.stderr).toMatch(/private, loopback or link-local address \(set WEBHOOK_ALLOW_PRIVATE=true/)
    const badEvents = admin(dataDir, 'webhook', 'create', '--url', 'https://93.184.216.34/', '--events', 'user.exploded')
    expect(badEvents.code).toBe(2)
    expect(badEvents.stderr).toMatch(/Event types are user.created/)
    const unknown = admin(dataDir, 'webhook', 'disable', '00000000-0000-4000-8000-000000000000')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/No webhook/)
    const noUrl = admin(dataDir, 'webhook', 'create')
    expect(noUrl.code).toBe(2)
    expect(noUrl.stderr).toMatch(/--url is required/)
  }, 300_000)
})
