import assert from "node:assert/strict";
import { test } from "node:test";
import { nextRetryDelay, resolveRetryPolicy } from "../store/retry-policy.ts";
import {
  MAX_RETRY_AFTER_MS,
  WEBHOOK_RETRY_POLICY,
  WEBHOOK_RETRY_SCHEDULE_MS,
  webhookRetryDelay,
} from "./retry-schedule.ts";

test("the schedule is Svix's: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after an immediate attempt", () => {
  const mid = () => 0.5;
  const delays = [1, 2, 3, 4, 5, 6, 7].map((n) => webhookRetryDelay(n, undefined, mid));
  assert.deepEqual(delays, [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
  assert.equal(webhookRetryDelay(8, undefined, mid), undefined, "no retry after the 8th attempt");
  assert.equal(WEBHOOK_RETRY_POLICY.maximumAttempts, WEBHOOK_RETRY_SCHEDULE_MS.length + 1);
});

test("jitter spreads each delay by at most ±10%", () => {
  assert.equal(
    webhookRetryDelay(2, undefined, () => 0),
    270_000,
  );
  assert.equal(
    webhookRetryDelay(2, undefined, () => 1),
    330_000,
  );
});

test("a partner's Retry-After is a floor, capped at a day; a negative one is ignored", () => {
  assert.equal(
    webhookRetryDelay(1, 60_000, () => 0.5),
    60_000,
  );
  assert.equal(
    webhookRetryDelay(1, 1_000, () => 0.5),
    5_000,
  );
  assert.equal(
    webhookRetryDelay(1, 365 * 86_400_000, () => 0.5),
    MAX_RETRY_AFTER_MS,
  );
  assert.equal(
    webhookRetryDelay(1, -5, () => 0.5),
    5_000,
  );
});

test("the job policy adds no delay of its own: the handler's retryAfterMs is the delay", () => {
  const policy = resolveRetryPolicy(WEBHOOK_RETRY_POLICY);
  assert.equal(
    nextRetryDelay(policy, 3, 1_800_000, () => 0.9),
    1_800_000,
  );
  assert.equal(
    nextRetryDelay(policy, 3, undefined, () => 0.9),
    0,
  );
});
