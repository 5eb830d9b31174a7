import { describe, expect, it } from 'vitest'
import { cursorParam, decodeCursor, encodeCursor } from './cursor'
import { dateTimeLocal, hrefWith } from './href'
import { logFilterSchema } from './log-filter'

describe('hrefWith', () => {
  it('keeps given values, drops empty ones, and writes dates as the filter fields show them', () => {
    expect(
      hrefWith('/logs', { idp: 'a b', status: '', user: undefined, method: null, from: new Date('2026-01-31T09:05:59.999Z') }),
    ).toBe('/logs?idp=a+b&from=2026-01-31T09%3A05')
    expect(hrefWith('/users', {})).toBe('/users')
    expect(hrefWith('', { sort: 'userName', dir: 'asc' })).toBe('?sort=userName&dir=asc')
    // Query syntax inside a value stays inside it.
    expect(new URL(hrefWith('/logs', { user: 'a&status=5xx#x' }), 'http://portal.test').searchParams.get('user')).toBe(
      'a&status=5xx#x',
    )
    expect(dateTimeLocal(undefined)).toBe('')
  })
})

describe('page cursors', () => {
  const key = { createdAt: new Date('2026-03-01T12:00:00.123Z'), id: '0f8fad5b-d9cb-469f-a165-70867728950e' }

  it('round-trip a row key through the URL', () => {
    expect(decodeCursor(encodeCursor(key))).toEqual(key)
    expect(logFilterSchema.parse({ after: encodeCursor(key) }).after).toEqual(key)
    expect(logFilterSchema.parse({ before: [encodeCursor(key), 'x'] }).before).toEqual(key)
  })

  it('read an unreadable cursor as none, so the list starts over instead of failing', () => {
    for (const bad of [
      '',
      'zzz',
      '12.not-a-uuid',
      `${'9'.repeat(16)}.${key.id}`,
      `${encodeCursor(key)}x`,
      'x'.repeat(1_000_000),
      '\u0000',
    ]) {
      expect(cursorParam.parse(bad)).toBeUndefined()
    }
    expect(cursorParam.parse(undefined)).toBeUndefined()
    expect(cursorParam.parse(42)).toBeUndefined()
  })
})
