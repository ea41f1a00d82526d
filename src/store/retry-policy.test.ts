import assert from "node:assert/strict";
import { test } from "node:test";
import { canRetry, DEFAULT_RETRY_POLICY, nextRetryDelay, resolveRetryPolicy } from "./retry-policy.ts";

test("delay grows by the coefficient and stops at the maximum", () => {
  const policy = resolveRetryPolicy({
    initialIntervalMs: 100,
    backoffCoefficient: 3,
    maximumIntervalMs: 1_000,
    jitter: 0,
  });
  assert.deepEqual(
    [1, 2, 3, 4].map((a) => nextRetryDelay(policy, a)),
    [100, 300, 900, 1_000],
  );
});

test("jitter spreads the delay within its share, and Retry-After is a floor", () => {
  const policy = resolveRetryPolicy({ initialIntervalMs: 1_000, jitter: 0.2 });
  assert.equal(
    nextRetryDelay(policy, 1, undefined, () => 0),
    800,
  );
  assert.equal(
    nextRetryDelay(policy, 1, undefined, () => 1),
    1_200,
  );
  assert.equal(
    nextRetryDelay(policy, 1, 5_000, () => 0.5),
    5_000,
  );
});

test("maximum attempts and non-retryable codes end retries", () => {
  const policy = resolveRetryPolicy({ maximumAttempts: 3, nonRetryableCodes: ["CDK_X"] });
  assert.equal(canRetry(policy, 2, "CDK_Y"), true);
  assert.equal(canRetry(policy, 3, "CDK_Y"), false);
  assert.equal(canRetry(policy, 1, "CDK_X"), false);
  assert.equal(canRetry(resolveRetryPolicy({ maximumAttempts: 0 }), 1_000, "CDK_Y"), true);
});

test("invalid policies are refused with the field named", () => {
  assert.throws(() => resolveRetryPolicy({ backoffCoefficient: 0.5 }), /backoffCoefficient/);
  assert.throws(() => resolveRetryPolicy({ jitter: 2 }), /jitter/);
  assert.deepEqual(resolveRetryPolicy(undefined), { ...DEFAULT_RETRY_POLICY, nonRetryableCodes: [] });
});
