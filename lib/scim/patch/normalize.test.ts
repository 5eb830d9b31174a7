import { describe, expect, it } from 'vitest'
import { CompatLog, compatRules } from '../compat'
import { normalizePatchBody, type PatchOperation } from './normalize'
import { expectScimError } from '@/test/support/scim-error'

function normalize(body: unknown) {
  const compat = new CompatLog()
  return { operations: normalizePatchBody(body, compat), rules: compat.list() }
}

const valid: { name: string; body: unknown; expected: PatchOperation[]; rules?: string[] }[] = [
  {
    name: 'empty Operations',
    body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [] },
    expected: [],
  },
  {
    name: 'RFC form',
    body: {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    },
    expected: [{ op: 'replace', path: 'active', value: false }],
    rules: [],
  },
  {
    name: 'Entra legacy op names',
    body: {
      Operations: [
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Add', path: 'nickName', value: 'B' },
        { op: 'Remove', path: 'title' },
      ],
    },
    expected: [
      { op: 'replace', path: 'active', value: 'False' },
      { op: 'add', path: 'nickName', value: 'B' },
      { op: 'remove', path: 'title' },
    ],
    rules: [compatRules.opNameCase],
  },
  {
    name: 'lowercase operations key, odd schemas',
    body: { schemas: 'whatever', operations: [{ op: 'add', value: { nickName: 'B' } }] },
    expected: [{ op: 'add', value: { nickName: 'B' } }],
    rules: [compatRules.attributeNameCase],
  },
  {
    name: 'capitalised member names, blank path means none',
    body: { Operations: [{ Op: 'replace', Path: ' ', Value: { displayName: 'x' } }] },
    expected: [{ op: 'replace', value: { displayName: 'x' } }],
    rules: [compatRules.attributeNameCase],
  },
  {
    name: 'null value is kept (clears)',
    body: { Operations: [{ op: 'replace', path: 'title', value: null }] },
    expected: [{ op: 'replace', path: 'title', value: null }],
  },
]

const invalid: { name: string; body: unknown; scimType: string }[] = [
  { name: 'body not an object', body: [], scimType: 'invalidSyntax' },
  { name: 'no Operations', body: { schemas: [] }, scimType: 'invalidSyntax' },
  { name: 'Operations not an array', body: { Operations: { op: 'add' } }, scimType: 'invalidSyntax' },
  { name: 'operation not an object', body: { Operations: ['add'] }, scimType: 'invalidSyntax' },
  { name: 'unknown op', body: { Operations: [{ op: 'update', path: 'title', value: 'x' }] }, scimType: 'invalidSyntax' },
  { name: 'missing op', body: { Operations: [{ path: 'title', value: 'x' }] }, scimType: 'invalidSyntax' },
  { name: 'remove without path', body: { Operations: [{ op: 'remove' }] }, scimType: 'noTarget' },
  { name: 'remove with an empty path', body: { Operations: [{ op: 'Remove', path: '' }] }, scimType: 'noTarget' },
  { name: 'path not a string', body: { Operations: [{ op: 'add', path: 5, value: 'x' }] }, scimType: 'invalidSyntax' },
  { name: 'add without value', body: { Operations: [{ op: 'add', path: 'title' }] }, scimType: 'invalidValue' },
]

describe('normalizePatchBody', () => {
  it.each(valid)('$name', ({ body, expected, rules }) => {
    const result = normalize(body)
    expect(result.operations).toEqual(expected)
    if (rules) expect(result.rules).toEqual(rules)
  })

  it.each(invalid)('$name → 400 $scimType', ({ body, scimType }) => {
    expectScimError(() => normalize(body), 400, scimType)
  })
})
