/**
 * Fills a database with directory-sized data, generated inside the database (generate_series, INSERT … SELECT):
 *   npm run seed:scale -- --users 1000000 --requests 10000000 [--database-url postgresql://…] [--days 60]
 * Three IdPs (Scale Entra with --users users, Scale Okta and Scale Generic with 2 % of that each; earlier scale
 * IdPs are removed first), users with realistic core and enterprise attributes and a custom attribute, and
 * --requests provisioning log rows over the last --days days across operations, statuses and IdPs, with
 * request and response bodies. Secondary indexes of the two big tables are dropped during the load and built
 * again after it (much faster than maintaining them row by row). Without --database-url: the embedded database
 * in DATA_DIR (slow past 100,000 users). Values are functions of the user's number: see scripts/scale-data.ts.
 */
import { parseArgs } from 'node:util'
import {
  SCALE_DOMAINS,
  SCALE_IDP_NAMES,
  DEPARTMENTS,
  FAMILY_NAMES,
  GIVEN_NAMES,
  TITLES,
  sqlArray,
  sqlAscii,
  sqlUuid,
} from './scale-data'

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    requests: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '60' },
    batch: { type: 'string', default: '200000' },
    'database-url': { type: 'string' },
  },
})
const userCount = Number(values.users)
const requestCount = Number(values.requests)
const days = Number(values.days)
const batch = Number(values.batch)
if (![userCount, requestCount, days, batch].every((n) => Number.isInteger(n) && n >= 0) || batch === 0) {
  console.error('Usage: npm run seed:scale -- --users N --requests N [--days 60] [--database-url URL]')
  process.exit(2)
}
if (values['database-url']) process.env.DATABASE_URL = values['database-url']
// Each batch is one long statement: no statement time limit for the seed.
process.env.DATABASE_STATEMENT_TIMEOUT_MS = '0'

const { closeDatabase, databaseReady, getDb } = await import('../lib/db/client')
const { CLI_ACTOR } = await import('../lib/services/audit')
const { createIdentityProvider } = await import('../lib/services/identity-providers')
const { addCustomAttribute } = await import('../lib/services/custom-attributes')
const { createToken } = await import('../lib/services/tokens')

await databaseReady()
const db = getDb()
const run = (sql: string) => db.$executeRawUnsafe(sql)
const started = performance.now()
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`

// ---- IdPs --------------------------------------------------------------------------------------------------
await run(`DELETE FROM "IdentityProvider" WHERE name IN (${SCALE_IDP_NAMES.map((name) => `'${name}'`).join(',')})`)
const sizes = [userCount, Math.floor(userCount * 0.02), Math.floor(userCount * 0.02)]
const starts = sizes.map((_, i) => 1 + sizes.slice(0, i).reduce((a, b) => a + b, 0))
const providers = []
for (const [i, name] of SCALE_IDP_NAMES.entries()) {
  providers.push(await createIdentityProvider(CLI_ACTOR, { name, kind: i === 0 ? 'entra' : i === 1 ? 'okta' : 'generic' }))
}
await addCustomAttribute(CLI_ACTOR, { providerId: providers[0]!.id, name: 'JobCode', type: 'string' })
const providerIds = providers.map((provider) => provider.id)
// Authenticated log rows name the token that sent them, as the server's do.
const tokenIds: string[] = []
for (const id of providerIds) tokenIds.push((await createToken(CLI_ACTOR, { providerId: id, label: 'seed:scale' })).token.id)
console.log(`IdPs: ${SCALE_IDP_NAMES.map((name, i) => `${name} ${providerIds[i]} (${sizes[i]} users)`).join(', ')}`)

/** Secondary indexes (not backing a constraint) of a table: dropped for the load, created again after it. */
async function dropSecondaryIndexes(table: string): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<Array<{ name: string; definition: string }>>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition FROM pg_index x
     JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     WHERE t.relname = '${table}' AND t.relnamespace = current_schema()::regnamespace
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)`,
  )
  // Printed first, so an interrupted seed leaves the way back on screen.
  for (const row of rows) console.log(`  (will rebuild) ${row.definition}`)
  for (const row of rows) await run(`DROP INDEX "${row.name}"`)
  return rows.map((row) => row.definition)
}

async function rebuild(definitions: string[]) {
  for (const definition of definitions) await run(definition)
}

// ---- users -------------------------------------------------------------------------------------------------
const given = `(${sqlArray(GIVEN_NAMES)})[1 + g % ${GIVEN_NAMES.length}]`
const family = `(${sqlArray(FAMILY_NAMES)})[1 + (g * 7) % ${FAMILY_NAMES.length}]`
const userNameSql = (domain: string) => `${sqlAscii(given)} || '.' || ${sqlAscii(family)} || '.' || g || '@${domain}'`

async function seedUsers(idp: number) {
  const domain = SCALE_DOMAINS[idp]!
  for (let from = starts[idp]!; from < starts[idp]! + sizes[idp]!; from += batch) {
    const to = Math.min(from + batch, starts[idp]! + sizes[idp]!) - 1
    await run(`
      INSERT INTO "User" (id, "providerId", "externalId", "userName", "userNameLower", "displayName", "givenName", "familyName",
        "primaryEmail", "emailValues", active, resource, "customAttributes", version, source, "scimManaged", "createdAt", "updatedAt")
      SELECT ${sqlUuid("'user' || g")}, '${providerIds[idp]}', ${sqlUuid("'ext' || g")}::text, un, un, gn || ' ' || fn, gn, fn, un,
        ARRAY[un, other], active,
        jsonb_build_object(
          'userName', un, 'externalId', ${sqlUuid("'ext' || g")}::text, 'active', active, 'displayName', gn || ' ' || fn,
          'name', jsonb_build_object('givenName', gn, 'familyName', fn, 'formatted', gn || ' ' || fn),
          'title', title,
          'emails', jsonb_build_array(jsonb_build_object('type', 'work', 'primary', true, 'value', un),
                                      jsonb_build_object('type', 'other', 'value', other)),
          'phoneNumbers', jsonb_build_array(jsonb_build_object('type', 'work', 'value', '+1 555 ' || lpad((g % 10000)::text, 4, '0'))),
          'preferredLanguage', (ARRAY['en-US', 'de-DE', 'fr-FR', 'ja-JP'])[1 + g % 4],
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', jsonb_build_object(
            'employeeNumber', (100000 + g)::text, 'department', department, 'costCenter', 'CC-' || (1000 + g % 250),
            'organization', 'TraffiTech', 'division', (ARRAY['EMEA', 'Americas', 'APAC'])[1 + g % 3],
            'manager', jsonb_build_object('value', ${sqlUuid(`'user' || greatest(${starts[idp]}, g - 1 - g % 20)`)}::text))),
        ${idp === 0 ? `jsonb_build_object('JobCode', 'JC-' || lpad((g % 500)::text, 3, '0'))` : `'{}'::jsonb`},
        1 + g % 5, 'scim', true, created, created + (random() * (now() - created))
      FROM (
        SELECT g, ${given} AS gn, ${family} AS fn, lower(${userNameSql(domain)}) AS un,
          ${sqlAscii(given)} || g || '@mail.example' AS other, g % 20 <> 0 AS active,
          (${sqlArray(TITLES)})[1 + g % ${TITLES.length}] AS title, (${sqlArray(DEPARTMENTS)})[1 + (g / 7) % ${DEPARTMENTS.length}] AS department,
          (now() - interval '${days + 30} days') + (interval '${days + 30} days') * ((g - ${starts[idp]})::float / ${Math.max(1, sizes[idp]!)}) AS created
        FROM generate_series(${from}, ${to}) g
      ) s`)
    console.log(`  users ${to - starts[idp]! + 1}/${sizes[idp]} of ${SCALE_IDP_NAMES[idp]} (${elapsed()})`)
  }
}

const userIndexes = await dropSecondaryIndexes('User')
for (let idp = 0; idp < sizes.length; idp++) await seedUsers(idp)
await rebuild(userIndexes)
// Statistics now, not when autovacuum gets to it: the planner walks the wrong index until then (0.4 s a lookup).
await run('ANALYZE "User"')
console.log(`users done: ${sizes.reduce((a, b) => a + b, 0)} (${elapsed()})`)

// ---- the provisioning log -----------------------------------------------------------------------------------
const pidArray = `ARRAY[${providerIds.map((id) => `'${id}'::uuid`).join(',')}]`
const tokenArray = `ARRAY[${tokenIds.map((id) => `'${id}'::uuid`).join(',')}]`
const startArray = `ARRAY[${starts.join(',')}]`
const sizeArray = `ARRAY[${sizes.map((size) => Math.max(1, size)).join(',')}]`
const domainArray = sqlArray(SCALE_DOMAINS)
const agents = sqlArray(['Azure Active Directory SCIM Client', 'Okta SCIM Client 1.0.0', 'python-requests/2.32.3'])
const uuid7 = `(lpad(to_hex(floor(extract(epoch from t) * 1000)::bigint), 12, '0') || '7' || substr(md5(r::text), 1, 3) || '8' || substr(md5(r::text), 4, 15))::uuid`

async function seedRequests() {
  const spanSeconds = days * 86_400
  for (let from = 1; from <= requestCount; from += batch) {
    const to = Math.min(from + batch - 1, requestCount)
    await run(`
      INSERT INTO "ProvisioningRequest" (id, "createdAt", "providerId", "tokenId", method, path, query, status, "durationMs", operation,
        "userId", "userName", "userEmail", "requestBody", "responseBody", "discardedAttributes", "compatRules", changes,
        "scimType", "errorDetail", "clientIp", "userAgent", "repeatCount")
      SELECT ${uuid7}, t, pid, CASE WHEN op = 'auth_failure' THEN NULL ELSE (${tokenArray})[idp + 1] END, method, path, query, status, duration, op::"RequestOperation",
        CASE WHEN op IN ('discovery', 'list', 'auth_failure') OR (op = 'error' AND status <> 404) THEN NULL ELSE uid END,
        CASE WHEN op IN ('discovery', 'list', 'auth_failure') THEN NULL ELSE un END,
        CASE WHEN op IN ('discovery', 'list', 'auth_failure') THEN NULL ELSE un END,
        CASE WHEN method IN ('POST', 'PUT') THEN user_json::text
             WHEN method = 'PATCH' THEN '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"' ||
               CASE op WHEN 'deactivate' THEN 'active","value":"False"' WHEN 'reactivate' THEN 'active","value":"True"' ELSE 'title","value":"Senior Engineer"' END || '}]}'
             ELSE NULL END,
        CASE WHEN status >= 400 THEN '{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"' || status || '"' ||
               CASE WHEN scim_type IS NULL THEN '' ELSE ',"scimType":"' || scim_type || '"' END || ',"detail":"' || detail || '"}'
             WHEN op = 'read' THEN '{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"startIndex":1,"itemsPerPage":1,"Resources":[' || user_json::text || ']}'
             WHEN op = 'list' THEN '{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":' || size || ',"startIndex":1,"itemsPerPage":100,"Resources":[…]}'
             WHEN op = 'discovery' THEN '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],"patch":{"supported":true},"filter":{"supported":true,"maxResults":200}}'
             WHEN status = 204 THEN NULL
             ELSE user_json::text END,
        CASE WHEN op = 'create' AND xs > 0.9 THEN ARRAY['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName'] ELSE ARRAY[]::text[] END,
        CASE WHEN op = 'update' AND xs > 0.8 THEN ARRAY['entra-boolean-strings'] ELSE ARRAY[]::text[] END,
        CASE WHEN op = 'update' AND status = 200 THEN '[{"attribute":"title","old":"Engineer","new":"Senior Engineer"}]'::jsonb
             WHEN op IN ('deactivate', 'reactivate') THEN jsonb_build_array(jsonb_build_object('attribute', 'active', 'old', op = 'deactivate', 'new', op <> 'deactivate'))
             ELSE NULL END,
        scim_type, CASE WHEN status >= 400 THEN detail END,
        '10.' || (xi * 255)::int || '.' || (xu * 255)::int || '.' || (r % 250 + 1), (${agents})[idp + 1],
        CASE WHEN status IN (401, 429) AND xs < 0.2 THEN 2 + (r % 40) ELSE 1 END
      FROM (
        SELECT *,
          CASE op WHEN 'create' THEN 'POST' WHEN 'link' THEN 'POST' WHEN 'delete' THEN 'DELETE' WHEN 'read' THEN 'GET' WHEN 'list' THEN 'GET'
                  WHEN 'discovery' THEN 'GET' WHEN 'auth_failure' THEN 'GET' WHEN 'error' THEN (ARRAY['POST', 'PATCH', 'GET', 'PUT'])[1 + r % 4]
                  ELSE 'PATCH' END AS method,
          '/scim/v2/enterprise-idps/' || pid || CASE WHEN op IN ('update', 'deactivate', 'reactivate', 'delete') THEN '/Users/' || uid
                  WHEN op = 'discovery' THEN '/ServiceProviderConfig' ELSE '/Users' END AS path,
          CASE WHEN op = 'read' THEN 'filter=userName+eq+%22' || replace(un, '@', '%40') || '%22'
               WHEN op = 'list' THEN 'startIndex=' || (1 + (r % 100) * 100) || '&count=100' ELSE '' END AS query,
          (4 + 40 * xs * xs * xs)::numeric(8, 2)::float AS duration,
          jsonb_build_object('schemas', jsonb_build_array('urn:ietf:params:scim:schemas:core:2.0:User'), 'id', uid, 'userName', un,
            'externalId', ${sqlUuid("'ext' || g")}::text, 'active', op <> 'deactivate', 'displayName', 'User ' || g,
            'emails', jsonb_build_array(jsonb_build_object('type', 'work', 'primary', true, 'value', un)),
            'meta', jsonb_build_object('resourceType', 'User', 'version', 'W/"' || (1 + r % 5) || '"')) AS user_json
        FROM (
          SELECT *,
            CASE WHEN op = 'create' AND xs < 0.03 THEN 409 WHEN op = 'create' THEN 201 WHEN op = 'link' THEN 200
                 WHEN op = 'update' AND xs < 0.02 THEN 404 WHEN op = 'delete' AND xs < 0.05 THEN 404 WHEN op = 'delete' THEN 204
                 WHEN op = 'auth_failure' THEN 401
                 WHEN op = 'error' THEN (ARRAY[400, 400, 400, 400, 400, 400, 404, 404, 405, 415, 429, 429, 500, 503, 400, 400, 412, 413, 400, 404])[1 + r % 20]
                 ELSE 200 END AS status,
            CASE WHEN op = 'create' AND xs < 0.03 THEN 'uniqueness' WHEN op = 'error' AND r % 20 < 6 THEN (ARRAY['invalidValue', 'invalidSyntax', 'invalidFilter', 'invalidPath', 'noTarget', 'mutability'])[1 + r % 6] END AS scim_type,
            CASE WHEN op = 'create' AND xs < 0.03 THEN 'A user with these unique attributes already exists.'
                 WHEN op = 'auth_failure' THEN 'The bearer token is missing, unknown, revoked or expired.'
                 WHEN op = 'update' OR op = 'delete' THEN 'User not found.'
                 ELSE (ARRAY['The attribute emails[0].value must be a string.', 'The filter cannot be parsed at position 12.', 'Too many requests: retry after 1 s.', 'The service is busy: retry later.'])[1 + r % 4] END AS detail,
            (${pidArray})[idp + 1] AS pid, ${sqlUuid("'user' || g")} AS uid, (${sizeArray})[idp + 1] AS size,
            lower(${sqlAscii(given)} || '.' || ${sqlAscii(family)} || '.' || g || '@' || (${domainArray})[idp + 1]) AS un
          FROM (
            SELECT *, (${startArray})[idp + 1] + floor(xu * (${sizeArray})[idp + 1])::int AS g
            FROM (
              SELECT r, xs, xi, xu,
                now()::timestamp(3) - make_interval(secs => ${spanSeconds} * (1 - (r - 0.5) / ${requestCount})) AS t,
                CASE WHEN xi < 0.9 THEN 0 WHEN xi < 0.95 THEN 1 ELSE 2 END AS idp,
                CASE WHEN xo < 0.40 THEN 'read' WHEN xo < 0.55 THEN 'create' WHEN xo < 0.80 THEN 'update' WHEN xo < 0.84 THEN 'deactivate'
                     WHEN xo < 0.85 THEN 'reactivate' WHEN xo < 0.88 THEN 'delete' WHEN xo < 0.89 THEN 'link' WHEN xo < 0.91 THEN 'list'
                     WHEN xo < 0.94 THEN 'discovery' WHEN xo < 0.98 THEN 'error' ELSE 'auth_failure' END AS op
              FROM (SELECT r, random() AS xo, random() AS xi, random() AS xs, random() AS xu FROM generate_series(${from}, ${to}) r) draws
            ) picked
          ) numbered
        ) named
      ) shaped`)
    console.log(`  log rows ${to}/${requestCount} (${elapsed()})`)
  }
}

if (requestCount > 0) {
  const requestIndexes = await dropSecondaryIndexes('ProvisioningRequest')
  await seedRequests()
  await rebuild(requestIndexes)
  // The dashboard reads hourly counts that the app writes with each log batch; seeded rows bypass it.
  await run(`DELETE FROM "RequestCountHourly"`)
  await run(`INSERT INTO "RequestCountHourly" ("providerId", "hour", "statusClass", "requests")
    SELECT "providerId", date_trunc('hour', "createdAt"), "status" / 100, sum("repeatCount")::int
    FROM "ProvisioningRequest" WHERE "providerId" IS NOT NULL GROUP BY 1, 2, 3`)
}
// A steady-state database: autovacuum would have set the visibility map, which index-only scans (counts, deep
// pages) depend on; right after a bulk load they read the heap instead and take ten times as long.
await run('VACUUM (ANALYZE) "User"')
await run('VACUUM (ANALYZE) "ProvisioningRequest"')
console.log(`seeded ${sizes.reduce((a, b) => a + b, 0)} users and ${requestCount} log rows in ${elapsed()}`)
await closeDatabase()
