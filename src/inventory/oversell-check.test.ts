import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestInventory, level, T0 } from "./inventory-test-fixture.ts";
import { checkOrder } from "./oversell-check.ts";

test("an order within what was available and told is ok", () => {
  const inv = createTestInventory();
  inv.state.applyLevel(level("A", "10"));
  inv.planner.confirm("web", inv.planner.plan("web", T0).batches.flat(), T0);
  const check = checkOrder(inv, "web", [{ sku: "A", quantity: "10" }], T0 + 1);
  assert.equal(check.status, "ok");
  assert.equal(check.lines[0]?.trail, undefined);
});

test("an order above the availability at its time is flagged with the trail that explains it", () => {
  const inv = createTestInventory();
  inv.state.applyLevel(level("A", "10"));
  inv.planner.confirm("web", inv.planner.plan("web", T0).batches.flat(), T0);
  inv.state.reserve("b2b:7", "b2b", T0 + 5, [{ sku: "A", quantity: "8" }]);
  const check = checkOrder(inv, "web", [{ sku: "A", quantity: "3" }], T0 + 10);
  assert.equal(check.status, "oversold");
  const line = check.lines[0];
  assert.equal(line?.verdict, "exceeds-available");
  assert.equal(line?.available, 2);
  assert.equal(line?.told, 10, "the channel still showed 10: the update had not gone yet");
  assert.deepEqual(line?.trail?.told, [{ quantity: 10, at: T0 }]);
  assert.deepEqual(
    line?.trail?.explanation.reservations.map((r) => r.order),
    ["b2b:7"],
  );
});

test("lines of one SKU add up; more than told but available is exceeds-told", () => {
  const inv = createTestInventory();
  inv.state.applyLevel(level("A", "10"));
  inv.planner.confirm("web", [{ sku: "A", quantity: 4 }], T0);
  const check = checkOrder(
    inv,
    "web",
    [
      { sku: "A", quantity: "3" },
      { sku: "A", quantity: "2" },
    ],
    T0 + 1,
  );
  assert.equal(check.lines[0]?.verdict, "exceeds-told");
  assert.equal(check.lines[0]?.ordered, "5");
});
