import { describe, expect, it } from 'vitest'
import { RateLimiter } from './rate-limit'

describe('RateLimiter', () => {
  it('allows a burst, then the sustained rate, and says when to retry', () => {
    const limiter = new RateLimiter(2, 3)
    const t0 = 1_000_000
    expect([1, 2, 3, 4].map(() => limiter.take('k', t0).allowed)).toEqual([true, true, true, false])
    expect(limiter.take('k', t0)).toEqual({ allowed: false, retryAfterSeconds: 1 })
    // Half a second at 2/s refills one token.
    expect(limiter.take('k', t0 + 500).allowed).toBe(true)
    expect(limiter.take('k', t0 + 500).allowed).toBe(false)
    // Never more than the burst, however long the key was quiet.
    const later = t0 + 3_600_000
    expect([1, 2, 3, 4].map(() => limiter.take('k', later).allowed)).toEqual([true, true, true, false])
  })

  it('keeps keys apart', () => {
    const limiter = new RateLimiter(1, 1)
    expect(limiter.take('a', 0).allowed).toBe(true)
    expect(limiter.take('a', 0).allowed).toBe(false)
    expect(limiter.take('b', 0).allowed).toBe(true)
  })

  it('check spends nothing; spend counts a failure that already happened', () => {
    const limiter = new RateLimiter(1, 2)
    expect(limiter.check('k', 0).allowed).toBe(true)
    limiter.spend('k', 0)
    limiter.spend('k', 0)
    limiter.spend('k', 0)
    expect(limiter.check('k', 0)).toEqual({ allowed: false, retryAfterSeconds: 1 })
    expect(limiter.check('k', 1000).allowed).toBe(true)
  })

  it('a slow rate asks for a longer wait', () => {
    const limiter = new RateLimiter(0.1, 1)
    limiter.take('k', 0)
    expect(limiter.take('k', 0)).toEqual({ allowed: false, retryAfterSeconds: 10 })
  })

  it('rate 0 turns it off', () => {
    const limiter = new RateLimiter(0, 1)
    expect(Array.from({ length: 100 }, () => limiter.take('k').allowed).every(Boolean)).toBe(true)
  })

  it('forgets the oldest keys first, so a flood of new keys cannot grow memory', () => {
    const limiter = new RateLimiter(1, 1, 3)
    limiter.take('first', 0)
    expect(limiter.take('first', 0).allowed).toBe(false)
    for (const key of ['b', 'c', 'd']) limiter.take(key, 0)
    // "first" was evicted: it starts again with a full bucket.
    expect(limiter.take('first', 0).allowed).toBe(true)
  })
})
