import { describe, expect, it } from 'vitest'
import { CompatLog, compatRules, type CompatRule } from '../compat'
import { ScimError } from '../errors'
import { ENTERPRISE_USER_URN } from '../schema/user'
import { testSchema } from '@/test/fixtures/user-schema'
import type { UserResource } from '../schema/read-value'
import * as entra from '@/test/fixtures/entra-patch-bodies'
import { applyPatch } from './index'
import { expectScimError, scimErrorOf } from '@/test/support/scim-error'

const { CUSTOM_URN, patchBody } = entra
const schema = testSchema
const EXT = schema.extensionUrn

/** A stored user as POST would have left it. */
function storedUser(): UserResource {
  return {
    userName: 'babs@contoso.com',
    externalId: 'ext-1',
    active: true,
    displayName: 'Babs',
    name: { givenName: 'Barb', familyName: 'J', middleName: 'M' },
    emails: [
      { value: 'babs@contoso.com', type: 'work', primary: true },
      { value: 'old@contoso.com', type: 'home' },
    ],
    phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
    roles: [{ value: 'Admin', display: 'Administrator', primary: true }, { value: 'User' }],
    [ENTERPRISE_USER_URN]: { employeeNumber: 'E-1', manager: { value: 'mgr-1', $ref: '../Users/mgr-1', displayName: 'Boss' } },
    [EXT]: { JobCode: 'JC-1' },
  }
}

/** A user with no work email, phone or address yet. */
function bareUser(): UserResource {
  return { userName: 'new@contoso.com', active: true }
}

function patch(resource: UserResource, body: unknown) {
  const compat = new CompatLog()
  const result = applyPatch(resource, body, schema, compat)
  return { ...result, rules: compat.list() }
}

function patchError(resource: UserResource, body: unknown): ScimError {
  return scimErrorOf(() => applyPatch(resource, body, schema, new CompatLog()))
}

type Case = {
  name: string
  before?: () => UserResource
  body: unknown
  /** The attributes the patch leaves, compared with the stored user's merged with these (undefined = removed). */
  changes: Record<string, unknown>
  rules?: CompatRule[]
  discarded?: string[]
}

const deactivated = () => ({ ...storedUser(), active: false })

const cases: Case[] = [
  // Removing or clearing `active` keeps the account state, in every dialect: it never reactivates.
  {
    name: 'remove active on a deactivated user',
    before: deactivated,
    body: patchBody({ op: 'remove', path: 'active' }),
    changes: {},
    rules: [compatRules.activeKeptOnRemove],
  },
  {
    name: 'legacy Remove active',
    before: deactivated,
    body: patchBody({ op: 'Remove', path: 'active' }),
    changes: {},
    rules: [compatRules.activeKeptOnRemove],
  },
  {
    name: 'remove ACTIVE in another case',
    before: deactivated,
    body: patchBody({ op: 'remove', path: 'ACTIVE' }),
    changes: {},
    rules: [compatRules.activeKeptOnRemove],
  },
  {
    name: 'remove URN-qualified active',
    before: deactivated,
    body: patchBody({ op: 'remove', path: 'urn:ietf:params:scim:schemas:core:2.0:User:active' }),
    changes: {},
    rules: [compatRules.activeKeptOnRemove],
  },
  {
    name: 'remove active on an active user',
    body: patchBody({ op: 'remove', path: 'active' }),
    changes: {},
    rules: [compatRules.activeKeptOnRemove],
  },
  {
    name: 'replace active with null',
    before: deactivated,
    body: patchBody({ op: 'replace', path: 'active', value: null }),
    changes: {},
    rules: [compatRules.activeKeptOnRemove],
  },
  {
    name: 'path-less replace of active with null',
    before: deactivated,
    body: patchBody({ op: 'replace', value: { active: null } }),
    changes: {},
    rules: [compatRules.activeKeptOnRemove],
  },
  {
    name: 'remove active, then other changes apply',
    before: deactivated,
    body: patchBody({ op: 'remove', path: 'active' }, { op: 'replace', path: 'title', value: 'T' }),
    changes: { title: 'T' },
  },
  // §5 disable / restore.
  {
    name: 'legacy disable: Replace with "False"',
    body: entra.legacyDisable,
    changes: { active: false },
    rules: [compatRules.opNameCase, compatRules.stringBoolean],
  },
  {
    name: 'legacy disable: Replace with "false"',
    body: entra.legacyDisableLowercase,
    changes: { active: false },
    rules: [compatRules.stringBoolean],
  },
  { name: 'flagged disable: replace with false', body: entra.flaggedDisable, changes: { active: false } },
  {
    name: 'restore: Replace with "True"',
    before: () => ({ ...storedUser(), active: false }),
    body: entra.restore,
    changes: { active: true },
    rules: [compatRules.stringBoolean],
  },
  // §5 replace several attributes, legacy and flagged: the same result.
  {
    name: 'legacy: one Replace per attribute',
    body: entra.legacyReplaceSeveral,
    changes: {
      displayName: 'Babs Jensen',
      emails: [
        { value: 'babs@contoso.com', type: 'work', primary: true },
        { value: 'old@contoso.com', type: 'home' },
      ],
      name: { givenName: 'Barbara', familyName: 'Jensen', middleName: 'M' },
      externalId: 'bjensen',
      [ENTERPRISE_USER_URN]: {
        employeeNumber: 'E-2002',
        manager: { value: 'mgr-1', $ref: '../Users/mgr-1', displayName: 'Boss' },
      },
    },
  },
  {
    name: 'aadOptscim062020: path-less replace with dotted and URN keys',
    body: entra.flaggedReplaceSeveral,
    changes: {
      displayName: 'Babs Jensen',
      name: { givenName: 'Barbara', familyName: 'Jensen', middleName: 'M' },
      externalId: 'bjensen',
      [ENTERPRISE_USER_URN]: {
        employeeNumber: 'E-2002',
        manager: { value: 'mgr-1', $ref: '../Users/mgr-1', displayName: 'Boss' },
      },
    },
    rules: [compatRules.dottedKeyInPathlessValue, compatRules.urnKeyInPathlessValue],
  },
  // Filtered paths: update on a hit, create on a miss (Entra), for add and replace.
  {
    name: 'emails[type eq "work"].value with a work email: updated',
    body: patchBody({ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@contoso.com' }),
    changes: {
      emails: [
        { value: 'new@contoso.com', type: 'work', primary: true },
        { value: 'old@contoso.com', type: 'home' },
      ],
    },
  },
  {
    name: 'emails[type eq "work"].value without a work email: created (replace)',
    before: bareUser,
    body: patchBody({ op: 'Replace', path: 'emails[type eq "work"].value', value: 'new@contoso.com' }),
    changes: { emails: [{ type: 'work', value: 'new@contoso.com' }] },
    rules: [compatRules.filteredPathCreatedOnMiss],
  },
  {
    name: 'emails[type eq "work"].value without a work email: created (add)',
    before: bareUser,
    body: patchBody({ op: 'Add', path: 'emails[type eq "work"].value', value: 'new@contoso.com' }),
    changes: { emails: [{ type: 'work', value: 'new@contoso.com' }] },
    rules: [compatRules.filteredPathCreatedOnMiss],
  },
  {
    name: 'phone numbers work/mobile/fax and work address parts created',
    before: bareUser,
    body: entra.phoneNumbersAndAddress,
    changes: {
      phoneNumbers: [
        { type: 'work', value: '+1 (425) 555-0100' },
        { type: 'mobile', value: '425.555.0101' },
        { type: 'fax', value: '425 555 0102' },
      ],
      addresses: [{ type: 'work', postalCode: '98052', locality: 'Redmond' }],
    },
  },
  {
    name: 'addresses[type eq "work"].postalCode updated in place',
    before: () => ({
      ...bareUser(),
      addresses: [
        { type: 'work', postalCode: '1000', country: 'BE' },
        { type: 'home', postalCode: '2000' },
      ],
    }),
    body: patchBody({ op: 'replace', path: 'addresses[type eq "work"].postalCode', value: '98052' }),
    changes: {
      addresses: [
        { type: 'work', postalCode: '98052', country: 'BE' },
        { type: 'home', postalCode: '2000' },
      ],
    },
  },
  {
    name: 'filtered path without sub-attribute merges an object into the match',
    body: patchBody({ op: 'replace', path: 'emails[type eq "home"]', value: { value: 'home@contoso.com', display: 'Home' } }),
    changes: {
      emails: [
        { value: 'babs@contoso.com', type: 'work', primary: true },
        { value: 'home@contoso.com', type: 'home', display: 'Home' },
      ],
    },
  },
  {
    name: 'filtered path without sub-attribute creates on a miss',
    before: bareUser,
    body: patchBody({ op: 'add', path: 'phoneNumbers[type eq "mobile"]', value: { value: '+32 470' } }),
    changes: { phoneNumbers: [{ type: 'mobile', value: '+32 470' }] },
    rules: [compatRules.filteredPathCreatedOnMiss],
  },
  {
    name: 'filter values compare case-insensitively (type is not caseExact)',
    body: patchBody({ op: 'replace', path: 'emails[type eq "WORK"].value', value: 'x@contoso.com' }),
    changes: {
      emails: [
        { value: 'x@contoso.com', type: 'work', primary: true },
        { value: 'old@contoso.com', type: 'home' },
      ],
    },
  },
  {
    name: 'setting primary on one element clears it on the others',
    body: patchBody({ op: 'replace', path: 'emails[type eq "home"].primary', value: 'True' }),
    changes: {
      emails: [
        { value: 'babs@contoso.com', type: 'work', primary: false },
        { value: 'old@contoso.com', type: 'home', primary: true },
      ],
    },
    rules: [compatRules.stringBoolean],
  },
  // Single-valued attributes.
  { name: 'legacy Add nickName', body: entra.legacyAddNickName, changes: { nickName: 'Babs' }, rules: [compatRules.opNameCase] },
  { name: 'flagged add nickName', body: entra.flaggedAddNickName, changes: { nickName: 'Babs' } },
  { name: 'Replace userName', body: entra.replaceUserName, changes: { userName: 'babs.jensen@contoso.com' } },
  {
    name: 'add on a complex attribute merges sub-attributes',
    body: patchBody({ op: 'add', path: 'name', value: { honorificPrefix: 'Dr' } }),
    changes: { name: { givenName: 'Barb', familyName: 'J', middleName: 'M', honorificPrefix: 'Dr' } },
  },
  {
    name: 'path-less replace of a complex attribute replaces only the given sub-attributes (§3.5.2.3)',
    body: patchBody({ op: 'replace', value: { name: { givenName: 'A' } } }),
    changes: { name: { givenName: 'A', familyName: 'J', middleName: 'M' } },
  },
  {
    name: 'SCIM_Null_Update: "" and null clear single-valued attributes',
    before: () => ({ ...storedUser(), title: 'Boss' }),
    body: entra.nullUpdate,
    changes: { displayName: undefined, title: undefined },
    rules: [compatRules.emptyValueClears],
  },
  {
    name: 'replace name.middleName with null clears only it',
    body: patchBody({ op: 'replace', path: 'name.middleName', value: null }),
    changes: { name: { givenName: 'Barb', familyName: 'J' } },
  },
  {
    name: 'a filtered key in a path-less value map',
    before: bareUser,
    body: patchBody({ op: 'replace', value: { 'emails[type eq "work"].value': 'w@contoso.com' } }),
    changes: { emails: [{ type: 'work', value: 'w@contoso.com' }] },
    rules: [compatRules.filteredPathCreatedOnMiss],
  },
  {
    name: "the mapping screen's urn:…:User.attr spelling",
    body: patchBody({ op: 'Replace', path: `${ENTERPRISE_USER_URN}.employeeNumber`, value: 'E-7' }),
    changes: {
      [ENTERPRISE_USER_URN]: { employeeNumber: 'E-7', manager: { value: 'mgr-1', $ref: '../Users/mgr-1', displayName: 'Boss' } },
    },
  },
  {
    name: 'roles[primary eq "True"] with no primary role creates one',
    before: bareUser,
    body: patchBody({ op: 'add', path: 'roles[primary eq "True"].value', value: 'Reader' }),
    changes: { roles: [{ primary: true, value: 'Reader' }] },
    rules: [compatRules.filteredPathCreatedOnMiss, compatRules.stringBoolean],
  },
  // Manager forms.
  {
    name: 'legacy Add manager: one-element array with $ref on the unqualified path',
    before: bareUser,
    body: entra.legacyAddManager,
    changes: {
      [ENTERPRISE_USER_URN]: {
        manager: {
          $ref: 'https://scim.example/Users/26118915-6090-4610-87e4-49d8ca9f808d',
          value: '26118915-6090-4610-87e4-49d8ca9f808d',
        },
      },
    },
    rules: [compatRules.singleValueInArray],
  },
  {
    name: 'validator replace manager with {value}: the old $ref and displayName go',
    body: entra.validatorReplaceManager,
    changes: { [ENTERPRISE_USER_URN]: { employeeNumber: 'E-1', manager: { value: 'mgr-2' } } },
  },
  {
    name: 'manager as a bare string',
    body: entra.bareStringManager,
    changes: { [ENTERPRISE_USER_URN]: { employeeNumber: 'E-1', manager: { value: 'mgr-3' } } },
    rules: [compatRules.managerBareString],
  },
  {
    name: 'validator clears the manager with {value: ""}',
    body: entra.validatorClearManager,
    changes: { [ENTERPRISE_USER_URN]: { employeeNumber: 'E-1' } },
    rules: [compatRules.emptyValueClears],
  },
  {
    name: 'manager.value "" clears the manager',
    body: patchBody({
      op: 'replace',
      path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value',
      value: '',
    }),
    changes: { [ENTERPRISE_USER_URN]: { employeeNumber: 'E-1' } },
  },
  {
    name: 'remove the manager',
    body: patchBody({ op: 'remove', path: `${ENTERPRISE_USER_URN}:manager` }),
    changes: { [ENTERPRISE_USER_URN]: { employeeNumber: 'E-1' } },
  },
  // Custom attributes.
  { name: 'legacy custom attribute by URN path', body: entra.legacyCustomByUrn, changes: { [EXT]: { JobCode: 'JC-9' } } },
  {
    name: 'flagged custom attribute by URN key',
    body: entra.flaggedCustomByUrn,
    changes: { [EXT]: { JobCode: 'JC-9' } },
    rules: [compatRules.urnKeyInPathlessValue],
  },
  {
    name: 'custom attribute by plain name',
    body: entra.customByPlainName,
    changes: { [EXT]: { JobCode: 'JC-9' } },
    rules: [compatRules.plainNameCustomAttribute],
  },
  {
    name: 'custom attributes coerced to their type, in any case',
    body: patchBody({ op: 'replace', value: { level: '7', CONTRACTOR: 'True' } }),
    changes: { [EXT]: { JobCode: 'JC-1', Level: 7, Contractor: true } },
    rules: [compatRules.plainNameCustomAttribute, compatRules.numericString, compatRules.stringBoolean],
  },
  {
    name: 'custom attribute under a foreign extension URN',
    body: patchBody({ op: 'replace', path: 'urn:ietf:params:scim:schemas:extension:acme:2.0:User:JobCode', value: 'JC-5' }),
    changes: { [EXT]: { JobCode: 'JC-5' } },
    rules: [compatRules.foreignExtensionUrn],
  },
  {
    name: 'unregistered custom attributes are discarded, not errors',
    body: entra.unregisteredCustom,
    changes: {},
    discarded: [`${CUSTOM_URN}:RegionID`, 'CostCode'],
  },
  {
    name: 'unknown paths and keys are discarded: members, sub-attributes, path-less keys',
    body: patchBody(
      { op: 'remove', path: 'members[value eq "x"]' },
      { op: 'replace', path: 'name.nick', value: 'n' },
      { op: 'replace', path: 'emails[type eq "work"].label', value: 'n' },
      { op: 'replace', value: { CostCode: 'C', 'bad key!': 1 } },
    ),
    changes: {},
    discarded: ['members[value eq "x"]', 'name.nick', 'emails[type eq "work"].label', 'CostCode', 'bad key!'],
  },
  {
    name: 'bare extension URN path with an object value',
    body: patchBody({ op: 'replace', path: ENTERPRISE_USER_URN, value: { department: 'Traffic', employeeNumber: 'E-9' } }),
    changes: {
      [ENTERPRISE_USER_URN]: {
        employeeNumber: 'E-9',
        department: 'Traffic',
        manager: { value: 'mgr-1', $ref: '../Users/mgr-1', displayName: 'Boss' },
      },
    },
  },
  {
    name: 'path-less value with an extension object keyed by URN',
    body: patchBody({
      op: 'add',
      value: { [ENTERPRISE_USER_URN]: { department: 'Traffic' }, [CUSTOM_URN]: { JobCode: 'JC-3', RegionID: 'r' } },
    }),
    changes: {
      [ENTERPRISE_USER_URN]: {
        employeeNumber: 'E-1',
        department: 'Traffic',
        manager: { value: 'mgr-1', $ref: '../Users/mgr-1', displayName: 'Boss' },
      },
      [EXT]: { JobCode: 'JC-3' },
    },
    discarded: [`${EXT}:RegionID`],
  },
  // Roles and multi-valued attributes.
  {
    name: 'validator roles[primary eq "True"] matches the boolean primary',
    body: entra.validatorRolesPrimary,
    changes: { roles: [{ value: 'Admin', display: 'Reader', primary: true }, { value: 'User' }] },
    rules: [compatRules.stringBoolean],
  },
  {
    name: 'legacy Add roles appends, de-duplicating an existing value',
    body: patchBody({ op: 'Add', path: 'roles', value: [{ value: '{"id":"r1"}' }, { value: 'user' }] }),
    changes: {
      roles: [{ value: 'Admin', display: 'Administrator', primary: true }, { value: 'User' }, { value: '{"id":"r1"}' }],
    },
  },
  {
    name: 'add a primary email clears the old primary',
    body: patchBody({ op: 'add', path: 'emails', value: [{ value: 'b2@contoso.com', type: 'other', primary: true }] }),
    changes: {
      emails: [
        { value: 'babs@contoso.com', type: 'work', primary: false },
        { value: 'old@contoso.com', type: 'home' },
        { value: 'b2@contoso.com', type: 'other', primary: true },
      ],
    },
  },
  {
    name: 'replace a multi-valued attribute replaces every value',
    body: patchBody({ op: 'replace', path: 'phoneNumbers', value: [{ value: '1', type: 'mobile' }] }),
    changes: { phoneNumbers: [{ value: '1', type: 'mobile' }] },
  },
  {
    name: 'path-less add of emails appends',
    before: bareUser,
    body: patchBody({ op: 'add', value: { emails: [{ value: 'a@contoso.com', type: 'work' }] } }),
    changes: { emails: [{ value: 'a@contoso.com', type: 'work' }] },
  },
  {
    name: 'roles: [] in a replace removes the roles',
    body: patchBody({ op: 'replace', path: 'roles', value: [] }),
    changes: { roles: undefined },
  },
  // Remove forms.
  {
    name: 'remove a single-valued attribute',
    body: patchBody({ op: 'remove', path: 'displayName' }),
    changes: { displayName: undefined },
  },
  {
    name: 'remove a sub-attribute',
    body: patchBody({ op: 'Remove', path: 'name.middleName' }),
    changes: { name: { givenName: 'Barb', familyName: 'J' } },
  },
  {
    name: 'remove matching elements',
    body: patchBody({ op: 'remove', path: 'emails[type eq "home"]' }),
    changes: { emails: [{ value: 'babs@contoso.com', type: 'work', primary: true }] },
  },
  {
    name: 'remove the sub-attribute of matching elements; an element left with only qualifiers goes',
    body: patchBody(
      { op: 'remove', path: 'emails[type eq "home"].value' },
      { op: 'remove', path: 'roles[value eq "User"].value' },
    ),
    changes: {
      emails: [{ value: 'babs@contoso.com', type: 'work', primary: true }],
      roles: [{ value: 'Admin', display: 'Administrator', primary: true }],
    },
  },
  {
    name: 'remove with no matching element changes nothing',
    body: patchBody({ op: 'remove', path: 'emails[type eq "other"]' }),
    changes: {},
  },
  {
    name: 'remove a whole multi-valued attribute',
    body: patchBody({ op: 'remove', path: 'phoneNumbers' }),
    changes: { phoneNumbers: undefined },
  },
  {
    name: 'legacy remove with a value array removes the listed elements',
    body: entra.legacyRemoveWithValue,
    changes: { emails: [{ value: 'babs@contoso.com', type: 'work', primary: true }] },
    rules: [compatRules.removeWithValue],
  },
  {
    name: 'remove a custom attribute by plain name',
    body: patchBody({ op: 'remove', path: 'JobCode' }),
    changes: { [EXT]: undefined },
  },
  {
    name: 'remove a whole extension by URN',
    body: patchBody({ op: 'remove', path: ENTERPRISE_USER_URN }),
    changes: { [ENTERPRISE_USER_URN]: undefined },
  },
  // Ignored and no-op.
  { name: 'empty Operations', body: patchBody(), changes: {} },
  {
    name: 'a PATCH that sets the current values changes nothing',
    body: patchBody({ op: 'replace', value: { displayName: 'Babs', active: true, 'name.givenName': 'Barb' } }),
    changes: {},
  },
  {
    name: 'id, meta, schemas and password are ignored',
    body: patchBody(
      { op: 'replace', value: { id: 'x', meta: { version: 'W/"1"' }, schemas: [], password: 'p' } },
      { op: 'replace', path: 'meta.lastModified', value: 'x' },
      { op: 'replace', path: 'id', value: 'x' },
      { op: 'replace', path: 'password', value: 'p' },
      { op: 'replace', path: `${ENTERPRISE_USER_URN}:manager.displayName`, value: 'Someone' },
    ),
    changes: {},
  },
  {
    name: 'multiple ops on the same attribute apply in order',
    body: patchBody(
      { op: 'replace', path: 'displayName', value: 'One' },
      { op: 'replace', path: 'displayName', value: 'Two' },
      { op: 'add', path: 'emails[type eq "other"].value', value: 'o@contoso.com' },
      { op: 'replace', path: 'emails[type eq "other"].value', value: 'p@contoso.com' },
    ),
    changes: {
      displayName: 'Two',
      emails: [
        { value: 'babs@contoso.com', type: 'work', primary: true },
        { value: 'old@contoso.com', type: 'home' },
        { type: 'other', value: 'p@contoso.com' },
      ],
    },
  },
]

describe('applyPatch: Entra and RFC 7644 §3.5.2 shapes', () => {
  it.each(cases)('$name', ({ before = storedUser, body, changes, rules, discarded }) => {
    const input = before()
    const snapshot = structuredClone(input)
    const result = patch(input, body)
    const expected: UserResource = { ...before(), ...changes }
    for (const [key, value] of Object.entries(changes)) if (value === undefined) delete expected[key]
    expect(result.resource).toEqual(expected)
    expect(input).toEqual(snapshot)
    if (rules) expect(result.rules).toEqual(expect.arrayContaining(rules))
    expect(result.discarded).toEqual(discarded ?? [])
  })
})

const invalid: { name: string; body: unknown; scimType: string; detail?: RegExp }[] = [
  {
    name: 'invalid op name',
    body: patchBody({ op: 'merge', path: 'title', value: 'x' }),
    scimType: 'invalidSyntax',
    detail: /'op'/,
  },
  {
    name: 'bad path syntax',
    body: patchBody({ op: 'replace', path: 'emails[type eq "work"', value: 'x' }),
    scimType: 'invalidPath',
  },
  {
    name: 'filter on a single-valued attribute',
    body: patchBody({ op: 'replace', path: 'name[givenName eq "x"]', value: {} }),
    scimType: 'invalidPath',
  },
  {
    name: 'filter on an unknown sub-attribute',
    body: patchBody({ op: 'replace', path: 'emails[kind eq "x"].value', value: 'x' }),
    scimType: 'invalidPath',
  },
  {
    name: 'filter value of the wrong type',
    body: patchBody({ op: 'replace', path: 'emails[primary eq "maybe"].value', value: 'x' }),
    scimType: 'invalidPath',
  },
  { name: 'remove userName', body: patchBody({ op: 'remove', path: 'userName' }), scimType: 'mutability', detail: /userName/ },
  {
    name: 'replace userName with ""',
    body: patchBody({ op: 'replace', path: 'userName', value: '' }),
    scimType: 'invalidValue',
    detail: /userName/,
  },
  {
    name: 'replace userName with null',
    body: patchBody({ op: 'replace', value: { userName: null } }),
    scimType: 'invalidValue',
    detail: /userName/,
  },
  {
    name: 'active not a boolean',
    body: patchBody({ op: 'replace', path: 'active', value: 'nope' }),
    scimType: 'invalidValue',
    detail: /active/,
  },
  {
    name: 'displayName as an object',
    body: patchBody({ op: 'replace', path: 'displayName', value: {} }),
    scimType: 'invalidValue',
    detail: /displayName/,
  },
  {
    name: 'single value wrapped in an array',
    body: patchBody({ op: 'replace', path: 'displayName', value: ['x'] }),
    scimType: 'invalidValue',
    detail: /displayName/,
  },
  { name: 'path-less value not an object', body: patchBody({ op: 'replace', value: 'x' }), scimType: 'invalidValue' },
  {
    name: 'emails as a number',
    body: patchBody({ op: 'add', path: 'emails', value: 5 }),
    scimType: 'invalidValue',
    detail: /emails/,
  },
  {
    name: 'two primaries',
    body: patchBody({
      op: 'replace',
      path: 'emails',
      value: [
        { value: 'a', primary: true },
        { value: 'b', primary: true },
      ],
    }),
    scimType: 'invalidValue',
    detail: /primary/,
  },
  {
    name: 'replace on a filter that cannot describe a new element',
    body: patchBody({ op: 'replace', path: 'emails[type ne "work" and type ne "home"].value', value: 'x' }),
    scimType: 'noTarget',
  },
  {
    name: 'custom integer not a number',
    body: patchBody({ op: 'replace', path: 'Level', value: 'high' }),
    scimType: 'invalidValue',
    detail: /Level/,
  },
  {
    name: 'two managers',
    body: patchBody({ op: 'add', path: 'manager', value: [{ value: 'a' }, { value: 'b' }] }),
    scimType: 'invalidValue',
  },
]

describe('applyPatch: invalid operations', () => {
  it.each(invalid)('$name → 400 $scimType', ({ body, scimType, detail }) => {
    const error = expectScimError(() => applyPatch(storedUser(), body, schema, new CompatLog()), 400, scimType)
    if (detail) expect(error.detail).toMatch(detail)
  })

  it('names the failing operation', () => {
    const error = patchError(
      storedUser(),
      patchBody({ op: 'replace', path: 'title', value: 'x' }, { op: 'replace', path: 'active', value: 'nope' }),
    )
    expect(error.detail).toMatch(/^Operation 2: /)
  })
})

describe('applyPatch: atomicity and purity', () => {
  it('a failing second op leaves nothing applied and the input untouched', () => {
    const input = storedUser()
    const snapshot = structuredClone(input)
    expect(() =>
      applyPatch(
        input,
        patchBody(
          { op: 'replace', path: 'displayName', value: 'Changed' },
          { op: 'add', path: 'emails[type eq "work"].value', value: 'x' },
          { op: 'remove', path: 'userName' },
        ),
        schema,
        new CompatLog(),
      ),
    ).toThrow(ScimError)
    expect(input).toEqual(snapshot)
  })

  it('never shares nested objects with the input', () => {
    const input = storedUser()
    const { resource } = patch(input, patchBody({ op: 'replace', path: 'name.givenName', value: 'X' }))
    expect(resource.name).not.toBe(input.name)
    expect(resource.emails).not.toBe(input.emails)
    ;(resource.emails as Array<Record<string, unknown>>)[0]!.value = 'mutated'
    expect((input.emails as Array<Record<string, unknown>>)[0]!.value).toBe('babs@contoso.com')
  })
})

describe('applyPatch: prototype pollution (thomaspoignant/scim-patch prototypePollution)', () => {
  const attempts: { name: string; body: unknown }[] = [
    { name: '__proto__ path', body: patchBody({ op: 'add', path: '__proto__.polluted', value: 'yes' }) },
    {
      name: 'constructor.prototype path',
      body: patchBody({ op: 'add', path: 'constructor.prototype', value: { polluted: 'yes' } }),
    },
    { name: 'name.__proto__ path', body: patchBody({ op: 'replace', path: 'name.__proto__', value: { polluted: 'yes' } }) },
    {
      name: 'URN-qualified __proto__',
      body: patchBody({ op: 'add', path: `${ENTERPRISE_USER_URN}:__proto__`, value: { polluted: 'yes' } }),
    },
    {
      name: 'filtered path sub-attribute',
      body: patchBody({ op: 'add', path: 'emails[type eq "work"].__proto__', value: { polluted: 'yes' } }),
    },
    {
      name: 'path-less __proto__ key',
      body: JSON.parse('{"Operations":[{"op":"add","value":{"__proto__":{"polluted":"yes"}}}]}'),
    },
    {
      name: 'path-less nested __proto__',
      body: JSON.parse('{"Operations":[{"op":"add","value":{"name":{"__proto__":{"polluted":"yes"}}}}]}'),
    },
    {
      name: 'extension object with __proto__',
      body: JSON.parse(`{"Operations":[{"op":"add","path":"${ENTERPRISE_USER_URN}","value":{"__proto__":{"polluted":"yes"}}}]}`),
    },
    { name: 'filter on __proto__', body: patchBody({ op: 'add', path: 'emails[__proto__ eq "x"].value', value: 'yes' }) },
  ]

  it.each(attempts)('$name', ({ body }) => {
    try {
      const { resource } = patch(storedUser(), body)
      expect(resource).toEqual(storedUser())
    } catch (error) {
      expect(error).toBeInstanceOf(ScimError)
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('a stored resource carrying a __proto__ key does not leak it', () => {
    const input = JSON.parse('{"userName":"a","active":true,"__proto__":{"polluted":"yes"}}') as UserResource
    const { resource } = patch(input, patchBody({ op: 'replace', path: 'displayName', value: 'A' }))
    expect(Object.keys(resource).sort()).toEqual(['active', 'displayName', 'userName'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('applyPatch: compat reporting', () => {
  it('a filtered key in a path-less map is not reported as a dotted key', () => {
    const { rules } = patch(bareUser(), patchBody({ op: 'replace', value: { 'emails[type eq "work"].value': 'w@contoso.com' } }))
    expect(rules).not.toContain(compatRules.dottedKeyInPathlessValue)
  })

  it('an RFC-shaped request reports nothing', () => {
    const { rules } = patch(
      storedUser(),
      patchBody(
        { op: 'replace', path: 'active', value: false },
        { op: 'add', path: 'emails[type eq "home"].value', value: 'h@contoso.com' },
        { op: 'remove', path: 'name.middleName' },
      ),
    )
    expect(rules).toEqual([])
  })
})
