import assert from "node:assert/strict";
import { test } from "node:test";
import type { MarketplaceRequest } from "../../../sandbox/marketplace/sandbox-marketplace.ts";
import {
  drive,
  ManualClock,
  ManualTimers,
  marketSettings,
  rejection,
  restClient,
  startMarket,
} from "./rest-test-fixture.ts";

/** The most requests that arrived within any one second of the sandbox clock. */
function busiestSecond(requests: MarketplaceRequest[]): number {
  return Math.max(...requests.map((r) => requests.filter((o) => o.at >= r.at && o.at < r.at + 1_000).length));
}

test("the client's bucket keeps a burst of calls within the partner's limit: no 429", async (t) => {
  const clock = new ManualClock();
  const timers = new ManualTimers(clock);
  const market = await startMarket(t, clock, { orders: 1, rateLimit: { requestsPerSecond: 5, burst: 5 } });
  // A little below the partner's limit, as docs/rest-connector.md advises: network delays vary, so two
  // requests sent 200 ms apart can arrive 190 ms apart.
  const settings = marketSettings(market, "api-key", { rateLimit: { requestsPerSecond: 4, burst: 4 } });
  const client = restClient(t, settings, clock, { timers });
  const started = clock.now();
  const calls = Array.from({ length: 30 }, () => client.call("order", { params: { id: "MP-1000001" } }));
  await drive(Promise.all(calls), timers);
  const api = market.requests.filter((r) => r.path.startsWith("/v1/"));
  assert.equal(api.length, 30);
  assert.ok(
    api.every((r) => r.status === 200),
    "no request was refused",
  );
  assert.ok(busiestSecond(api) <= 8, `busiest second: ${busiestSecond(api)} requests (4 a second + burst 4)`);
  assert.ok(clock.now() - started >= 6_500, "26 requests beyond the burst at 4/s take 6.5 s");
});

test("a 429 pauses the client for its Retry-After; the calls then go through", async (t) => {
  const clock = new ManualClock();
  const timers = new ManualTimers(clock);
  const market = await startMarket(t, clock, { orders: 1, rateLimit: { requestsPerSecond: 5, burst: 5 } });
  // The client thinks it may send 100 a second: only the partner's 429s hold it back.
  const settings = marketSettings(market, "api-key", { rateLimit: { requestsPerSecond: 100, burst: 100 } });
  const client = restClient(t, settings, clock, { timers });
  for (let n = 0; n < 12; n++) await drive(client.call("order", { params: { id: "MP-1000001" } }), timers);
  const api = market.requests.filter((r) => r.path.startsWith("/v1/"));
  const refused = api.filter((r) => r.status === 429);
  assert.ok(refused.length >= 1 && refused.length <= 3, `${refused.length} answers were 429`);
  for (const r of refused) {
    const next = api[api.indexOf(r) + 1];
    assert.ok(next && next.at - r.at >= 1_000, "nothing was sent before Retry-After (1 s) had passed");
  }
  assert.equal(api.filter((r) => r.status === 200).length, 12);
  assert.ok(busiestSecond(api) <= 10);
});

test("a Retry-After longer than the client waits within a call is a transient error with retryAfterMs", async (t) => {
  const clock = new ManualClock();
  const timers = new ManualTimers(clock);
  const market = await startMarket(t, clock, { orders: 1 });
  const client = restClient(t, marketSettings(market, "api-key"), clock, {
    timers,
    maxRateLimitWaitMs: 10_000,
  });
  market.fail({ kind: "status", status: 429, retryAfter: "120", body: { error: "rate_limited" } });
  const error = await rejection(drive(client.call("order", { params: { id: "MP-1000001" } }), timers));
  assert.deepEqual(
    [error.code, error.failureClass, error.retryAfterMs],
    ["CDK_TARGET_UNAVAILABLE", "transient", 120_000],
  );
  assert.equal(client.bucket.pausedForMs, 120_000, "later calls wait for the partner too");
});
