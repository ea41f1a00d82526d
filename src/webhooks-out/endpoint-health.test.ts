import assert from "node:assert/strict";
import { test } from "node:test";
import { afterFailure, afterSuccess, HEALTHY, healthFromJson, healthToJson } from "./endpoint-health.ts";

const DAY = 86_400_000;

test("a streak starts at its first failure and disables once it is older than the period", () => {
  let health = { ...HEALTHY };
  const start = 1_000_000;
  let step = afterFailure(health, start, 5 * DAY);
  assert.equal(step.disable, false);
  assert.equal(step.next.failingSince, start);
  health = step.next;
  step = afterFailure(health, start + 5 * DAY - 1, 5 * DAY);
  assert.equal(step.disable, false);
  assert.equal(step.next.failingSince, start, "the streak keeps its first failure");
  assert.equal(step.next.consecutiveFailures, 2);
  step = afterFailure(step.next, start + 5 * DAY, 5 * DAY);
  assert.equal(step.disable, true);
});

test("one success ends the streak; a healthy endpoint needs no write", () => {
  const failing = afterFailure({ ...HEALTHY }, 10, DAY).next;
  const recovered = afterSuccess(failing, 20);
  assert.equal(recovered.changed, true);
  assert.equal(recovered.next.failingSince, undefined);
  assert.equal(recovered.next.lastSuccessAt, 20);
  assert.equal(afterSuccess(recovered.next, 30).changed, false);
  assert.equal(afterFailure(recovered.next, 40 + 2 * DAY, DAY).disable, false, "a new streak starts afresh");
});

test("health survives a JSON round trip, and a damaged record reads as healthy", () => {
  const failing = afterFailure({ ...HEALTHY }, 10, DAY).next;
  assert.deepEqual(healthFromJson(healthToJson(failing)), failing);
  for (const damaged of [null, "x", [1], { failingSince: "yesterday" }, undefined]) {
    assert.equal(healthFromJson(damaged as never).failingSince, undefined);
  }
});
