import { beforeAll, describe, expect, it } from 'vitest'
import { ScimError } from '../scim/errors'
import { parseFilter } from '../scim/filter/parse'
import { buildUserSchema, ENTERPRISE_USER_URN } from '../scim/schema/tenant-schema'
import { databaseReady, getDb } from './client'
import { Prisma } from './generated/client'
import { sqlRows } from './sql'
import { compileUserFilter, compileUserSortKey } from './users-filter'

const schema = buildUserSchema({
  extensionName: 'acme',
  customAttributes: [
    { name: 'JobCode', type: 'string' },
    { name: 'Level', type: 'integer' },
    { name: 'Contractor', type: 'boolean' },
    { name: 'StartDate', type: 'dateTime' },
  ],
})
const ACME = schema.extensionUrn
const ENTERPRISE = ENTERPRISE_USER_URN

type Fixture = {
  resource: Prisma.InputJsonObject & { userName: string }
  custom?: Prisma.InputJsonObject
  createdAt: string
}

const BABS = 'BJensen@Example.com'
const JOHN = 'jsmith@contoso.com'
const CONAN = "o'brien"
const PERCENT = 'ops%admin'
const PLAIN = 'opsxadmin'
const everyone = [BABS, JOHN, CONAN, PERCENT, PLAIN]
const except = (...names: string[]) => everyone.filter((name) => !names.includes(name))

const fixtures: Fixture[] = [
  {
    resource: {
      userName: BABS,
      externalId: 'ext-1',
      displayName: 'Babs Jensen',
      name: { givenName: 'Barbara', familyName: 'Jensen', middleName: 'Jane' },
      title: 'Tour Guide',
      active: true,
      emails: [
        { value: BABS, type: 'work', primary: true },
        { value: 'babs@home.org', type: 'home' },
      ],
      phoneNumbers: [{ value: '555-0100', type: 'mobile' }],
      [ENTERPRISE]: { employeeNumber: '701984', department: 'Tour Operations', manager: { value: 'm-1', displayName: 'Boss' } },
    },
    custom: { JobCode: 'J-100', Level: 3, Contractor: false, StartDate: '2020-02-01T09:00:00Z' },
    createdAt: '2024-01-01T00:00:00Z',
  },
  {
    resource: {
      userName: JOHN,
      externalId: 'EXT-2',
      displayName: 'John Smith',
      name: { givenName: 'John', familyName: 'Smith' },
      title: '',
      active: false,
      emails: [{ value: JOHN, type: 'work' }],
      [ENTERPRISE]: { employeeNumber: '42' },
    },
    custom: { JobCode: 'j-200', Level: 10, Contractor: true, StartDate: '2021-07-01T00:00:00+02:00' },
    createdAt: '2024-06-01T12:00:00Z',
  },
  {
    resource: {
      userName: CONAN,
      displayName: "Conan O'Brien",
      emails: [{ value: "O'Brien@Contoso.com", type: 'work' }],
      addresses: [{ type: 'work', locality: 'Dublin', country: 'IE' }],
    },
    custom: { JobCode: 'J-300', Level: 2, StartDate: 'not a date' },
    createdAt: '2025-01-01T00:00:00Z',
  },
  { resource: { userName: PERCENT, emails: [], roles: [{ value: 'admin' }] }, createdAt: '2025-06-01T00:00:00Z' },
  { resource: { userName: PLAIN, name: {} }, createdAt: '2025-06-02T00:00:00Z' },
]

let providerId = ''
let otherProviderId = ''
let babsId = ''

async function createUser(provider: string, fixture: Fixture): Promise<string> {
  const { resource } = fixture
  const emails = (Array.isArray(resource.emails) ? resource.emails : []) as { value: string; primary?: boolean }[]
  const name = (resource.name ?? {}) as { givenName?: string; familyName?: string }
  const user = await getDb().user.create({
    data: {
      providerId: provider,
      userName: resource.userName,
      userNameLower: resource.userName.toLowerCase(),
      externalId: typeof resource.externalId === 'string' ? resource.externalId : null,
      displayName: typeof resource.displayName === 'string' ? resource.displayName : null,
      givenName: name.givenName ?? null,
      familyName: name.familyName ?? null,
      primaryEmail: (emails.find((email) => email.primary) ?? emails[0])?.value ?? null,
      emailValues: emails.map((email) => email.value.toLowerCase()),
      active: resource.active !== false,
      resource,
      customAttributes: fixture.custom ?? {},
      createdAt: new Date(fixture.createdAt),
    },
  })
  return user.id
}

async function matching(filter: string, provider = providerId): Promise<string[]> {
  const condition = compileUserFilter(parseFilter(filter), schema)
  const rows = await sqlRows<{ userName: string }>(
    Prisma.sql`SELECT u."userName" FROM "User" u WHERE u."providerId" = ${provider}::uuid AND ${condition} ORDER BY u."userName"`,
  )
  return rows.map((row) => row.userName).sort()
}

async function sorted(sortBy: string): Promise<string[]> {
  const key = compileUserSortKey(sortBy, schema)
  const rows = await sqlRows<{ userName: string }>(
    Prisma.sql`SELECT u."userName" FROM "User" u WHERE u."providerId" = ${providerId}::uuid ORDER BY ${key} ASC NULLS LAST, u."createdAt"`,
  )
  return rows.map((row) => row.userName)
}

function errorOf(run: () => unknown): ScimError {
  try {
    run()
  } catch (error) {
    if (error instanceof ScimError) return error
    throw error
  }
  throw new Error('expected a ScimError')
}

beforeAll(async () => {
  await databaseReady()
  const db = getDb()
  providerId = (await db.identityProvider.create({ data: { name: 'filter tests' } })).id
  otherProviderId = (await db.identityProvider.create({ data: { name: 'another tenant' } })).id
  const ids = []
  for (const fixture of fixtures) ids.push(await createUser(providerId, fixture))
  babsId = ids[0] ?? ''
  // The same userName in another tenant: the caller's scope keeps it out.
  await createUser(otherProviderId, {
    resource: { userName: BABS.toLowerCase(), emails: [{ value: BABS }] },
    createdAt: '2024-01-01T00:00:00Z',
  })
})

const cases: { filter: string; expected: string[] }[] = [
  // userName: caseExact=false (RFC 7643 §4.1), through the userNameLower column.
  { filter: 'userName eq "bjensen@example.com"', expected: [BABS] },
  { filter: 'userName eq "BJENSEN@EXAMPLE.COM"', expected: [BABS] },
  { filter: 'USERNAME EQ "bjensen@example.com"', expected: [BABS] },
  { filter: 'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "JSmith@Contoso.com"', expected: [JOHN] },
  { filter: 'userName ne "bjensen@example.com"', expected: except(BABS) },
  { filter: 'userName co "SMITH"', expected: [JOHN] },
  { filter: 'userName sw "ops"', expected: [PERCENT, PLAIN] },
  { filter: 'userName ew "@CONTOSO.com"', expected: [JOHN] },
  { filter: 'userName gt "o"', expected: [CONAN, PERCENT, PLAIN] },
  { filter: 'userName lt "c"', expected: [BABS] },
  { filter: 'userName ge "opsxadmin" and userName le "opsxadmin"', expected: [PLAIN] },
  { filter: 'userName pr', expected: everyone },
  // Values are data, never SQL or wildcards.
  { filter: 'userName eq "x\' OR 1=1 --"', expected: [] },
  { filter: 'userName eq "o\'brien"', expected: [CONAN] },
  { filter: 'userName co "%"', expected: [PERCENT] },
  { filter: 'userName sw "ops%"', expected: [PERCENT] },
  { filter: 'userName co "s_a"', expected: [] },
  { filter: 'userName ew "%admin"', expected: [PERCENT] },
  { filter: 'displayName co "\\\\"', expected: [] },
  { filter: 'displayName co "\'"', expected: [CONAN] },
  // externalId is caseExact.
  { filter: 'externalId eq "ext-1"', expected: [BABS] },
  { filter: 'externalId eq "EXT-1"', expected: [] },
  { filter: 'externalId sw "EXT"', expected: [JOHN] },
  { filter: 'externalId pr', expected: [BABS, JOHN] },
  { filter: 'externalId ne "ext-1"', expected: except(BABS) },
  // Columns and JSONB strings, caseExact=false.
  { filter: 'displayName eq "babs jensen"', expected: [BABS] },
  { filter: 'displayName pr', expected: [BABS, JOHN, CONAN] },
  { filter: 'displayName eq null', expected: [PERCENT, PLAIN] },
  { filter: 'displayName ne null', expected: [BABS, JOHN, CONAN] },
  { filter: 'name.givenName eq "BARBARA"', expected: [BABS] },
  { filter: 'name.familyName sw "sm"', expected: [JOHN] },
  { filter: 'name.middleName eq "jane"', expected: [BABS] },
  { filter: 'Name.MiddleName pr', expected: [BABS] },
  { filter: 'name pr', expected: [BABS, JOHN] },
  { filter: 'title eq "tour guide"', expected: [BABS] },
  { filter: 'title pr', expected: [BABS] },
  { filter: 'title ne "Tour Guide"', expected: except(BABS) },
  { filter: 'title co ""', expected: [BABS, JOHN] },
  // Booleans.
  { filter: 'active eq true', expected: except(JOHN) },
  { filter: 'active eq false', expected: [JOHN] },
  { filter: 'active eq "False"', expected: [JOHN] },
  { filter: 'active ne true', expected: [JOHN] },
  // emails.value eq through the emailValues array; everything else through the JSON array.
  { filter: 'emails eq "bjensen@example.com"', expected: [BABS] },
  { filter: 'emails.value eq "BABS@home.org"', expected: [BABS] },
  { filter: 'emails[value eq "o\'brien@contoso.com"]', expected: [CONAN] },
  { filter: 'emails[type eq "work"].value eq "JSMITH@contoso.com"', expected: [JOHN] },
  { filter: 'emails[type eq "home"].value eq "jsmith@contoso.com"', expected: [] },
  { filter: 'emails[type eq "work" and value co "@contoso"]', expected: [JOHN, CONAN] },
  { filter: 'emails[emails.type eq "home"]', expected: [BABS] },
  { filter: 'emails[not (type eq "work")]', expected: [BABS] },
  { filter: 'emails[type eq "home" or primary eq true]', expected: [BABS] },
  { filter: 'emails.type eq "home"', expected: [BABS] },
  { filter: 'emails.primary eq true', expected: [BABS] },
  { filter: 'emails co "CONTOSO"', expected: [JOHN, CONAN] },
  { filter: 'emails ne "jsmith@contoso.com"', expected: except(JOHN) },
  { filter: 'emails pr', expected: [BABS, JOHN, CONAN] },
  { filter: 'emails.value pr', expected: [BABS, JOHN, CONAN] },
  { filter: 'not (emails[type eq "work"])', expected: [PERCENT, PLAIN] },
  { filter: 'phoneNumbers[type eq "mobile"]', expected: [BABS] },
  { filter: 'phoneNumbers.value sw "555"', expected: [BABS] },
  { filter: 'addresses[locality eq "dublin" and country eq "IE"]', expected: [CONAN] },
  { filter: 'addresses.country eq "ie"', expected: [CONAN] },
  { filter: 'roles eq "admin"', expected: [PERCENT] },
  { filter: 'roles pr', expected: [PERCENT] },
  // Enterprise extension (RFC 7643 §4.3).
  { filter: `${ENTERPRISE}:employeeNumber eq "701984"`, expected: [BABS] },
  { filter: `${ENTERPRISE}:employeeNumber eq 42`, expected: [JOHN] },
  { filter: `${ENTERPRISE}:department co "operations"`, expected: [BABS] },
  { filter: `${ENTERPRISE}:manager.value eq "m-1"`, expected: [BABS] },
  { filter: `${ENTERPRISE}:manager eq "m-1"`, expected: [BABS] },
  { filter: `${ENTERPRISE}:manager pr`, expected: [BABS] },
  { filter: `${ENTERPRISE}:manager[displayName eq "boss"]`, expected: [BABS] },
  { filter: `${ENTERPRISE}:employeeNumber pr`, expected: [BABS, JOHN] },
  // Custom attributes, typed by their registered type.
  { filter: `${ACME}:JobCode eq "j-100"`, expected: [BABS] },
  { filter: 'JobCode sw "J-"', expected: [BABS, JOHN, CONAN] },
  { filter: 'urn:ietf:params:scim:schemas:extension:Other:2.0:User:Level eq 10', expected: [JOHN] },
  { filter: `${ACME}.Level pr`, expected: [BABS, JOHN, CONAN] },
  { filter: `${ACME}:Level gt 2`, expected: [BABS, JOHN] },
  { filter: `${ACME}:Level ge 3 and ${ACME}:Level lt 10`, expected: [BABS] },
  { filter: `${ACME}:Level le "2"`, expected: [CONAN] },
  { filter: `${ACME}:Level ne 3`, expected: except(BABS) },
  { filter: `${ACME}:Contractor eq true`, expected: [JOHN] },
  { filter: `${ACME}:Contractor eq false`, expected: [BABS] },
  // 2021-07-01T00:00:00+02:00 is 2021-06-30T22:00:00Z.
  { filter: `${ACME}:StartDate gt "2021-06-30T21:30:00Z"`, expected: [JOHN] },
  { filter: `${ACME}:StartDate lt "2021-06-30T21:30:00Z"`, expected: [BABS] },
  { filter: `${ACME}:StartDate pr`, expected: [BABS, JOHN, CONAN] },
  // Common attributes: id and meta (RFC 7643 §3.1).
  { filter: 'meta.created lt "2024-01-02"', expected: [BABS] },
  {
    filter: 'meta.created ge "2024-06-01T14:00:00+02:00" and meta.created le "2025-01-01T00:00:00.000Z"',
    expected: [JOHN, CONAN],
  },
  { filter: 'meta.created gt "2025-06-01T00:00:00Z"', expected: [PLAIN] },
  { filter: 'meta.created eq "2025-06-01T00:00:00Z"', expected: [PERCENT] },
  { filter: 'meta.lastModified gt "2000-01-01T00:00:00Z"', expected: everyone },
  { filter: 'id eq "not-a-uuid"', expected: [] },
  { filter: 'id pr', expected: everyone },
  // Logic: and binds tighter than or; not is NULL-safe.
  { filter: 'userName sw "ops" or displayName eq "John Smith" and active eq false', expected: [JOHN, PERCENT, PLAIN] },
  { filter: '(userName sw "ops" or displayName eq "John Smith") and active eq false', expected: [JOHN] },
  { filter: 'not (title eq "Tour Guide")', expected: except(BABS) },
  { filter: 'not (not (title pr))', expected: [BABS] },
  { filter: 'not (userName sw "ops") and not (emails pr)', expected: [] },
  { filter: `not (${ACME}:Level gt 2)`, expected: [CONAN, PERCENT, PLAIN] },
]

describe('compileUserFilter against the database', () => {
  it.each(cases)('$filter', async ({ filter, expected }) => {
    expect(await matching(filter)).toEqual([...expected].sort())
  })

  it('matches id exactly, in any case', async () => {
    expect(await matching(`id eq "${babsId}"`)).toEqual([BABS])
    expect(await matching(`id eq "${babsId.toUpperCase()}"`)).toEqual([BABS])
    expect(await matching(`id ne "${babsId}"`)).toEqual(except(BABS).sort())
  })

  it('stays inside the provider the caller scopes to', async () => {
    expect(await matching('userName eq "bjensen@example.com"', otherProviderId)).toEqual([BABS.toLowerCase()])
    expect(await matching('emails eq "bjensen@example.com"', otherProviderId)).toEqual([BABS.toLowerCase()])
  })

  it('binds every value as a parameter', () => {
    const injected = `x' OR 1=1 --`
    const compiled = compileUserFilter(
      parseFilter(`userName eq "${injected}" or ${ACME}:JobCode co "%'; DROP TABLE \\"User\\""`),
      schema,
    )
    expect(compiled.sql).not.toContain('1=1')
    expect(compiled.sql).not.toContain('DROP')
    expect(compiled.values).toContain(injected.toLowerCase())
  })

  it.each([
    'nope eq "x"',
    'name eq "x"',
    'password eq "secret"',
    'emails.nope eq "x"',
    'emails[nope eq "x"]',
    'emails[value.x eq "x"]',
    'userName[value eq "x"]',
    'emails.value[type eq "work"]',
    'meta.version eq "W/\\"1\\""',
    'schemas eq "x"',
    `${ENTERPRISE}:nope pr`,
    'urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "x"',
    'active gt true',
    'active co "t"',
    'active eq "yes"',
    'title gt null',
    'title sw null',
    `${ACME}:Level co "1"`,
    `${ACME}:Level eq "abc"`,
    `${ACME}:StartDate co "2020"`,
    'meta.created gt "yesterday"',
    'meta.created gt "2024-02-30T00:00:00Z"',
    'meta.created gt 5',
    'x509Certificates.value gt "a"',
  ])('rejects %s with 400 invalidFilter', (filter) => {
    const error = errorOf(() => compileUserFilter(parseFilter(filter), schema))
    expect(error.status).toBe(400)
    expect(error.scimType).toBe('invalidFilter')
  })

  it('uses the indexes for userName and email lookups on a realistically sized tenant', async () => {
    const db = getDb()
    // On a handful of rows any index that starts with providerId is as good; give the planner a real choice.
    const bulk = await db.identityProvider.create({ data: { name: 'index-check' } })
    await db.$executeRaw`
      INSERT INTO "User" ("id", "providerId", "userName", "userNameLower", "emailValues", "resource", "updatedAt")
      SELECT gen_random_uuid(), ${bulk.id}::uuid, 'bulk' || n || '@example.com', 'bulk' || n || '@example.com',
             ARRAY['bulk' || n || '@example.com'], '{}'::jsonb, now()
      FROM generate_series(1, 5000) AS n`
    await db.$executeRaw`ANALYZE "User"`
    const explain = async (filter: string) => {
      const condition = compileUserFilter(parseFilter(filter), schema)
      const plan = await sqlRows<{ 'QUERY PLAN': string }>(
        Prisma.sql`EXPLAIN SELECT u."id" FROM "User" u WHERE u."providerId" = ${bulk.id}::uuid AND ${condition}`,
      )
      return plan.map((row) => row['QUERY PLAN']).join('\n')
    }
    expect(await explain('userName eq "BULK42@example.com"')).toContain('User_providerId_userNameLower_key')
    expect(await explain('emails[type eq "work"].value eq "bulk42@example.com"')).toContain('User_emailValues_idx')
    // The plain form too: the GIN lookup runs first, then the few ids it found are read by id through an index
    // (on a table this small the planner may pick any index that holds id; at scale it is the primary key).
    const plain = await explain('emails.value eq "BULK42@example.com"')
    expect(plain).toContain('User_emailValues_idx')
    expect(plain).toMatch(/(Index|Recheck) Cond: \(id = ANY/)
    expect(plain).not.toContain('Seq Scan on "User" u')
  })
})

describe('compileUserSortKey against the database', () => {
  it.each([
    ['userName', [BABS, JOHN, CONAN, PERCENT, PLAIN]],
    ['meta.created', [BABS, JOHN, CONAN, PERCENT, PLAIN]],
    ['name.familyName', [BABS, JOHN, CONAN, PERCENT, PLAIN]],
    ['emails', [BABS, JOHN, CONAN, PERCENT, PLAIN]],
    [`${ACME}:Level`, [CONAN, BABS, JOHN, PERCENT, PLAIN]],
    ['active', [JOHN, BABS, CONAN, PERCENT, PLAIN]],
    ['title', [JOHN, BABS, CONAN, PERCENT, PLAIN]],
    [`${ENTERPRISE}:manager`, [BABS, JOHN, CONAN, PERCENT, PLAIN]],
    ['roles', [PERCENT, BABS, JOHN, CONAN, PLAIN]],
    ['addresses.locality', [CONAN, BABS, JOHN, PERCENT, PLAIN]],
  ])('sorts by %s', async (sortBy, expected) => {
    expect(await sorted(sortBy)).toEqual(expected)
  })

  // Their order depends on generated ids, timestamps or the collation of mixed case; that they run is the point.
  it.each(['id', 'meta.lastModified', 'externalId', 'displayName', `${ACME}:StartDate`, `${ACME}:Contractor`])(
    'compiles %s',
    async (sortBy) => {
      expect(await sorted(sortBy)).toHaveLength(5)
    },
  )

  it.each(['nope', 'name', 'addresses', 'password', 'meta.version'])('rejects %s with 400 invalidValue', (sortBy) => {
    const error = errorOf(() => compileUserSortKey(sortBy, schema))
    expect(error.status).toBe(400)
    expect(error.scimType).toBe('invalidValue')
  })
})
