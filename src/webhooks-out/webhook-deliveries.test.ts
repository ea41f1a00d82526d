import assert from "node:assert/strict";
import { test } from "node:test";
import { WEBHOOK_RETRY_SCHEDULE_MS } from "./retry-schedule.ts";
import { listDeliveries, replayDeliveries, replayDelivery } from "./webhook-deliveries.ts";
import { setupWebhooks } from "./webhooks-test-fixture.ts";

test("the delivery log shows each attempt with time, status, duration and error", async (t) => {
  const w = await setupWebhooks(t);
  const { subscription } = await w.subscriptions.create({ name: "acme", url: w.url, events: ["*"] });
  w.answer((_r, n) => (n === 1 ? { status: 503, body: "busy" } : { status: 200 }));
  await w.publish({ type: "order.confirmed", data: { id: "SO1" } });
  const firstAt = w.clock.now();
  await w.runDue();
  w.clock.advance(WEBHOOK_RETRY_SCHEDULE_MS[0]!);
  await w.runDue();
  const { items } = await listDeliveries(w.store, subscription.id);
  assert.equal(items.length, 1);
  const [delivery] = items;
  assert.equal(delivery?.status, "done");
  assert.equal(delivery?.eventType, "order.confirmed");
  assert.match(delivery?.deliveryId ?? "", /^whd_/);
  assert.deepEqual(
    delivery?.attemptLog.map((a) => [a.attempt, a.outcome, a.status, a.code]),
    [
      [1, "failed", 503, "CDK_TARGET_UNAVAILABLE"],
      [2, "delivered", 200, undefined],
    ],
  );
  assert.equal(delivery?.attemptLog[0]?.at, firstAt);
  assert.ok(delivery!.attemptLog.every((a) => typeof a.durationMs === "number" && a.durationMs >= 0));
  assert.equal((await listDeliveries(w.store, "whs_unknown")).items.length, 0);
});

test("replaying one delivery resends it with the same webhook-id and idempotency key", async (t) => {
  const w = await setupWebhooks(t);
  const { subscription } = await w.subscriptions.create({ name: "acme", url: w.url, events: ["*"] });
  await w.publish({ type: "order.confirmed" });
  await w.runDue();
  const [delivery] = (await listDeliveries(w.store, subscription.id)).items;
  assert.equal(await replayDelivery(w.store, subscription.id, delivery!.jobId, "test"), "replayed");
  assert.equal(
    await replayDelivery(w.store, subscription.id, delivery!.jobId, "test"),
    "pending",
    "already queued",
  );
  await w.runDue();
  assert.equal(w.received.length, 2);
  const [first, again] = w.received;
  assert.equal(again?.headers["webhook-id"], first?.headers["webhook-id"]);
  assert.equal(again?.headers["idempotency-key"], first?.headers["idempotency-key"]);
  assert.equal(again?.body, first?.body);
  await assert.rejects(replayDelivery(w.store, "whs_other", delivery!.jobId, "test"), {
    code: "CDK_JOB_NOT_FOUND",
  });
  await assert.rejects(replayDelivery(w.store, subscription.id, "job_nope", "test"), {
    code: "CDK_JOB_NOT_FOUND",
  });
});

test("bulk replay: all failed ones, or everything since a time; failed ones keep their keys too", async (t) => {
  const w = await setupWebhooks(t);
  const { subscription } = await w.subscriptions.create({ name: "acme", url: w.url, events: ["*"] });
  w.answer((r) => (JSON.parse(r.body).data.bad ? { status: 422 } : { status: 200 }));
  await w.publish(
    { type: "a.b", stream: "s1", data: { bad: true } },
    { type: "a.b", stream: "s2", data: {} },
  );
  w.clock.advance(60_000);
  const since = w.clock.now();
  await w.publish(
    { type: "a.b", stream: "s3", data: { bad: true } },
    { type: "a.b", stream: "s4", data: {} },
  );
  await w.runDue();
  assert.equal(w.received.length, 4);
  const failedKeys = w.received
    .filter((r) => JSON.parse(r.body).data.bad)
    .map((r) => r.headers["webhook-id"]);

  w.answer(() => ({ status: 200 }));
  const failed = await replayDeliveries(w.store, subscription.id, { failedOnly: true, by: "test" });
  assert.deepEqual(failed, { scanned: 2, replayed: 0, retried: 2, skipped: 0, truncated: false });
  await w.runDue();
  assert.deepEqual(
    w.received.slice(4).map((r) => r.headers["webhook-id"]),
    failedKeys,
    "same webhook-ids as the first tries",
  );
  assert.equal((await w.store.exceptions.list({ status: "open" })).length, 0);

  const recent = await replayDeliveries(w.store, subscription.id, { since, by: "test" });
  assert.deepEqual(recent, { scanned: 4, replayed: 2, retried: 0, skipped: 2, truncated: false });
  const capped = await replayDeliveries(w.store, subscription.id, { by: "test", max: 1 });
  assert.equal(capped.truncated, true);
  assert.equal(capped.replayed, 1);
});
