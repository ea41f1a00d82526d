import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestInventory, level, MINUTE, T0, testOptions } from "./inventory-test-fixture.ts";

test("first plan sends every SKU; after confirm only changed numbers go, coalesced per SKU", () => {
  const { state, planner } = createTestInventory();
  for (const sku of ["A", "B", "C"]) state.applyLevel(level(sku, "10"));
  const first = planner.plan("web", T0);
  assert.equal(first.total, 3);
  planner.confirm("web", first.batches.flat(), T0);
  assert.equal(planner.plan("web", T0).total, 0);

  state.applyLevel(level("A", "7", { observedAt: T0 + 1 }));
  state.applyLevel(level("A", "6", { observedAt: T0 + 2 }));
  state.applyLevel(level("B", "10", { observedAt: T0 + 2 }));
  const delta = planner.plan("web", T0 + 2);
  assert.deepEqual(delta.batches, [[{ sku: "A", quantity: 6 }]], "B did not change; A's latest wins");
});

test("a change undone before it was sent sends nothing; an unconfirmed update stays pending", () => {
  const { state, planner } = createTestInventory();
  state.applyLevel(level("A", "10"));
  planner.confirm("web", planner.plan("web", T0).batches.flat(), T0);
  state.applyLevel(level("A", "3", { observedAt: T0 + 1 }));
  assert.equal(planner.plan("web", T0 + 1).total, 1);
  state.applyLevel(level("A", "10", { observedAt: T0 + 2 }));
  assert.equal(planner.plan("web", T0 + 2).total, 0);

  state.applyLevel(level("A", "4", { observedAt: T0 + 3 }));
  planner.plan("web", T0 + 3); // sent, but the channel failed: no confirm
  assert.deepEqual(planner.plan("web", T0 + 4).batches, [[{ sku: "A", quantity: 4 }]]);
});

test("batches follow the channel's batch size; only channels serving the warehouse are dirtied", () => {
  const { state, planner } = createTestInventory(testOptions({ web: { batchSize: 2 } }));
  for (const sku of ["A", "B", "C", "D", "E"])
    state.applyLevel(level(sku, "1", { source: "tpl", warehouse: "TPL" }));
  const plan = planner.plan("web", T0);
  assert.deepEqual(
    plan.batches.map((b) => b.length),
    [2, 2, 1],
  );
  planner.confirm("web", plan.batches.flat(), T0);
  planner.confirm("b2b", planner.plan("b2b", T0).batches.flat(), T0);
  state.applyLevel(level("A", "2", { source: "tpl", warehouse: "TPL", observedAt: T0 + 1 }));
  assert.equal(planner.plan("b2b", T0 + 1).total, 0, "b2b does not sell TPL");
  assert.equal(planner.plan("web", T0 + 1).total, 1);
});

test("republish marks every SKU, whatever was told", () => {
  const { state, planner } = createTestInventory();
  state.applyLevel(level("A", "1"));
  state.applyLevel(level("B", "2"));
  planner.confirm("web", planner.plan("web", T0).batches.flat(), T0);
  planner.republish(T0, "web");
  assert.equal(planner.plan("web", T0).total, 2);
  assert.equal(planner.plan("b2b", T0).total, 2, "b2b never confirmed anything");
});

test("time alone makes a source stale and a heartbeat brings it back", () => {
  const { state, planner } = createTestInventory();
  state.applyLevel(level("A", "10"));
  planner.confirm("web", planner.plan("web", T0).batches.flat(), T0);
  assert.deepEqual(planner.plan("web", T0 + 6 * MINUTE).batches, [[{ sku: "A", quantity: 0 }]]);
  planner.confirm("web", [{ sku: "A", quantity: 0 }], T0 + 6 * MINUTE);
  state.setHeartbeat("odoo", T0 + 7 * MINUTE);
  assert.deepEqual(planner.plan("web", T0 + 7 * MINUTE).batches, [[{ sku: "A", quantity: 10 }]]);
});

test("a kit is replanned when a component changes", () => {
  const { state, planner } = createTestInventory(
    testOptions({ kits: { KIT: { components: [{ sku: "A", quantity: "2" }] } } }),
  );
  state.applyLevel(level("A", "10"));
  planner.confirm("web", planner.plan("web", T0).batches.flat(), T0);
  state.applyLevel(level("A", "4", { observedAt: T0 + 1 }));
  const skus = planner
    .plan("web", T0 + 1)
    .batches.flat()
    .map((u) => `${u.sku}=${u.quantity}`);
  assert.deepEqual(skus.sort(), ["A=4", "KIT=2"]);
});
