import assert from "node:assert/strict";
import { test } from "node:test";
import { WEBHOOK_HEALTH_KIND } from "./endpoint-health.ts";
import { publicView, webhookTarget } from "./webhook-subscription.ts";
import { createWebhookSubscriptions } from "./webhook-subscriptions.ts";
import { setupWebhooks } from "./webhooks-test-fixture.ts";

const base = { name: "acme", url: "https://hooks.acme.example/crossdock", events: ["order.*"] };

test("create, get, list by partner with paging, update, delete", async (t) => {
  const w = await setupWebhooks(t);
  const { subscription, secret } = await w.subscriptions.create({
    ...base,
    partner: "acme",
    filter: { "data.channel": "b2b" },
  });
  assert.match(secret, /^whsec_/);
  assert.equal(subscription.enabled, true);
  assert.equal(subscription.disableAfterMs, 5 * 24 * 3_600_000);
  assert.deepEqual(await w.subscriptions.get(subscription.id), subscription);
  for (let i = 0; i < 5; i++)
    await w.subscriptions.create({ ...base, name: `other ${i}`, partner: i % 2 ? "beta" : "acme" });
  const page1 = await w.subscriptions.list({ partner: "acme", limit: 2 });
  assert.equal(page1.items.length, 2);
  const page2 = await w.subscriptions.list({ partner: "acme", limit: 2, afterId: page1.nextAfterId! });
  assert.equal(page2.items.length, 2);
  const page3 = await w.subscriptions.list({ partner: "acme", limit: 2, afterId: page2.nextAfterId! });
  assert.deepEqual(page3, { items: [] }, "a full page may be followed by an empty one");
  assert.ok(page2.items.every((s) => s.partner === "acme"));
  assert.equal((await w.subscriptions.all()).length, 6);

  w.clock.advance(1_000);
  const updated = await w.subscriptions.update(subscription.id, {
    events: ["shipment.*"],
    filter: null,
    name: " renamed ",
  });
  assert.deepEqual(updated.events, ["shipment.*"]);
  assert.equal(updated.filter, undefined);
  assert.equal(updated.name, "renamed");
  assert.equal(updated.updatedAt, subscription.updatedAt + 1_000);
  assert.deepEqual(updated.secrets, subscription.secrets, "update never touches secrets");

  await w.subscriptions.remove(subscription.id);
  await assert.rejects(w.subscriptions.get(subscription.id), { code: "CDK_WEBHOOK_SUBSCRIPTION_NOT_FOUND" });
  await assert.rejects(w.subscriptions.remove(subscription.id), {
    code: "CDK_WEBHOOK_SUBSCRIPTION_NOT_FOUND",
  });
  await assert.rejects(w.subscriptions.update("../../etc", { name: "x" }), {
    code: "CDK_WEBHOOK_SUBSCRIPTION_NOT_FOUND",
  });
});

test("the public view never carries a secret", async (t) => {
  const w = await setupWebhooks(t);
  const { subscription, secret } = await w.subscriptions.create(base);
  const view = JSON.stringify(publicView(subscription));
  assert.equal(view.includes(secret), false);
  assert.equal(view.includes("whsec_"), false);
});

test("rotation returns the new secret once and keeps only the newest previous one for the window", async (t) => {
  const w = await setupWebhooks(t);
  const { subscription, secret: s1 } = await w.subscriptions.create(base);
  const { subscription: r1, secret: s2 } = await w.subscriptions.rotateSecret(subscription.id, {
    windowMs: 3_600_000,
  });
  assert.notEqual(s1, s2);
  assert.deepEqual(
    r1.secrets.map((s) => [s.secret, s.expiresAt]),
    [
      [s2, undefined],
      [s1, w.clock.now() + 3_600_000],
    ],
  );
  const { subscription: r2, secret: s3 } = await w.subscriptions.rotateSecret(subscription.id);
  assert.deepEqual(
    r2.secrets.map((s) => s.secret),
    [s3, s2],
    "a second rotation ends the oldest secret at once",
  );
  const { subscription: r3 } = await w.subscriptions.rotateSecret(subscription.id, { windowMs: 0 });
  assert.equal(r3.secrets.length, 1, "a zero window drops the previous secret");
  await assert.rejects(w.subscriptions.rotateSecret(subscription.id, { windowMs: -1 }), {
    code: "CDK_API_INVALID_REQUEST",
  });
  await assert.rejects(w.subscriptions.rotateSecret(subscription.id, { windowMs: 1e12 }), {
    code: "CDK_API_INVALID_REQUEST",
  });
});

test("disable pauses the target and enable resumes it and forgets the failing streak", async (t) => {
  const w = await setupWebhooks(t);
  const { subscription } = await w.subscriptions.create(base);
  await w.store.transaction((tx) =>
    tx.putRecord(WEBHOOK_HEALTH_KIND, subscription.id, { failingSince: 1, consecutiveFailures: 3 }),
  );
  const disabled = await w.subscriptions.disable(subscription.id, "manual");
  assert.equal(disabled.enabled, false);
  assert.equal(disabled.disabledReason, "manual");
  const paused = (await w.store.targets.list()).find((s) => s.target === webhookTarget(subscription.id));
  assert.equal(paused?.paused, true);
  assert.equal(paused?.reason?.code, "CDK_WEBHOOK_ENDPOINT_DISABLED");
  const enabled = await w.subscriptions.enable(subscription.id);
  assert.equal(enabled.enabled, true);
  assert.equal(enabled.disabledReason, undefined);
  assert.equal(
    (await w.store.targets.list()).find((s) => s.target === webhookTarget(subscription.id))?.paused,
    false,
  );
  assert.equal(await w.store.records.get(WEBHOOK_HEALTH_KIND, subscription.id), undefined);
});

test("hostile input is refused with the field that is wrong, and nothing is stored", async (t) => {
  const w = await setupWebhooks(t);
  const strict = createWebhookSubscriptions({
    store: w.store,
    clock: w.clock,
    ids: { next: (p = "") => `${p}x` },
    urlPolicy: { allowPrivateNetworks: false },
  });
  const cases: [Record<string, unknown>, string][] = [
    [{ ...base, url: "ftp://acme.example/x" }, "/url"],
    [{ ...base, url: "javascript:alert(1)" }, "/url"],
    [{ ...base, url: "http://169.254.169.254/latest" }, "/url"],
    [{ ...base, url: "http://[::1]:8080/" }, "/url"],
    [{ ...base, url: "https://a:b@acme.example/" }, "/url"],
    [{ ...base, url: `https://acme.example/${"x".repeat(3_000)}` }, "/url"],
    [{ ...base, url: 42 }, "/url"],
    [{ ...base, events: [] }, "/events"],
    [{ ...base, events: Array.from({ length: 10_000 }, (_, i) => `e.n${i}`) }, "/events"],
    [{ ...base, events: ["order.*", "order.*"] }, "/events/1"],
    [{ ...base, events: ["ok.x", "DROP TABLE"] }, "/events/1"],
    [{ ...base, events: ["ok.x", 7] }, "/events/1"],
    [{ ...base, name: "" }, "/name"],
    [{ ...base, name: "x".repeat(201) }, "/name"],
    [{ ...base, name: "evil\u0000name" }, "/name"],
    [{ ...base, partner: "   " }, "/partner"],
    [{ ...base, filter: { "data.__proto__": 1 } }, "/filter/data.__proto__"],
    [{ ...base, filter: { "headers.x": 1 } }, "/filter/headers.x"],
    [{ ...base, filter: { "data.a": { regex: ".*" } } }, "/filter/data.a"],
    [{ ...base, filter: { "data.a": [1, 2] } }, "/filter/data.a"],
    [{ ...base, filter: { "data.a": "x".repeat(1_001) } }, "/filter/data.a"],
    [
      { ...base, filter: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`data.k${i}`, i])) },
      "/filter",
    ],
    [{ ...base, filter: "data.a=1" }, "/filter"],
    [{ ...base, disableAfterMs: 10 }, "/disableAfterMs"],
    [{ ...base, disableAfterMs: 1.5e12 }, "/disableAfterMs"],
    [{ ...base, disableAfterMs: 3_600_000.5 }, "/disableAfterMs"],
    [{ ...base, secret: "hunter2" }, "/secret"],
    [{ name: "x", events: ["a.b"] }, "/url"],
  ];
  for (const [input, path] of cases) {
    await assert.rejects(
      strict.create(input as never),
      (error: { code: string; details: { path: string } }) => {
        assert.equal(error.code, "CDK_API_INVALID_REQUEST", path);
        assert.equal(error.details.path, path);
        return true;
      },
    );
  }
  assert.equal((await strict.all()).length, 0);
  const { subscription } = await strict.create(base);
  await assert.rejects(strict.update(subscription.id, { secret: "whsec_x" }), {
    code: "CDK_API_INVALID_REQUEST",
  });
  await assert.rejects(strict.update(subscription.id, { url: "http://localhost/" }), {
    code: "CDK_API_INVALID_REQUEST",
  });
});

test("a secret the partner already holds can be given at creation", async (t) => {
  const w = await setupWebhooks(t);
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const created = await w.subscriptions.create({ ...base, secret });
  assert.equal(created.secret, secret);
  assert.equal(created.subscription.secrets[0]?.secret, secret);
});
