import assert from "node:assert/strict";
import { test } from "node:test";
import { createConcurrencyBudget } from "./concurrency-budget.ts";

test("a full target is excluded and the batch never exceeds the tightest room left", () => {
  const budget = createConcurrencyBudget({
    total: 10,
    perTarget: new Map([["odoo", 2]]),
    defaultPerTarget: 4,
  });
  assert.deepEqual(budget.plan(), { limit: 2, excludeTargets: [] });
  budget.acquire("odoo");
  assert.deepEqual(budget.plan(), { limit: 1, excludeTargets: [] });
  budget.acquire("odoo");
  assert.deepEqual(budget.plan(), { limit: 4, excludeTargets: ["odoo"] });
  budget.acquire("wms");
  budget.acquire("wms");
  budget.acquire("wms");
  assert.deepEqual(budget.plan(), { limit: 1, excludeTargets: ["odoo"] });
  budget.acquire("wms");
  assert.deepEqual(budget.plan(), { limit: 4, excludeTargets: ["odoo", "wms"] });
  assert.equal(budget.inFlight, 6);
  budget.release("odoo");
  assert.equal(budget.inFlightFor("odoo"), 1);
  assert.deepEqual(budget.plan(), { limit: 1, excludeTargets: ["wms"] });
});

test("the total budget caps the batch and a full worker claims nothing", () => {
  const budget = createConcurrencyBudget({ total: 3, perTarget: new Map(), defaultPerTarget: 3 });
  budget.acquire("a");
  budget.acquire("b");
  assert.deepEqual(budget.plan(), { limit: 1, excludeTargets: [] });
  budget.acquire("c");
  assert.equal(budget.plan().limit, 0);
  budget.release("c");
  budget.release("c");
  assert.equal(budget.inFlight, 2, "a release without a matching acquire changes nothing");
});
