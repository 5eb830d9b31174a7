/**
 * The SCIM hot path in process, without HTTP: Entra's workload (create, lookup by userName, PATCH, list, delete)
 * through dispatchScim on an in-memory PGlite, printing wall and CPU time per operation. For comparing two
 * checkouts on one machine (run each, in both orders):
 *   tsx --import ./scripts/register-server-only.mjs scripts/bench-scim-inprocess.ts [--users 1000]
 * A benchmark, not a test: it prints figures and asserts nothing.
 */
import { parseArgs } from 'node:util'

Object.assign(process.env, { DATA_DIR: 'memory://', NODE_ENV: 'test', PUBLIC_URL: process.env.PUBLIC_URL ?? 'http://scim.bench' })

const { values } = parseArgs({ options: { users: { type: 'string', default: '1000' } } })
const users = Number(values.users)

async function main() {
  const { createTestTenant, entraUser, flushRequestLog } = await import('../test/scim-harness')
  const tenant = await createTestTenant()
  const ids: string[] = []
  const phase = async (name: string, run: (index: number) => Promise<void>) => {
    const cpu = process.cpuUsage()
    const started = performance.now()
    for (let index = 0; index < users; index++) await run(index)
    await flushRequestLog()
    const wall = performance.now() - started
    const used = process.cpuUsage(cpu)
    console.log(
      `${name.padEnd(8)} ${(wall / users).toFixed(3)} ms/op wall, ${((used.user + used.system) / 1000 / users).toFixed(3)} ms/op CPU`,
    )
  }
  await phase('create', async (index) => {
    const reply = await tenant.request('POST', '/Users', entraUser(`bench-${index}`))
    if (reply.status !== 201) throw new Error(`create: ${reply.status}`)
    ids.push(reply.body.id)
  })
  await phase('lookup', async (index) => {
    const filter = encodeURIComponent(`userName eq "${entraUser(`bench-${index}`).userName}"`)
    const reply = await tenant.request('GET', `/Users?filter=${filter}`)
    if (reply.status !== 200 || reply.body.totalResults !== 1) throw new Error(`lookup: ${reply.status}`)
  })
  const patch = (value: unknown) => ({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'Replace', path: 'displayName', value }],
  })
  await phase('patch', async (index) => {
    const reply = await tenant.request('PATCH', `/Users/${ids[index]}`, patch(`Bench ${index} renamed`))
    if (reply.status !== 200 && reply.status !== 204) throw new Error(`patch: ${reply.status}`)
  })
  await phase('list', async (index) => {
    const reply = await tenant.request('GET', `/Users?startIndex=${(index % 10) * 100 + 1}&count=100`)
    if (reply.status !== 200) throw new Error(`list: ${reply.status}`)
  })
  await phase('delete', async (index) => {
    const reply = await tenant.request('DELETE', `/Users/${ids[index]}`)
    if (reply.status !== 204) throw new Error(`delete: ${reply.status}`)
  })
  process.exit(0)
}

void main()
