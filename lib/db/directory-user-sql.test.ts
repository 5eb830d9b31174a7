import { beforeAll, describe, expect, it } from 'vitest'
import { toDirectoryUser } from '../services/directory-users'
import { userEventOf } from '../services/events'
import { databaseReady } from './client'
import { directoryUserJsonSql } from './directory'
import { findEventsOfUser } from './events'
import { insertProvider } from './identity-providers'
import { Prisma } from './generated/client'
import { sqlExecute, sqlFirst } from './sql'
import { deleteUserRecordingEvent, findUser, insertUser, type UserRow } from './users'

/**
 * A deletion's event builds its user in SQL (directoryUserJsonSql); every other event and the directory API build
 * it in TypeScript (toDirectoryUser). These hold the two to the same values for every shape a stored resource
 * can take, well-formed or not.
 */

let providerId: string

beforeAll(async () => {
  await databaseReady()
  providerId = (await insertProvider({ name: 'Directory user SQL IdP', kind: 'entra' })).id
})

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

const shapes: Record<string, { resource: Record<string, unknown>; customAttributes: Record<string, unknown> }> = {
  complete: {
    resource: {
      userName: 'ada@example.com',
      externalId: 'ext-ada',
      active: true,
      displayName: 'Ada Lovelace',
      title: 'Engineer',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
      phoneNumbers: [
        { value: '+1 555 0100', type: 'work', primary: true },
        { value: '+1 555 0101' },
        { value: '', type: 'home' },
        { value: 42, type: 'mobile' },
        'not an object',
        ['nor', 'this'],
        { value: '+1 555 0102', type: '', primary: 'true' },
      ],
      [ENTERPRISE]: { employeeNumber: 'E-42' },
    },
    customAttributes: { costCenter: 'CC-7', level: 3, remote: false, tags: ['a', 'b'], nested: { deep: [1, { x: null }] } },
  },
  minimal: { resource: { userName: 'min@example.com', active: false }, customAttributes: {} },
  malformed: {
    resource: {
      userName: 'odd@example.com',
      active: true,
      displayName: '',
      title: 7,
      name: 'Ada',
      phoneNumbers: { value: '+1 555 0100' },
      [ENTERPRISE]: ['E-1'],
    },
    customAttributes: {},
  },
  'unusual text': {
    resource: {
      userName: 'zoë+"quoted"\\back@example.com',
      externalId: '\u2028line\u2029',
      active: true,
      displayName: '😀 \u0301 \t tab',
      name: { givenName: "O'Brien", familyName: '</script>' },
      title: 'x'.repeat(5000),
    },
    customAttributes: { 'Ünïcode name': 'δ', quote: '"' },
  },
}

async function sqlDirectoryUser(userId: string): Promise<unknown> {
  const row = await sqlFirst<{ user: unknown }>(
    Prisma.sql`SELECT ${directoryUserJsonSql('u')} AS "user" FROM "User" u WHERE u."id" = ${userId}::uuid`,
  )
  // The driver may hand json back as text or as a parsed value.
  return typeof row?.user === 'string' ? JSON.parse(row.user) : row?.user
}

let stores = 0

async function stored(name: string, source: 'scim' | 'sso' | 'admin' = 'scim'): Promise<UserRow> {
  const { resource, customAttributes } = shapes[name]!
  // Each stored copy needs a userName and externalId of its own in the IdP.
  const copy = ++stores
  const unique = {
    ...resource,
    userName: `${copy}.${String(resource.userName)}`,
    ...(typeof resource.externalId === 'string' ? { externalId: `${copy}.${resource.externalId}` } : {}),
  }
  const user = await insertUser(providerId, { resource: unique, customAttributes, source, scimManaged: source === 'scim' })
  return (await findUser(providerId, user.id))!
}

describe('the directory user built in SQL', () => {
  for (const name of Object.keys(shapes)) {
    it(`equals toDirectoryUser for a ${name} resource`, async () => {
      const user = await stored(name)
      expect(await sqlDirectoryUser(user.id)).toEqual(toDirectoryUser(user))
    })
  }

  it('writes timestamps as toISOString does, milliseconds included, whatever the source', async () => {
    const user = await stored('minimal', 'sso')
    for (const at of ['2026-01-01T00:00:00.000Z', '1999-12-31T23:59:59.999Z', '2026-07-04T12:34:56.070Z']) {
      await sqlExecute(
        Prisma.sql`UPDATE "User" SET "createdAt" = ${new Date(at)}, "updatedAt" = ${new Date(at)} WHERE "id" = ${user.id}::uuid`,
      )
      const reread = (await findUser(providerId, user.id))!
      expect(await sqlDirectoryUser(user.id)).toEqual(toDirectoryUser(reread))
      expect(toDirectoryUser(reread)).toMatchObject({ createdAt: at, updatedAt: at, source: 'sso', scimManaged: false })
    }
  })

  it('makes a deletion event equal to the one userEventOf builds from the user as it was', async () => {
    const user = await stored('complete')
    const expected = userEventOf('user.deleted', [])(user)!
    const deleted = await deleteUserRecordingEvent(providerId, user.id, {
      id: expected.id,
      type: expected.type,
      createdAt: expected.createdAt,
    })
    expect(deleted?.id).toBe(user.id)
    expect(await findUser(providerId, user.id)).toBeUndefined()
    const [event] = await findEventsOfUser(user.id, 10)
    const payload = typeof event?.payload === 'string' ? JSON.parse(event.payload) : event?.payload
    expect(payload).toEqual(expected.payload)
    expect(Object.keys(payload as object)).toEqual(Object.keys(expected.payload as object))
    expect(event).toMatchObject({ id: expected.id, type: 'user.deleted', providerId, userId: user.id })
  })

  it('deletes nothing and records nothing for a user of another IdP or no user', async () => {
    const user = await stored('minimal')
    const other = (await insertProvider({ name: 'Directory user SQL other IdP', kind: 'entra' })).id
    const head = { id: 'evt_none', type: 'user.deleted', createdAt: new Date() }
    expect(await deleteUserRecordingEvent(other, user.id, head)).toBeUndefined()
    expect(await deleteUserRecordingEvent(providerId, '00000000-0000-4000-8000-000000000000', head)).toBeUndefined()
    expect(await findUser(providerId, user.id)).toBeDefined()
    expect(await findEventsOfUser(user.id, 10)).toEqual([])
  })
})
