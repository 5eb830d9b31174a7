import { beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { databaseReady } from '@/lib/db/client'
import { listAuditEvents } from '@/lib/db/audit-events'
import { FieldError, formDataToObject, runAdminAction } from './admin-action'
import { NotFoundError } from '@/lib/services/errors'

const admin = { id: '00000000-0000-4000-8000-000000000001', email: 'admin@action.test', role: 'admin' as const }
const support = { id: '00000000-0000-4000-8000-000000000002', email: 'support@action.test', role: 'support' as const }
const schema = z.object({ name: z.string().min(1, 'Name is required.') })

beforeAll(async () => {
  await databaseReady()
})

describe('runAdminAction', () => {
  it('refuses without a session and never runs the use case', async () => {
    let ran = false
    const state = await runAdminAction(null, { role: 'support', schema }, async () => void (ran = true), { name: 'x' })
    expect(state).toMatchObject({ ok: false, message: expect.stringMatching(/sign in/i) })
    expect(ran).toBe(false)
  })

  it('refuses support staff an admin action, and audits the denial', async () => {
    let ran = false
    const state = await runAdminAction(support, { role: 'admin', schema }, async () => void (ran = true), { name: 'x' })
    expect(state).toEqual({ ok: false, message: 'You do not have permission to do this.' })
    expect(ran).toBe(false)
    const events = await listAuditEvents({ take: 50 })
    expect(events.find((event) => event.action === 'portal.denied' && event.targetId === support.id)).toMatchObject({
      actor: support.email,
      targetType: 'operator',
      details: { role: 'support', required: 'admin' },
    })
  })

  it('returns zod errors by field', async () => {
    const state = await runAdminAction(admin, { role: 'admin', schema }, async () => {}, { name: '' })
    expect(state.fieldErrors).toEqual({ name: ['Name is required.'] })
  })

  it('writes no audit event itself for an action that succeeds or fails: the use cases own them', async () => {
    const ofAdmin = async () => (await listAuditEvents({ take: 10_000 })).filter((event) => event.actor === admin.email)
    const before = (await ofAdmin()).length
    expect(
      await runAdminAction(admin, { role: 'admin', schema }, async (input) => ({ message: `done ${input.name}` }), {
        name: 'thing',
      }),
    ).toEqual({
      ok: true,
      message: 'done thing',
    })
    await runAdminAction(
      admin,
      { role: 'admin', schema },
      async () => {
        throw new NotFoundError('No such thing.')
      },
      { name: 'x' },
    )
    await runAdminAction(admin, { role: 'admin', schema }, async () => {}, { name: '' })
    expect((await ofAdmin()).length).toBe(before)
  })

  it('refuses a NUL character or a lone surrogate in any field, naming the field, before the use case runs', async () => {
    let ran = false
    const handler = async () => void (ran = true)
    const lenient = z.object({ name: z.string(), tags: z.array(z.string()).optional() })
    expect(await runAdminAction(admin, { role: 'admin', schema: lenient }, handler, { name: 'a\u0000b' })).toEqual({
      ok: false,
      message: 'Check the highlighted fields.',
      fieldErrors: { name: ["'name' contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored."] },
    })
    const surrogate = await runAdminAction(admin, { role: 'admin', schema: lenient }, handler, {
      name: 'ok',
      tags: ['fine', 'x\ud800'],
    })
    expect(surrogate.fieldErrors).toEqual({ tags: [expect.stringContaining("'tags' contains")] })
    expect(ran).toBe(false)
    // A correctly paired surrogate (an emoji) is ordinary text.
    expect(
      await runAdminAction(admin, { role: 'admin', schema: lenient }, handler, { name: 'party \ud83c\udf89' }),
    ).toMatchObject({ ok: true })
    expect(ran).toBe(true)
  })

  it('turns known failures into messages and field errors', async () => {
    expect(
      await runAdminAction(
        admin,
        { role: 'admin', schema },
        async () => {
          throw new NotFoundError('No such thing.')
        },
        { name: 'x' },
      ),
    ).toEqual({ ok: false, message: 'No such thing.' })
    expect(
      await runAdminAction(
        admin,
        { role: 'admin', schema },
        async () => {
          throw new FieldError('name', 'Taken.')
        },
        { name: 'x' },
      ),
    ).toEqual({ ok: false, message: 'Taken.', fieldErrors: { name: ['Taken.'] } })
  })
})

describe('formDataToObject', () => {
  it('turns repeated keys into arrays', () => {
    const form = new FormData()
    form.append('scopes', 'users:read')
    form.append('scopes', 'users:write')
    form.append('label', 'x')
    expect(formDataToObject(form)).toEqual({ scopes: ['users:read', 'users:write'], label: 'x' })
  })
})
