/**
 * The client side of a partner's rate limit: a token bucket per connection. It holds `burst` tokens
 * and refills at `ratePerSecond`; each request takes one, waiting (first come, first served) when none
 * is left. A 429 from the partner pauses the bucket for its `Retry-After`: no request leaves before
 * then, and afterwards one request goes first and the rest follow at the steady rate, not as a burst.
 *
 * Over any window of `t` seconds at most `burst + ratePerSecond * t` requests leave. Time and timers
 * are injected, so tests drive it with a manual clock.
 */
import type { Clock } from "../../core/clock.ts";
import type { Timers } from "../../core/timers.ts";

export interface TokenBucketOptions {
  ratePerSecond: number;
  burst: number;
  clock: Clock;
  timers: Timers;
}

export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly #clock: Clock;
  readonly #timers: Timers;
  #tokens: number;
  #refilledAt: number;
  #pausedUntil = Number.NEGATIVE_INFINITY;
  #waiters: (() => void)[] = [];
  #timer: unknown;

  constructor(options: TokenBucketOptions) {
    this.ratePerSecond = options.ratePerSecond;
    this.burst = options.burst;
    this.#clock = options.clock;
    this.#timers = options.timers;
    this.#tokens = options.burst;
    this.#refilledAt = options.clock.now();
  }

  /** Resolves when a request may leave (the token is taken). */
  take(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#drain();
    });
  }

  /**
   * Stops every request until `ms` from now (a partner's `Retry-After`), and empties the bucket so
   * that what waited does not leave as one burst. A shorter pause than one in force changes nothing.
   */
  pauseFor(ms: number): void {
    const until = this.#clock.now() + Math.max(0, ms);
    if (until <= this.#pausedUntil) return;
    this.#pausedUntil = until;
    this.#tokens = 1;
    this.#refilledAt = until;
    if (this.#timer !== undefined) {
      this.#timers.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#drain();
  }

  /** Requests waiting for a token. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Time until the pause ends (0 when not paused), ms. */
  get pausedForMs(): number {
    return Math.max(0, this.#pausedUntil - this.#clock.now());
  }

  #refill(now: number): void {
    if (now <= this.#refilledAt) return;
    this.#tokens = Math.min(
      this.burst,
      this.#tokens + ((now - this.#refilledAt) * this.ratePerSecond) / 1_000,
    );
    this.#refilledAt = now;
  }

  #drain(): void {
    if (this.#timer !== undefined) return;
    while (this.#waiters.length > 0) {
      const now = this.#clock.now();
      this.#refill(now);
      const pausedMs = this.#pausedUntil - now;
      if (pausedMs <= 0 && this.#tokens >= 1) {
        this.#tokens -= 1;
        this.#waiters.shift()?.();
        continue;
      }
      const refillMs = Math.ceil(((1 - this.#tokens) * 1_000) / this.ratePerSecond);
      this.#timer = this.#timers.setTimeout(
        () => {
          this.#timer = undefined;
          this.#drain();
        },
        Math.max(1, pausedMs, refillMs),
      );
      return;
    }
  }
}
