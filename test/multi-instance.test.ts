import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { databaseKind, databaseReady } from '@/lib/db/client'
import { createTestTenant, entraUser, type TestTenant } from './scim-harness'

/**
 * Two server processes on one PostgreSQL, as two instances behind a load balancer: concurrent writes to one
 * user through both all land. PGlite allows one process per database, so this runs on PostgreSQL only.
 */

const onPostgres = Boolean(process.env.DATABASE_URL)
const instances: ChildProcess[] = []
const ports: number[] = []
let tenant: TestTenant

async function startInstance(): Promise<number> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', './scripts/register-server-only.mjs', 'test/support/scim-server.ts'],
    { env: { ...process.env, SCIM_RATE_LIMIT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  instances.push(child)
  const lines = createInterface({ input: child.stdout! })
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`The server process exited early (code ${code}).`)
  })
  const listening = (async () => {
    for await (const line of lines) {
      if (line.startsWith('{')) return (JSON.parse(line) as { port: number }).port
    }
    throw new Error('The server process printed no port.')
  })()
  return Promise.race([listening, exited])
}

beforeAll(async () => {
  if (!onPostgres) return
  await databaseReady()
  expect(databaseKind()).toBe('postgres')
  tenant = await createTestTenant({ customAttributes: Array.from({ length: 32 }, (_, i) => ({ name: `Field${i}` })) })
  ports.push(...(await Promise.all([startInstance(), startInstance()])))
}, 60_000)

afterAll(async () => {
  await Promise.all(
    instances.map(async (child) => {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    }),
  )
})

describe.skipIf(!onPostgres)('two instances on one PostgreSQL', () => {
  it('32 concurrent PATCHes of different attributes, spread over both, all answer 200 and all land', async () => {
    const created = await tenant.request('POST', '/Users', entraUser('two-instances'))
    const urn = 'urn:ietf:params:scim:schemas:extension:traffitech:2.0:User'
    const path = new URL(`${tenant.tenantUrl}/Users/${created.body.id}`).pathname
    const replies = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        fetch(`http://127.0.0.1:${ports[i % 2]}${path}`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/scim+json' },
          body: JSON.stringify({ Operations: [{ op: 'add', path: `${urn}:Field${i}`, value: `value ${i}` }] }),
        }).then(async (response) => ({ status: response.status, body: await response.text() })),
      ),
    )
    expect(replies.filter((reply) => reply.status !== 200)).toEqual([])
    const stored = await tenant.request('GET', `/Users/${created.body.id}`)
    const custom = stored.body[urn] as Record<string, string>
    expect(Object.keys(custom).sort()).toEqual(Array.from({ length: 32 }, (_, i) => `Field${i}`).sort())
    expect(stored.body.meta.version).toBe('W/"33"')
  })
})
