import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * Setup and portal-wide settings need a database where no admin exists and nobody else flips settings: on
 * PostgreSQL this file works in a database of its own beside the suite's (other files run in parallel on that
 * one), migrated from scratch like any new installation.
 */
const baseUrl = process.env.DATABASE_URL

let modules: {
  portalAuth: typeof import('./portal-auth')
  operatorsDb: typeof import('@/lib/db/operators')
  audit: typeof import('@/lib/db/audit-events')
  client: typeof import('@/lib/db/client')
  passwords: typeof import('./passwords')
  errors: typeof import('./errors')
}

beforeAll(async () => {
  if (baseUrl) {
    const url = new URL(baseUrl)
    const name = `${url.pathname.slice(1) || 'postgres'}_first_admin`
    const admin = new pg.Client({ connectionString: baseUrl })
    await admin.connect()
    await admin.query(`DROP DATABASE IF EXISTS "${name}"`)
    await admin.query(`CREATE DATABASE "${name}"`)
    await admin.end()
    url.pathname = `/${name}`
    process.env.DATABASE_URL = url.toString()
  }
  modules = {
    client: await import('@/lib/db/client'),
    portalAuth: await import('./portal-auth'),
    operatorsDb: await import('@/lib/db/operators'),
    audit: await import('@/lib/db/audit-events'),
    passwords: await import('./passwords'),
    errors: await import('./errors'),
  }
  await modules.client.databaseReady()
})

afterAll(async () => {
  await modules?.client.closeDatabase()
  if (baseUrl) process.env.DATABASE_URL = baseUrl
})

const input = (index: number) => ({ email: `first-${index}@setup.test`, password: 'a long admin passphrase' })

describe('first-admin setup', () => {
  it('compares any input safely, and expires after an hour', async () => {
    const { issueSetupToken, setupTokenMatches, createFirstAdmin, SetupTokenError } = modules.portalAuth
    const t0 = new Date()
    const token = (await issueSetupToken(t0))!
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(await setupTokenMatches(token, t0)).toBe(true)
    for (const wrong of [
      '',
      'é'.repeat(43),
      '😀'.repeat(30),
      `${token}x`,
      token.slice(1),
      '\u0000',
      '\ud800',
      'x'.repeat(1_000_000),
    ]) {
      expect(await setupTokenMatches(wrong, t0)).toBe(false)
    }
    expect(await setupTokenMatches(undefined, t0)).toBe(false)
    const later = new Date(t0.getTime() + 61 * 60_000)
    expect(await setupTokenMatches(token, later)).toBe(false)
    await expect(createFirstAdmin(token, input(0), later)).rejects.toBeInstanceOf(SetupTokenError)
  })

  it('prints a new link at each start while no admin exists; the old one stops working', async () => {
    const { issueSetupToken, setupTokenMatches } = modules.portalAuth
    const first = (await issueSetupToken())!
    const second = (await issueSetupToken())!
    expect(await setupTokenMatches(first)).toBe(false)
    expect(await setupTokenMatches(second)).toBe(true)
  })

  it('creates exactly one admin from concurrent setups, in one transaction with its audit event', async () => {
    const { issueSetupToken, createFirstAdmin, setupTokenMatches } = modules.portalAuth
    const token = (await issueSetupToken())!
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, index) => createFirstAdmin(token, input(index + 1))))
    const created = results.filter((result) => result.status === 'fulfilled')
    expect(created).toHaveLength(1)
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(Error)
      if (result.status === 'rejected') expect(String(result.reason.message)).toMatch(/already exists|not valid/)
    }
    expect(await modules.operatorsDb.countAdmins()).toBe(1)
    // Used up, and no new link once an admin exists.
    expect(await setupTokenMatches(token)).toBe(false)
    expect(await issueSetupToken()).toBeNull()
    const events = await modules.audit.listAuditEvents({ take: 50 })
    expect(events.filter((event) => event.action === 'operator.setup')).toHaveLength(1)
  })

  it('checks the token before anything else', async () => {
    const { createFirstAdmin } = modules.portalAuth
    await expect(createFirstAdmin('whatever', { email: 'x@setup.test', password: 'short' })).rejects.toThrow(/not valid/)
  })
})

describe('require MFA for all operators', () => {
  it('sends an operator without MFA to enrolment right after the password, and reaches signed-in ones too', async () => {
    const { setMfaRequired, signInOperator, resumeSession } = modules.portalAuth
    const password = 'support staff passphrase'
    const operator = await modules.operatorsDb.insertOperator({
      email: 'support@setup.test',
      role: 'support',
      passwordHash: await modules.passwords.hashPassword(password),
    })
    const attempt = { email: operator.email, password, address: '203.0.113.7', userAgent: 'vitest' }
    const before = await signInOperator(attempt)
    expect(before).toMatchObject({ ok: true, state: 'active' })
    await setMfaRequired({ name: 'admin@setup.test' }, true)
    const waiting = await signInOperator(attempt)
    expect(waiting).toMatchObject({ ok: true, state: 'mfa_enrolment' })
    if (!waiting.ok) throw new Error('unreachable')
    if (!before.ok) throw new Error('unreachable')
    expect((await resumeSession(before.sessionId))?.state).toBe('mfa_enrolment')
    const events = await modules.audit.listAuditEvents({ take: 50 })
    expect(events).toContainEqual(
      expect.objectContaining({ action: 'settings.require-mfa', actor: 'admin@setup.test', details: { required: true } }),
    )
    await setMfaRequired({ name: 'admin@setup.test' }, false)
    expect((await resumeSession(before.sessionId))?.state).toBe('active')
    // Whoever was waiting at the enrolment has verified their password and goes on.
    expect((await resumeSession(waiting.sessionId))?.state).toBe('active')
  })
})
