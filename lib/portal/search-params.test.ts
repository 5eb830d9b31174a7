import { beforeAll, describe, expect, it } from 'vitest'
import { databaseReady } from '@/lib/db/client'
import { findUsers } from '@/lib/services/portal-users'
import { readAuditFilter } from './audit-filter'
import { readLogFilter } from './log-filter'
import { readUserSearch } from './user-search'

beforeAll(async () => {
  await databaseReady()
})

describe('search parameters PostgreSQL cannot store', () => {
  it('are ignored and reported by name, without echoing them, like any other ignored value', async () => {
    const users = readUserSearch({ q: 'smith\u0000', status: 'active' })
    expect(users.params.q).toBeUndefined()
    expect(users.params.status).toBe('active')
    expect(users.errors).toEqual({
      q: "Ignored: 'q' contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored.",
    })
    // The search runs without the dropped value instead of failing in the database.
    await expect(findUsers(users.params)).resolves.toMatchObject({ page: 1 })

    const log = readLogFilter({ user: ['\udc00x'], method: 'GET' })
    expect(log.params.user).toBeUndefined()
    expect(log.params.method).toBe('GET')
    expect(log.errors.user).toMatch(/^Ignored: 'user' contains/)

    const audit = readAuditFilter({ actor: 'cli', target: 'a\ud83db' })
    expect(audit.params.target).toBeUndefined()
    expect(audit.params.actor).toBe('cli')
    expect(Object.keys(audit.errors)).toEqual(['target'])
  })

  it('are reported even for a parameter the page has no hint for, so an export refuses to run', () => {
    expect(Object.keys(readLogFilter({ after: '\u0000' }).errors)).toEqual(['after'])
  })
})
