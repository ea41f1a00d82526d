/**
 * Retry policy for jobs, shaped like Temporal's `RetryPolicy` plus jitter. Both store adapters use
 * `nextRetryDelay` so that retries behave the same on SQLite and PostgreSQL.
 */
export interface RetryPolicy {
  /** Delay before the first retry. Default 1,000 ms. */
  initialIntervalMs: number;
  /** Each retry waits this many times longer than the previous. Default 2. */
  backoffCoefficient: number;
  /** Upper bound on one delay. Default 300,000 ms (5 minutes). */
  maximumIntervalMs: number;
  /** Attempts in total, the first included; 0 means unlimited. Default 10. */
  maximumAttempts: number;
  /** Share of the delay that is randomised, 0..1 (0.2 = ±20%). Default 0.2. */
  jitter: number;
  /** Error codes that never retry, even when classed transient. Default none. */
  nonRetryableCodes: string[];
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 300_000,
  maximumAttempts: 10,
  jitter: 0.2,
  nonRetryableCodes: [],
});

/** Fills the gaps of a partial policy from `base` and checks the ranges. */
export function resolveRetryPolicy(
  partial: Partial<RetryPolicy> | undefined,
  base: RetryPolicy = DEFAULT_RETRY_POLICY,
): RetryPolicy {
  const policy: RetryPolicy = {
    ...base,
    ...partial,
    nonRetryableCodes: [...(partial?.nonRetryableCodes ?? base.nonRetryableCodes)],
  };
  if (!(policy.initialIntervalMs >= 0)) throw new RangeError("retry.initialIntervalMs must be >= 0");
  if (!(policy.backoffCoefficient >= 1)) throw new RangeError("retry.backoffCoefficient must be >= 1");
  if (!(policy.maximumIntervalMs >= policy.initialIntervalMs)) {
    throw new RangeError("retry.maximumIntervalMs must be >= retry.initialIntervalMs");
  }
  if (!(Number.isInteger(policy.maximumAttempts) && policy.maximumAttempts >= 0)) {
    throw new RangeError("retry.maximumAttempts must be an integer >= 0");
  }
  if (!(policy.jitter >= 0 && policy.jitter <= 1))
    throw new RangeError("retry.jitter must be between 0 and 1");
  return policy;
}

/** True when another attempt is allowed after `attempt` attempts have failed. */
export function canRetry(policy: RetryPolicy, attempt: number, code: string): boolean {
  if (policy.nonRetryableCodes.includes(code)) return false;
  return policy.maximumAttempts === 0 || attempt < policy.maximumAttempts;
}

/**
 * Delay before the retry that follows failed attempt number `attempt` (1-based):
 * `min(initial * coefficient^(attempt-1), maximum)`, spread by ±jitter, and never shorter than a
 * partner's `retryAfterMs`. `random` is injected so tests are exact.
 */
export function nextRetryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const exponential = policy.initialIntervalMs * policy.backoffCoefficient ** Math.max(0, attempt - 1);
  const capped = Math.min(exponential, policy.maximumIntervalMs);
  const spread = capped * policy.jitter * (2 * random() - 1);
  const delay = Math.max(0, Math.round(capped + spread));
  return Math.max(delay, retryAfterMs ?? 0);
}
