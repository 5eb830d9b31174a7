import { describe, expect, it } from 'vitest'
import { CompatLog, compatRules, type CompatRule } from './compat'
import {
  CUSTOM_URN,
  entraCreateUser,
  entraCreateWithCustomExtension,
  referenceCreateWithStringTrue,
} from '@/test/fixtures/entra-patch-bodies'
import { ENTERPRISE_USER_URN } from './schema/user'
import { testSchema } from '@/test/fixtures/user-schema'
import type { UserResource } from './schema/read-value'
import { readUserInput } from './user-input'
import { expectScimError } from '@/test/support/scim-error'

const schema = testSchema

function read(body: unknown) {
  const compat = new CompatLog()
  const result = readUserInput(body, schema, compat)
  return { ...result, rules: compat.list() }
}

describe('readUserInput: Entra POST bodies (docs/entra-behaviour.md §4, §6)', () => {
  it('reads the full Entra create body: meta and schemas ignored, empty roles tolerated, values kept as sent', () => {
    const { resource, discarded, rules } = read(entraCreateUser)
    expect(resource).toEqual({
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
      active: true,
      displayName: 'Test User',
      title: 'Engineer',
      emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      phoneNumbers: [
        { type: 'work', value: '+1 (425) 555-0100' },
        { type: 'mobile', value: '425.555.0101' },
      ],
      [ENTERPRISE_USER_URN]: { employeeNumber: 'E-1001', department: 'Traffic' },
    })
    expect(discarded).toEqual([])
    expect(rules).toEqual([])
  })

  it('reads the reference "string True" body: active and primary coerced', () => {
    const { resource, rules } = read(referenceCreateWithStringTrue)
    expect(resource.active).toBe(true)
    expect(resource.emails).toEqual([{ primary: true, type: 'work', value: 'emp1@contoso.com' }])
    expect(resource.roles).toEqual([{ primary: true, type: 'WindowsAzureActiveDirectoryRole', display: 'Admin', value: 'Admin' }])
    expect(rules).toContain(compatRules.stringBoolean)
  })

  it('reads a custom extension object missing from schemas; unregistered attributes are discarded', () => {
    const { resource, discarded, rules } = read(entraCreateWithCustomExtension)
    expect(resource[schema.extensionUrn]).toEqual({ JobCode: 'JC-7' })
    expect(discarded).toEqual([`${CUSTOM_URN}:RegionID`])
    expect(rules).toContain(compatRules.extensionNotInSchemas)
  })

  it('does not report extensionNotInSchemas when the extension is listed', () => {
    const { rules } = read({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER_URN],
      userName: 'a',
      [ENTERPRISE_USER_URN]: { department: 'x' },
    })
    expect(rules).not.toContain(compatRules.extensionNotInSchemas)
  })

  it('defaults active to true and removes empty values', () => {
    const { resource } = read({ userName: 'a', displayName: '', nickName: null, name: {}, emails: [], roles: [] })
    expect(resource).toEqual({ userName: 'a', active: true })
  })

  it('never stores password, id, meta or schemas, and does not list them as discarded', () => {
    const { resource, discarded } = read({ id: 'x', meta: { created: 'now' }, schemas: [], password: 'secret', userName: 'a' })
    expect(resource).toEqual({ userName: 'a', active: true })
    expect(discarded).toEqual([])
  })
})

type Case = { name: string; body: Record<string, unknown>; expected: UserResource; rules?: CompatRule[]; discarded?: string[] }

const cases: Case[] = [
  {
    name: 'attribute names in another case',
    body: { USERNAME: 'a', DisplayName: 'A' },
    expected: { userName: 'a', displayName: 'A', active: true },
    rules: [compatRules.attributeNameCase],
  },
  {
    name: 'URN-qualified top-level key',
    body: { userName: 'a', [`${ENTERPRISE_USER_URN}:employeeNumber`]: '42' },
    expected: { userName: 'a', active: true, [ENTERPRISE_USER_URN]: { employeeNumber: '42' } },
    rules: [compatRules.urnKeyInPathlessValue],
  },
  {
    name: 'dotted keys merge with a name object',
    body: { userName: 'a', name: { familyName: 'F' }, 'name.givenName': 'G' },
    expected: { userName: 'a', active: true, name: { familyName: 'F', givenName: 'G' } },
    rules: [compatRules.dottedKeyInPathlessValue],
  },
  {
    name: 'plain-name custom attribute, coerced to its type',
    body: { userName: 'a', JobCode: 'X', level: '3', Contractor: 'False' },
    expected: { userName: 'a', active: true, [schema.extensionUrn]: { JobCode: 'X', Level: 3, Contractor: false } },
    rules: [compatRules.plainNameCustomAttribute, compatRules.numericString, compatRules.stringBoolean],
  },
  {
    name: 'custom attributes under a foreign extension URN',
    body: { userName: 'a', 'urn:ietf:params:scim:schemas:extension:acme:2.0:User': { JobCode: 'X' } },
    expected: { userName: 'a', active: true, [schema.extensionUrn]: { JobCode: 'X' } },
    rules: [compatRules.foreignExtensionUrn, compatRules.extensionNotInSchemas],
  },
  {
    name: 'unknown attributes discarded by the name sent',
    body: {
      userName: 'a',
      CostCode: 'C',
      'urn:ietf:params:scim:schemas:extension:acme:2.0:User:RegionID': 'EU',
      name: { givenName: 'G', nick: 'n' },
      [ENTERPRISE_USER_URN]: { employeeNumber: '1', badge: 'b' },
    },
    expected: { userName: 'a', active: true, name: { givenName: 'G' }, [ENTERPRISE_USER_URN]: { employeeNumber: '1' } },
    discarded: [
      'CostCode',
      'urn:ietf:params:scim:schemas:extension:acme:2.0:User:RegionID',
      'name.nick',
      `${ENTERPRISE_USER_URN}:badge`,
    ],
  },
  {
    name: 'a single email object and a bare email string',
    body: { userName: 'a', emails: { value: 'a@x.com', type: 'work' }, phoneNumbers: '+1 555' },
    expected: { userName: 'a', active: true, emails: [{ value: 'a@x.com', type: 'work' }], phoneNumbers: [{ value: '+1 555' }] },
    rules: [compatRules.singleValueInArray],
  },
  {
    name: 'manager as a bare string',
    body: { userName: 'a', [ENTERPRISE_USER_URN]: { manager: 'm-1' } },
    expected: { userName: 'a', active: true, [ENTERPRISE_USER_URN]: { manager: { value: 'm-1' } } },
    rules: [compatRules.managerBareString],
  },
  {
    name: 'manager as {value, $ref}; a client displayName (readOnly) is ignored',
    body: { userName: 'a', [ENTERPRISE_USER_URN]: { manager: { value: 'm-1', $ref: '../Users/m-1', displayName: 'Boss' } } },
    expected: { userName: 'a', active: true, [ENTERPRISE_USER_URN]: { manager: { value: 'm-1', $ref: '../Users/m-1' } } },
  },
  {
    name: 'manager {value: ""} means no manager',
    body: { userName: 'a', [ENTERPRISE_USER_URN]: { manager: { value: '' } } },
    expected: { userName: 'a', active: true },
  },
  {
    name: 'unqualified manager at the top level',
    body: { userName: 'a', manager: { value: 'm-1' } },
    expected: { userName: 'a', active: true, [ENTERPRISE_USER_URN]: { manager: { value: 'm-1' } } },
  },
  {
    name: 'active "false" and a numeric userName string',
    body: { userName: 12345, active: 'false' },
    expected: { userName: '12345', active: false },
    rules: [compatRules.stringBoolean],
  },
  {
    name: 'prototype-polluting keys are never written',
    body: JSON.parse(
      '{"userName":"a","__proto__":{"polluted":1},"name":{"__proto__":{"polluted":1}},"constructor":{"prototype":{"polluted":1}}}',
    ),
    expected: { userName: 'a', active: true },
    discarded: ['__proto__', 'name.__proto__', 'constructor'],
  },
]

describe('readUserInput: shapes', () => {
  it.each(cases)('$name', ({ body, expected, rules, discarded }) => {
    const result = read(body)
    expect(result.resource).toEqual(expected)
    if (rules) expect(result.rules).toEqual(expect.arrayContaining(rules))
    expect(result.discarded).toEqual(discarded ?? [])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

const invalid: { name: string; body: unknown; scimType: string; detail: RegExp }[] = [
  { name: 'not an object', body: [], scimType: 'invalidSyntax', detail: /JSON object/ },
  { name: 'a string body', body: 'user', scimType: 'invalidSyntax', detail: /JSON object/ },
  { name: 'no userName', body: { displayName: 'x' }, scimType: 'invalidValue', detail: /userName/ },
  { name: 'blank userName', body: { userName: '   ' }, scimType: 'invalidValue', detail: /userName/ },
  { name: 'displayName as an object', body: { userName: 'a', displayName: {} }, scimType: 'invalidValue', detail: /displayName/ },
  { name: 'emails as a number', body: { userName: 'a', emails: 5 }, scimType: 'invalidValue', detail: /emails/ },
  { name: 'name as a string', body: { userName: 'a', name: 'x' }, scimType: 'invalidValue', detail: /'name'/ },
  { name: 'emails element as a number', body: { userName: 'a', emails: [5] }, scimType: 'invalidValue', detail: /emails/ },
  { name: 'active not a boolean', body: { userName: 'a', active: 'yes' }, scimType: 'invalidValue', detail: /active/ },
  {
    name: 'two primary emails',
    body: {
      userName: 'a',
      emails: [
        { value: 'a', primary: true },
        { value: 'b', primary: 'True' },
      ],
    },
    scimType: 'invalidValue',
    detail: /primary/,
  },
  { name: 'custom integer not a number', body: { userName: 'a', Level: 'high' }, scimType: 'invalidValue', detail: /Level/ },
  {
    name: 'extension not an object',
    body: { userName: 'a', [ENTERPRISE_USER_URN]: 'x' },
    scimType: 'invalidValue',
    detail: /enterprise/,
  },
  {
    name: 'two managers',
    body: { userName: 'a', manager: [{ value: 'a' }, { value: 'b' }] },
    scimType: 'invalidValue',
    detail: /manager/,
  },
]

describe('readUserInput: invalid bodies', () => {
  it.each(invalid)('$name → 400 $scimType', ({ body, scimType, detail }) => {
    const error = expectScimError(() => readUserInput(body, schema, new CompatLog()), 400, scimType)
    expect(error.detail).toMatch(detail)
  })
})
