/**
 * The retry schedule of outbound webhooks, the one Svix publishes: an attempt at once, then retries
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after each failure (8 attempts over about 27.6 hours).
 *
 * The store's `RetryPolicy` is exponential, which cannot express this table. So the job's policy is
 * made neutral (no delay of its own, 8 attempts) and the delivery handler puts the schedule's delay in
 * the error's `retryAfterMs`, which the store honours as the floor of the next delay: the store still
 * owns the attempt count, the exception record at the end and the `runAt` bookkeeping.
 */
import type { RetryPolicy } from "../store/retry-policy.ts";

/** Delay after failed attempt n (index n-1), ms. */
export const WEBHOOK_RETRY_SCHEDULE_MS: readonly number[] = Object.freeze([
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
]);

/** Share of each delay that is randomised (±10%), so endpoints that failed together do not retry together. */
export const WEBHOOK_RETRY_JITTER = 0.1;

/** A partner's `Retry-After` is honoured up to this long; beyond it the hint is treated as a mistake. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** The job retry policy of every `webhook.deliver` job (see the module comment). */
export const WEBHOOK_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  initialIntervalMs: 0,
  backoffCoefficient: 1,
  maximumIntervalMs: 0,
  maximumAttempts: WEBHOOK_RETRY_SCHEDULE_MS.length + 1,
  jitter: 0,
  nonRetryableCodes: [],
});

/**
 * Delay before the retry that follows failed attempt `attempt` (1-based), with jitter, never shorter
 * than the partner's `Retry-After` (capped at `MAX_RETRY_AFTER_MS`). `undefined` after the last attempt.
 */
export function webhookRetryDelay(
  attempt: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number | undefined {
  const base = WEBHOOK_RETRY_SCHEDULE_MS[attempt - 1];
  if (base === undefined) return undefined;
  const jittered = Math.round(base * (1 + WEBHOOK_RETRY_JITTER * (2 * random() - 1)));
  const hint = retryAfterMs === undefined ? 0 : Math.min(Math.max(0, retryAfterMs), MAX_RETRY_AFTER_MS);
  return Math.max(jittered, hint);
}
