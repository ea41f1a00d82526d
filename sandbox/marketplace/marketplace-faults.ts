import type { Clock } from "../../src/core/clock.ts";

/**
 * What the sandbox marketplace can be told to do instead of answering normally:
 * - `status`: answer this status (5xx, 4xx, 429) with `body` and an optional `Retry-After`;
 * - `hang`: never answer (the client's timeout has to fire);
 * - `reset`: drop the connection without an answer;
 * - `malformed`: 200 with a JSON body cut in the middle;
 * - `oversized`: 200 with a valid JSON body of about `bytes` bytes;
 * - `loop`: a list answer whose next cursor or next link leads back to the page just served.
 */
export type MarketplaceFault =
  | { kind: "status"; status: number; body?: unknown; retryAfter?: string }
  | { kind: "hang" }
  | { kind: "reset" }
  | { kind: "malformed" }
  | { kind: "oversized"; bytes: number }
  | { kind: "loop" };

/** Which requests a fault applies to (default: every API request, not the token endpoint). */
export interface FaultScope {
  /** Answers spoiled. Default 1. */
  times?: number;
  /** Only requests whose path (without the query) starts with this, e.g. `/v1/orders`. Default `/v1/`. */
  pathPrefix?: string;
  /** Matching requests let through before the fault starts (to spoil page 2 of a walk). Default 0. */
  skip?: number;
}

/** Faults waiting for a request, first told first used. */
export class FaultQueue {
  #queue: { fault: MarketplaceFault; left: number; prefix: string; skip: number }[] = [];

  add(fault: MarketplaceFault, scope: FaultScope = {}): void {
    const prefix = scope.pathPrefix ?? "/v1/";
    this.#queue.push({ fault, left: scope.times ?? 1, prefix, skip: scope.skip ?? 0 });
  }

  /** The fault for a request to `path`, used up by this call, or undefined. */
  take(path: string): MarketplaceFault | undefined {
    const entry = this.#queue.find((e) => path.startsWith(e.prefix));
    if (!entry) return undefined;
    if (entry.skip > 0) {
      entry.skip--;
      return undefined;
    }
    entry.left--;
    if (entry.left <= 0) this.#queue = this.#queue.filter((e) => e !== entry);
    return entry.fault;
  }

  clear(): void {
    this.#queue = [];
  }
}

/**
 * The marketplace's own rate limit: a bucket of `burst` requests refilled at `requestsPerSecond`, on
 * the sandbox clock. A request that finds it empty is refused with the seconds until the next slot.
 */
export class ServerRateLimit {
  readonly requestsPerSecond: number;
  readonly burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #at: number;

  constructor(clock: Clock, requestsPerSecond: number, burst: number) {
    this.#clock = clock;
    this.requestsPerSecond = requestsPerSecond;
    this.burst = burst;
    this.#tokens = burst;
    this.#at = clock.now();
  }

  /** Takes a slot; when none is free, `retryAfterSeconds` says when one will be (at least 1). */
  take(): { remaining: number; retryAfterSeconds?: number } {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) / 1_000) * this.requestsPerSecond);
    this.#at = now;
    // A hair of tolerance: a client keeping exactly to the limit must not be refused by rounding.
    if (this.#tokens >= 1 - 1e-6) {
      this.#tokens -= 1;
      return { remaining: Math.floor(this.#tokens) };
    }
    const seconds = Math.max(1, Math.ceil((1 - this.#tokens) / this.requestsPerSecond));
    return { remaining: 0, retryAfterSeconds: seconds };
  }
}
