import { describe, expect, it } from 'vitest'
import { diffResources, type AttributeChange } from './diff'
import { ENTERPRISE_USER_URN } from './schema/user'
import type { UserResource } from './schema/read-value'

const EXT = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User'

const base: UserResource = {
  userName: 'a@contoso.com',
  active: true,
  displayName: 'A',
  name: { givenName: 'G', familyName: 'F' },
  emails: [{ value: 'a@contoso.com', type: 'work', primary: true }],
  [ENTERPRISE_USER_URN]: { employeeNumber: '1', manager: { value: 'm-1' } },
  [EXT]: { JobCode: 'J1' },
}

const cases: { name: string; before: UserResource; after: UserResource; expected: AttributeChange[] }[] = [
  { name: 'no change', before: base, after: structuredClone(base), expected: [] },
  {
    name: 'key order does not matter',
    before: base,
    after: {
      ...base,
      emails: [{ primary: true, type: 'work', value: 'a@contoso.com' }],
      name: { familyName: 'F', givenName: 'G' },
    },
    expected: [],
  },
  {
    name: 'leaf paths for core, complex, extension and custom attributes; core first, then URNs by code point',
    before: base,
    after: {
      ...base,
      active: false,
      name: { givenName: 'H', familyName: 'F' },
      [ENTERPRISE_USER_URN]: { employeeNumber: '2', manager: { value: 'm-2' } },
      [EXT]: { JobCode: 'J2' },
    },
    expected: [
      { attribute: 'active', old: true, new: false },
      { attribute: 'name.givenName', old: 'G', new: 'H' },
      { attribute: `${EXT}:JobCode`, old: 'J1', new: 'J2' },
      { attribute: `${ENTERPRISE_USER_URN}:employeeNumber`, old: '1', new: '2' },
      { attribute: `${ENTERPRISE_USER_URN}:manager.value`, old: 'm-1', new: 'm-2' },
    ],
  },
  {
    name: 'multi-valued attributes compare as a whole',
    before: base,
    after: { ...base, emails: [{ value: 'b@contoso.com', type: 'work', primary: true }] },
    expected: [
      {
        attribute: 'emails',
        old: [{ value: 'a@contoso.com', type: 'work', primary: true }],
        new: [{ value: 'b@contoso.com', type: 'work', primary: true }],
      },
    ],
  },
  {
    name: 'added and removed attributes use null',
    before: base,
    after: { ...base, displayName: undefined, nickName: 'N', [EXT]: undefined },
    expected: [
      { attribute: 'displayName', old: 'A', new: null },
      { attribute: 'nickName', old: null, new: 'N' },
      { attribute: `${EXT}:JobCode`, old: 'J1', new: null },
    ],
  },
  {
    name: 'from nothing (a create)',
    before: {},
    after: { userName: 'x', active: true },
    expected: [
      { attribute: 'active', old: null, new: true },
      { attribute: 'userName', old: null, new: 'x' },
    ],
  },
]

describe('diffResources', () => {
  it.each(cases)('$name', ({ before, after, expected }) => {
    expect(diffResources(before, after)).toEqual(expected)
  })
})
