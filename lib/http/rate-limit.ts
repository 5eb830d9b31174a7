/**
 * Token buckets, one per key (a SCIM token, a client address), in this process's memory: limits are per
 * instance. Written here rather than taken from a package because the hot path wants no timers, no promises
 * and no allocation per request, and memory must stay bounded whatever keys a flood invents: buckets refill
 * lazily from the clock, and the oldest keys are forgotten first once `maxKeys` is reached.
 */

type Bucket = { tokens: number; updated: number }

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number }

const ALLOWED: RateLimitDecision = { allowed: true }

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()

  constructor(
    /** Tokens added per second; 0 turns the limiter off. */
    private readonly ratePerSecond: number,
    /** Most tokens a bucket holds: the burst a quiet key may send at once. */
    private readonly burst: number,
    private readonly maxKeys = 100_000,
  ) {}

  get enabled(): boolean {
    return this.ratePerSecond > 0
  }

  private refill(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key)
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next().value
        if (oldest !== undefined) this.buckets.delete(oldest)
      }
      bucket = { tokens: this.burst, updated: now }
      this.buckets.set(key, bucket)
      return bucket
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updated) / 1000) * this.ratePerSecond)
    bucket.updated = now
    return bucket
  }

  private refused(bucket: Bucket): RateLimitDecision {
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond)) }
  }

  /** Spends one token if there is one. */
  take(key: string, now = Date.now()): RateLimitDecision {
    if (!this.enabled) return ALLOWED
    const bucket = this.refill(key, now)
    if (bucket.tokens < 1) return this.refused(bucket)
    bucket.tokens -= 1
    return ALLOWED
  }

  /** Whether `take` would refuse, without spending anything. */
  check(key: string, now = Date.now()): RateLimitDecision {
    if (!this.enabled || !this.buckets.has(key)) return ALLOWED
    const bucket = this.refill(key, now)
    return bucket.tokens < 1 ? this.refused(bucket) : ALLOWED
  }

  /** Spends one token whether or not there is one left (a failure that has already happened). */
  spend(key: string, now = Date.now()): void {
    if (!this.enabled) return
    const bucket = this.refill(key, now)
    bucket.tokens = Math.max(0, bucket.tokens - 1)
  }
}
