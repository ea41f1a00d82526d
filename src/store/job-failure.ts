import type { StoredError } from "../core/errors.ts";
import { canRetry, nextRetryDelay, type RetryPolicy } from "./retry-policy.ts";

/** What `JobQueue.fail` does with a failed attempt, before any row is written. */
export type FailureDecision =
  | { action: "retry"; runAt: number }
  | { action: "exception" }
  | { action: "pause" };

/**
 * Decides the fate of failed attempt number `attempt` (1-based) from the error's class and the job's
 * retry policy. Pure, so both adapters decide alike:
 * - `config`: pause the target; the attempt does not count;
 * - `business`, a code in `nonRetryableCodes`, or no attempts left: exception record;
 * - otherwise retry at `now + nextRetryDelay(...)` (the partner's `retryAfterMs` is a floor).
 */
export function decideFailure(
  policy: RetryPolicy,
  attempt: number,
  error: StoredError,
  now: number,
  random: () => number = Math.random,
): FailureDecision {
  if (error.failureClass === "config") return { action: "pause" };
  if (error.failureClass === "business" || !canRetry(policy, attempt, error.code)) {
    return { action: "exception" };
  }
  return { action: "retry", runAt: now + nextRetryDelay(policy, attempt, error.retryAfterMs, random) };
}
