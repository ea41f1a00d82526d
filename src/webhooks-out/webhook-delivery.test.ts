import assert from "node:assert/strict";
import { test } from "node:test";
import { Webhook } from "standardwebhooks";
import { WEBHOOK_HEALTH_KIND } from "./endpoint-health.ts";
import { WEBHOOK_RETRY_SCHEDULE_MS } from "./retry-schedule.ts";
import { webhookTarget } from "./webhook-subscription.ts";
import { setupWebhooks } from "./webhooks-test-fixture.ts";

const HOUR = 3_600_000;

test("a matching event is delivered once, signed (verified by the standardwebhooks library), with its keys", async (t) => {
  const w = await setupWebhooks(t);
  const { subscription, secret } = await w.subscriptions.create({
    name: "acme",
    url: w.url,
    events: ["order.*"],
  });
  assert.deepEqual(await w.publish({ type: "order.confirmed", data: { id: "SO1", total: 12.5 } }), {
    events: 1,
    jobs: 1,
  });
  const results = await w.runDue();
  assert.deepEqual(results, [{ status: "completed" }]);
  assert.equal(w.received.length, 1);
  const [request] = w.received;
  const body = new Webhook(secret).verify(
    request!.body,
    request!.headers as Record<string, string>,
  ) as Record<string, unknown>;
  assert.equal(body.type, "order.confirmed");
  assert.deepEqual(body.data, { id: "SO1", total: 12.5 });
  assert.equal(typeof body.timestamp, "string");
  assert.equal(request!.headers["content-type"], "application/json");
  assert.match(request!.headers["webhook-id"] as string, /^whd_[A-Za-z0-9_-]{26}$/);
  assert.match(request!.headers["idempotency-key"] as string, new RegExp(`^webhook:${subscription.id}:`));
  assert.equal(request!.headers["x-crossdock-attempt"], "1");
  const [job] = await w.store.jobs.list({ target: webhookTarget(subscription.id) });
  assert.equal(job?.status, "done");
  assert.equal((job?.result as { status: number } | undefined)?.status, 200);
});

test("transient failures retry on the Svix schedule with the same webhook-id, re-signed each attempt", async (t) => {
  const w = await setupWebhooks(t);
  const { subscription, secret } = await w.subscriptions.create({ name: "acme", url: w.url, events: ["*"] });
  w.answer((_r, n) => (n <= 3 ? { status: n === 2 ? 502 : 503, body: "down" } : { status: 204 }));
  await w.publish({ type: "order.confirmed" });
  const [queued] = await w.store.jobs.list({ target: webhookTarget(subscription.id) });
  for (let attempt = 1; attempt <= 3; attempt++) {
    const [result] = await w.runDue();
    assert.equal(result?.status, "failed");
    const job = await w.store.jobs.get(queued!.id);
    assert.equal(
      job?.runAt,
      w.clock.now() + WEBHOOK_RETRY_SCHEDULE_MS[attempt - 1]!,
      `delay after attempt ${attempt}`,
    );
    w.clock.advance(WEBHOOK_RETRY_SCHEDULE_MS[attempt - 1]! - 1);
    assert.deepEqual(await w.runDue(), [], "not before its time");
    w.clock.advance(1);
  }
  assert.deepEqual(await w.runDue(), [{ status: "completed" }]);
  assert.equal(w.received.length, 4);
  assert.deepEqual(
    w.received.map((r) => r.headers["x-crossdock-attempt"]),
    ["1", "2", "3", "4"],
  );
  assert.equal(
    new Set(w.received.map((r) => r.headers["webhook-id"])).size,
    1,
    "one webhook-id for every attempt",
  );
  assert.equal(new Set(w.received.map((r) => r.headers["idempotency-key"])).size, 1);
  assert.equal(
    new Set(w.received.map((r) => r.headers["webhook-timestamp"])).size,
    4,
    "signed afresh each time",
  );
  assert.equal(new Set(w.received.map((r) => r.body)).size, 1, "same bytes every time");
  const last = w.received.at(-1)!;
  assert.equal(verifiesAt(secret, last.body, last.headers as Record<string, string>), true);
  const job = await w.store.jobs.get(queued!.id);
  assert.deepEqual(
    job?.errors.map((e) => [e.attempt, (e.details as { status: number }).status]),
    [
      [1, 503],
      [2, 502],
      [3, 503],
    ],
  );
  const health = (await w.store.records.get(WEBHOOK_HEALTH_KIND, subscription.id))?.data as
    | Record<string, unknown>
    | undefined;
  assert.equal(health?.failingSince, undefined, "the success ended the streak");
  assert.equal(health?.consecutiveFailures, 0);
});

test("Retry-After from the endpoint is honoured when longer than the schedule", async (t) => {
  const w = await setupWebhooks(t);
  const { subscription } = await w.subscriptions.create({ name: "acme", url: w.url, events: ["*"] });
  w.answer(() => ({ status: 429, headers: { "retry-after": "120" } }));
  await w.publish({ type: "order.confirmed" });
  await w.runDue();
  const [job] = await w.store.jobs.list({ target: webhookTarget(subscription.id) });
  assert.equal(job?.runAt, w.clock.now() + 120_000);
  assert.equal(job?.errors[0]?.code, "CDK_TARGET_UNAVAILABLE");
});

test("after 8 failed attempts the delivery becomes an exception record", async (t) => {
  const w = await setupWebhooks(t);
  const { subscription } = await w.subscriptions.create({
    name: "acme",
    url: w.url,
    events: ["*"],
    disableAfterMs: 30 * 24 * HOUR,
  });
  w.answer(() => ({ status: 500, body: "boom" }));
  await w.publish({ type: "order.confirmed" });
  for (let attempt = 1; attempt <= 8; attempt++) {
    assert.equal((await w.runDue()).length, 1);
    w.clock.advance(WEBHOOK_RETRY_SCHEDULE_MS[attempt - 1] ?? 0);
  }
  assert.equal(w.received.length, 8);
  assert.deepEqual(await w.runDue(), []);
  const [exception] = await w.store.exceptions.list({ target: webhookTarget(subscription.id) });
  assert.equal(exception?.error.code, "CDK_TARGET_UNAVAILABLE");
  assert.equal(exception?.attempts, 8);
  assert.equal(
    (exception?.error.details as { body: string } | undefined)?.body,
    "boom",
    "the endpoint's answer is kept",
  );
});

test("410 Gone disables the subscription at once; later deliveries are held, then sent on enable", async (t) => {
  const w = await setupWebhooks(t);
  const { subscription } = await w.subscriptions.create({ name: "acme", url: w.url, events: ["*"] });
  w.answer(() => ({ status: 410 }));
  await w.publish({ type: "order.confirmed", stream: "order:A" });
  await w.runDue();
  const disabled = await w.subscriptions.get(subscription.id);
  assert.equal(disabled.enabled, false);
  assert.equal(disabled.disabledReason, "gone");
  const [exception] = await w.store.exceptions.list({ target: webhookTarget(subscription.id) });
  assert.equal(exception?.error.code, "CDK_WEBHOOK_ENDPOINT_DISABLED");
  const target = (await w.store.targets.list()).find((s) => s.target === webhookTarget(subscription.id));
  assert.equal(target?.paused, true);

  w.answer(() => ({ status: 200 }));
  assert.deepEqual(
    await w.publish({ type: "order.shipped", stream: "order:B" }),
    { events: 1, jobs: 1 },
    "still enqueued",
  );
  assert.deepEqual(await w.runDue(), [], "held on the paused target");
  assert.equal(w.received.length, 1);
  await w.subscriptions.enable(subscription.id);
  assert.deepEqual(await w.runDue(), [{ status: "completed" }]);
  assert.equal(JSON.parse(w.received.at(-1)!.body).type, "order.shipped");
});

test("an endpoint failing for longer than disableAfterMs is disabled with an alert and an exception", async (t) => {
  const w = await setupWebhooks(t);
  const { subscription } = await w.subscriptions.create({
    name: "acme",
    url: w.url,
    events: ["*"],
    disableAfterMs: HOUR,
  });
  w.answer(() => ({ status: 503 }));
  await w.publish(
    { type: "order.confirmed", stream: "order:A" },
    { type: "order.confirmed", stream: "order:B" },
  );
  const started = w.clock.now();
  let attempt = 0;
  while ((await w.subscriptions.get(subscription.id)).enabled) {
    const results = await w.runDue();
    assert.ok(results.length > 0, "something ran");
    attempt++;
    w.clock.advance(WEBHOOK_RETRY_SCHEDULE_MS[attempt - 1]!);
  }
  const disabled = await w.subscriptions.get(subscription.id);
  assert.equal(disabled.disabledReason, "endpoint-failing");
  assert.ok(disabled.disabledAt! - started >= HOUR);
  const alert = w.log.lines.find(
    (l) => (l.fields as { alert?: string }).alert === "webhook-endpoint-disabled",
  );
  assert.equal(alert?.level, "error");
  assert.match(alert?.message ?? "", /ALERT webhook subscription acme/);
  const exceptions = await w.store.exceptions.list({ target: webhookTarget(subscription.id) });
  assert.equal(exceptions[0]?.error.code, "CDK_WEBHOOK_ENDPOINT_DISABLED");
  assert.equal(exceptions[0]?.error.details?.lastError, "CDK_TARGET_UNAVAILABLE");
  const jobs = await w.store.jobs.list({ target: webhookTarget(subscription.id) });
  assert.deepEqual(
    jobs.map((j) => j.status).sort(),
    ["exception", "ready"],
    "the other delivery is held, not lost",
  );

  w.answer(() => ({ status: 200 }));
  await w.subscriptions.enable(subscription.id);
  w.clock.advance(24 * HOUR);
  assert.deepEqual(await w.runDue(), [{ status: "completed" }]);
  assert.equal(
    await w.store.records.get(WEBHOOK_HEALTH_KIND, subscription.id),
    undefined,
    "enable forgets the streak",
  );
});

test("other 4xx answers are business failures: an exception at once, no retry", async (t) => {
  const w = await setupWebhooks(t);
  const { subscription } = await w.subscriptions.create({ name: "acme", url: w.url, events: ["*"] });
  w.answer(() => ({ status: 400, body: JSON.stringify({ error: "unknown order" }) }));
  await w.publish({ type: "order.confirmed" });
  await w.runDue();
  w.clock.advance(HOUR);
  assert.deepEqual(await w.runDue(), []);
  const [exception] = await w.store.exceptions.list({ target: webhookTarget(subscription.id) });
  assert.equal(exception?.error.code, "CDK_TARGET_REJECTED");
  assert.equal(exception?.error.failureClass, "business");
  assert.equal((await w.subscriptions.get(subscription.id)).enabled, true);
  const health = await w.store.records.get(WEBHOOK_HEALTH_KIND, subscription.id);
  assert.equal(
    (health?.data as { consecutiveFailures: number } | undefined)?.consecutiveFailures,
    1,
    "4xx counts in the streak",
  );
});

test("a redirect is not followed and counts as a refusal", async (t) => {
  const w = await setupWebhooks(t);
  const { subscription } = await w.subscriptions.create({ name: "acme", url: w.url, events: ["*"] });
  w.answer(() => ({ status: 302, headers: { location: "http://169.254.169.254/" } }));
  await w.publish({ type: "order.confirmed" });
  await w.runDue();
  const [exception] = await w.store.exceptions.list({ target: webhookTarget(subscription.id) });
  assert.match(exception?.error.message ?? "", /redirects are not followed/);
  assert.equal(w.received.length, 1);
});

test("one partner sees one stream's events in order, while other streams go on", async (t) => {
  const w = await setupWebhooks(t);
  await w.subscriptions.create({ name: "acme", url: w.url, events: ["*"] });
  w.answer((_r, n) => (n === 1 ? { status: 503 } : { status: 200 }));
  await w.publish(
    { type: "order.received", stream: "order:A", data: { n: 1 } },
    { type: "order.confirmed", stream: "order:A", data: { n: 2 } },
    { type: "order.received", stream: "order:B", data: { n: 3 } },
    { type: "order.shipped", stream: "order:A", data: { n: 4 } },
  );
  await w.runDue();
  const seen = () => w.received.map((r) => (JSON.parse(r.body) as { data: { n: number } }).data.n);
  assert.deepEqual(seen(), [1, 3], "A's later events wait behind its failed first one; B is not held up");
  w.clock.advance(WEBHOOK_RETRY_SCHEDULE_MS[0]!);
  await w.runDue();
  assert.deepEqual(seen(), [1, 3, 1, 2, 4]);
});

test("rotation: both secrets sign during the window, only the new one after it", async (t) => {
  const w = await setupWebhooks(t);
  const { subscription, secret: first } = await w.subscriptions.create({
    name: "acme",
    url: w.url,
    events: ["*"],
  });
  const { secret: second } = await w.subscriptions.rotateSecret(subscription.id, { windowMs: HOUR });
  await w.publish({ type: "order.confirmed" });
  await w.runDue();
  const during = w.received.at(-1)!;
  assert.equal((during.headers["webhook-signature"] as string).split(" ").length, 2);
  for (const secret of [first, second])
    new Webhook(secret).verify(during.body, during.headers as Record<string, string>);

  w.clock.advance(HOUR);
  await w.publish({ type: "order.shipped" });
  await w.runDue();
  const after = w.received.at(-1)!;
  assert.equal((after.headers["webhook-signature"] as string).split(" ").length, 1);
  // The oracle checks the timestamp against the real clock; the manual clock moved an hour ahead.
  const headers = after.headers as unknown as Record<string, string>;
  assert.equal(verifiesAt(second, after.body, headers), true);
  assert.equal(verifiesAt(first, after.body, headers), false);
});

/** Verifies with the oracle while `Date.now()` reads the message's own timestamp. */
function verifiesAt(secret: string, body: string, headers: Record<string, string>): boolean {
  const realNow = Date.now;
  Date.now = () => Number(headers["webhook-timestamp"]) * 1_000;
  try {
    new Webhook(secret).verify(body, headers);
    return true;
  } catch {
    return false;
  } finally {
    Date.now = realNow;
  }
}

test("a deleted subscription's leftover deliveries complete as skipped", async (t) => {
  const w = await setupWebhooks(t);
  const { subscription } = await w.subscriptions.create({ name: "acme", url: w.url, events: ["*"] });
  await w.publish({ type: "order.confirmed" });
  await w.subscriptions.remove(subscription.id);
  assert.deepEqual(await w.runDue(), [{ status: "completed" }]);
  assert.equal(w.received.length, 0);
  const [job] = await w.store.jobs.list({ target: webhookTarget(subscription.id) });
  assert.deepEqual(job?.result, { skipped: "subscription deleted" });
});

test("an endpoint that does not answer in time is a transient failure", async (t) => {
  const w = await setupWebhooks(t, { timeoutMs: 150 });
  const { subscription } = await w.subscriptions.create({ name: "acme", url: w.url, events: ["*"] });
  w.answer(() => ({ status: 200, hang: true }));
  await w.publish({ type: "order.confirmed" });
  const [result] = await w.runDue();
  assert.equal(result?.status, "failed");
  const [job] = await w.store.jobs.list({ target: webhookTarget(subscription.id) });
  assert.equal(job?.status, "ready");
  assert.match(job?.errors[0]?.message ?? "", /timed out after 150 ms|timeout/i);
});

test("an unreachable endpoint is a transient failure; a huge error body is cut", async (t) => {
  const w = await setupWebhooks(t);
  const closed = await w.subscriptions.create({ name: "gone", url: "http://127.0.0.1:1/x", events: ["a.b"] });
  const noisy = await w.subscriptions.create({ name: "noisy", url: w.url, events: ["c.d"] });
  w.answer(() => ({ status: 500, body: "x".repeat(5_000_000) }));
  await w.publish({ type: "a.b" }, { type: "c.d" });
  await w.runDue();
  const [unreachable] = await w.store.jobs.list({ target: webhookTarget(closed.subscription.id) });
  assert.equal(unreachable?.errors[0]?.code, "CDK_TARGET_UNAVAILABLE");
  assert.match(unreachable?.errors[0]?.message ?? "", /ECONNREFUSED|connect/);
  const [big] = await w.store.jobs.list({ target: webhookTarget(noisy.subscription.id) });
  assert.equal((big?.errors[0]?.details as { body: string } | undefined)?.body.length, 2_000);
});

test("a URL that the policy no longer allows pauses the target instead of calling it", async (t) => {
  const w = await setupWebhooks(t, { urlPolicy: { allowPrivateNetworks: false } });
  const { subscription } = await w.subscriptions.create({ name: "acme", url: w.url, events: ["*"] });
  await w.publish({ type: "order.confirmed" });
  await w.runDue();
  assert.equal(w.received.length, 0);
  const state = (await w.store.targets.list()).find((s) => s.target === webhookTarget(subscription.id));
  assert.equal(state?.paused, true);
  assert.match(state?.reason?.message ?? "", /private/);
});

test("a malformed delivery payload is an exception, not a crash", async (t) => {
  const w = await setupWebhooks(t);
  await w.store.jobs.enqueue([
    { target: "webhook:whs_x", kind: "webhook.deliver", idempotencyKey: "k", payload: { nope: true } },
  ]);
  await w.runDue();
  const [exception] = await w.store.exceptions.list();
  assert.equal(exception?.error.code, "CDK_JOB_PAYLOAD_INVALID");
});
