import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

/** The operator CLI as automation uses it: a real process on a fresh embedded database. */
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

describe('npm run admin', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'traffitech-cli-'))

  it('creates an IdP and a token on a fresh database, printing stable JSON', () => {
    const idp = admin(dataDir, 'idp', 'create', '--name', 'Contoso Entra', '--json')
    expect(idp.code, idp.stderr).toBe(0)
    const { providerId, tenantUrl } = JSON.parse(idp.stdout)
    expect(tenantUrl).toBe(`https://scim.example.com/scim/v2/enterprise-idps/${providerId}`)

    const token = admin(
      dataDir,
      'token',
      'create',
      '--idp',
      providerId,
      '--scopes',
      'users:read',
      '--expires-in-days',
      '30',
      '--json',
    )
    expect(token.code, token.stderr).toBe(0)
    const created = JSON.parse(token.stdout)
    expect(created.token).toMatch(/^ttscim_[A-Za-z0-9_-]{43}$/)
    expect(new Date(created.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000)

    const list = admin(dataDir, 'token', 'list', '--idp', providerId, '--json')
    const [listed] = JSON.parse(list.stdout)
    expect(listed).toMatchObject({ tokenId: created.tokenId, scopes: 'users:read', status: 'active' })
    expect(list.stdout).not.toContain(created.token)
  }, 120_000)

  it('resets an operator MFA, printing stable JSON, and refuses unknown emails clearly', () => {
    const created = admin(dataDir, 'operator', 'create', '--email', 'reset-me@cli.test', '--role', 'support', '--json')
    expect(created.code, created.stderr).toBe(0)
    const reset = admin(dataDir, 'operator', 'reset-mfa', '--email', 'Reset-Me@cli.test', '--json')
    expect(reset.code, reset.stderr).toBe(0)
    expect(JSON.parse(reset.stdout)).toMatchObject({ email: 'reset-me@cli.test', hadMfa: false, endedSessions: 0 })
    const unknown = admin(dataDir, 'operator', 'reset-mfa', '--email', 'nobody@cli.test')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/No operator has the email 'nobody@cli.test'/)
  }, 120_000)

  it('gives tokens a 365-day default lifetime, 0 for never, and rotates with an overlap', () => {
    const { providerId } = JSON.parse(admin(dataDir, 'idp', 'create', '--name', 'Rotation Entra', '--json').stdout)
    const created = admin(dataDir, 'token', 'create', '--idp', providerId, '--json')
    expect(created.code, created.stderr).toBe(0)
    const { tokenId, expiresAt } = JSON.parse(created.stdout)
    const lifetime = new Date(expiresAt).getTime() - Date.now()
    expect(lifetime).toBeGreaterThan(364 * 86_400_000)
    expect(lifetime).toBeLessThanOrEqual(365 * 86_400_000)
    const never = JSON.parse(admin(dataDir, 'token', 'create', '--idp', providerId, '--expires-in-days', '0', '--json').stdout)
    expect(never.expiresAt).toBeNull()

    const rotate = admin(dataDir, 'token', 'rotate', tokenId, '--overlap-days', '2', '--json')
    expect(rotate.code, rotate.stderr).toBe(0)
    const rotated = JSON.parse(rotate.stdout)
    expect(rotated).toMatchObject({ previousTokenId: tokenId, token: expect.stringMatching(/^ttscim_/) })
    const overlap = new Date(rotated.previousExpiresAt).getTime() - Date.now()
    expect(overlap).toBeGreaterThan(86_400_000)
    expect(overlap).toBeLessThanOrEqual(2 * 86_400_000)

    const listed = JSON.parse(admin(dataDir, 'token', 'list', '--idp', providerId, '--json').stdout) as Array<
      Record<string, unknown>
    >
    expect(listed.find((row) => row.tokenId === tokenId)).toMatchObject({
      status: 'active',
      replacedById: rotated.tokenId,
      neverExpires: false,
    })
    expect(listed.find((row) => row.tokenId === rotated.tokenId)).toMatchObject({ status: 'active', rotatedFromId: tokenId })
    expect(listed.find((row) => row.tokenId === never.tokenId)).toMatchObject({ neverExpires: true, expiresAt: null })

    const bad = admin(dataDir, 'token', 'rotate', tokenId, '--overlap-days', 'soon')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--overlap-days must be a whole number of days/)
  }, 120_000)

  it('explains usage errors with exit code 2', () => {
    const result = admin(dataDir, 'token', 'create', '--json')
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--idp is required/)
  }, 30_000)

  it('refuses the embedded database while another process holds it', () => {
    const held = mkdtempSync(path.join(tmpdir(), 'traffitech-held-'))
    writeFileSync(path.join(held, 'traffitech.pid'), String(process.pid))
    const result = admin(held, 'idp', 'list')
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(new RegExp(`in use by process ${process.pid}`))
  }, 30_000)
})
