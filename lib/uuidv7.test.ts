import { describe, expect, it } from 'vitest'
import { uuidv7 } from './uuidv7'

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('uuidv7', () => {
  it('is an RFC 9562 version 7 UUID whose first 48 bits are the millisecond time', () => {
    const now = Date.UTC(2026, 11, 1, 20, 0, 0, 123)
    const id = uuidv7(now)
    expect(id).toMatch(V7)
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now)
  })

  it('sorts by time, and ids of one millisecond differ', () => {
    const ids = [0, 1, 255, 256, 65_535, 1_700_000_000_000, 2 ** 48 - 1].map((time) => uuidv7(time))
    expect([...ids].sort()).toEqual(ids)
    for (const id of ids) expect(id).toMatch(V7)
    const sameMillisecond = new Set(Array.from({ length: 1000 }, () => uuidv7(42)))
    expect(sameMillisecond.size).toBe(1000)
  })
})
