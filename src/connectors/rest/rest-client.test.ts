import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type AuthKind,
  ManualClock,
  marketSettings,
  rejection,
  restClient,
  startMarket,
} from "./rest-test-fixture.ts";

test("each auth kind reaches the API with its own credentials", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock, { orders: 1 });
  for (const kind of ["api-key", "basic", "oauth2-client-credentials"] as AuthKind[]) {
    const client = restClient(t, marketSettings(market, kind), clock);
    const answer = await client.call("order", { params: { id: "MP-1000001" } });
    assert.equal((answer.body as { id: string }).id, "MP-1000001");
    assert.equal(market.requests.at(-1)?.auth, kind === "oauth2-client-credentials" ? "oauth2" : kind);
  }
  const body = marketSettings(market, "oauth2-client-credentials");
  (body.auth as Record<string, unknown>).clientAuth = "body";
  await restClient(t, body, clock).call("order", { params: { id: "MP-1000001" } });
  assert.equal(market.auth.issued, 2, "client_secret_basic and client_secret_post both got a token");
});

test("an OAuth2 token is kept, renewed shortly before it expires, and shared by concurrent calls", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock, {
    orders: 1,
    credentials: { oauth2: { clientId: "c", clientSecret: "s", tokenTtlSeconds: 600 } },
  });
  const client = restClient(t, marketSettings(market), clock);
  const get = () => client.call("order", { params: { id: "MP-1000001" } });
  await Promise.all([get(), get(), get()]);
  assert.equal(client.auth.tokens?.fetches, 1);
  clock.advance(569_000);
  await get();
  assert.equal(client.auth.tokens?.fetches, 1, "still valid 31 s before expiry");
  clock.advance(2_000);
  await get();
  assert.equal(client.auth.tokens?.fetches, 2, "renewed 30 s before expiry");
  assert.ok(market.requests.every((r) => r.status !== 401));
});

test("a token the API refuses (401) is renewed once and the call retried", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock, { orders: 1 });
  const client = restClient(t, marketSettings(market), clock);
  await client.call("order", { params: { id: "MP-1000001" } });
  market.auth.expireAll();
  const answer = await client.call("order", { params: { id: "MP-1000001" } });
  assert.equal(answer.status, 200);
  assert.equal(client.auth.tokens?.fetches, 2);
  assert.deepEqual(
    market.requests.filter((r) => r.path.startsWith("/v1/")).map((r) => r.status),
    [200, 401, 200],
  );
});

test("a second 401 after a fresh token is CDK_TARGET_AUTH; a bad API key is not retried", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock, { orders: 1 });
  const client = restClient(t, marketSettings(market), clock);
  market.fail({ kind: "status", status: 401, body: { error: "invalid_token" } }, { times: 2 });
  const error = await rejection(client.call("order", { params: { id: "MP-1000001" } }));
  assert.equal(error.code, "CDK_TARGET_AUTH");
  assert.equal(error.failureClass, "config");
  assert.equal(client.auth.tokens?.fetches, 2);
  const settings = marketSettings(market, "api-key");
  (settings.auth as Record<string, unknown>).value = new (
    await import("../../security/secret-ref.ts")
  ).Secret("wrong", "literal");
  const before = market.requests.length;
  const keyError = await rejection(
    restClient(t, settings, clock).call("order", { params: { id: "MP-1000001" } }),
  );
  assert.equal(keyError.code, "CDK_TARGET_AUTH");
  assert.equal(market.requests.length - before, 1);
  assert.doesNotMatch(JSON.stringify(keyError.details), /wrong/);
});

test("the token endpoint's refusal is CDK_TARGET_AUTH with its OAuth2 error; its 503 is transient", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock);
  const settings = marketSettings(market);
  (settings.auth as Record<string, unknown>).clientId = "someone-else";
  const refused = await rejection(restClient(t, settings, clock).call("order", { params: { id: "x" } }));
  assert.equal(refused.code, "CDK_TARGET_AUTH");
  assert.equal(refused.details?.error, "invalid_client");
  assert.match(refused.message, /token endpoint refused/);
  market.fail({ kind: "status", status: 503, retryAfter: "4" }, { pathPrefix: "/oauth/token" });
  const down = await rejection(
    restClient(t, marketSettings(market), clock).call("order", { params: { id: "x" } }),
  );
  assert.equal(down.code, "CDK_TARGET_UNAVAILABLE");
  assert.equal(down.retryAfterMs, 4_000);
});

test("answers are classified: 5xx and 408 transient, 403 auth, other 4xx business with the partner's body", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock, { orders: 1 });
  const client = restClient(t, marketSettings(market, "api-key"), clock);
  const cases: [number, string, string][] = [
    [503, "CDK_TARGET_UNAVAILABLE", "transient"],
    [500, "CDK_TARGET_UNAVAILABLE", "transient"],
    [408, "CDK_TARGET_UNAVAILABLE", "transient"],
    [403, "CDK_TARGET_AUTH", "config"],
    [409, "CDK_TARGET_REJECTED", "business"],
  ];
  for (const [status, code, failureClass] of cases) {
    market.fail({ kind: "status", status, body: { error: `e${status}` }, retryAfter: "3" });
    const error = await rejection(client.call("order", { params: { id: "MP-1000001" } }));
    assert.deepEqual([error.code, error.failureClass, error.details?.status], [code, failureClass, status]);
    assert.match(String(error.details?.body), new RegExp(`e${status}`));
  }
  const invalid = await rejection(
    client.call("updateStock", { params: { sku: "SKU-001" }, body: { quantity: -1 } }),
  );
  assert.equal(invalid.code, "CDK_TARGET_REJECTED");
  assert.match(String(invalid.details?.body), /validation_failed/);
  const missing = await rejection(
    client.call("updateStock", { params: { sku: "NOPE" }, body: { quantity: 1 } }),
  );
  assert.deepEqual([missing.code, missing.details?.status], ["CDK_TARGET_REJECTED", 404]);
  const ok = await client.call("updateStock", { params: { sku: "SKU-002" }, body: { quantity: 7 } });
  assert.deepEqual([ok.status, market.data.offers.get("SKU-002")?.quantity], [200, 7]);
});

test("network failures are transient: refused, reset, and a partner that never answers", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock, { orders: 1 });
  const client = restClient(t, marketSettings(market, "basic", { timeoutMs: 300 }), clock);
  market.fail({ kind: "reset" });
  const reset = await rejection(client.call("order", { params: { id: "MP-1000001" } }));
  assert.equal(reset.code, "CDK_TARGET_UNAVAILABLE");
  market.fail({ kind: "hang" });
  const hung = await rejection(client.call("order", { params: { id: "MP-1000001" } }));
  assert.equal(hung.code, "CDK_TARGET_UNAVAILABLE");
  assert.match(hung.message, /Timeout/i);
  const nobody = marketSettings(market, "basic", { baseUrl: "http://127.0.0.1:1/v1" });
  const refused = await rejection(restClient(t, nobody, clock).call("order", { params: { id: "x" } }));
  assert.equal(refused.code, "CDK_TARGET_UNAVAILABLE");
  assert.match(refused.message, /rest market: GET http:\/\/127\.0\.0\.1:1\/v1\/orders\/x failed/);
});

test("a malformed answer fails with its place; an oversized one is cut off as a config problem", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock, { orders: 1 });
  const client = restClient(t, marketSettings(market, "api-key", { maxResponseBytes: 4_096 }), clock);
  market.fail({ kind: "malformed" });
  const malformed = await rejection(client.call("order", { params: { id: "MP-1000001" } }));
  assert.equal(malformed.code, "CDK_TARGET_UNAVAILABLE");
  assert.deepEqual([malformed.details?.line, malformed.details?.column], [2, 23]);
  assert.match(malformed.message, /not valid JSON at line 2 column 23/);
  market.fail({ kind: "oversized", bytes: 200_000 });
  const big = await rejection(client.call("order", { params: { id: "MP-1000001" } }));
  assert.deepEqual(
    [big.code, big.failureClass, big.details?.maxResponseBytes],
    ["CDK_TARGET_REJECTED", "config", 4_096],
  );
  const after = await client.call("order", { params: { id: "MP-1000001" } });
  assert.equal(after.status, 200, "the connection pool is still usable");
});
