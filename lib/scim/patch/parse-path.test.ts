import { describe, expect, it } from 'vitest'
import { parsePatchPath, type PatchPath } from './parse-path'
import { expectScimError } from '@/test/support/scim-error'

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

const valid: { path: string; expected: PatchPath }[] = [
  { path: 'active', expected: { attribute: 'active' } },
  { path: ' name.givenName ', expected: { attribute: 'name.givenName' } },
  { path: `${ENTERPRISE}:employeeNumber`, expected: { attribute: `${ENTERPRISE}:employeeNumber` } },
  { path: `${ENTERPRISE}:manager.value`, expected: { attribute: `${ENTERPRISE}:manager.value` } },
  // Entra's attribute-mapping screen spelling.
  { path: `${ENTERPRISE}.employeeNumber`, expected: { attribute: `${ENTERPRISE}.employeeNumber` } },
  { path: ENTERPRISE, expected: { attribute: ENTERPRISE } },
  { path: 'JobCode', expected: { attribute: 'JobCode' } },
  {
    path: 'emails[type eq "work"]',
    expected: { attribute: 'emails', filter: { op: 'eq', attrPath: 'type', compValue: 'work' } },
  },
  {
    path: 'emails[type eq "work"].value',
    expected: { attribute: 'emails', filter: { op: 'eq', attrPath: 'type', compValue: 'work' }, subAttribute: 'value' },
  },
  {
    path: 'addresses[type eq "work"].postalCode',
    expected: { attribute: 'addresses', filter: { op: 'eq', attrPath: 'type', compValue: 'work' }, subAttribute: 'postalCode' },
  },
  { path: 'members[value eq "x"]', expected: { attribute: 'members', filter: { op: 'eq', attrPath: 'value', compValue: 'x' } } },
  {
    path: 'roles[primary eq "True"]',
    expected: { attribute: 'roles', filter: { op: 'eq', attrPath: 'primary', compValue: 'True' } },
  },
  {
    path: 'emails[type eq "work" and value ew "@contoso.com"]',
    expected: {
      attribute: 'emails',
      filter: {
        op: 'and',
        filters: [
          { op: 'eq', attrPath: 'type', compValue: 'work' },
          { op: 'ew', attrPath: 'value', compValue: '@contoso.com' },
        ],
      },
    },
  },
  // The rest of the filter grammar is the shared parser's (filter/parse.test.ts, filter/evaluate.test.ts).
  // A quoted `]` or escaped quote does not end the filter.
  {
    path: 'emails[value eq "a]\\"b"].type',
    expected: { attribute: 'emails', filter: { op: 'eq', attrPath: 'value', compValue: 'a]"b' }, subAttribute: 'type' },
  },
]

const malformed = [
  '',
  'emails[',
  'emails[type eq "work"',
  'emails[type eq "work"]value',
  'emails[type eq "work"].',
  'emails[type eq "work"].value.more',
  'emails[type eq work]',
  'emails[type]',
  'emails[type eq]',
  'emails[type zz "x"]',
  'emails[]',
  'emails[type eq "a" and]',
  'emails[(type eq "a"]',
  'emails[type eq "a"] extra',
  'emails[a[b eq 1]]',
  'name..givenName',
  'name.givenName.x',
  '1abc',
  'display name',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:',
]

describe('parsePatchPath', () => {
  it.each(valid)('$path', ({ path, expected }) => {
    expect(parsePatchPath(path)).toEqual(expected)
  })

  it.each(malformed)('rejects %j with 400 invalidPath', (path) => {
    expectScimError(() => parsePatchPath(path), 400, 'invalidPath')
  })

  it("keeps the filter parser's detail", () => {
    expect(() => parsePatchPath('emails[type eq work]')).toThrow(/malformed value filter 'type eq work': Expected a value/)
  })
})
