import { describe, expect, it } from 'vitest'
import { REDACTED, redactBodyText, redactChanges, redactLogText } from './redact'

/** The secret every shape carries; none of its pieces may survive redaction. */
const SECRET = 'Zq9-unguessable-7Wx'
const PASSWORD_URN = 'urn:ietf:params:scim:schemas:core:2.0:User:password'

/** Every shape a secret arrives in. `keep` is a neighbouring value that must survive (no blanket masking). */
const shapes: Array<{ name: string; body: unknown; keep?: string }> = [
  { name: 'top-level password', body: { userName: 'a@b.example', displayName: 'Keep Me', password: SECRET }, keep: 'Keep Me' },
  {
    name: 'URN-qualified password',
    body: { userName: 'a@b.example', displayName: 'Keep Me', [PASSWORD_URN]: SECRET },
    keep: 'Keep Me',
  },
  {
    name: 'PATCH path password',
    body: {
      Operations: [
        { op: 'replace', path: 'displayName', value: 'Keep Me' },
        { op: 'replace', path: 'password', value: SECRET },
      ],
    },
    keep: 'Keep Me',
  },
  { name: 'PATCH path in URN form', body: { Operations: [{ op: 'replace', path: PASSWORD_URN, value: SECRET }] } },
  { name: 'PATCH path and keys in other cases', body: { Operations: [{ Op: 'Replace', Path: 'PassWord', Value: SECRET }] } },
  { name: 'PATCH value before its path', body: { Operations: [{ op: 'add', value: SECRET, path: 'password' }] } },
  {
    name: 'PATCH value as an array under a password path',
    body: { Operations: [{ op: 'add', path: 'password', value: [SECRET] }] },
  },
  {
    name: 'path-less value map',
    body: { Operations: [{ op: 'replace', value: { displayName: 'Keep Me', password: SECRET } }] },
    keep: 'Keep Me',
  },
  { name: 'path-less value map with a URN key', body: { Operations: [{ op: 'add', value: { [PASSWORD_URN]: SECRET } }] } },
  { name: 'path-less value map with a dotted key', body: { Operations: [{ op: 'add', value: { 'name.password': SECRET } }] } },
  { name: 'password nested in arrays and objects', body: { a: { b: [{ c: 1 }, { d: { password: SECRET } }] } } },
  { name: 'password as an object', body: { password: { value: SECRET } } },
  { name: 'password as a number', body: { userName: 'n@b.example', password: 918273645 } },
  { name: 'secret-named keys', body: { clientSecret: SECRET, apiKey: SECRET, access_token: SECRET, credentials: [SECRET] } },
  { name: 'bearer token in a value', body: { nickName: `Bearer ${SECRET}` } },
  { name: 'our token shape in a value', body: { nickName: `ttscim_${SECRET}` } },
  { name: 'our token shape as a key', body: { [`ttscim_${SECRET}`]: 1 } },
]

/** An Entra-shaped POST /Users body (docs/entra-behaviour.md §4). */
const ENTRA_USER = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
  externalId: 'ext-7',
  userName: 'user7@contoso.example',
  active: true,
  displayName: 'User 7',
  title: 'Engineer',
  emails: [{ primary: true, type: 'work', value: 'user7@contoso.example' }],
  meta: { resourceType: 'User' },
  name: { formatted: 'User 7', familyName: 'Family7', givenName: 'Given7' },
  phoneNumbers: [{ type: 'work', value: '+1 555 0100' }],
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: 'E7', department: 'Sales' },
}

const SECRET_PIECE = /Zq9|ungu|ssab|7Wx|9182|73645/

function nested(text: string, depth: number): string {
  return `${'{"a":'.repeat(depth)}${text}${'}'.repeat(depth)}`
}

/** Each shape as valid JSON, malformed JSON, nested past the walk depth, escaped inside a string, truncated. */
const variants: Array<[string, (json: string) => string]> = [
  ['valid JSON', (json) => json],
  ['malformed JSON', (json) => `${json.slice(0, -1)},,]x`],
  ['deep nesting', (json) => nested(json, 200)],
  ['very deep nesting', (json) => nested(json, 20_000)],
  ['escaped inside a JSON string', (json) => JSON.stringify({ detail: json, displayName: 'Keep Me' })],
  ['escaped twice, malformed', (json) => `{"outer": ${JSON.stringify(JSON.stringify({ inner: json }))}`],
  ['cut off after the secret starts', (json) => json.slice(0, json.search(SECRET_PIECE) + 4)],
]

const bodyRows = shapes.flatMap((shape) =>
  variants
    // Cut before its path, a value is just a value: nothing left in the text says it was a password.
    .filter(([variant]) => !(shape.name === 'PATCH value before its path' && variant.startsWith('cut off')))
    .map(([variant, make]) => ({ name: `${shape.name} / ${variant}`, text: make(JSON.stringify(shape.body)), shape })),
)

describe('redactBodyText', () => {
  it.each(bodyRows)('$name', ({ text, shape, name }) => {
    expect(text).toMatch(SECRET_PIECE)
    const stored = redactBodyText(text)!
    expect(stored).not.toMatch(SECRET_PIECE)
    expect(stored).toContain(REDACTED)
    if (shape.keep && name.endsWith('valid JSON')) expect(stored).toContain(shape.keep)
  })

  it('returns an ordinary Entra body unchanged, as the same text (the cheap path)', () => {
    const text = JSON.stringify(ENTRA_USER)
    expect(redactBodyText(text)).toBe(text)
  })

  it('keeps values that only mention a secret word in prose', () => {
    const stored = redactBodyText(JSON.stringify({ title: 'Password reset lead', nickName: 'token ring' }))!
    expect(JSON.parse(stored)).toEqual({ title: 'Password reset lead', nickName: 'token ring' })
  })

  it('keeps a PATCH value whose path names no secret', () => {
    const body = { Operations: [{ op: 'replace', path: 'title', value: 'Passenger liaison' }] }
    expect(JSON.parse(redactBodyText(JSON.stringify(body))!)).toEqual(body)
  })

  it('stores nothing for an empty body', () => {
    expect(redactBodyText('')).toBeNull()
    expect(redactBodyText(null)).toBeNull()
  })

  it('redacts form-encoded and YAML-like bodies', () => {
    expect(redactBodyText(`userName=a&password=${SECRET}&x=1`)).not.toMatch(SECRET_PIECE)
    expect(redactBodyText(`password: ${SECRET}\nuser: a`)).not.toMatch(SECRET_PIECE)
  })
})

/**
 * What V8 says about a malformed body quotes a few characters around the error: a password sent unquoted is
 * quoted in the message with its key out of sight. Error details and the error response body hide it.
 */
const parseErrorRows = shapes
  .map((shape) => {
    const text = JSON.stringify(shape.body).replace(`"${SECRET}"`, SECRET)
    try {
      JSON.parse(text)
    } catch (error) {
      return { name: shape.name, detail: `The request body is not valid JSON: ${(error as Error).message}` }
    }
    return { name: shape.name, detail: '' }
  })
  .filter((row) => SECRET_PIECE.test(row.detail))

const logTextRows: Array<[string, string]> = [
  ['a token in the path', `/scim/v2/enterprise-idps/x/Users/ttscim_${SECRET}`],
  ['a percent-encoded bearer credential in the path', `/scim/v2/enterprise-idps/x/Users/Bearer%20${SECRET}`],
  ['a secret-named query parameter', `count=1&access_token=${SECRET}`],
  ['a password query parameter', `password=${SECRET}&count=1`],
  ['a percent-encoded secret-named parameter name', `pass%77ord=${SECRET}`],
  ['a filter on password, plus-encoded', `filter=password+eq+%22${SECRET}%22`],
  ['a filter on the URN password, %20-encoded', `filter=${encodeURIComponent(`${PASSWORD_URN} eq "${SECRET}"`)}`],
  ['a double-encoded filter on password', `filter=${encodeURIComponent(encodeURIComponent(`password eq "${SECRET}"`))}`],
  ['a bearer credential in an error detail', `Token rejected: Authorization: Bearer ${SECRET}`],
  ['a quoted JSON fragment in an error detail', `Unexpected token in {"op":"replace","path":"password","value":"${SECRET}"`],
  ['an escaped JSON fragment in an error detail', `bad value {\\"password\\":\\"${SECRET}\\"}`],
]

describe('redactLogText', () => {
  it('has parse-error rows that really quote the secret', () => {
    expect(parseErrorRows.length).toBeGreaterThan(3)
  })

  it.each(parseErrorRows)('a JSON parse error quoting $name', ({ detail }) => {
    expect(redactLogText(detail)).not.toMatch(SECRET_PIECE)
    expect(redactLogText(detail)).toMatch(
      /^The request body is not valid JSON: Unexpected token .*\(excerpt hidden\) is not valid JSON$/,
    )
    const response = JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', detail })
    expect(redactBodyText(response)).not.toMatch(SECRET_PIECE)
  })

  it.each(logTextRows)('%s', (_name, text) => {
    expect(text).toMatch(SECRET_PIECE)
    const stored = redactLogText(text)
    expect(stored).not.toMatch(SECRET_PIECE)
    expect(stored).toContain(REDACTED)
  })

  it('keeps ordinary paths, queries and details exactly as sent', () => {
    for (const text of [
      '/scim/v2/enterprise-idps/0b6c4c46-0d43-4a5c-9a64-3f1b1a4b1a11/Users',
      'filter=userName+eq+%22user1%40contoso.example%22',
      'startIndex=1&count=100',
      'The bearer token is not valid for this identity provider.',
    ]) {
      expect(redactLogText(text)).toBe(text)
    }
    expect(redactLogText(null)).toBeNull()
  })
})

describe('redactChanges', () => {
  it.each([
    ['a password attribute', { attribute: 'password', old: null, new: SECRET }],
    ['a URN password attribute', { attribute: PASSWORD_URN, old: SECRET, new: SECRET }],
    ['a token pasted into an attribute', { attribute: 'nickName', old: null, new: `ttscim_${SECRET}` }],
    [
      'a bearer credential inside a multi-valued attribute',
      { attribute: 'emails', old: [], new: [{ value: `Bearer ${SECRET}` }] },
    ],
    ['a password key inside a complex value', { attribute: 'name', old: null, new: { givenName: 'A', password: SECRET } }],
    [
      'a password key nested past the walk depth',
      { attribute: 'x', old: null, new: JSON.parse(nested(JSON.stringify({ password: SECRET }), 100)) },
    ],
  ])('%s', (_name, change) => {
    const [stored] = redactChanges([change])
    expect(JSON.stringify(stored)).not.toMatch(SECRET_PIECE)
    expect(JSON.stringify(stored)).toContain(REDACTED)
    expect(stored!.attribute).toBe(change.attribute)
  })

  it('keeps null sides null and ordinary changes unchanged', () => {
    expect(redactChanges([{ attribute: 'password', old: null, new: SECRET }])).toEqual([
      { attribute: 'password', old: null, new: REDACTED },
    ])
    const ordinary = [{ attribute: 'title', old: 'Engineer', new: 'Boss' }]
    expect(redactChanges(ordinary)).toEqual(ordinary)
  })
})

describe('redaction under random damage', () => {
  /** A small deterministic generator, so a failure is reproducible. */
  function generator(seed: number) {
    let state = seed
    return (below: number) => {
      state = (state * 1103515245 + 12345) & 0x7fffffff
      return state % below
    }
  }
  const damage = ['"', '{', '}', '[', ']', ',', ':', '\\', ' ', 'x', '\n', "'", '\\"', '=']

  it('never leaks a secret when the text around it is damaged but the names stay whole', () => {
    const random = generator(20261201)
    let checked = 0
    for (let round = 0; round < 3000; round++) {
      const shape = shapes[random(shapes.length)]!
      let text = JSON.stringify(shape.body)
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const position = random(text.length)
        // Damage inside a secret, or inside a name that says what it is, removes what redaction relies on.
        const insideSecret = [...text.matchAll(/Zq9-unguessable-7Wx|918273645/g)].some(
          (match) => position >= match.index - 1 && position <= match.index + match[0].length,
        )
        if (insideSecret) continue
        if (
          /password|path|value|secret|token|key|credential|bearer|ttscim/i.test(
            text.slice(Math.max(0, position - 12), position + 12),
          )
        )
          continue
        text = text.slice(0, position) + damage[random(damage.length)]! + text.slice(position + random(2))
      }
      if (!text.includes(SECRET) && !text.includes('918273645')) continue
      checked++
      expect(redactBodyText(text), text).not.toMatch(SECRET_PIECE)
      expect(redactLogText(text), text).not.toMatch(SECRET_PIECE)
    }
    expect(checked).toBeGreaterThan(2000)
  })
})
