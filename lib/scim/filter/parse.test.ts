import { describe, expect, it } from 'vitest'
import { stringifyFilter, type FilterNode } from './ast'
import { MAX_FILTER_COMPARISONS, MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseFilter } from './parse'
import { expectScimError } from '@/test/support/scim-error'

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const ACME = 'urn:ietf:params:scim:schemas:extension:Acme:2.0:User'

const valid: { filter: string; expected: FilterNode }[] = [
  // Entra's lookups (docs/entra-behaviour.md §7).
  { filter: 'userName eq "bjensen@example.com"', expected: { op: 'eq', attrPath: 'userName', compValue: 'bjensen@example.com' } },
  {
    filter: 'externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"',
    expected: { op: 'eq', attrPath: 'externalId', compValue: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef' },
  },
  // `userName+eq+"a+b@x"` after the route decoded `+` to a space; a `+` inside the value was %2B and stays.
  { filter: 'userName eq "a+b@x.com"', expected: { op: 'eq', attrPath: 'userName', compValue: 'a+b@x.com' } },
  {
    filter: 'emails[type eq "work"].value eq "x@contoso.com"',
    expected: {
      op: '[]',
      attrPath: 'emails',
      filter: {
        op: 'and',
        filters: [
          { op: 'eq', attrPath: 'type', compValue: 'work' },
          { op: 'eq', attrPath: 'value', compValue: 'x@contoso.com' },
        ],
      },
    },
  },
  // Every operator.
  { filter: 'displayName ne "Babs"', expected: { op: 'ne', attrPath: 'displayName', compValue: 'Babs' } },
  { filter: 'userName co "jen"', expected: { op: 'co', attrPath: 'userName', compValue: 'jen' } },
  { filter: 'userName sw "bj"', expected: { op: 'sw', attrPath: 'userName', compValue: 'bj' } },
  { filter: 'userName ew ".com"', expected: { op: 'ew', attrPath: 'userName', compValue: '.com' } },
  { filter: 'title pr', expected: { op: 'pr', attrPath: 'title' } },
  {
    filter: 'meta.lastModified gt "2011-05-13T04:42:34Z"',
    expected: { op: 'gt', attrPath: 'meta.lastModified', compValue: '2011-05-13T04:42:34Z' },
  },
  {
    filter: 'meta.lastModified ge "2011-05-13T04:42:34Z"',
    expected: { op: 'ge', attrPath: 'meta.lastModified', compValue: '2011-05-13T04:42:34Z' },
  },
  {
    filter: 'meta.created lt "2011-05-13T04:42:34Z"',
    expected: { op: 'lt', attrPath: 'meta.created', compValue: '2011-05-13T04:42:34Z' },
  },
  {
    filter: 'meta.created le "2011-05-13T04:42:34Z"',
    expected: { op: 'le', attrPath: 'meta.created', compValue: '2011-05-13T04:42:34Z' },
  },
  // Operators, keywords and literals are case-insensitive (RFC 7644 §3.4.2.2).
  { filter: 'userName EQ "x"', expected: { op: 'eq', attrPath: 'userName', compValue: 'x' } },
  { filter: 'title Pr', expected: { op: 'pr', attrPath: 'title' } },
  { filter: 'active eq TRUE', expected: { op: 'eq', attrPath: 'active', compValue: true } },
  { filter: 'active eq false', expected: { op: 'eq', attrPath: 'active', compValue: false } },
  { filter: 'title eq Null', expected: { op: 'eq', attrPath: 'title', compValue: null } },
  // Numbers (RFC 8259 §6).
  { filter: `${ACME}:Level ge 3`, expected: { op: 'ge', attrPath: `${ACME}:Level`, compValue: 3 } },
  { filter: 'x ge -1.5e2', expected: { op: 'ge', attrPath: 'x', compValue: -150 } },
  { filter: 'x lt 0.25', expected: { op: 'lt', attrPath: 'x', compValue: 0.25 } },
  // Strings: JSON escapes, and characters that mean something in SQL or in the grammar.
  { filter: 'displayName eq "a \\"b\\""', expected: { op: 'eq', attrPath: 'displayName', compValue: 'a "b"' } },
  {
    filter: 'displayName eq "back\\\\slash \\/ \\t \\u00e9"',
    expected: { op: 'eq', attrPath: 'displayName', compValue: 'back\\slash / \t é' },
  },
  {
    filter: 'displayName eq "(x) [y] and or not"',
    expected: { op: 'eq', attrPath: 'displayName', compValue: '(x) [y] and or not' },
  },
  { filter: 'userName eq "x\' OR 1=1 --"', expected: { op: 'eq', attrPath: 'userName', compValue: "x' OR 1=1 --" } },
  { filter: 'displayName eq ""', expected: { op: 'eq', attrPath: 'displayName', compValue: '' } },
  { filter: 'userName eq"tight"', expected: { op: 'eq', attrPath: 'userName', compValue: 'tight' } },
  { filter: '  userName   eq\t"spaced"  ', expected: { op: 'eq', attrPath: 'userName', compValue: 'spaced' } },
  // Sub-attributes and URN-qualified paths; URNs contain dots (`2.0`).
  { filter: 'name.givenName sw "Ba"', expected: { op: 'sw', attrPath: 'name.givenName', compValue: 'Ba' } },
  {
    filter: 'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"',
    expected: { op: 'eq', attrPath: 'urn:ietf:params:scim:schemas:core:2.0:User:userName', compValue: 'x' },
  },
  {
    filter: 'urn:ietf:params:scim:schemas:core:2.0:User:name.familyName eq "Jensen"',
    expected: { op: 'eq', attrPath: 'urn:ietf:params:scim:schemas:core:2.0:User:name.familyName', compValue: 'Jensen' },
  },
  {
    filter: `${ENTERPRISE}:employeeNumber eq "701984"`,
    expected: { op: 'eq', attrPath: `${ENTERPRISE}:employeeNumber`, compValue: '701984' },
  },
  {
    filter: `${ENTERPRISE}:manager.value eq "26118915"`,
    expected: { op: 'eq', attrPath: `${ENTERPRISE}:manager.value`, compValue: '26118915' },
  },
  { filter: `${ACME}:JobCode eq "J-1"`, expected: { op: 'eq', attrPath: `${ACME}:JobCode`, compValue: 'J-1' } },
  // Entra's attribute-mapping spelling `…:2.0:User.attr`; the schema resolver decides whether it is known.
  { filter: `${ACME}.JobCode pr`, expected: { op: 'pr', attrPath: `${ACME}.JobCode` } },
  // Precedence: `and` binds tighter than `or`.
  {
    filter: 'a eq 1 or b eq 2 and c eq 3',
    expected: {
      op: 'or',
      filters: [
        { op: 'eq', attrPath: 'a', compValue: 1 },
        {
          op: 'and',
          filters: [
            { op: 'eq', attrPath: 'b', compValue: 2 },
            { op: 'eq', attrPath: 'c', compValue: 3 },
          ],
        },
      ],
    },
  },
  {
    filter: 'a eq 1 and b eq 2 or c eq 3',
    expected: {
      op: 'or',
      filters: [
        {
          op: 'and',
          filters: [
            { op: 'eq', attrPath: 'a', compValue: 1 },
            { op: 'eq', attrPath: 'b', compValue: 2 },
          ],
        },
        { op: 'eq', attrPath: 'c', compValue: 3 },
      ],
    },
  },
  {
    filter: '(a eq 1 or b eq 2) and c eq 3',
    expected: {
      op: 'and',
      filters: [
        {
          op: 'or',
          filters: [
            { op: 'eq', attrPath: 'a', compValue: 1 },
            { op: 'eq', attrPath: 'b', compValue: 2 },
          ],
        },
        { op: 'eq', attrPath: 'c', compValue: 3 },
      ],
    },
  },
  // Chains and redundant parentheses flatten.
  {
    filter: 'a pr AND (b pr and c pr) and ((d pr))',
    expected: { op: 'and', filters: ['a', 'b', 'c', 'd'].map((attrPath) => ({ op: 'pr', attrPath })) },
  },
  {
    filter: 'a pr Or b pr OR c pr',
    expected: { op: 'or', filters: ['a', 'b', 'c'].map((attrPath) => ({ op: 'pr', attrPath })) },
  },
  // not.
  { filter: 'not (userName eq "x")', expected: { op: 'not', filter: { op: 'eq', attrPath: 'userName', compValue: 'x' } } },
  {
    filter: 'NOT(a pr or b pr) and c pr',
    expected: {
      op: 'and',
      filters: [
        {
          op: 'not',
          filter: {
            op: 'or',
            filters: [
              { op: 'pr', attrPath: 'a' },
              { op: 'pr', attrPath: 'b' },
            ],
          },
        },
        { op: 'pr', attrPath: 'c' },
      ],
    },
  },
  // Value paths (RFC 7644 §3.4.2.2 valuePath), with logic, not and grouping inside.
  {
    filter: 'emails[type eq "work" and value co "@contoso"]',
    expected: {
      op: '[]',
      attrPath: 'emails',
      filter: {
        op: 'and',
        filters: [
          { op: 'eq', attrPath: 'type', compValue: 'work' },
          { op: 'co', attrPath: 'value', compValue: '@contoso' },
        ],
      },
    },
  },
  {
    filter: 'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    expected: {
      op: 'and',
      filters: [
        { op: 'eq', attrPath: 'userType', compValue: 'Employee' },
        {
          op: 'or',
          filters: [
            { op: 'co', attrPath: 'emails', compValue: 'example.com' },
            { op: 'co', attrPath: 'emails.value', compValue: 'example.org' },
          ],
        },
      ],
    },
  },
  {
    filter: 'addresses[not (type eq "home") and (region pr or country eq "DE")]',
    expected: {
      op: '[]',
      attrPath: 'addresses',
      filter: {
        op: 'and',
        filters: [
          { op: 'not', filter: { op: 'eq', attrPath: 'type', compValue: 'home' } },
          {
            op: 'or',
            filters: [
              { op: 'pr', attrPath: 'region' },
              { op: 'eq', attrPath: 'country', compValue: 'DE' },
            ],
          },
        ],
      },
    },
  },
  {
    filter: 'emails[type eq "work" or type eq "home"].value pr',
    expected: {
      op: '[]',
      attrPath: 'emails',
      filter: {
        op: 'and',
        filters: [
          {
            op: 'or',
            filters: [
              { op: 'eq', attrPath: 'type', compValue: 'work' },
              { op: 'eq', attrPath: 'type', compValue: 'home' },
            ],
          },
          { op: 'pr', attrPath: 'value' },
        ],
      },
    },
  },
  {
    filter: 'phoneNumbers[type eq "mobile"] and active eq true',
    expected: {
      op: 'and',
      filters: [
        { op: '[]', attrPath: 'phoneNumbers', filter: { op: 'eq', attrPath: 'type', compValue: 'mobile' } },
        { op: 'eq', attrPath: 'active', compValue: true },
      ],
    },
  },
  {
    filter: `${ENTERPRISE}:manager[value eq "m1"]`,
    expected: { op: '[]', attrPath: `${ENTERPRISE}:manager`, filter: { op: 'eq', attrPath: 'value', compValue: 'm1' } },
  },
  // A name that is also a keyword is still an attribute where an attribute is expected.
  { filter: 'and eq "x"', expected: { op: 'eq', attrPath: 'and', compValue: 'x' } },
  { filter: 'manager.$ref pr', expected: { op: 'pr', attrPath: 'manager.$ref' } },
]

const invalid: { filter: string; error: RegExp }[] = [
  { filter: '', error: /empty/ },
  { filter: '   ', error: /empty/ },
  { filter: 'userName eq "abc', error: /Unterminated string starting at character 13/ },
  { filter: 'userName eq', error: /Expected a value .* after 'eq' at character 12, found the end of the filter/ },
  { filter: 'userName eq bjensen', error: /Expected a value .* found 'bjensen'/ },
  { filter: 'userName eq (', error: /Expected a value/ },
  { filter: 'userName', error: /Expected an operator .* after 'userName' at character 9/ },
  { filter: 'userName equals "x"', error: /Expected an operator .* found 'equals'/ },
  { filter: 'userName like "x"', error: /Expected an operator/ },
  { filter: 'userName eq "x" garbage', error: /Unexpected 'garbage' at character 17/ },
  { filter: 'userName eq "x")', error: /Unexpected '\)' at character 16 \(no matching/ },
  { filter: 'userName eq "x" "y"', error: /Unexpected the string/ },
  { filter: 'userName eq "x" and', error: /Expected an attribute name at character 20, found the end/ },
  { filter: 'and userName eq "x"', error: /Expected an operator .* after 'and'/ },
  { filter: 'or', error: /Expected an operator/ },
  { filter: '(userName eq "x"', error: /Expected '\)' at character 17 to close the '\(' at character 1/ },
  { filter: '()', error: /Expected an attribute name at character 2, found '\)'/ },
  { filter: 'not userName eq "x"', error: /Expected '\(' after 'not' at character 1/ },
  { filter: 'not (userName eq "x"', error: /to close the 'not \('/ },
  { filter: 'emails[type eq "work"', error: /Expected '\]' .* to close the '\['/ },
  { filter: 'emails[type eq "work"]x', error: /Unexpected 'x'/ },
  { filter: 'emails[type eq "work"].value', error: /Expected an operator .* after 'value'/ },
  { filter: 'emails[type eq "work"].1x eq "y"', error: /Invalid sub-attribute '.1x'/ },
  { filter: 'emails[type[value eq "x"] pr]', error: /Nested value filter/ },
  { filter: 'emails[]', error: /Expected an attribute name/ },
  { filter: '1userName eq "x"', error: /Invalid attribute path '1userName'/ },
  { filter: 'user@name eq "x"', error: /Invalid attribute path/ },
  { filter: 'name.givenName.x eq "y"', error: /Invalid attribute path/ },
  { filter: 'urn:x: eq "y"', error: /Invalid attribute path/ },
  { filter: 'urn: eq "y"', error: /Invalid attribute path/ },
  { filter: 'userName eq "bad \\x escape"', error: /Invalid escape sequence in a string at character 18/ },
  { filter: 'userName eq "\\u12"', error: /Invalid \\u escape/ },
  { filter: 'x eq 01', error: /Expected a value/ },
  { filter: 'x eq 1e999', error: /Expected a value/ },
  { filter: 'x eq .5', error: /Expected a value/ },
  { filter: 'x eq "a"b', error: /Unexpected 'b'/ },
  { filter: `userName eq "${'x'.repeat(MAX_FILTER_LENGTH)}"`, error: /too long/ },
  // Text PostgreSQL cannot store, raw or as a filter-string escape, in a value or an attribute path.
  {
    filter: 'userName eq "a\u0000b"',
    error: /The filter value for 'userName' contains a NUL character or an unpaired UTF-16 surrogate/,
  },
  { filter: 'userName eq "a\\u0000b"', error: /The filter value for 'userName' contains a NUL/ },
  { filter: 'userName eq "\\ud800"', error: /The filter value for 'userName' contains a NUL/ },
  { filter: 'userName eq "\udc00"', error: /The filter value for 'userName' contains a NUL/ },
  { filter: 'emails[value eq "\\udc00x"]', error: /The filter value for 'value' contains a NUL/ },
  { filter: 'user\u0000Name eq "x"', error: /Filter at character 1: 'user\\u0000Name' contains a NUL/ },
  {
    filter: 'userName eq "x" and di\ud800 pr',
    error: /Filter at character 21: 'di\\ud800' contains a NUL character or an unpaired/,
  },
]

/** The work limits: a filter over them is 400 tooMany naming the limit; one at the limit parses. */
const overLimit = [
  {
    name: 'parentheses',
    filter: `${'('.repeat(MAX_FILTER_DEPTH + 1)}a pr${')'.repeat(MAX_FILTER_DEPTH + 1)}`,
    error: /nested too deeply: the limit is 20 levels/,
  },
  {
    name: 'not',
    filter: `${'not ('.repeat(MAX_FILTER_DEPTH + 1)}a pr${')'.repeat(MAX_FILTER_DEPTH + 1)}`,
    error: /nested too deeply: the limit is 20 levels/,
  },
  {
    name: 'value path inside parentheses',
    filter: `${'('.repeat(MAX_FILTER_DEPTH)}emails[type eq "work"]${')'.repeat(MAX_FILTER_DEPTH)}`,
    error: /nested too deeply/,
  },
  {
    name: 'comparisons',
    filter: Array.from({ length: MAX_FILTER_COMPARISONS + 1 }, (_, index) => `a${index} pr`).join(' or '),
    error: /more than the limit of 50 comparisons/,
  },
  {
    name: 'comparisons inside value paths',
    filter:
      Array.from({ length: MAX_FILTER_COMPARISONS / 2 }, (_, index) => `emails[type eq "t${index}" and value pr]`).join(' or ') +
      ' or a pr',
    error: /more than the limit of 50 comparisons/,
  },
]

const atLimit = [
  { name: 'parentheses', filter: `${'('.repeat(MAX_FILTER_DEPTH)}a pr${')'.repeat(MAX_FILTER_DEPTH)}` },
  { name: 'not', filter: `${'not ('.repeat(MAX_FILTER_DEPTH)}a pr${')'.repeat(MAX_FILTER_DEPTH)}` },
  {
    name: 'value path inside parentheses',
    filter: `${'('.repeat(MAX_FILTER_DEPTH - 1)}emails[type eq "work"]${')'.repeat(MAX_FILTER_DEPTH - 1)}`,
  },
  { name: 'comparisons', filter: Array.from({ length: MAX_FILTER_COMPARISONS }, (_, index) => `a${index} pr`).join(' or ') },
]

describe('parseFilter', () => {
  it.each(valid)('parses $filter', ({ filter, expected }) => {
    expect(parseFilter(filter)).toEqual(expected)
  })

  it.each(valid)('round-trips $filter through stringifyFilter', ({ expected }) => {
    expect(parseFilter(stringifyFilter(expected))).toEqual(expected)
  })

  it.each(invalid)('rejects $filter with 400 invalidFilter', ({ filter, error }) => {
    const scimError = expectScimError(() => parseFilter(filter), 400, 'invalidFilter')
    expect(scimError.detail).toMatch(error)
  })

  it('accepts nesting up to the limit', () => {
    const filter = `${'('.repeat(MAX_FILTER_DEPTH)}a pr${')'.repeat(MAX_FILTER_DEPTH)}`
    expect(parseFilter(filter)).toEqual({ op: 'pr', attrPath: 'a' })
  })

  it('handles a long flat chain without deep recursion', () => {
    const filter = Array.from({ length: MAX_FILTER_COMPARISONS }, (_, index) => `a${index} pr`).join(' or ')
    const node = parseFilter(filter)
    expect(node.op === 'or' && node.filters.length).toBe(MAX_FILTER_COMPARISONS)
  })

  it.each(overLimit)('refuses a filter over the $name limit with 400 tooMany', ({ filter, error }) => {
    const scimError = expectScimError(() => parseFilter(filter), 400, 'tooMany')
    expect(scimError.detail).toMatch(error)
  })

  it.each(atLimit)('accepts a filter at the $name limit', ({ filter }) => {
    expect(() => parseFilter(filter)).not.toThrow()
  })
})

describe('stringifyFilter', () => {
  it.each([
    ['a eq 1 or b eq 2 and c eq 3', 'a eq 1 or b eq 2 and c eq 3'],
    ['(a eq 1 or b eq 2) and c eq 3', '(a eq 1 or b eq 2) and c eq 3'],
    ['NOT ( a pr )', 'not (a pr)'],
    ['emails[type eq "work"].value EQ "x"', 'emails[type eq "work" and value eq "x"]'],
    ['displayName eq "a \\"b\\""', 'displayName eq "a \\"b\\""'],
    ['active eq TRUE and title eq NULL', 'active eq true and title eq null'],
  ])('writes %s as %s', (filter, text) => {
    expect(stringifyFilter(parseFilter(filter))).toBe(text)
  })
})
