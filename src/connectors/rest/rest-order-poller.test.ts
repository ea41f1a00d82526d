import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import type { SandboxMarketplace } from "../../../sandbox/marketplace/sandbox-marketplace.ts";
import type { Store } from "../../store/store.ts";
import { createRestInboundConnector } from "./rest-inbound-connector.ts";
import {
  createRestOrderPoller,
  REST_POLL_STATE_KIND,
  type RestOrderPollerOptions,
} from "./rest-order-poller.ts";
import {
  ManualClock,
  marketSettings,
  openRestTestStore,
  restClient,
  startMarket,
} from "./rest-test-fixture.ts";

/** A poller as after a (re)start: a new client and poller on the same store. */
function poller(
  t: TestContext,
  market: SandboxMarketplace,
  store: Store,
  clock: ManualClock,
  extra: Partial<RestOrderPollerOptions> = {},
) {
  const client = restClient(t, marketSettings(market), clock);
  return createRestOrderPoller({ client, store, clock, connection: "market", ...extra });
}

async function inbox(store: Store) {
  const messages = await store.inbox.list({ connection: "market", limit: 10_000 });
  return messages.map((m) => ({
    key: m.dedupeKey,
    order: JSON.parse(Buffer.from(m.body).toString()) as { id: string; updated_at: string },
    m,
  }));
}

/** The versions the marketplace has shown, as dedupe keys, for comparing with the inbox. */
const keysOf = (orders: Iterable<{ id: string; updated_at: string }>) =>
  [...orders].map((o) => `${o.id}@${o.updated_at}`);

test("the first poll takes every order into the inbox; the next finds nothing new", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock, { orders: 45 });
  const store = await openRestTestStore(t, clock);
  const p = poller(t, market, store, clock);
  const first = await p.pollOnce();
  assert.deepEqual(
    [first.outcome, first.pages, first.received, first.duplicates, first.more],
    ["ok", 3, 45, 0, false],
  );
  const messages = await inbox(store);
  assert.deepEqual(messages.map((m) => m.key).sort(), keysOf(market.data.orders.values()).sort());
  const one = messages[0]?.m;
  assert.deepEqual([one?.source, one?.contentType], ["rest", "application/json"]);
  assert.deepEqual(
    JSON.parse(Buffer.from(one?.body ?? []).toString()),
    market.data.orders.get(messages[0]?.order.id ?? ""),
  );
  const state = await store.records.get(REST_POLL_STATE_KIND, "market:orders");
  assert.deepEqual(state?.data, { watermark: new Date(clock.now()).toISOString() });
  clock.advance(5 * 60_000);
  const second = await p.pollOnce();
  // The overlap (60 s before the watermark) reads the last minute's changes again, deduplicated.
  assert.deepEqual([second.received, second.duplicates], [0, 45]);
  assert.ok(market.requests.some((r) => r.path.includes("updated_since=2025-12-31T23%3A59%3A00.000Z")));
  assert.equal((await inbox(store)).length, 45);
});

test("a restart resumes where the last committed page left off, and nothing is read into the inbox twice", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock, { orders: 45 });
  const store = await openRestTestStore(t, clock);
  const before = await poller(t, market, store, clock, { maxPagesPerPoll: 1 }).pollOnce();
  assert.deepEqual([before.received, before.more], [20, true]);
  const state = await store.records.get(REST_POLL_STATE_KIND, "market:orders");
  assert.match(String((state?.data as { resumeUrl?: string } | undefined)?.resumeUrl), /cursor=/);
  const restarted = poller(t, market, store, clock, { maxPagesPerPoll: 1 });
  const results = [await restarted.pollOnce(), await restarted.pollOnce()];
  assert.deepEqual(
    results.map((r) => [r.received, r.duplicates, r.more]),
    [
      [20, 0, true],
      [5, 0, false],
    ],
  );
  assert.deepEqual((await inbox(store)).map((m) => m.key).sort(), keysOf(market.data.orders.values()).sort());
});

test("orders changed or added between polls are all taken, each version once", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock, { orders: 45 });
  const store = await openRestTestStore(t, clock);
  const p = poller(t, market, store, clock, { maxPagesPerPoll: 1 });
  await p.pollOnce();
  const readBefore = keysOf([market.data.orders.get("MP-1000003") as never]);
  clock.advance(1_000);
  // One order already read and one not yet read change; five new orders arrive.
  for (const id of ["MP-1000003", "MP-1000030"]) market.data.updateOrder(id, { status: "SHIPPING" });
  market.data.addOrders(5);
  for (let n = 0; n < 10 && (await p.pollOnce()).more; n++) clock.advance(100);
  clock.advance(120_000);
  await p.pollOnce();
  const keys = (await inbox(store)).map((m) => m.key);
  // Every order's latest version, plus the version of MP-1000003 read before it changed. (The API no
  // longer lists MP-1000030 as it was before the change, so that version cannot be read: not a skip.)
  const expected = [...keysOf(market.data.orders.values()), ...readBefore];
  assert.deepEqual([...keys].sort(), expected.sort());
  assert.equal(new Set(keys).size, keys.length);
});

test("a failure mid-walk keeps the pages already committed; the next poll goes on from there", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock, { orders: 45 });
  const store = await openRestTestStore(t, clock);
  const p = poller(t, market, store, clock);
  market.fail({ kind: "status", status: 503, retryAfter: "30" }, { pathPrefix: "/v1/orders", skip: 1 });
  const failed = await p.pollOnce();
  assert.deepEqual(
    [failed.outcome, failed.error?.code, failed.error?.retryAfterMs],
    ["retry", "CDK_TARGET_UNAVAILABLE", 30_000],
  );
  assert.deepEqual([failed.pages, failed.received], [1, 20]);
  const ok = await p.pollOnce();
  assert.deepEqual([ok.outcome, ok.received, ok.duplicates], ["ok", 25, 0]);
  assert.equal((await inbox(store)).length, 45);
});

test("the watermark moves only after the appends committed; a stored page the API refuses is dropped", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock, { orders: 45 });
  const store = await openRestTestStore(t, clock);
  let appends = 0;
  const failing = {
    records: store.records,
    transaction: store.transaction.bind(store),
    inbox: {
      ...store.inbox,
      append: (m: Parameters<Store["inbox"]["append"]>[0]) => {
        if (++appends === 25) return Promise.reject(new Error("disk full"));
        return store.inbox.append(m);
      },
    },
  } as unknown as Store;
  const crashed = await poller(t, market, failing, clock).pollOnce();
  assert.deepEqual([crashed.outcome, crashed.received], ["retry", 24]);
  const state = (await store.records.get(REST_POLL_STATE_KIND, "market:orders"))?.data as {
    resumeUrl?: string;
  };
  assert.match(String(state.resumeUrl), /cursor=/, "resumes at page 2, whose orders were not all appended");
  await store.transaction((tx) =>
    tx.putRecord(REST_POLL_STATE_KIND, "market:orders", {
      ...state,
      resumeUrl: `${market.url}/v1/orders?cursor=expired`,
    }),
  );
  const refused = await poller(t, market, store, clock).pollOnce();
  assert.deepEqual([refused.outcome, refused.error?.code], ["retry", "CDK_TARGET_REJECTED"]);
  const after = await poller(t, market, store, clock).pollOnce();
  assert.deepEqual([after.outcome, after.received, after.duplicates], ["ok", 21, 24]);
  assert.equal((await inbox(store)).length, 45);
});

test("the rest inbound connector decodes an appended order (unmapped: message.received with the order)", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock, { orders: 1 });
  const store = await openRestTestStore(t, clock);
  await poller(t, market, store, clock).pollOnce();
  const [message] = await store.inbox.list({ connection: "market" });
  assert.ok(message);
  const outcome = createRestInboundConnector(new Map()).decode(message, "market", { type: "rest" });
  assert.ok(outcome.ok);
  assert.equal(outcome.events[0]?.type, "message.received");
  assert.equal((outcome.events[0]?.data as { id: string } | undefined)?.id, "MP-1000001");
});
