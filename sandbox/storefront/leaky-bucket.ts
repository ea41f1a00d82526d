import type { Clock } from "../../src/core/clock.ts";

/** Shopify's REST limits for a standard plan: a bucket of 40 calls that leaks 2 calls a second. */
export interface LeakyBucketOptions {
  /** Calls the bucket holds; default 40. */
  size?: number;
  /** Calls leaked per second; default 2. */
  leakPerSecond?: number;
}

/** The decision for one call: let through (with the level to report) or refused with a wait. */
export type BucketDecision =
  | { allowed: true; used: number; size: number }
  | { allowed: false; used: number; size: number; retryAfter: string };

/**
 * Shopify's leaky bucket, per access token: each call adds one to the bucket, which empties at
 * `leakPerSecond`; a call that finds it full is refused (429) and adds nothing. The level is reported
 * in `X-Shopify-Shop-Api-Call-Limit` as `used/size`.
 */
export class LeakyBucket {
  readonly size: number;
  readonly leakPerSecond: number;
  readonly #clock: Clock;
  readonly #buckets = new Map<string, { level: number; at: number }>();

  constructor(clock: Clock, options: LeakyBucketOptions = {}) {
    this.#clock = clock;
    this.size = options.size ?? 40;
    this.leakPerSecond = options.leakPerSecond ?? 2;
  }

  take(key: string): BucketDecision {
    const now = this.#clock.now();
    const bucket = this.#buckets.get(key) ?? { level: 0, at: now };
    const level = Math.max(0, bucket.level - ((now - bucket.at) / 1000) * this.leakPerSecond);
    if (level + 1 > this.size) {
      this.#buckets.set(key, { level, at: now });
      // Shopify always answers "Retry-After: 2.0", longer than one slot takes to free up at 2/s.
      return { allowed: false, used: this.size, size: this.size, retryAfter: "2.0" };
    }
    this.#buckets.set(key, { level: level + 1, at: now });
    return { allowed: true, used: Math.ceil(level + 1 - 1e-9), size: this.size };
  }
}
