import { describe, expect, it } from 'vitest'
import { expectScimError } from '@/test/support/scim-error'
import { CompatLog } from '../compat'
import type { AttributeDefinition } from './attributes'
import { coerceSimpleValue } from './coerce'
import { parseDateTime } from './date-time'

const dateTime: AttributeDefinition = {
  name: 'StartDate',
  type: 'dateTime',
  multiValued: false,
  description: 'A custom dateTime attribute',
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
}

describe('parseDateTime (RFC 7643 §2.3.5)', () => {
  it.each([
    ['2026-01-31T12:00:00Z', '2026-01-31T12:00:00.000Z'],
    ['2026-01-31T12:00:00.1234567Z', '2026-01-31T12:00:00.123Z'],
    ['2026-01-31T12:00:00+02:00', '2026-01-31T10:00:00.000Z'],
    ['2026-01-31T12:00:00-0130', '2026-01-31T13:30:00.000Z'],
    ['2026-01-31T12:00', '2026-01-31T12:00:00.000Z'],
    ['2026-01-31', '2026-01-31T00:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseDateTime(text)).toBe(iso)
  })

  it.each([
    'Jan 31 2026',
    '31/01/2026',
    '2026-02-30',
    '2025-02-29T00:00:00Z',
    '2026-13-01',
    '2026-01-31T24:00:00Z',
    '2026-01-31T12:60Z',
    '2026',
    '',
    '2026-01-31T12:00:00\u0000Z',
  ])('refuses %j', (text) => {
    expect(parseDateTime(text)).toBeUndefined()
  })
})

describe('dateTime writes use the same reader', () => {
  it('stores an xsd:dateTime as sent', () => {
    expect(coerceSimpleValue(dateTime, '2026-01-31T12:00:00+02:00', new CompatLog())).toBe('2026-01-31T12:00:00+02:00')
  })

  it.each(['Jan 31 2026', '2026-02-30', 'tomorrow', 20260131])('refuses %j with 400 invalidValue', (value) => {
    const error = expectScimError(() => coerceSimpleValue(dateTime, value, new CompatLog()), 400, 'invalidValue')
    expect(error.detail).toMatch(/'StartDate' must be an xsd:dateTime string/)
  })
})
