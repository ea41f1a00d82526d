import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "../core/clock.ts";
import { silentLogger } from "../delivery/structured-logger.ts";
import { loadInventory, saveInventoryOptions } from "./inventory-persistence.ts";
import {
  createTestInventory,
  MINUTE,
  openInventoryTestStore,
  T0,
  testOptions,
} from "./inventory-test-fixture.ts";
import type { StockUpdate } from "./publication-planner.ts";
import { createStockFeed, STOCK_FEED_EVENTS } from "./stock-feed.ts";
import { createStockPublisher } from "./stock-publisher.ts";

const quant = (id: number, sku: string, quantity: string, reserved = "0", location = 8) => ({
  stream: `stock:${sku}`,
  type: "stock.changed",
  data: {
    source: { connection: "odoo", model: "stock.quant", id, write_date: "2026-01-01 00:00:00" },
    product_id: 1,
    default_code: sku,
    location_id: location,
    quantity,
    reserved_quantity: reserved,
  },
});

const order = (id: string, sku: string, quantity: string, channel = "web") => ({
  stream: `order:${channel}:${id}`,
  type: "order.received",
  data: { order: { channel, channelOrderId: id, status: "pending", lines: [{ sku, quantity, uom: "EA" }] } },
});

async function setup(t: import("node:test").TestContext) {
  const clock = new ManualClock(T0);
  const { store, reopen } = await openInventoryTestStore(t, clock);
  const options = testOptions();
  await store.transaction((tx) => saveInventoryOptions(tx, options));
  const inventory = createTestInventory(options);
  const feed = createStockFeed({
    store,
    inventory,
    clock,
    logger: silentLogger,
    odoo: { odoo: { locations: { "8": "WH" } } },
  });
  return { clock, store, reopen, inventory, feed };
}

test("quants, 846 levels, orders and cancellations reach the engine; state survives a restart", async (t) => {
  const { store, reopen, inventory, feed } = await setup(t);
  await store.events.append([
    quant(1, "A", "7", "1"),
    quant(2, "A", "3"),
    quant(3, "A", "100", "0", 99),
    {
      stream: "stock:tpl:TPL",
      type: "stock.reported",
      data: {
        source: "tpl",
        levels: [
          {
            schemaVersion: 1,
            sku: "A",
            warehouse: "TPL",
            uom: "EA",
            onHand: "5",
            reserved: "0",
            available: "5",
            asOf: new Date(T0 + 60 * MINUTE).toISOString(),
            source: "tpl",
          },
        ],
      },
    },
    order("1", "A", "2"),
    order("2", "A", "1"),
    { stream: "order:web:2", type: "order.cancelled", data: { channel: "web", channelOrderId: "2" } },
  ]);
  await feed.catchUp();
  const ex = inventory.engine.explain("A", "web", T0);
  assert.equal(ex?.quantity, 12, "9 at WH (location 99 unmapped) + 5 at TPL - 2 reserved");
  assert.equal(
    ex?.levels.find((l) => l.source === "tpl")?.observedAt,
    T0,
    "an asOf in the future is capped at the event's time",
  );
  await store.close();
  const again = await loadInventory(await reopen());
  assert.equal(again?.engine.explain("A", "web", T0)?.quantity, 12);
  assert.deepEqual([...(again?.state.reservations.keys() ?? [])], ["web:1"]);
});

test("an order above what was available is flagged on its stream; Odoo's confirmation waits for the next quant", async (t) => {
  const { store, inventory, feed, clock } = await setup(t);
  await store.events.append([quant(1, "A", "3"), order("1", "A", "5")]);
  await feed.catchUp();
  const flagged = await store.events.readStream("order:web:1");
  const oversold = flagged.find((e) => e.type === STOCK_FEED_EVENTS.stockOversold);
  assert.ok(oversold);
  assert.equal(
    (oversold.data as { check: { lines: { verdict: string }[] } }).check.lines[0]?.verdict,
    "exceeds-available",
  );

  clock.advance(1_000);
  await store.events.append([
    { stream: "order:S00001", type: "order.confirmed", data: { origin: "web:1", name: "S00001" } },
  ]);
  await feed.catchUp();
  assert.equal(inventory.state.reservations.get("web:1")?.confirmedAt, T0 + 1_000);
  clock.advance(1_000);
  await store.events.append([quant(1, "A", "3", "3")]);
  await feed.catchUp();
  assert.equal(inventory.state.reservations.size, 0, "Odoo's reserved now carries it");
});

test("syncHeartbeats takes the quant poller's last complete poll as the Odoo heartbeat", async (t) => {
  const { store, inventory, feed, clock } = await setup(t);
  await store.events.append([quant(1, "A", "10")]);
  await feed.catchUp();
  clock.advance(30 * MINUTE);
  assert.equal(inventory.engine.explain("A", "b2b", clock.now())?.quantity, 0, "stale");
  await store.transaction((tx) =>
    tx.putRecord("odoo.poller", "odoo/stock.quant/stock-quants", {
      v: 1,
      mode: "write_date",
      polledFrom: clock.now() - 1_000,
    }),
  );
  await feed.syncHeartbeats();
  assert.equal(inventory.engine.explain("A", "b2b", clock.now())?.quantity, 10);
});

test("the publisher sends deltas through the port, confirms only what was accepted, and stores it", async (t) => {
  const { store, reopen, inventory, feed, clock } = await setup(t);
  await store.events.append([quant(1, "A", "10"), quant(2, "B", "4"), quant(3, "C", "1")]);
  await feed.catchUp();
  const calls: StockUpdate[][] = [];
  let fail = false;
  const port = {
    async publish(_channel: string, updates: readonly StockUpdate[]) {
      if (fail) throw new Error("503");
      calls.push([...updates]);
      return { accepted: updates.filter((u) => u.sku !== "C"), rejected: [{ sku: "C", reason: "unknown" }] };
    },
  };
  const publisher = createStockPublisher({
    store,
    inventory,
    port,
    clock,
    logger: silentLogger,
    fullEveryMs: 60 * MINUTE,
  });
  const first = await publisher.pass("web");
  assert.deepEqual(first, [{ channel: "web", status: "ok", sent: 3, accepted: 2 }]);
  assert.deepEqual(
    (await publisher.pass("web"))[0],
    { channel: "web", status: "ok", sent: 1, accepted: 0 },
    "only C, refused before, goes again",
  );
  fail = true;
  await store.events.append([quant(1, "A", "8")]);
  await feed.catchUp();
  assert.equal((await publisher.pass("web"))[0]?.status, "failed");
  fail = false;
  await store.close();
  const again = await loadInventory(await reopen());
  assert.equal(again?.planner.told("web", "A")?.quantity, 10, "the failed 8 was never told");
  assert.equal(again?.planner.plan("web", T0).total, 2, "A (8) and C remain pending after a restart");
});

test("a full re-publication runs on its schedule", async (t) => {
  const { store, inventory, feed, clock } = await setup(t);
  await store.events.append([quant(1, "A", "10"), quant(2, "B", "4")]);
  await feed.catchUp();
  const sent: StockUpdate[] = [];
  const port = {
    async publish(_c: string, updates: readonly StockUpdate[]) {
      sent.push(...updates);
      return { accepted: [...updates] };
    },
  };
  const publisher = createStockPublisher({
    store,
    inventory,
    port,
    clock,
    logger: silentLogger,
    fullEveryMs: 60 * MINUTE,
  });
  await publisher.pass("b2b");
  await store.events.append([quant(1, "A", "10")]);
  clock.advance(2 * MINUTE);
  sent.length = 0;
  await publisher.pass("b2b");
  assert.equal(sent.length, 0, "nothing changed");
  clock.advance(60 * MINUTE);
  await store.transaction((tx) =>
    tx.putRecord("odoo.poller", "odoo/stock.quant/stock-quants", { polledFrom: clock.now() }),
  );
  await feed.syncHeartbeats();
  await publisher.pass();
  assert.deepEqual(
    sent.filter((u) => u.sku === "A").length,
    2,
    "A re-sent to both channels although unchanged",
  );
});
