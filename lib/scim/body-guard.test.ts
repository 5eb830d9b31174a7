import { describe, expect, it } from 'vitest'
import { inspectRequestBody, inspectRequestText } from './body-guard'
import { scimLimits } from './limits'

const { maxJsonDepth, maxJsonArrayLength, maxJsonObjectMembers, maxStringBytes } = scimLimits

/** `{"a":{"a":…1…}}` with `levels` objects. */
function nestedObjects(levels: number): unknown {
  let value: unknown = 1
  for (let level = 0; level < levels; level++) value = { a: value }
  return value
}

function nestedArrays(levels: number): unknown {
  let value: unknown = []
  for (let level = 1; level < levels; level++) value = [value]
  return value
}

const members = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`k${index}`, index]))

type Row = { name: string; body: unknown; detail?: RegExp }

/** Just inside each limit: accepted. */
const accepted: Row[] = [
  { name: 'an Entra user', body: { userName: 'a@b.c', emails: [{ value: 'a@b.c', primary: true }], name: { givenName: 'A' } } },
  { name: `objects nested ${maxJsonDepth} deep`, body: nestedObjects(maxJsonDepth) },
  { name: `arrays nested ${maxJsonDepth} deep`, body: nestedArrays(maxJsonDepth) },
  { name: `an array of ${maxJsonArrayLength}`, body: { emails: Array.from({ length: maxJsonArrayLength }, () => 'x') } },
  { name: `an object of ${maxJsonObjectMembers} members`, body: members(maxJsonObjectMembers) },
  { name: `an ASCII string of ${maxStringBytes} bytes`, body: { displayName: 'x'.repeat(maxStringBytes) } },
  { name: `a two-byte string of ${maxStringBytes} bytes`, body: { displayName: 'é'.repeat(maxStringBytes / 2) } },
  { name: `an emoji string of ${maxStringBytes} bytes`, body: { displayName: '😀'.repeat(maxStringBytes / 4) } },
  { name: `a key of ${maxStringBytes} bytes`, body: { ['k'.repeat(maxStringBytes)]: 1 } },
  { name: 'a surrogate pair', body: { displayName: 'a\ud83d\ude00b' } },
  { name: 'scalars', body: 42 },
  { name: 'null', body: null },
]

/** Just over each limit, and each shape of unstorable text: 400 invalidValue naming the place and the limit. */
const refused: Row[] = [
  {
    name: `objects nested ${maxJsonDepth + 1} deep`,
    body: nestedObjects(maxJsonDepth + 1),
    detail: /'a\.a\.a.*' is nested deeper than the limit of 32 levels/,
  },
  {
    name: `arrays nested ${maxJsonDepth + 1} deep`,
    body: nestedArrays(maxJsonDepth + 1),
    detail: /'\[0\]\[0\].*' is nested deeper than the limit of 32/,
  },
  { name: 'nesting far past the limit', body: nestedObjects(100_000), detail: /nested deeper than the limit of 32 levels/ },
  {
    name: `an array of ${maxJsonArrayLength + 1}`,
    body: { Operations: [{ op: 'add', path: 'emails', value: Array.from({ length: maxJsonArrayLength + 1 }, () => 'x') }] },
    detail: /'Operations\[0\]\.value' has 1001 elements; the limit is 1000 elements per array/,
  },
  {
    name: `an object of ${maxJsonObjectMembers + 1} members`,
    body: { value: members(maxJsonObjectMembers + 1) },
    detail: /'value' has 1001 members; the limit is 1000 members per object/,
  },
  {
    name: `an ASCII string of ${maxStringBytes + 1} bytes`,
    body: { displayName: 'x'.repeat(maxStringBytes + 1) },
    detail: /'displayName' is longer than the limit of 65536 bytes per string/,
  },
  {
    name: 'a two-byte string one byte over',
    body: { displayName: `${'é'.repeat(maxStringBytes / 2)}x` },
    detail: /'displayName' is longer than the limit of 65536 bytes/,
  },
  {
    name: 'a nested string over',
    body: { emails: [{ value: 'x'.repeat(maxStringBytes + 1) }] },
    detail: /'emails\[0\]\.value' is longer than the limit/,
  },
  {
    name: `a key of ${maxStringBytes + 1} bytes`,
    body: { name: { ['k'.repeat(maxStringBytes + 1)]: 1 } },
    detail: /An attribute name in 'name' is longer than the limit of 65536 bytes/,
  },
  {
    name: 'NUL in a value',
    body: { userName: 'a\u0000b' },
    detail: /^'userName' contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored\.$/,
  },
  {
    name: 'a lone high surrogate in a value',
    body: { displayName: 'x\ud800' },
    detail: /^'displayName' contains a NUL character or an unpaired UTF-16 surrogate/,
  },
  { name: 'a lone low surrogate in a value', body: { displayName: '\udc00x' }, detail: /^'displayName' contains a NUL/ },
  {
    name: 'a nested value',
    body: { emails: [{ type: 'work' }, { value: 'b\u0000' }] },
    detail: /^'emails\[1\]\.value' contains a NUL/,
  },
  {
    name: 'an extension value',
    body: { 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { value: '\ud800' } } },
    detail: /^'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\.manager\.value' contains a NUL/,
  },
  {
    name: 'a PATCH path',
    body: { Operations: [{ op: 'remove', path: 'emails\u0000' }] },
    detail: /^'Operations\[0\]\.path' contains a NUL/,
  },
  {
    name: 'a PATCH value',
    body: { Operations: [{ op: 'replace', value: { displayName: '\udfff' } }] },
    detail: /^'Operations\[0\]\.value\.displayName' contains/,
  },
  { name: 'NUL in a key', body: { 'user\u0000Name': 'x' }, detail: /^'user\\u0000Name' contains a NUL/ },
  {
    name: 'a lone surrogate in a nested key',
    body: { name: { ['given\ud800']: 'x' } },
    detail: /^'name\.given\\ud800' contains a NUL/,
  },
  { name: 'a string in an array', body: { schemas: ['urn:x', 'a\u0000'] }, detail: /^'schemas\[1\]' contains a NUL/ },
  { name: 'the body itself', body: '\u0000', detail: /^'\(the body\)' contains a NUL/ },
]

describe('inspectRequestBody', () => {
  it.each(accepted)('accepts $name', ({ body }) => {
    expect(inspectRequestBody(body)).toBeNull()
  })

  it.each(refused)('refuses $name with 400 invalidValue', ({ body, detail }) => {
    const error = inspectRequestBody(body)
    expect(error?.status).toBe(400)
    expect(error?.scimType).toBe('invalidValue')
    expect(error?.detail).toMatch(detail as RegExp)
  })

  it('reports the first problem in document order among values', () => {
    expect(inspectRequestBody({ a: 'x\u0000', b: 'y\u0000' })?.detail).toMatch(/^'a' /)
    expect(inspectRequestBody([['x'], 'y\u0000', 'z\u0000'])?.detail).toMatch(/^'\[1\]' /)
  })

  it('clips very long keys in the path it names', () => {
    const detail = inspectRequestBody({ ['k'.repeat(5000)]: 'x\u0000' })?.detail ?? ''
    expect(detail.length).toBeLessThan(300)
    expect(detail).toContain('…')
  })

  it('never throws on JSON.parse output, whatever its shape', () => {
    const samples = [
      '{"__proto__":{"a":"\\u0000"}}',
      '{"constructor":{"prototype":1}}',
      '[1e400,-0,true,null,""]',
      '"\\ud800"',
      '{"":{"":[]}}',
    ]
    for (const text of samples) expect(() => inspectRequestBody(JSON.parse(text))).not.toThrow()
    expect(inspectRequestBody(JSON.parse(samples[0] as string))?.detail).toMatch(/^'__proto__\.a' contains a NUL/)
  })
})

describe('inspectRequestText', () => {
  it.each([
    ['objects at the limit', JSON.stringify(nestedObjects(maxJsonDepth)), null],
    ['arrays at the limit', JSON.stringify(nestedArrays(maxJsonDepth)), null],
    ['brackets inside strings', JSON.stringify({ a: '[[[[{{{{'.repeat(100), b: '\\"[[[[' }), null],
    ['invalid JSON it leaves to JSON.parse', '{"a": ]]]] [', null],
    ['objects one over', JSON.stringify(nestedObjects(maxJsonDepth + 1)), /nested deeper than the limit of 32 levels/],
    ['a megabyte of brackets', '['.repeat(1_000_000), /nested deeper than the limit of 32 levels/],
  ])('%s', (_name, text, detail) => {
    const error = inspectRequestText(text)
    if (detail === null) expect(error).toBeNull()
    else {
      expect(error?.status).toBe(400)
      expect(error?.scimType).toBe('invalidValue')
      expect(error?.detail).toMatch(detail)
    }
  })

  it('agrees with inspectRequestBody on the depth of parsed JSON', () => {
    for (const depth of [1, 5, maxJsonDepth, maxJsonDepth + 1, 40]) {
      for (const body of [nestedObjects(depth), nestedArrays(depth), { x: [nestedObjects(depth - 1)] }]) {
        expect(inspectRequestText(JSON.stringify(body)) === null).toBe(inspectRequestBody(body) === null)
      }
    }
  })
})
