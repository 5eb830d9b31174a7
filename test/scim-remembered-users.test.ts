import { beforeAll, describe, expect, it } from 'vitest'
import { deleteUserRecordingEvent, findUser, updateUserIfVersion } from '@/lib/db/users'
import { deletionEventHead } from '@/lib/services/events'
import { createTestTenant, entraUser, type TestTenant } from './scim-harness'

/**
 * A change starts from the row this instance last read or wrote (lib/services/recent-users.ts), skipping its
 * read. Here "another instance" writes the database underneath (lib/db directly, as a second server would):
 * nothing it wrote may be lost or hidden, and no answer may come from the out-of-date row.
 */

let tenant: TestTenant
let n = 0

beforeAll(async () => {
  tenant = await createTestTenant()
})

/** A user this instance has just read (so it remembers it), and the same row as the database holds it. */
async function rememberedUser() {
  const created = await tenant.request('POST', '/Users', entraUser(`remembered-${++n}-${Date.now()}`))
  expect(created.status).toBe(201)
  const id = created.body.id as string
  expect((await tenant.request('GET', `/Users/${id}`)).status).toBe(200)
  return { id, row: (await findUser(tenant.providerId, id))! }
}

/** Another instance changes the user: its own write, version + 1. */
async function writtenElsewhere(row: NonNullable<Awaited<ReturnType<typeof findUser>>>, changes: Record<string, unknown>) {
  const resource = { ...(row.resource as Record<string, unknown>), ...changes }
  const written = await updateUserIfVersion(row, { resource, customAttributes: row.customAttributes as Record<string, unknown> })
  expect(written).toBeDefined()
  return written!
}

const patch = (path: string, value: unknown) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'Replace', path, value }],
})

describe('a change starting from a remembered user', () => {
  it('keeps what another instance wrote since', async () => {
    const { id, row } = await rememberedUser()
    await writtenElsewhere(row, { displayName: 'Written elsewhere' })
    const reply = await tenant.request('PATCH', `/Users/${id}`, patch('title', 'Changed here'))
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({ displayName: 'Written elsewhere', title: 'Changed here', meta: { version: 'W/"3"' } })
    const stored = await findUser(tenant.providerId, id)
    expect(stored!.resource).toMatchObject({ displayName: 'Written elsewhere', title: 'Changed here' })
    expect(stored!.version).toBe(3)
  })

  it('checks If-Match against the stored version, not the remembered one', async () => {
    const { id, row } = await rememberedUser()
    await writtenElsewhere(row, { displayName: 'Version two' })
    const current = await tenant.request('PATCH', `/Users/${id}`, patch('title', 'With the current version'), {
      'if-match': 'W/"2"',
    })
    expect(current.status).toBe(200)
    expect(current.body.meta.version).toBe('W/"3"')
    const outdated = await tenant.request('PATCH', `/Users/${id}`, patch('title', 'With an old version'), {
      'if-match': 'W/"2"',
    })
    expect(outdated.status).toBe(412)
  })

  it('answers a change that changes nothing with the stored user', async () => {
    const { id, row } = await rememberedUser()
    await writtenElsewhere(row, { displayName: 'Set elsewhere' })
    // Setting the title it has is no change, to the remembered row as to the stored one: the answer is the stored user.
    const reply = await tenant.request('PATCH', `/Users/${id}`, patch('title', (row.resource as { title: string }).title))
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({ displayName: 'Set elsewhere', meta: { version: 'W/"2"' } })
    expect((await findUser(tenant.providerId, id))!.version).toBe(2)
  })

  it('answers 404 for a user another instance deleted, and writes nothing', async () => {
    const { id } = await rememberedUser()
    expect(await deleteUserRecordingEvent(tenant.providerId, id, deletionEventHead())).toBeDefined()
    expect((await tenant.request('PATCH', `/Users/${id}`, patch('title', 'Too late'))).status).toBe(404)
    expect((await tenant.request('PUT', `/Users/${id}`, entraUser('too-late'))).status).toBe(404)
    expect(await findUser(tenant.providerId, id)).toBeUndefined()
  })

  it('reports a PUT that takes a userName another user holds as a uniqueness error', async () => {
    const { id } = await rememberedUser()
    const other = await tenant.request('POST', '/Users', entraUser(`taken-${Date.now()}`))
    const reply = await tenant.request('PUT', `/Users/${id}`, {
      ...entraUser('x'),
      userName: other.body.userName,
      externalId: `x-${id}`,
    })
    expect(reply.status).toBe(409)
    expect(reply.body.scimType).toBe('uniqueness')
  })
})
