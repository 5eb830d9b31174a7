import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getSqlRunner } from '@/lib/db/client'
import { eventsSettled } from '@/lib/db/events'
import { insertUser } from '@/lib/db/users'
import { CLI_ACTOR } from '@/lib/services/audit'
import { listEvents, type UserEvent } from '@/lib/services/events'
import { clearUserAttribute, setUserActive } from '@/lib/services/portal-users'
import { createTestTenant, entraUser, type TestTenant } from './scim-harness'

// Every change SCIM makes to a user writes its event in the same transaction; a change that does not commit
// leaves no event, and an event never describes a change that did not commit.

let tenant: TestTenant

const sql = (text: string, values: unknown[] = []) => getSqlRunner()(text, values)

beforeAll(async () => {
  tenant = await createTestTenant()
  // A test-only trigger fails the event insert for chosen users: the failure lands after the user write and
  // before the commit, which is exactly where an outbox without a shared transaction would lose or invent one.
  await sql(`CREATE TABLE IF NOT EXISTS "TestDoomedEvent" ("userName" text PRIMARY KEY)`)
  await sql(
    `CREATE OR REPLACE FUNCTION test_fail_doomed_event() RETURNS trigger AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM "TestDoomedEvent" d WHERE d."userName" = NEW.payload->'data'->'user'->>'userName') THEN
          RAISE EXCEPTION 'event insert failed on purpose';
        END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`,
  )
  await sql(`DROP TRIGGER IF EXISTS test_fail_doomed_event ON "UserEvent"`)
  await sql(
    `CREATE TRIGGER test_fail_doomed_event BEFORE INSERT ON "UserEvent" FOR EACH ROW EXECUTE FUNCTION test_fail_doomed_event()`,
  )
})

afterAll(async () => {
  await sql(`DROP TRIGGER IF EXISTS test_fail_doomed_event ON "UserEvent"`)
})

async function eventsOfTenant(): Promise<UserEvent[]> {
  // Other transactions on the server (other test files) may hold the commit-safe horizon back for a moment.
  await eventsSettled()
  const seen: UserEvent[] = []
  let after: string | undefined
  for (;;) {
    const page = await listEvents({ after, limit: 500, providerId: tenant.providerId })
    if (page.data.length === 0) return seen
    seen.push(...page.data)
    after = page.next
  }
}

async function eventsOf(userId: string) {
  return (await eventsOfTenant()).filter((event) => event.data.user.id === userId)
}

const patch = (...Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations })

describe('user events from SCIM', () => {
  it('follows a whole Entra lifecycle, one event per change, in order', async () => {
    const created = await tenant.request('POST', '/Users', entraUser('life'))
    expect(created.status).toBe(201)
    const id = created.body.id as string
    expect((await tenant.request('PATCH', `/Users/${id}`, patch({ op: 'Replace', path: 'title', value: 'Lead' }))).status).toBe(
      200,
    )
    // Entra repeats values it already sent: nothing changes, nothing is recorded.
    expect((await tenant.request('PATCH', `/Users/${id}`, patch({ op: 'Replace', path: 'title', value: 'Lead' }))).status).toBe(
      200,
    )
    expect((await tenant.request('PATCH', `/Users/${id}`, patch({ op: 'Replace', path: 'active', value: 'False' }))).status).toBe(
      200,
    )
    expect((await tenant.request('PATCH', `/Users/${id}`, patch({ op: 'Replace', value: { active: 'True' } }))).status).toBe(200)
    expect((await tenant.request('PUT', `/Users/${id}`, entraUser('life', { displayName: 'Renamed' }))).status).toBe(200)
    expect((await tenant.request('DELETE', `/Users/${id}`)).status).toBe(204)

    const events = await eventsOf(id)
    expect(events.map((event) => event.type)).toEqual([
      'user.created',
      'user.updated',
      'user.deactivated',
      'user.reactivated',
      'user.updated',
      'user.deleted',
    ])
    const [create, update, deactivate, reactivate, put, remove] = events
    expect(create?.data.user).toMatchObject({ userName: 'userlife@contoso.example', employeeNumber: 'Elife', source: 'scim' })
    expect(create?.data.changes).toContainEqual({ attribute: 'userName', old: null, new: 'userlife@contoso.example' })
    expect(update?.data.changes).toEqual([{ attribute: 'title', old: 'Engineer', new: 'Lead' }])
    expect(deactivate?.data.user.active).toBe(false)
    expect(deactivate?.data.changes).toEqual([{ attribute: 'active', old: true, new: false }])
    expect(reactivate?.data.user.active).toBe(true)
    expect(put?.data.changes).toContainEqual({ attribute: 'displayName', old: 'User life', new: 'Renamed' })
    // A deletion carries the user as it was.
    expect(remove?.data.user).toMatchObject({ id, displayName: 'Renamed', active: true })
    expect(new Set(events.map((event) => event.id)).size).toBe(6)
  })

  it('records a link when SCIM takes over an account made at sign-in, keeping its id', async () => {
    const sso = await insertUser(tenant.providerId, {
      resource: { userName: 'linkme@contoso.example', externalId: 'ext-linkme', active: true },
      customAttributes: {},
      source: 'sso',
      scimManaged: false,
    })
    const posted = await tenant.request('POST', '/Users', entraUser('linkme', { userName: 'linkme@contoso.example' }))
    expect(posted.status).toBe(201)
    expect(posted.body.id).toBe(sso.id)
    const events = await eventsOf(sso.id)
    expect(events.map((event) => event.type)).toEqual(['user.linked'])
    expect(events[0]?.data.user).toMatchObject({ source: 'sso', scimManaged: true, title: 'Engineer' })
  })

  it('keeps neither user nor event when the event cannot be written (create)', async () => {
    await sql(`INSERT INTO "TestDoomedEvent" VALUES ('userdoomed1@contoso.example')`)
    const posted = await tenant.request('POST', '/Users', entraUser('doomed1'))
    expect(posted.status).toBe(500)
    const { rows } = await sql(`SELECT count(*)::int AS n FROM "User" WHERE "providerId" = $1::uuid AND "userName" = $2`, [
      tenant.providerId,
      'userdoomed1@contoso.example',
    ])
    expect(rows[0]?.n).toBe(0)
    expect((await eventsOfTenant()).some((event) => event.data.user.userName === 'userdoomed1@contoso.example')).toBe(false)
  })

  it('keeps neither the change nor an event when the event cannot be written (PATCH, PUT, DELETE)', async () => {
    const created = await tenant.request('POST', '/Users', entraUser('doomed2'))
    expect(created.status).toBe(201)
    const id = created.body.id as string
    await sql(`INSERT INTO "TestDoomedEvent" VALUES ('userdoomed2@contoso.example')`)
    expect((await tenant.request('PATCH', `/Users/${id}`, patch({ op: 'Replace', path: 'active', value: false }))).status).toBe(
      500,
    )
    expect((await tenant.request('PUT', `/Users/${id}`, entraUser('doomed2', { title: 'Changed' }))).status).toBe(500)
    expect((await tenant.request('DELETE', `/Users/${id}`)).status).toBe(500)
    const stored = await tenant.request('GET', `/Users/${id}`)
    expect(stored.status).toBe(200)
    expect(stored.body).toMatchObject({ active: true, title: 'Engineer' })
    expect(stored.body.meta.version).toBe(created.body.meta.version)
    expect((await eventsOf(id)).map((event) => event.type)).toEqual(['user.created'])
  })

  it('writes exactly one event per committed change under concurrent PATCHes of one user', async () => {
    const created = await tenant.request('POST', '/Users', entraUser('race'))
    const id = created.body.id as string
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        tenant.request('PATCH', `/Users/${id}`, patch({ op: 'Replace', path: 'displayName', value: `Name ${i}` })),
      ),
    )
    expect(replies.every((reply) => reply.status === 200)).toBe(true)
    const updates = (await eventsOf(id)).filter((event) => event.type === 'user.updated')
    expect(updates).toHaveLength(12)
    // Each event's old value is the previous event's new value: the order is the order of the writes.
    for (let i = 1; i < updates.length; i++) {
      expect(updates[i]?.data.changes[0]?.old).toBe(updates[i - 1]?.data.changes[0]?.new)
    }
  })

  it("records the portal's changes too: deactivate, reactivate and clearing a value", async () => {
    const created = await tenant.request('POST', '/Users', entraUser('portal'))
    const id = created.body.id as string
    await setUserActive(CLI_ACTOR, id, false)
    await setUserActive(CLI_ACTOR, id, true)
    await clearUserAttribute(CLI_ACTOR, id, 'title')
    const events = await eventsOf(id)
    expect(events.map((event) => event.type)).toEqual(['user.created', 'user.deactivated', 'user.reactivated', 'user.updated'])
    expect(events[3]?.data.changes).toEqual([{ attribute: 'title', old: 'Engineer', new: null }])
  })
})
