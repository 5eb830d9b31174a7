import { describe, expect, it } from 'vitest'
import { CompatLog } from './compat'
import { scimLimits, utf8ByteLength } from './limits'
import { applyPatch } from './patch'
import { testUserSchema } from '@/test/fixtures/user-schema'
import type { UserResource } from './schema/read-value'
import { readUserInput, readUserReplacement } from './user-input'
import { expectScimError, scimErrorOf } from '@/test/support/scim-error'

const schema = testUserSchema({
  extensionName: 'Ext',
  customAttributes: [
    { name: 'Level', type: 'integer' },
    { name: 'Note', type: 'string' },
  ],
})
const { maxPatchOperations, maxAttributeValues, maxStringBytes, maxResourceBytes } = scimLimits

const emails = (count: number, from = 0) =>
  Array.from({ length: count }, (_, index) => ({ value: `u${from + index}@contoso.example` }))
const stored = (extra: UserResource = {}): UserResource => ({ userName: 'babs@contoso.example', active: true, ...extra })
const ops = (...operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations })

/** A user of about `bytes` bytes of JSON, made of displayName and name parts (each under the string limit). */
function userOfSize(bytes: number): Record<string, unknown> {
  const base = {
    userName: 'big@contoso.example',
    active: true,
    displayName: '',
    name: { givenName: '', familyName: '', middleName: '', formatted: '' },
  }
  const rest = bytes - utf8ByteLength(JSON.stringify(base))
  const parts = ['displayName', 'givenName', 'familyName', 'middleName', 'formatted']
  // Spread evenly, so that no part is empty (it would be dropped) and none is over the string limit.
  const share = Math.floor(rest / parts.length)
  const filled: Record<string, string> = {}
  parts.forEach((part, index) => (filled[part] = 'x'.repeat(share + (index === 0 ? rest - share * parts.length : 0))))
  const { displayName, ...name } = filled
  return { ...base, displayName, name }
}

/** A path-less value of `count` members that all name `displayName`, each in another letter case. */
function pathlessTitles(count: number): Record<string, string> {
  const variant = (mask: number) =>
    [...'displayName'].map((char, index) => ((mask >> index) & 1 ? char.toUpperCase() : char.toLowerCase())).join('')
  return Object.fromEntries(Array.from({ length: count }, (_, mask) => [variant(mask), `d${mask}`]))
}

type Run = () => unknown
type Row = { name: string; under: Run; over: Run; detail: RegExp; scimType?: string }

const post = (body: unknown) => () => readUserInput(body, schema, new CompatLog())
const patch =
  (body: unknown, before: UserResource = stored()) =>
  () =>
    applyPatch(before, body, schema, new CompatLog())

/** Each limit: just under is accepted, just over is a 400 whose detail names the limit. */
const limits: Row[] = [
  {
    name: 'operations per PATCH',
    under: patch(
      ops(...Array.from({ length: maxPatchOperations }, (_, index) => ({ op: 'replace', path: 'title', value: `t${index}` }))),
    ),
    over: patch(
      ops(
        ...Array.from({ length: maxPatchOperations + 1 }, (_, index) => ({ op: 'replace', path: 'title', value: `t${index}` })),
      ),
    ),
    detail: /'Operations' has 101 operations; the limit is 100 operations per PATCH request/,
  },
  {
    name: 'attribute writes per PATCH, path-less members included',
    under: patch(ops(...Array.from({ length: 10 }, () => ({ op: 'replace', value: pathlessTitles(100) })))),
    over: patch(
      ops(...Array.from({ length: 10 }, () => ({ op: 'replace', value: pathlessTitles(100) })), {
        op: 'replace',
        path: 'title',
        value: 'x',
      }),
    ),
    detail:
      /Operation 11: The PATCH changes more than 1000 attributes \(operations and the members of their values\); the limit is 1000 per request/,
  },
  {
    name: 'values per attribute in POST',
    under: post({ userName: 'a@b.c', emails: emails(maxAttributeValues) }),
    over: post({ userName: 'a@b.c', emails: emails(maxAttributeValues + 1) }),
    detail: /'emails' has 101 values; the limit is 100 values per multi-valued attribute/,
  },
  {
    name: 'values per attribute in POST, split over repeated keys',
    under: post({ userName: 'a@b.c', emails: emails(50), EMAILS: emails(50, 50) }),
    over: post({ userName: 'a@b.c', emails: emails(50), EMAILS: emails(51, 50) }),
    detail: /'EMAILS' has 101 values; the limit is 100 values/,
  },
  {
    name: 'values per attribute after a PATCH add',
    under: patch(ops({ op: 'add', path: 'emails', value: emails(maxAttributeValues - 2, 2) }), stored({ emails: emails(2) })),
    over: patch(ops({ op: 'add', path: 'emails', value: emails(maxAttributeValues - 1, 2) }), stored({ emails: emails(2) })),
    detail: /Operation 1: 'emails' has 101 values; the limit is 100 values per multi-valued attribute/,
  },
  {
    name: 'values per attribute after many PATCH adds',
    under: patch(
      ops(
        ...Array.from({ length: maxAttributeValues }, (_, index) => ({
          op: 'add',
          path: 'phoneNumbers',
          value: [{ value: `+${index}` }],
        })),
      ),
    ),
    over: patch(
      ops(
        ...Array.from({ length: maxAttributeValues }, (_, index) => ({
          op: 'add',
          path: 'phoneNumbers',
          value: [{ value: `+${index}` }],
        })),
      ),
      stored({ phoneNumbers: [{ value: 'first' }] }),
    ),
    detail: /Operation 100: 'phoneNumbers' has 101 values/,
  },
  {
    name: 'values per attribute after a filtered add creates one',
    under: patch(
      ops({ op: 'add', path: 'emails[type eq "home"].value', value: 'h@b.c' }),
      stored({ emails: emails(maxAttributeValues - 1) }),
    ),
    over: patch(
      ops({ op: 'add', path: 'emails[type eq "home"].value', value: 'h@b.c' }),
      stored({ emails: emails(maxAttributeValues) }),
    ),
    detail: /'emails\[type eq "home"\]\.value' has 101 values/,
  },
  {
    name: 'string bytes in an attribute value',
    under: post({ userName: 'a@b.c', displayName: 'x'.repeat(maxStringBytes) }),
    over: post({ userName: 'a@b.c', displayName: 'x'.repeat(maxStringBytes + 1) }),
    detail: /'displayName' is longer than the limit of 65536 bytes per string/,
  },
  {
    name: 'string bytes, multi-byte, in a PATCH',
    under: patch(ops({ op: 'replace', path: 'name.givenName', value: 'é'.repeat(maxStringBytes / 2) })),
    over: patch(ops({ op: 'replace', path: 'name.givenName', value: `x${'é'.repeat(maxStringBytes / 2)}` })),
    detail: /'name\.givenName' is longer than the limit of 65536 bytes/,
  },
  {
    name: 'string bytes in a custom attribute',
    under: post({ userName: 'a@b.c', Note: 'x'.repeat(maxStringBytes) }),
    over: post({ userName: 'a@b.c', Note: 'x'.repeat(maxStringBytes + 1) }),
    detail: /'Note' is longer than the limit of 65536 bytes/,
  },
  {
    name: 'stored resource bytes in POST',
    under: post(userOfSize(maxResourceBytes)),
    over: post(userOfSize(maxResourceBytes + 1)),
    detail: /The resource would be 262145 bytes of JSON; the limit is 262144 bytes per stored resource/,
  },
  {
    name: 'stored resource bytes after a PATCH',
    under: patch(ops({ op: 'replace', path: 'title', value: 'x' }), userOfSize(maxResourceBytes - 12)),
    over: patch(ops({ op: 'replace', path: 'title', value: 'xy' }), userOfSize(maxResourceBytes - 12)),
    detail: /the limit is 262144 bytes per stored resource/,
  },
  {
    name: 'filter comparisons in a PATCH value filter',
    under: patch(
      ops({ op: 'remove', path: `emails[${Array.from({ length: 50 }, (_, index) => `value eq "u${index}"`).join(' or ')}]` }),
    ),
    over: patch(
      ops({ op: 'remove', path: `emails[${Array.from({ length: 51 }, (_, index) => `value eq "u${index}"`).join(' or ')}]` }),
    ),
    detail: /Operation 1: Filter has more than the limit of 50 comparisons/,
    scimType: 'tooMany',
  },
  {
    name: 'filter nesting in a PATCH value filter',
    // The bracket of a PATCH path is the path's own syntax; the filter inside it nests 20 levels at most.
    under: patch(ops({ op: 'remove', path: `emails[${'('.repeat(20)}value eq "x"${')'.repeat(20)}]` })),
    over: patch(ops({ op: 'remove', path: `emails[${'('.repeat(21)}value eq "x"${')'.repeat(21)}]` })),
    detail: /nested too deeply: the limit is 20 levels/,
    scimType: 'tooMany',
  },
]

describe('limits', () => {
  it.each(limits)('$name: just under is accepted', ({ under }) => {
    expect(under).not.toThrow()
  })

  it.each(limits)('$name: just over is 400 naming the limit', ({ over, detail, scimType }) => {
    const error = expectScimError(over, 400, scimType ?? 'invalidValue')
    expect(error.detail).toMatch(detail)
  })

  it('an add that repeats existing values stays within the limit', () => {
    const before = stored({ emails: emails(maxAttributeValues) })
    const upper = emails(maxAttributeValues).map((item) => ({ value: item.value.toUpperCase() }))
    const { resource } = applyPatch(
      before,
      ops(...Array.from({ length: 100 }, () => ({ op: 'add', path: 'emails', value: upper }))),
      schema,
      new CompatLog(),
    )
    expect(resource.emails).toEqual(before.emails)
  })
})

/** Text PostgreSQL cannot store, where no body guard ran: still a 400 naming the attribute, never stored. */
const unstorable: Array<{ name: string; run: Run; scimType: string; detail: RegExp }> = [
  {
    name: 'NUL in userName',
    run: post({ userName: 'a\u0000b' }),
    scimType: 'invalidValue',
    detail: /^'userName' contains a NUL character/,
  },
  {
    name: 'lone surrogate in a nested value',
    run: post({ userName: 'a', emails: [{ value: '\ud800' }] }),
    scimType: 'invalidValue',
    detail: /^'emails\.value' contains a NUL/,
  },
  {
    name: 'NUL in a dateTime-typed string',
    run: patch(ops({ op: 'replace', path: 'Note', value: '\u0000' })),
    scimType: 'invalidValue',
    detail: /'Note' contains a NUL/,
  },
  {
    name: 'NUL in a PATCH path',
    run: patch(ops({ op: 'remove', path: 'title\u0000' })),
    scimType: 'invalidPath',
    detail: /The PATCH path 'title\\u0000' contains a NUL/,
  },
  {
    name: 'lone surrogate in a PATCH path',
    run: patch(ops({ op: 'replace', path: 'emails[type eq "\ud800"].value', value: 'x' })),
    scimType: 'invalidPath',
    detail: /The PATCH path 'emails\[type eq "\\ud800"\]\.value' contains/,
  },
  {
    name: 'escaped NUL in a PATCH value filter',
    run: patch(ops({ op: 'remove', path: 'emails[value eq "\\u0000"]' })),
    scimType: 'invalidPath',
    detail: /The filter value for 'value' contains a NUL/,
  },
  {
    name: 'NUL in a path-less value',
    run: patch(ops({ op: 'replace', value: { displayName: 'x\u0000' } })),
    scimType: 'invalidValue',
    detail: /'displayName' contains a NUL/,
  },
]

describe('unstorable text in the protocol core', () => {
  it.each(unstorable)('$name → 400 $scimType', ({ run, scimType, detail }) => {
    const error = expectScimError(run, 400, scimType)
    expect(error.detail).toMatch(detail)
  })

  it('a surrogate pair is stored as sent', () => {
    expect(readUserInput({ userName: 'a', displayName: '😀' }, schema, new CompatLog()).resource.displayName).toBe('😀')
  })

  it('a non-finite number is refused', () => {
    expect(scimErrorOf(post({ userName: 'a', Level: Infinity })).detail).toMatch(/'Level' must be a finite number/)
  })
})

describe('utf8ByteLength', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['é', 2],
    ['€', 3],
    ['😀', 4],
    ['\ud800', 3],
    ['\udc00\ud800', 6],
  ])('%j is %i bytes', (text, bytes) => {
    expect(utf8ByteLength(text)).toBe(bytes)
  })

  it('agrees with TextEncoder on well-formed text', () => {
    const text = 'aé€😀'.repeat(100)
    expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).length)
  })
})

describe('readUserReplacement: PUT without active', () => {
  const deactivated = stored({ active: false, displayName: 'Old' })

  it.each([
    ['omitted', { userName: 'babs@contoso.example', displayName: 'New' }, false],
    ['null', { userName: 'babs@contoso.example', active: null }, false],
    ['given true', { userName: 'babs@contoso.example', active: true }, true],
    ['given "True"', { userName: 'babs@contoso.example', ACTIVE: 'True' }, true],
  ])('active %s on a deactivated user → %s', (_name, body, active) => {
    expect(readUserReplacement(body, deactivated, schema, new CompatLog()).resource.active).toBe(active)
  })

  it('keeps an active user active, and can deactivate', () => {
    expect(readUserReplacement({ userName: 'a' }, stored(), schema, new CompatLog()).resource.active).toBe(true)
    expect(readUserReplacement({ userName: 'a', active: false }, stored(), schema, new CompatLog()).resource.active).toBe(false)
  })

  it('otherwise replaces the resource as POST reads it', () => {
    const body = { userName: 'babs@contoso.example', displayName: 'New', emails: [{ value: 'n@b.c' }] }
    const { resource } = readUserReplacement(body, deactivated, schema, new CompatLog())
    expect(resource).toEqual({ ...readUserInput(body, schema, new CompatLog()).resource, active: false })
  })
})
