import { describe, expect, it } from 'vitest'
import { ScimError } from '../errors'
import { parsePatchPath, type PatchPath } from './parse-path'

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
    expected: { attribute: 'emails', filter: { op: 'eq', attribute: 'type', value: 'work' } },
  },
  {
    path: 'emails[type eq "work"].value',
    expected: { attribute: 'emails', filter: { op: 'eq', attribute: 'type', value: 'work' }, subAttribute: 'value' },
  },
  {
    path: 'addresses[type eq "work"].postalCode',
    expected: { attribute: 'addresses', filter: { op: 'eq', attribute: 'type', value: 'work' }, subAttribute: 'postalCode' },
  },
  { path: 'members[value eq "x"]', expected: { attribute: 'members', filter: { op: 'eq', attribute: 'value', value: 'x' } } },
  { path: 'roles[primary eq "True"]', expected: { attribute: 'roles', filter: { op: 'eq', attribute: 'primary', value: 'True' } } },
  { path: 'roles[primary EQ true]', expected: { attribute: 'roles', filter: { op: 'eq', attribute: 'primary', value: true } } },
  { path: 'emails[value pr]', expected: { attribute: 'emails', filter: { op: 'pr', attribute: 'value' } } },
  { path: 'emails[type ne "home"]', expected: { attribute: 'emails', filter: { op: 'ne', attribute: 'type', value: 'home' } } },
  { path: 'x509Certificates[value eq 42]', expected: { attribute: 'x509Certificates', filter: { op: 'eq', attribute: 'value', value: 42 } } },
  { path: 'emails[display eq null]', expected: { attribute: 'emails', filter: { op: 'eq', attribute: 'display', value: null } } },
  {
    path: 'emails[type eq "work" and value ew "@contoso.com"]',
    expected: {
      attribute: 'emails',
      filter: {
        op: 'and',
        left: { op: 'eq', attribute: 'type', value: 'work' },
        right: { op: 'ew', attribute: 'value', value: '@contoso.com' },
      },
    },
  },
  {
    // `and` binds tighter than `or`.
    path: 'emails[type eq "a" or type eq "b" and primary eq true]',
    expected: {
      attribute: 'emails',
      filter: {
        op: 'or',
        left: { op: 'eq', attribute: 'type', value: 'a' },
        right: {
          op: 'and',
          left: { op: 'eq', attribute: 'type', value: 'b' },
          right: { op: 'eq', attribute: 'primary', value: true },
        },
      },
    },
  },
  {
    path: 'emails[not (type eq "home")]',
    expected: { attribute: 'emails', filter: { op: 'not', filter: { op: 'eq', attribute: 'type', value: 'home' } } },
  },
  {
    path: 'emails[(type eq "a" or type eq "b") and value pr]',
    expected: {
      attribute: 'emails',
      filter: {
        op: 'and',
        left: { op: 'or', left: { op: 'eq', attribute: 'type', value: 'a' }, right: { op: 'eq', attribute: 'type', value: 'b' } },
        right: { op: 'pr', attribute: 'value' },
      },
    },
  },
  // A quoted `]` or escaped quote does not end the filter.
  {
    path: 'emails[value eq "a]\\"b"].type',
    expected: { attribute: 'emails', filter: { op: 'eq', attribute: 'value', value: 'a]"b' }, subAttribute: 'type' },
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
    let caught: unknown
    try {
      parsePatchPath(path)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ScimError)
    expect((caught as ScimError).status).toBe(400)
    expect((caught as ScimError).scimType).toBe('invalidPath')
  })
})
