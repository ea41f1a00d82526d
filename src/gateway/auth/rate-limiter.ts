/**
 * Per-identity rate limits as token buckets: each identity may burst up to its per-minute limit, and
 * its bucket refills continuously at limit/60 tokens per second. Buckets live in this process only: with
 * N gateway processes an identity gets up to N times its limit (documented in docs/security.md). That
 * keeps the request path free of store round trips; a shared limit would need one per call.
 */
import type { Clock } from "../../core/clock.ts";

export interface RateDecision {
  allowed: boolean;
  limit: number;
  /** Whole requests left right now. */
  remaining: number;
  /** Seconds until the bucket is full again (RateLimit-Reset). */
  resetS: number;
  /** When refused: ms until one request is allowed again (Retry-After). */
  retryAfterMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
  limit: number;
}

const MINUTE_MS = 60_000;

export class RateLimiter {
  readonly #clock: Clock;
  readonly #buckets = new Map<string, Bucket>();
  readonly #maxBuckets: number;

  /** `maxBuckets` bounds memory; past it, the least recently used bucket is forgotten (starts full). */
  constructor(clock: Clock, maxBuckets = 100_000) {
    this.#clock = clock;
    this.#maxBuckets = maxBuckets;
  }

  /** Takes one request from `key`'s bucket of `limitPerMinute`. */
  take(key: string, limitPerMinute: number): RateDecision {
    const now = this.#clock.now();
    const perMs = limitPerMinute / MINUTE_MS;
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: limitPerMinute, at: now, limit: limitPerMinute };
      if (this.#buckets.size >= this.#maxBuckets) {
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
    } else {
      this.#buckets.delete(key);
      // A changed limit applies at once, without handing out a fresh burst.
      bucket.tokens = Math.min(limitPerMinute, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
      bucket.at = now;
      bucket.limit = limitPerMinute;
    }
    this.#buckets.set(key, bucket);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    return {
      allowed,
      limit: limitPerMinute,
      remaining: Math.floor(bucket.tokens),
      resetS: Math.ceil((limitPerMinute - bucket.tokens) / perMs / 1_000),
      retryAfterMs: allowed ? 0 : Math.ceil((1 - bucket.tokens) / perMs),
    };
  }
}
