import assert from "node:assert/strict";
import { test } from "node:test";
import type { FastifyInstance } from "fastify";
import { Webhook } from "standardwebhooks";
import { CrossdockError } from "../../core/errors.ts";
import { createSilentLogger } from "../../observability/logger.ts";
import { createHubMetrics } from "../../observability/metrics.ts";
import { setupWebhooks } from "../../webhooks-out/webhooks-test-fixture.ts";
import { createApiPlugin } from "../api/api-plugin.ts";
import type { Authenticator } from "../auth/identity.ts";
import { buildServer } from "../build-server.ts";
import { createWebhooksAdminPlugin, registerWebhookRoutes } from "./webhooks-routes.ts";

/** `Bearer admin` holds admin:webhooks, `Bearer reader` does not; anything else is refused. */
const authenticator: Authenticator = {
  async authenticate(request) {
    const header = request.headers.authorization;
    if (!header) throw new CrossdockError("CDK_AUTH_REQUIRED", "no API key");
    if (header === "Bearer admin")
      return { id: "idn_admin", name: "ops", scopes: ["admin:webhooks"], keyId: "k1" };
    if (header === "Bearer reader")
      return { id: "idn_reader", name: "reader", scopes: ["orders:read"], keyId: "k2" };
    throw new CrossdockError("CDK_AUTH_INVALID", "unknown API key");
  },
};

async function setup(t: Parameters<typeof setupWebhooks>[0], withApi = true) {
  const w = await setupWebhooks(t);
  const routes = { store: w.store, subscriptions: w.subscriptions, authenticator };
  const app: FastifyInstance = buildServer({
    store: w.store,
    logger: createSilentLogger(),
    metrics: createHubMetrics(w.store, { defaultMetrics: false }),
    inboundConnections: new Map(),
    maxBodyBytes: 65_536,
    plugins: [
      withApi
        ? createApiPlugin({
            store: w.store,
            clock: w.clock,
            authenticator,
            version: "test",
            documented: [(a) => registerWebhookRoutes(a, routes)],
          })
        : createWebhooksAdminPlugin(routes),
    ],
  });
  t.after(() => app.close());
  const call = (
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    body?: unknown,
    auth = "Bearer admin",
  ) =>
    app.inject({
      method,
      url: `/api/v1/admin/webhooks${url}`,
      headers: {
        ...(auth ? { authorization: auth } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { payload: typeof body === "string" ? body : JSON.stringify(body) }),
    });
  return { ...w, app, call };
}

test("admin round trip: create (secret once), list, show with health, update, rotate, disable, enable, delete", async (t) => {
  const s = await setup(t);
  const created = await s.call("POST", "", {
    name: "acme",
    partner: "acme",
    url: s.url,
    events: ["order.*"],
    filter: { "data.channel": "b2b" },
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.headers["cache-control"], "no-store");
  const { subscription, secret } = created.json();
  assert.match(secret, /^whsec_/);
  assert.deepEqual(subscription.filter, { "data.channel": "b2b" });

  const list = await s.call("GET", "?partner=acme&limit=10");
  assert.equal(list.statusCode, 200);
  assert.deepEqual(
    list.json().items.map((i: { id: string }) => i.id),
    [subscription.id],
  );
  assert.equal(list.body.includes("whsec_"), false, "no secret in lists");

  const shown = await s.call("GET", `/${subscription.id}`);
  assert.equal(shown.statusCode, 200);
  assert.deepEqual(shown.json().health, {
    failingSince: null,
    consecutiveFailures: 0,
    lastFailureAt: null,
    lastSuccessAt: null,
  });
  assert.equal(shown.body.includes(secret), false);

  const patched = await s.call("PATCH", `/${subscription.id}`, { events: ["*"], filter: null });
  assert.equal(patched.statusCode, 200, patched.body);
  assert.deepEqual(patched.json().events, ["*"]);
  assert.equal(patched.json().filter, undefined);

  const rotated = await s.call("POST", `/${subscription.id}/secrets`, { windowSeconds: 60 });
  assert.equal(rotated.statusCode, 201, rotated.body);
  assert.notEqual(rotated.json().secret, secret);
  assert.equal(rotated.json().previousSecretValidUntil, new Date(s.clock.now() + 60_000).toISOString());
  assert.equal(rotated.json().subscription.secrets.length, 2);

  const disabled = await s.call("POST", `/${subscription.id}/disable`);
  assert.equal(disabled.json().enabled, false);
  assert.equal(disabled.json().disabledReason, "manual");
  const enabled = await s.call("POST", `/${subscription.id}/enable`);
  assert.equal(enabled.json().enabled, true);

  assert.equal((await s.call("DELETE", `/${subscription.id}`)).statusCode, 204);
  const gone = await s.call("GET", `/${subscription.id}`);
  assert.equal(gone.statusCode, 404);
  assert.equal(gone.json().code, "CDK_WEBHOOK_SUBSCRIPTION_NOT_FOUND");
});

test("deliveries log and replay through the API keep the webhook-id", async (t) => {
  const s = await setup(t);
  const { subscription, secret } = (
    await s.call("POST", "", { name: "acme", url: s.url, events: ["*"] })
  ).json();
  s.answer((_r, n) => (n === 1 ? { status: 400 } : { status: 200 }));
  await s.publish({ type: "order.confirmed" }, { type: "order.shipped", stream: "order:SO2" });
  await s.runDue();

  const log = await s.call("GET", `/${subscription.id}/deliveries`);
  assert.equal(log.statusCode, 200, log.body);
  const items = log.json().items as {
    jobId: string;
    status: string;
    attemptLog: { status: number; at: string }[];
  }[];
  assert.deepEqual(items.map((i) => i.status).sort(), ["done", "exception"]);
  assert.ok(items.every((i) => i.attemptLog.length === 1 && typeof i.attemptLog[0]?.at === "string"));
  const failedOnly = await s.call("GET", `/${subscription.id}/deliveries?status=exception`);
  assert.equal(failedOnly.json().items.length, 1);

  const bulk = await s.call("POST", `/${subscription.id}/replay`, { failedOnly: true });
  assert.deepEqual(bulk.json(), { scanned: 1, replayed: 0, retried: 1, skipped: 0, truncated: false });
  const done = items.find((i) => i.status === "done")!;
  const one = await s.call("POST", `/${subscription.id}/deliveries/${done.jobId}/replay`);
  assert.deepEqual(one.json(), { jobId: done.jobId, outcome: "replayed" });
  await s.runDue();
  assert.equal(s.received.length, 4);
  const ids = s.received.map((r) => r.headers["webhook-id"]);
  assert.equal(new Set(ids).size, 2, "replays reuse the two deliveries' webhook-ids");
  const last = s.received.at(-1)!;
  new Webhook(secret).verify(last.body, last.headers as Record<string, string>);

  const since = await s.call("POST", `/${subscription.id}/replay`, {
    since: new Date(s.clock.now()).toISOString(),
  });
  assert.equal(since.json().replayed, 2);
  const wrong = await s.call("POST", `/${subscription.id}/deliveries/job_unknown/replay`);
  assert.equal(wrong.statusCode, 404);
});

test("401 without a valid key, 403 without the admin:webhooks scope, before the body is looked at", async (t) => {
  const s = await setup(t);
  const body = { name: "x", url: s.url, events: ["*"] };
  const none = await s.call("POST", "", body, "");
  assert.equal(none.statusCode, 401);
  assert.equal(none.json().code, "CDK_AUTH_REQUIRED");
  assert.equal((await s.call("GET", "", undefined, "Bearer nope")).statusCode, 401);
  const reader = await s.call("POST", "", { junk: true }, "Bearer reader");
  assert.equal(reader.statusCode, 403);
  assert.equal(reader.json().code, "CDK_AUTH_FORBIDDEN");
  assert.equal((await s.subscriptions.all()).length, 0);
});

test("malformed and hostile requests are refused with located problems and store nothing", async (t) => {
  const s = await setup(t);
  const good = { name: "acme", url: s.url, events: ["*"] };
  const cases: [unknown, RegExp][] = [
    [{ ...good, url: "ftp://x.example/" }, /body\/url/],
    [{ ...good, url: "file:///etc/passwd" }, /body\/url/],
    [{ ...good, events: [] }, /body\/events/],
    [{ ...good, events: Array.from({ length: 5_000 }, (_, i) => `a.b${i}`) }, /body\/events/],
    [{ ...good, events: ["NOT A TYPE"] }, /body\/events\/0/],
    [{ ...good, name: "x".repeat(10_000) }, /body\/name/],
    [{ ...good, extra: 1 }, /extra|additional/],
    [{ ...good, disableAfterMs: "432000000" }, /disableAfterMs/],
    [{ ...good, filter: { "data.a": { regex: "." } } }, /filter/],
    [{ ...good, secret: "not-a-secret" }, /secret/],
    [[good], /body/],
    ["{not json", /not JSON/],
  ];
  for (const [body, where] of cases) {
    const res = await s.call("POST", "", body);
    assert.equal(res.statusCode, 400, `${JSON.stringify(body).slice(0, 80)} -> ${res.body.slice(0, 200)}`);
    assert.equal(res.json().code, "CDK_API_INVALID_REQUEST");
    assert.match(JSON.stringify(res.json()), where);
  }
  const wrongType = await s.app.inject({
    method: "POST",
    url: "/api/v1/admin/webhooks",
    headers: { authorization: "Bearer admin", "content-type": "text/plain" },
    payload: "name=acme",
  });
  assert.equal(wrongType.statusCode, 415);
  const huge = await s.call("POST", "", { ...good, name: "x".repeat(100_000) });
  assert.equal(huge.statusCode, 413);
  assert.equal((await s.call("GET", "/whs_..%2F..")).statusCode, 400);
  assert.equal((await s.call("GET", "?limit=100000")).statusCode, 400);
  assert.equal((await s.call("GET", "?cursor=forged")).statusCode, 400);
  assert.equal((await s.call("PATCH", "/whs_1", {})).statusCode, 400, "an empty update");
  assert.equal((await s.call("POST", "/whs_1/replay", {})).statusCode, 400, "bulk replay needs a scope");
  assert.equal((await s.subscriptions.all()).length, 0);
});

test("private-network URLs are refused when the deployment does not allow them", async (t) => {
  const s = await setup(t);
  const { createWebhookSubscriptions } = await import("../../webhooks-out/webhook-subscriptions.ts");
  const strict = createWebhookSubscriptions({
    store: s.store,
    clock: s.clock,
    ids: { next: (p = "") => `${p}1` },
    urlPolicy: { allowPrivateNetworks: false },
  });
  const app = buildServer({
    store: s.store,
    logger: createSilentLogger(),
    metrics: createHubMetrics(s.store, { defaultMetrics: false }),
    inboundConnections: new Map(),
    maxBodyBytes: 65_536,
    plugins: [createWebhooksAdminPlugin({ store: s.store, subscriptions: strict, authenticator })],
  });
  t.after(() => app.close());
  for (const url of [
    "http://169.254.169.254/latest/meta-data",
    "http://127.0.0.1:5432/",
    "http://10.0.0.8/hook",
    "http://[::1]/",
  ]) {
    const res = await app.inject({
      method: "POST",
      url: "/api/v1/admin/webhooks",
      headers: { authorization: "Bearer admin", "content-type": "application/json" },
      payload: JSON.stringify({ name: "x", url, events: ["*"] }),
    });
    assert.equal(res.statusCode, 400, url);
    assert.match(res.json().detail, /private|this machine/);
  }
});

test("the routes are in the OpenAPI document, and work over a real socket (standalone plugin)", async (t) => {
  const s = await setup(t);
  const doc = (await s.app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json();
  for (const path of [
    "/api/v1/admin/webhooks",
    "/api/v1/admin/webhooks/{id}",
    "/api/v1/admin/webhooks/{id}/deliveries",
    "/api/v1/admin/webhooks/{id}/replay",
  ]) {
    assert.ok(doc.paths[path], path);
  }
  const standalone = await setup(t, false);
  const address = await standalone.app.listen({ host: "127.0.0.1", port: 0 });
  const res = await fetch(`${address}/api/v1/admin/webhooks`, {
    method: "POST",
    headers: { authorization: "Bearer admin", "content-type": "application/json" },
    body: JSON.stringify({ name: "acme", url: standalone.url, events: ["*"] }),
  });
  assert.equal(res.status, 201);
  const listed = await fetch(`${address}/api/v1/admin/webhooks`, {
    headers: { authorization: "Bearer admin" },
  });
  assert.equal(((await listed.json()) as { items: unknown[] }).items.length, 1);
});
