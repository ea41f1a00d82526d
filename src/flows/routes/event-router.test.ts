/**
 * Routes on a real store: matching events become delivery jobs on the route's target, once, with the
 * SLA deadline; batch routes keep events and deliver them together on the flush; a crash between two
 * passes neither loses nor doubles a job (the jobs commit with the consumer's cursor).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ManualClock } from "../../core/clock.ts";
import { createSequentialIds } from "../../core/ids.ts";
import { MODEL_EXAMPLES } from "../../core/model/model-examples.ts";
import { silentLogger } from "../../delivery/structured-logger.ts";
import { createSqliteStore } from "../../store/sqlite/sqlite-store.ts";
import type { JsonValue } from "../../store/store.ts";
import { createEventRouter, ROUTE_DELIVER_KIND, type RouteConfig } from "./event-router.ts";

const orderOf = (id: string, country: string, total: string): JsonValue => ({
  order: {
    ...MODEL_EXAMPLES.order,
    channel: "shop",
    channelOrderId: id,
    shipTo: { name: "A", street: "S 1", city: "X", countryCode: country },
    totals: { ...MODEL_EXAMPLES.order.totals, grandTotal: total },
  } as unknown as JsonValue,
});

test("real-time and batch routes deliver the matching events once", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-routes-"));
  const clock = new ManualClock(Date.parse("2026-03-01T09:00:00Z"));
  const ids = createSequentialIds();
  const open = () => createSqliteStore({ path: join(dir, "hub.db"), clock, ids });
  let store = await open();
  await store.migrate();
  t.after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  const routes: RouteConfig[] = [
    {
      name: "big-eu",
      on: "order.received",
      when: { country: ["BE", "NL"], amountAtLeast: "500.00" },
      deliver: "audit",
      mode: "real-time",
      slaMinutes: 10,
    },
    {
      name: "all-daily",
      on: "order.received",
      deliver: "dwh",
      mode: "batch",
      batch: { everyMinutes: 60, maxItems: 2 },
    },
  ];
  await store.events.append([
    { stream: "order:shop:1", type: "order.received", data: orderOf("1", "BE", "610.00") },
    { stream: "order:shop:2", type: "order.received", data: orderOf("2", "FR", "900.00") },
    { stream: "order:shop:3", type: "order.received", data: orderOf("3", "NL", "499.99") },
    { stream: "order:shop:3", type: "order.cancelled", data: null },
  ]);
  let router = createEventRouter({ store, clock, logger: silentLogger, routes });
  assert.equal(await router.consumer.catchUp(), 3, "the routes' event type only");
  // The process dies and comes back: nothing is taken twice.
  await store.close();
  store = await open();
  router = createEventRouter({ store, clock, logger: silentLogger, routes });
  await store.events.append([
    { stream: "order:shop:4", type: "order.received", data: orderOf("4", "BE", "500.00") },
  ]);
  assert.equal(await router.consumer.catchUp(), 1);

  const audit = await store.jobs.claim({ workerId: "t", leaseMs: 60_000, limit: 100, targets: ["audit"] });
  assert.deepEqual(
    audit.map((j) => [j.kind, (j.payload as { event: { stream: string } }).event.stream]).sort(),
    [
      [ROUTE_DELIVER_KIND, "order:shop:1"],
      [ROUTE_DELIVER_KIND, "order:shop:4"],
    ],
  );
  assert.equal(
    (audit[0]?.payload as { slaDeadline?: string } | undefined)?.slaDeadline,
    "2026-03-01T09:10:00.000Z",
  );

  assert.equal(await router.flushBatches(), 1);
  assert.equal(await router.flushBatches(), 1);
  assert.equal(await router.flushBatches(), 0, "all delivered");
  const dwh = await store.jobs.claim({ workerId: "t", leaseMs: 60_000, limit: 100, targets: ["dwh"] });
  assert.deepEqual(
    dwh.map((j) => (j.payload as { items: unknown[] }).items.length),
    [2, 2],
    "four orders in batches of at most two",
  );
});
