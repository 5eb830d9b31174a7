/**
 * The floor: the least a SCIM server for Entra's workload can do. Bare node:http, one SQL statement per request,
 * its own table, no logging, no token check beyond a header compare, no validation beyond what the workload
 * needs. `npm run bench` runs the same workload against it and our server and prints the ratio.
 *   tsx scripts/bench-floor.ts --port 3901 [--database-url postgresql://…] [--data-dir ./data-floor]
 * Without --database-url it runs on an embedded PGlite database in --data-dir (a fresh one each start).
 */
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3901' },
    'database-url': { type: 'string' },
    'data-dir': { type: 'string', default: './data-floor' },
    token: { type: 'string', default: 'floor' },
    'pool-size': { type: 'string', default: '10' },
  },
})

type Query = (text: string, params: unknown[]) => Promise<Array<Record<string, unknown>>>

async function openDatabase(): Promise<Query> {
  if (values['database-url']) {
    const { default: pg } = await import('pg')
    const pool = new pg.Pool({ connectionString: values['database-url'], max: Number(values['pool-size']) })
    return async (text, params) => (await pool.query(text, params)).rows
  }
  const { PGlite } = await import('@electric-sql/pglite')
  rmSync(values['data-dir']!, { recursive: true, force: true })
  const db = await PGlite.create(values['data-dir']!)
  return async (text, params) => (await db.query<Record<string, unknown>>(text, params)).rows
}

const query = await openDatabase()
await query('DROP TABLE IF EXISTS floor_users', [])
await query(
  `CREATE TABLE floor_users (
     id uuid PRIMARY KEY, user_name_lower text NOT NULL UNIQUE, external_id text UNIQUE,
     active boolean NOT NULL DEFAULT true, resource jsonb NOT NULL, version int NOT NULL DEFAULT 1,
     created_at timestamptz NOT NULL DEFAULT now())`,
  [],
)
await query('CREATE INDEX floor_users_created ON floor_users (created_at, id)', [])

const CONTENT_TYPE = { 'content-type': 'application/scim+json' }
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User'

function send(res: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body)
  res.writeHead(status, { ...CONTENT_TYPE, 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined)
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)))
      }
    })
    req.on('error', reject)
  })
}

type Row = Record<string, unknown>
const toScim = (row: Row) => ({
  ...(row.resource as object),
  schemas: [USER_SCHEMA],
  id: row.id,
  active: row.active,
  meta: { resourceType: 'User', version: `W/"${String(row.version)}"` },
})
const RETURNING = 'RETURNING id, active, resource, version'

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.headers.authorization !== `Bearer ${values.token}`) return send(res, 401)
  const url = new URL(req.url ?? '/', 'http://floor')
  const [, collection, id] = /^\/scim\/v2\/(Users)(?:\/([^/]+))?$/i.exec(url.pathname) ?? []
  if (!collection) return send(res, 404)
  if (req.method === 'POST' && !id) {
    const body = (await readBody(req)) as Row
    const { schemas: _schemas, active, ...resource } = body
    const rows = await query(
      `INSERT INTO floor_users (id, user_name_lower, external_id, active, resource) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING ${RETURNING}`,
      [randomUUID(), String(body.userName).toLowerCase(), body.externalId ?? null, active !== false, resource],
    )
    return rows[0] ? send(res, 201, toScim(rows[0])) : send(res, 409)
  }
  if (req.method === 'GET' && !id) {
    const filter = url.searchParams.get('filter')
    const count = Math.min(Number(url.searchParams.get('count') ?? 100), 100)
    const startIndex = Math.max(Number(url.searchParams.get('startIndex') ?? 1), 1)
    const userName = filter ? /^userName eq "(.*)"$/.exec(filter)?.[1] : undefined
    if (filter && userName === undefined) return send(res, 400)
    // One statement: the page and the collection's total together.
    const rows = await query(
      userName === undefined
        ? `SELECT id, active, resource, version, (SELECT count(*) FROM floor_users) AS total FROM floor_users
           ORDER BY created_at, id OFFSET $1 LIMIT $2`
        : `SELECT id, active, resource, version, 1 AS total FROM floor_users WHERE user_name_lower = $1`,
      userName === undefined ? [startIndex - 1, count] : [userName.toLowerCase()],
    )
    return send(res, 200, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: rows.length ? Number(rows[0]!.total) : 0,
      startIndex,
      itemsPerPage: rows.length,
      Resources: rows.map(toScim),
    })
  }
  if (!id || !/^[0-9a-f-]{36}$/i.test(id)) return send(res, 404)
  if (req.method === 'PATCH') {
    const body = (await readBody(req)) as { Operations?: Array<{ path?: string; value?: unknown }> }
    let active: boolean | null = null
    const set: Row = {}
    for (const operation of body.Operations ?? []) {
      if (!operation.path) return send(res, 400)
      if (operation.path === 'active') active = String(operation.value).toLowerCase() === 'true'
      else set[operation.path] = operation.value
    }
    const rows = await query(
      `UPDATE floor_users SET resource = resource || $2::jsonb, active = coalesce($3, active), version = version + 1
       WHERE id = $1 ${RETURNING}`,
      [id, set, active],
    )
    return rows[0] ? send(res, 200, toScim(rows[0])) : send(res, 404)
  }
  if (req.method === 'DELETE') {
    const rows = await query('DELETE FROM floor_users WHERE id = $1 RETURNING id', [id])
    return rows[0] ? send(res, 204) : send(res, 404)
  }
  if (req.method === 'GET') {
    const rows = await query('SELECT id, active, resource, version FROM floor_users WHERE id = $1', [id])
    return rows[0] ? send(res, 200, toScim(rows[0])) : send(res, 404)
  }
  return send(res, 405)
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => {
    if (!res.headersSent) send(res, 500)
    else res.destroy()
  })
})
server.keepAliveTimeout = 65_000
server.listen(Number(values.port), '127.0.0.1', () => console.log(`floor listening on http://127.0.0.1:${values.port}`))
process.once('SIGTERM', () => process.exit(0))
process.once('SIGINT', () => process.exit(0))
