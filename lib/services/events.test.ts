import { beforeAll, describe, expect, it } from 'vitest'
import { databaseKind, databaseReady, withTransaction } from '../db/client'
import { eventsSettled } from '../db/events'
import { insertProvider } from '../db/identity-providers'
import { insertUser, type UserRow } from '../db/users'
import { REDACTED } from '../redact'
import { decodeEventCursor, EventCursorError, listEvents, listEventsOfUser, recordUserEvent } from './events'

let providerId: string

beforeAll(async () => {
  await databaseReady()
  providerId = (await insertProvider({ name: 'Events IdP', kind: 'entra' })).id
})

async function newUser(userName: string): Promise<UserRow> {
  return insertUser(providerId, {
    resource: {
      userName,
      externalId: `ext-${userName}`,
      active: true,
      displayName: 'Ada Lovelace',
      title: 'Engineer',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ value: `${userName}@example.com`, type: 'work', primary: true }],
      phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: 'E-42' },
    },
    customAttributes: { costCenter: 'CC-7' },
    source: 'scim',
    scimManaged: true,
  })
}

/** Every event of this test file's IdP, following the cursor from the start. */
async function allEvents(limit = 1000) {
  // Other transactions on the server (other test files) may hold the commit-safe horizon back for a moment.
  await eventsSettled()
  const seen = []
  let after: string | undefined
  for (;;) {
    const page = await listEvents({ after, limit, providerId })
    seen.push(...page.data)
    if (page.data.length === 0) return { events: seen, next: page.next }
    after = page.next
  }
}

describe('user events (the outbox)', () => {
  it('records the event with the change, in the directory shape, with redacted secret-named changes', async () => {
    const user = await withTransaction(async () => {
      const created = await newUser('ada.shape')
      await recordUserEvent('user.created', created, [
        { attribute: 'userName', old: null, new: 'ada.shape' },
        { attribute: 'urn:x:apiSecret', old: null, new: 's3cr3t' },
      ])
      return created
    })
    const [event] = await listEventsOfUser(user.id)
    if (!event) throw new Error('no event recorded')
    expect(event.id).toMatch(/^evt_[0-9a-f]{32}$/)
    expect(event.type).toBe('user.created')
    expect(event.providerId).toBe(providerId)
    expect(new Date(event.createdAt).toISOString()).toBe(event.createdAt)
    expect(event.data.user).toEqual({
      id: user.id,
      providerId,
      externalId: 'ext-ada.shape',
      userName: 'ada.shape',
      email: 'ada.shape@example.com',
      active: true,
      displayName: 'Ada Lovelace',
      givenName: 'Ada',
      familyName: 'Lovelace',
      title: 'Engineer',
      phoneNumbers: [{ value: '+1 555 0100', type: 'work', primary: false }],
      employeeNumber: 'E-42',
      customAttributes: { costCenter: 'CC-7' },
      source: 'scim',
      scimManaged: true,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    })
    expect(event.data.changes[0]).toEqual({ attribute: 'userName', old: null, new: 'ada.shape' })
    expect(event.data.changes[1]).toMatchObject({ old: null, new: REDACTED })
  })

  it('keeps neither the change nor its event when the transaction fails after both were written', async () => {
    let userId = ''
    await expect(
      withTransaction(async () => {
        const user = await newUser('ada.rollback')
        userId = user.id
        await recordUserEvent('user.created', user, [{ attribute: 'userName', old: null, new: user.userName }])
        throw new Error('fails before the commit')
      }),
    ).rejects.toThrow('fails before the commit')
    expect(await listEventsOfUser(userId)).toEqual([])
    const { events } = await allEvents()
    expect(events.some((event) => event.data.user.id === userId)).toBe(false)
  })

  it('records nothing for an update that changed nothing, but always records a link', async () => {
    const user = await newUser('ada.nochange')
    await recordUserEvent('user.updated', user, [])
    expect(await listEventsOfUser(user.id)).toEqual([])
    await recordUserEvent('user.linked', user, [])
    expect((await listEventsOfUser(user.id)).map((event) => event.type)).toEqual(['user.linked'])
  })

  it('pages oldest first: a consumer following next sees each committed event exactly once, in order', async () => {
    const before = await allEvents()
    const users = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        withTransaction(async () => {
          const user = await newUser(`ada.page${i}`)
          await recordUserEvent('user.created', user, [{ attribute: 'userName', old: null, new: user.userName }])
          return user
        }),
      ),
    )
    await eventsSettled()
    const seen = []
    let after = before.next
    for (let page = 0; page < 100; page++) {
      const result = await listEvents({ after, limit: 7, providerId })
      if (result.data.length === 0) {
        expect(result.next).toBe(after)
        break
      }
      seen.push(...result.data)
      after = result.next
    }
    expect(seen.map((event) => event.data.user.id).sort()).toEqual(users.map((user) => user.id).sort())
    expect(new Set(seen.map((event) => event.id)).size).toBe(30)
  })

  it('filters by type', async () => {
    const user = await newUser('ada.types')
    await withTransaction(() => recordUserEvent('user.deactivated', { ...user, active: false }, []))
    await eventsSettled()
    const page = await listEvents({ limit: 1000, providerId, types: ['user.deactivated'] })
    expect(page.data.length).toBeGreaterThan(0)
    expect(page.data.every((event) => event.type === 'user.deactivated')).toBe(true)
  })

  it('refuses a cursor it did not issue', () => {
    for (const bad of [
      '',
      'abc',
      Buffer.from('1.x').toString('base64url'),
      'x'.repeat(100),
      Buffer.from('1.2\u0000').toString('base64url'),
    ]) {
      expect(() => decodeEventCursor(bad), bad).toThrow(EventCursorError)
    }
    expect(decodeEventCursor(Buffer.from('12.34').toString('base64url'))).toEqual({ txid: 12n, seq: 34n })
  })

  it.runIf(databaseKind() === 'postgres')(
    'holds back events behind a transaction still running, so a slow commit is never skipped',
    async () => {
      const start = await allEvents()
      let release!: () => void
      const gate = new Promise<void>((resolve) => (release = resolve))
      let wrote!: () => void
      const written = new Promise<void>((resolve) => (wrote = resolve))
      // The slow transaction writes first (lower seq) and commits last.
      const slow = withTransaction(async () => {
        const user = await newUser('ada.slow')
        await recordUserEvent('user.created', user, [{ attribute: 'userName', old: null, new: user.userName }])
        wrote()
        await gate
      })
      await written
      await withTransaction(async () => {
        const user = await newUser('ada.fast')
        await recordUserEvent('user.created', user, [{ attribute: 'userName', old: null, new: user.userName }])
      })
      const whileRunning = await listEvents({ after: start.next, limit: 1000, providerId })
      expect(whileRunning.data.map((event) => event.data.user.userName)).toEqual([])
      release()
      await slow
      await eventsSettled()
      const after = await listEvents({ after: whileRunning.next, limit: 1000, providerId })
      expect(after.data.map((event) => event.data.user.userName).sort()).toEqual(['ada.fast', 'ada.slow'])
    },
  )
})
