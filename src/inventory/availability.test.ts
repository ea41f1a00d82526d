import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestInventory, level, MINUTE, T0, testOptions } from "./inventory-test-fixture.ts";

function quantity(inv: ReturnType<typeof createTestInventory>, sku: string, channel = "web", now = T0) {
  return inv.engine.explain(sku, channel, now)?.quantity;
}

test("stock sums the served warehouses' on hand minus reserved", () => {
  const inv = createTestInventory();
  inv.state.applyLevel(level("A", "10", { reserved: "3" }));
  inv.state.applyLevel(level("A", "5", { source: "tpl", warehouse: "TPL" }));
  assert.equal(quantity(inv, "A", "web"), 12);
  assert.equal(quantity(inv, "A", "b2b"), 7, "b2b is served by WH only");
});

test("a source's available lower than on hand - reserved wins; a non-authoritative source is shown, not counted", () => {
  const inv = createTestInventory();
  inv.state.applyLevel(level("A", "10", { source: "tpl", warehouse: "TPL", available: "4" }));
  inv.state.applyLevel(level("A", "50", { source: "tpl", warehouse: "WH" }));
  const ex = inv.engine.explain("A", "web", T0);
  assert.equal(ex?.quantity, 4);
  assert.deepEqual(ex?.levels.map((l) => l.use).sort(), ["counted", "not-authoritative"]);
});

test("parts of one warehouse add up; an older reading never replaces a newer one", () => {
  const inv = createTestInventory();
  inv.state.applyLevel(level("A", "2", { part: "q1" }));
  inv.state.applyLevel(level("A", "3", { part: "q2" }));
  assert.equal(inv.state.applyLevel(level("A", "100", { part: "q1", observedAt: T0 - 1 })), false);
  assert.equal(quantity(inv, "A"), 5);
});

test("soft reservations take from every channel until Odoo's next reading after confirmation", () => {
  const inv = createTestInventory();
  inv.state.applyLevel(level("A", "10"));
  inv.state.reserve("web:1", "web", T0, [{ sku: "A", quantity: "4" }]);
  assert.equal(quantity(inv, "A", "b2b"), 6);
  inv.state.confirm("web:1", T0 + 1000);
  inv.state.applyLevel(level("A", "10", { observedAt: T0 + 500 }));
  assert.equal(quantity(inv, "A", "b2b", T0 + 1000), 6, "a reading older than the confirmation keeps it");
  inv.state.applyLevel(level("A", "10", { reserved: "4", observedAt: T0 + 2000 }));
  assert.equal(quantity(inv, "A", "b2b", T0 + 2000), 6, "now Odoo's reserved carries it, counted once");
  assert.equal(inv.state.reservations.size, 0);
  inv.state.reserve("web:2", "web", T0, [{ sku: "A", quantity: "1" }]);
  inv.state.release("web:2");
  assert.equal(quantity(inv, "A", "b2b", T0 + 2000), 6);
});

test("safety stock, share, buffer, pack size, max listed and min to stay listed, in that order", () => {
  const inv = createTestInventory(
    testOptions({
      skus: { A: { safetyStock: "2" } },
      web: { sharePercent: 50, buffer: "1", packSizes: { A: "6" }, maxListed: 3 },
      b2b: { minListed: 5 },
    }),
  );
  inv.state.applyLevel(level("A", "100"));
  // (100 - 2) x 50% = 49; - 1 = 48; / 6 = 8 packs; max 3
  assert.equal(quantity(inv, "A", "web"), 3);
  inv.state.applyLevel(level("A", "40", { observedAt: T0 + 1 }));
  // 38 x 50% = 19; - 1 = 18; / 6 = 3
  assert.equal(quantity(inv, "A", "web", T0 + 1), 3);
  inv.state.applyLevel(level("A", "20", { observedAt: T0 + 2 }));
  // 18 x 50% = 9; 8; / 6 = 1 (floor)
  assert.equal(quantity(inv, "A", "web", T0 + 2), 1);
  assert.equal(quantity(inv, "A", "b2b", T0 + 2), 18);
  inv.state.applyLevel(level("A", "6", { observedAt: T0 + 3 }));
  assert.equal(quantity(inv, "A", "b2b", T0 + 3), 0, "4 is below min 5: delisted");
});

test("fractions are floored, never rounded up; negatives publish 0", () => {
  const inv = createTestInventory(testOptions({ web: { sharePercent: 33.33 } }));
  inv.state.applyLevel(level("A", "9.999999"));
  assert.equal(quantity(inv, "A", "b2b"), 9);
  assert.equal(quantity(inv, "A", "web"), 3);
  inv.state.applyLevel(level("A", "-5", { observedAt: T0 + 1 }));
  assert.equal(quantity(inv, "A", "b2b", T0 + 1), 0);
});

test("units of measure: a case reading counts its factor; an unknown unit counts 0", () => {
  const inv = createTestInventory(testOptions({ skus: { A: { uomFactors: { CA: "12" } } } }));
  inv.state.applyLevel(level("A", "2", { uom: "CA", source: "tpl", warehouse: "TPL" }));
  inv.state.applyLevel(level("A", "5", { uom: "PAL" }));
  const ex = inv.engine.explain("A", "web", T0);
  assert.equal(ex?.quantity, 24);
  assert.ok(ex?.levels.some((l) => l.use === "unit-unknown"));
});

test("kits: floor of min(component pool / quantity), then the channel policy", () => {
  const inv = createTestInventory(
    testOptions({
      kits: {
        KIT: {
          components: [
            { sku: "A", quantity: "2" },
            { sku: "B", quantity: "1" },
          ],
        },
      },
    }),
  );
  inv.state.applyLevel(level("A", "9"));
  inv.state.applyLevel(level("B", "10"));
  assert.equal(quantity(inv, "KIT"), 4);
  inv.state.reserve("web:1", "web", T0, [{ sku: "KIT", quantity: "2" }]);
  assert.equal(quantity(inv, "A"), 5, "a kit order reserves its components");
  assert.equal(quantity(inv, "KIT"), 2);
});

test("freshness: conservative counts a stale source as 0, zero publishes 0, hold keeps the last told", () => {
  const inv = createTestInventory(testOptions({ b2b: { freshness: "zero", warehouses: ["WH", "TPL"] } }));
  inv.state.applyLevel(level("A", "10"));
  inv.state.applyLevel(level("A", "5", { source: "tpl", warehouse: "TPL" }));
  const later = T0 + 6 * MINUTE;
  const ex = inv.engine.explain("A", "web", later);
  assert.equal(ex?.quantity, 5);
  assert.equal(ex?.freshness.stale, true);
  assert.deepEqual(ex?.freshness.staleSources, ["odoo"]);
  assert.match(ex?.freshness.reason ?? "", /counts as 0/);
  assert.equal(quantity(inv, "A", "b2b", later), 0);

  const held = createTestInventory(testOptions({ web: { freshness: "hold" } }));
  held.state.applyLevel(level("A", "10"));
  assert.equal(quantity(held, "A", "web", later), 0, "never told: conservative");
  held.planner.confirm("web", [{ sku: "A", quantity: 8 }], T0);
  assert.equal(quantity(held, "A", "web", later), 8);
  held.state.reserve("web:9", "web", later, [{ sku: "A", quantity: "5" }]);
  assert.equal(quantity(held, "A", "web", later), 5, "orders still lower a held number");
  held.state.setHeartbeat("odoo", later);
  assert.equal(quantity(held, "A", "web", later), 5, "fresh again");
});

test("a channel's own SLA overrides the source's", () => {
  const inv = createTestInventory(testOptions({ b2b: { slaMs: { odoo: 60 * MINUTE } } }));
  inv.state.applyLevel(level("A", "10"));
  assert.equal(quantity(inv, "A", "web", T0 + 10 * MINUTE), 0);
  assert.equal(quantity(inv, "A", "b2b", T0 + 10 * MINUTE), 10);
});
