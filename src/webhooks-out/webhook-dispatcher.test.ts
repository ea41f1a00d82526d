import assert from "node:assert/strict";
import { test } from "node:test";
import { deliveryJob, WEBHOOKS_OUT_SUBSCRIPTION } from "./webhook-dispatcher.ts";
import { webhookTarget } from "./webhook-subscription.ts";
import { setupWebhooks } from "./webhooks-test-fixture.ts";

test("each event goes to every subscription whose patterns and filter match, and only those", async (t) => {
  const w = await setupWebhooks(t);
  const all = (await w.subscriptions.create({ name: "all", url: w.url, events: ["*"] })).subscription;
  const b2b = (
    await w.subscriptions.create({
      name: "b2b",
      url: w.url,
      events: ["order.confirmed"],
      filter: { "data.channel": "b2b" },
    })
  ).subscription;
  const ship = (
    await w.subscriptions.create({
      name: "ship",
      url: w.url,
      events: ["shipment.*"],
      filter: { stream: { prefix: "order:EU" } },
    })
  ).subscription;
  const result = await w.publish(
    { type: "order.confirmed", data: { channel: "b2b" } },
    { type: "order.confirmed", data: { channel: "web" } },
    { type: "shipment.dispatched", stream: "order:EU-1" },
    { type: "shipment.dispatched", stream: "order:US-1" },
  );
  assert.deepEqual(result, { events: 4, jobs: 4 + 1 + 1 });
  const count = async (id: string) => (await w.store.jobs.list({ target: webhookTarget(id) })).length;
  assert.deepEqual([await count(all.id), await count(b2b.id), await count(ship.id)], [4, 1, 1]);
});

test("the cursor moves with the enqueue; an empty poll does nothing; a batch read twice enqueues nothing twice", async (t) => {
  const w = await setupWebhooks(t);
  const { subscription } = await w.subscriptions.create({ name: "all", url: w.url, events: ["*"] });
  await w.publish({ type: "a.b" });
  assert.deepEqual(await w.dispatcher.dispatchOnce(), { events: 0, jobs: 0 });
  const [info] = (await w.store.events.subscriptions()).filter((s) => s.name === WEBHOOKS_OUT_SUBSCRIPTION);
  assert.ok(info?.cursor);
  const [event] = await w.store.events.readStream("order:SO1");
  const again = await w.store.jobs.enqueue([deliveryJob(subscription, event!)]);
  assert.equal(again[0]?.duplicate, true, "the idempotency key makes a re-dispatch a no-op");
});

test("a subscription gets only events created after it, and disabled ones get theirs held", async (t) => {
  const w = await setupWebhooks(t);
  await w.store.events.append([{ stream: "s", type: "a.b", data: {} }]);
  w.clock.advance(1);
  const { subscription } = await w.subscriptions.create({ name: "late", url: w.url, events: ["*"] });
  assert.deepEqual(await w.dispatcher.dispatchOnce(), { events: 1, jobs: 0 });
  await w.subscriptions.disable(subscription.id, "manual");
  assert.deepEqual(await w.publish({ type: "a.b" }), { events: 1, jobs: 1 });
  assert.deepEqual(await w.runDue(), [], "held on the paused target");
});

test("the loop dispatches what is appended, wakes on demand and stops cleanly", async (t) => {
  const w = await setupWebhooks(t);
  await w.subscriptions.create({ name: "all", url: w.url, events: ["*"] });
  let enqueued = 0;
  const { createWebhookDispatcher } = await import("./webhook-dispatcher.ts");
  const loop = createWebhookDispatcher({
    store: w.store,
    clock: w.clock,
    subscriptions: w.subscriptions,
    logger: w.log.logger,
    pollIntervalMs: 60_000,
    cacheTtlMs: 0,
    onEnqueued: () => enqueued++,
  });
  await loop.start();
  await w.store.events.append([{ stream: "s", type: "a.b", data: {} }]);
  const done = new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (enqueued > 0) {
        clearInterval(check);
        resolve();
      }
    }, 1);
  });
  loop.wake();
  await done;
  await loop.stop();
  assert.equal(enqueued, 1);
  assert.equal((await w.store.jobs.list()).length, 1);
});
