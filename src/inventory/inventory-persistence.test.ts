import assert from "node:assert/strict";
import { test } from "node:test";
import {
  INVENTORY_KINDS,
  loadInventory,
  persistInventory,
  saveInventoryOptions,
  toldBucket,
} from "./inventory-persistence.ts";
import {
  createTestInventory,
  level,
  openInventoryTestStore,
  T0,
  testOptions,
} from "./inventory-test-fixture.ts";

test("a restart restores inputs and told numbers: nothing is re-sent, nothing told is forgotten", async (t) => {
  const { store, reopen } = await openInventoryTestStore(t);
  const options = testOptions({ kits: { KIT: { components: [{ sku: "A", quantity: "2" }] } } });
  const inv = createTestInventory(options);
  await store.transaction((tx) => saveInventoryOptions(tx, options));
  for (let i = 0; i < 1_500; i++) inv.state.applyLevel(level(`S${i}`, String(i % 7), { part: "q1" }));
  inv.state.applyLevel(level("A", "9"));
  inv.state.reserve("web:1", "web", T0, [{ sku: "KIT", quantity: "1" }]);
  inv.state.setHeartbeat("odoo", T0 + 10);
  inv.state.confirm("web:1", T0 + 15);
  const plan = inv.planner.plan("web", T0 + 10);
  assert.equal(plan.total, 1_502);
  inv.planner.confirm("web", plan.batches.flat(), T0 + 10);
  await persistInventory(store, inv);
  await store.close();

  const again = await loadInventory(await reopen());
  assert.ok(again);
  assert.equal(again.planner.plan("web", T0 + 10).total, 0, "nothing to re-send");
  assert.equal(again.planner.plan("b2b", T0 + 10).total, 1_502, "b2b was never told");
  assert.equal(again.planner.told("web", "A")?.quantity, 7);
  assert.equal(
    again.state.reservations.get("web:1")?.confirmedAt,
    T0 + 15,
    "confirmed, not yet seen in Odoo",
  );
  assert.equal(again.state.heartbeats.get("odoo"), T0 + 10);
  assert.deepEqual(
    again.engine.explain("KIT", "web", T0 + 10)?.quantity,
    inv.engine.explain("KIT", "web", T0 + 10)?.quantity,
  );
});

test("told numbers are grouped in at most 256 buckets per channel; a released order's record is deleted", async (t) => {
  const { store } = await openInventoryTestStore(t);
  const inv = createTestInventory();
  for (let i = 0; i < 2_000; i++) inv.state.applyLevel(level(`S${i}`, "1"));
  inv.state.reserve("web:1", "web", T0, [{ sku: "S1", quantity: "1" }]);
  inv.planner.confirm("web", inv.planner.plan("web", T0).batches.flat(), T0);
  await persistInventory(store, inv);
  const told = await store.records.list(INVENTORY_KINDS.told, { limit: 1_000 });
  assert.ok(told.length <= 256 && told.length > 200, `${told.length} buckets`);
  assert.equal(toldBucket("S1"), toldBucket("S1"));
  assert.ok(await store.records.get(INVENTORY_KINDS.order, "web:1"));
  inv.state.release("web:1");
  await persistInventory(store, inv);
  assert.equal(await store.records.get(INVENTORY_KINDS.order, "web:1"), undefined);
});

test("a rolled-back write leaves the changes pending for the next one", async (t) => {
  const { store } = await openInventoryTestStore(t);
  const inv = createTestInventory();
  inv.state.applyLevel(level("A", "1"));
  await assert.rejects(
    store.transaction(async (tx) => {
      const { writeInventoryChanges } = await import("./inventory-persistence.ts");
      await writeInventoryChanges(tx, inv);
      throw new Error("boom");
    }),
  );
  assert.equal(await store.records.get(INVENTORY_KINDS.sku, "A"), undefined);
  await persistInventory(store, inv);
  assert.ok(await store.records.get(INVENTORY_KINDS.sku, "A"));
});
