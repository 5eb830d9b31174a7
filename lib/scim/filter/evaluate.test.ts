import { describe, expect, it } from 'vitest'
import { matchesElement } from './evaluate'
import { parseFilter } from './parse'

const caseExact = (name: string) => name === 'id'

// [filter, element, expected]; `id` is caseExact, every other sub-attribute is not.
const cases: [string, Record<string, unknown>, boolean][] = [
  ['type eq "work"', { type: 'work' }, true],
  ['type eq "work"', { type: 'WORK' }, true],
  ['type EQ "work"', { type: 'work' }, true],
  ['Type eq "work"', { type: 'work' }, true],
  ['type eq "work"', { type: 'home' }, false],
  ['type eq "work"', {}, false],
  ['id eq "ABC"', { id: 'ABC' }, true],
  ['id eq "ABC"', { id: 'abc' }, false],
  // Entra's `primary eq "True"`, and the boolean literal.
  ['primary eq "True"', { primary: true }, true],
  ['primary eq "True"', { primary: false }, false],
  ['primary eq "false"', { primary: false }, true],
  ['primary eq true', { primary: true }, true],
  ['primary eq true', { primary: 'True' }, true],
  ['primary eq "yes"', { primary: true }, false],
  ['primary eq "True"', {}, false],
  ['value eq 42', { value: 42 }, true],
  ['value eq 42', { value: '42' }, false],
  ['type ne "home"', { type: 'work' }, true],
  ['type ne "home"', { type: 'Home' }, false],
  ['value pr', { value: 'x' }, true],
  ['value pr', { value: '' }, false],
  ['value pr', { value: null }, false],
  ['value pr', {}, false],
  ['display eq null', {}, true],
  ['display eq null', { display: 'x' }, false],
  ['display ne null', { display: 'x' }, true],
  ['display gt null', { display: 'x' }, false],
  ['value co "CONTOSO"', { value: 'babs@contoso.com' }, true],
  ['value sw "babs@"', { value: 'Babs@contoso.com' }, true],
  ['value ew "@contoso.com"', { value: 'babs@fabrikam.com' }, false],
  ['id co "abc"', { id: 'xABCx' }, false],
  ['value co 1', { value: 1 }, false],
  ['value gt 5', { value: 7 }, true],
  ['value ge 7', { value: 7 }, true],
  ['value lt 5', { value: 7 }, false],
  ['value le 7', { value: 7 }, true],
  ['value gt "b"', { value: 'C' }, true],
  ['value lt 5', { value: '3' }, false],
  ['primary gt false', { primary: true }, false],
  ['type eq "work" and value ew "@contoso.com"', { type: 'work', value: 'b@contoso.com' }, true],
  ['type eq "work" and value ew "@contoso.com"', { type: 'home', value: 'b@contoso.com' }, false],
  // `and` binds tighter than `or`: a or (b and primary).
  ['type eq "a" or type eq "b" and primary eq true', { type: 'a', primary: false }, true],
  ['type eq "a" or type eq "b" and primary eq true', { type: 'b', primary: false }, false],
  ['(type eq "a" or type eq "b") and value pr', { type: 'a' }, false],
  ['(type eq "a" or type eq "b") and value pr', { type: 'b', value: 'x' }, true],
  ['not (type eq "home")', { type: 'home' }, false],
  ['not (type eq "home")', { type: 'work' }, true],
  // A valFilter holds no value path (RFC 7644 §3.4.2.2).
  ['emails[type eq "work"]', { emails: [{ type: 'work' }] }, false],
]

describe('matchesElement', () => {
  it.each(cases)('%s on %j → %s', (filter, element, expected) => {
    expect(matchesElement(parseFilter(filter), element, { caseExact })).toBe(expected)
  })

  it('compares case-insensitively without options', () => {
    expect(matchesElement(parseFilter('id eq "ABC"'), { id: 'abc' })).toBe(true)
  })
})
