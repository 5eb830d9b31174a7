import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

/** `npm run admin -- apikey …` as automation uses it: a real process on a fresh embedded database. */
function admin(dataDir: string, ...args: string[]) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', './scripts/register-server-only.mjs', 'scripts/admin.ts', ...args],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        DATABASE_URL: '',
        PUBLIC_URL: 'https://scim.example.com',
        NODE_ENV: 'production',
      },
    },
  )
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('npm run admin -- apikey', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'traffitech-cli-apikey-'))

  it('creates, lists and revokes directory API keys, printing stable JSON; the secret is shown once', () => {
    const created = admin(
      dataDir,
      'apikey',
      'create',
      '--label',
      'sign-in service',
      '--scopes',
      'directory:read,events:read,sign-ins:write',
      '--expires-in-days',
      '30',
      '--json',
    )
    expect(created.code, created.stderr).toBe(0)
    const { apiKeyId, apiKey, expiresAt } = JSON.parse(created.stdout)
    expect(Object.keys(JSON.parse(created.stdout))).toEqual(['apiKeyId', 'apiKey', 'expiresAt'])
    expect(apiKey).toMatch(/^ttapi_[A-Za-z0-9_-]{43}$/)
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000)

    const never = JSON.parse(
      admin(dataDir, 'apikey', 'create', '--label', 'forever', '--scopes', 'events:read', '--expires-in-days', '0', '--json')
        .stdout,
    )
    expect(never.expiresAt).toBeNull()

    const list = admin(dataDir, 'apikey', 'list', '--json')
    expect(list.code, list.stderr).toBe(0)
    const listed = JSON.parse(list.stdout)
    expect(listed.find((key: { apiKeyId: string }) => key.apiKeyId === apiKeyId)).toMatchObject({
      label: 'sign-in service',
      scopes: 'directory:read,events:read,sign-ins:write',
      status: 'active',
      createdBy: 'cli',
    })
    expect(list.stdout).not.toContain(apiKey)
    expect(admin(dataDir, 'apikey', 'list').stdout).not.toContain(apiKey)

    const revoked = admin(dataDir, 'apikey', 'revoke', apiKeyId, '--json')
    expect(revoked.code, revoked.stderr).toBe(0)
    expect(JSON.parse(revoked.stdout)).toEqual({ apiKeyId, revoked: true })
    const after = JSON.parse(admin(dataDir, 'apikey', 'list', '--json').stdout)
    expect(after.find((key: { apiKeyId: string }) => key.apiKeyId === apiKeyId).status).toBe('revoked')
  }, 120_000)

  it('refuses bad input clearly', () => {
    const badScope = admin(dataDir, 'apikey', 'create', '--label', 'x', '--scopes', 'directory:write')
    expect(badScope.code).toBe(2)
    expect(badScope.stderr).toMatch(/Unknown scope directory:write/)
    const noLabel = admin(dataDir, 'apikey', 'create', '--scopes', 'events:read')
    expect(noLabel.code).toBe(2)
    expect(noLabel.stderr).toMatch(/--label is required/)
    const unknown = admin(dataDir, 'apikey', 'revoke', crypto.randomUUID())
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/No API key/)
  }, 120_000)
})
