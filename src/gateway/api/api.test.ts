import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { apiOrdersConnector } from "../../connectors/api/api-orders-connector.ts";
import { createInboxProcessor } from "../../connectors/inbox-processor.ts";
import { ManualClock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import { createSequentialIds } from "../../core/ids.ts";
import { createSilentLogger } from "../../observability/logger.ts";
import { createHubMetrics } from "../../observability/metrics.ts";
import { createSqliteStore } from "../../store/sqlite/sqlite-store.ts";
import type { Store } from "../../store/store.ts";
import type { Authenticator, Identity } from "../auth/identity.ts";
import { buildServer } from "../build-server.ts";
import { createApiPlugin } from "./api-plugin.ts";
import { API_ORDERS_CONNECTION } from "./order-routes.ts";
import { createStockLevelsProjection } from "./stock-levels-projection.ts";

/** Keys -> identities, as the real authenticator would resolve them (its own tests cover hashing). */
const IDENTITIES: Record<string, Identity> = {
  "key-shop": {
    id: "idn_shop",
    name: "shop",
    scopes: ["orders:write", "orders:read", "stock:read", "shipments:read"],
    keyId: "k1",
  },
  "key-other": { id: "idn_other", name: "other", scopes: ["orders:write", "orders:read"], keyId: "k2" },
  "key-readonly": { id: "idn_ro", name: "reader", scopes: ["orders:read"], keyId: "k3" },
};
const authenticator: Authenticator = {
  async authenticate(request) {
    const header = request.headers.authorization;
    if (!header) throw new CrossdockError("CDK_AUTH_REQUIRED", "no API key");
    const identity = IDENTITIES[header.replace(/^Bearer /, "")];
    if (!identity) throw new CrossdockError("CDK_AUTH_INVALID", "unknown API key");
    return identity;
  },
};

const order = (externalId: string, extra: Record<string, unknown> = {}) => ({
  channel: "b2b-portal",
  externalId,
  currency: "EUR",
  customer: { name: "Ada Buyer", email: "ada@example.com" },
  shipTo: { name: "Ada Buyer", street: "Main 1", city: "Leuven", zip: "3000", countryCode: "BE" },
  lines: [{ sku: "FURN_0001", quantity: "2", unitPrice: "19.90" }],
  ...extra,
});

let dir: string;
let store: Store;
let app: FastifyInstance;
const clock = new ManualClock(Date.parse("2026-12-02T08:00:00Z"));

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "crossdock-api-"));
  store = await createSqliteStore({
    path: join(dir, "hub.db"),
    clock,
    ids: createSequentialIds(),
    config: { maxMessageBytes: 64 * 1024 },
  });
  await store.migrate();
  app = buildServer({
    store,
    logger: createSilentLogger(),
    metrics: createHubMetrics(store, { defaultMetrics: false }),
    inboundConnections: new Map(),
    maxBodyBytes: 64 * 1024,
    plugins: [createApiPlugin({ store, clock, authenticator, version: "test" })],
  });
  await app.ready();
});
after(async () => {
  await app.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function post(body: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method: "POST",
    url: "/api/v1/orders",
    headers: { authorization: "Bearer key-shop", "content-type": "application/json", ...headers },
    payload: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("POST /api/v1/orders", () => {
  test("accepted 202 after the commit; the same key and request replays the answer; a new key for the same order is a duplicate", async () => {
    const first = await post(order("PO-1"), { "idempotency-key": "k-1" });
    assert.equal(first.statusCode, 202, first.body);
    const accepted = first.json();
    assert.equal(accepted.orderKey, "b2b-portal:PO-1");
    assert.equal(accepted.duplicate, false);
    assert.equal((await store.inbox.get(accepted.id))?.connection, API_ORDERS_CONNECTION);

    // Same key, same request written differently (key order, whitespace): the same answer, replayed.
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(order("PO-1")).reverse()), null, 2);
    const again = await post(reordered, { "idempotency-key": "k-1" });
    assert.equal(again.statusCode, 202);
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.deepEqual(again.json(), accepted);

    const conflict = await post(order("PO-1", { notes: "changed" }), { "idempotency-key": "k-1" });
    assert.equal(conflict.statusCode, 422);
    assert.equal(conflict.json().code, "CDK_API_IDEMPOTENCY_CONFLICT");

    const duplicate = await post(order("PO-1"), { "idempotency-key": "k-2" });
    assert.equal(duplicate.statusCode, 200);
    assert.equal(duplicate.json().id, accepted.id);
    assert.equal(duplicate.json().duplicate, true);
    assert.equal((await store.inbox.list({ connection: API_ORDERS_CONNECTION })).length, 1);
  });

  test("keys are per identity: another identity's same key is its own request", async () => {
    const mine = await post(order("PO-2"), { "idempotency-key": "shared-key" });
    const theirs = await post(order("PO-3"), {
      "idempotency-key": "shared-key",
      authorization: "Bearer key-other",
    });
    assert.equal(mine.statusCode, 202);
    assert.equal(theirs.statusCode, 202);
    assert.notEqual(mine.json().id, theirs.json().id);
  });

  test("strict validation: missing key, wrong types, unknown fields, bad JSON; every problem has its path and nothing is stored", async () => {
    const before = (await store.inbox.list({})).length;
    const noKey = await post(order("PO-9"));
    assert.equal(noKey.statusCode, 400);
    assert.equal(noKey.json().code, "CDK_API_INVALID_REQUEST");
    assert.match(noKey.json().detail, /idempotency-key/);

    const wrong = await post(
      order("PO-9", { lines: [{ sku: "A", quantity: 2, unitPrice: 19.9 }], colour: "red" }),
      { "idempotency-key": "v-1" },
    );
    assert.equal(wrong.statusCode, 400);
    const paths = wrong.json().errors.map((e: { path: string }) => e.path);
    assert.ok(paths.includes("body/lines/0/quantity"), paths.join(","));
    assert.ok(paths.includes("body/lines/0/unitPrice"), paths.join(","));
    assert.ok(paths.includes("body"), "the unknown top-level field is reported, not removed");

    const badJson = await post('{"channel": "x", ', { "idempotency-key": "v-2" });
    assert.equal(badJson.statusCode, 400);
    assert.match(badJson.json().detail, /not JSON/);

    const text = await app.inject({
      method: "POST",
      url: "/api/v1/orders",
      headers: { authorization: "Bearer key-shop", "content-type": "text/plain", "idempotency-key": "v-3" },
      payload: "hello",
    });
    assert.equal(text.statusCode, 415);

    const huge = await post(order("PO-9", { notes: "x".repeat(70_000) }), { "idempotency-key": "v-4" });
    assert.equal(huge.statusCode, 413);
    assert.equal((await store.inbox.list({})).length, before);
  });

  test("401 without or with an unknown key, 403 without the scope", async () => {
    const none = await app.inject({
      method: "POST",
      url: "/api/v1/orders",
      headers: { "content-type": "application/json", "idempotency-key": "a" },
      payload: JSON.stringify(order("X")),
    });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().code, "CDK_AUTH_REQUIRED");
    const unknown = await post(order("X"), { authorization: "Bearer nope", "idempotency-key": "a" });
    assert.equal(unknown.statusCode, 401);
    const forbidden = await post(order("X"), {
      authorization: "Bearer key-readonly",
      "idempotency-key": "a",
    });
    assert.equal(forbidden.statusCode, 403);
    assert.equal(forbidden.json().code, "CDK_AUTH_FORBIDDEN");
  });
});

describe("GET /api/v1/orders", () => {
  test("status and trace after processing: the order.received event is in the trace", async () => {
    const res = await post(order("PO-T"), { "idempotency-key": "t-1" });
    const id = res.json().id as string;
    const processor = createInboxProcessor({
      store,
      connectors: new Map([[apiOrdersConnector.type, apiOrdersConnector]]),
      connections: { [API_ORDERS_CONNECTION]: { type: apiOrdersConnector.type } },
    });
    const jobs = await store.jobs.claim({ workerId: "t", leaseMs: 10_000, limit: 100 });
    for (const job of jobs) {
      const outcome = await processor(job);
      await store.transaction(async (tx) => {
        await outcome.commit(tx);
        await tx.completeJob(job, outcome.result);
      });
    }
    const status = await app.inject({
      method: "GET",
      url: `/api/v1/orders/${id}`,
      headers: { authorization: "Bearer key-shop" },
    });
    assert.equal(status.statusCode, 200, status.body);
    const body = status.json();
    assert.equal(body.status, "received");
    assert.equal(body.externalId, "PO-T");
    assert.deepEqual(
      body.trace.map((t: { kind: string; what: string }) => `${t.kind}:${t.what}`),
      [
        `message:received over the API (${(await store.inbox.get(id))?.size} bytes)`,
        "job:processing done",
        "event:order.received",
      ],
    );
    const events = await store.events.readStream("order:b2b-portal:PO-T");
    const data = events[0]?.data as { order: { lines: unknown[] } } | undefined;
    assert.equal(data?.order.lines.length, 1);
    const other = await app.inject({
      method: "GET",
      url: `/api/v1/orders/${id}`,
      headers: { authorization: "Bearer key-other" },
    });
    assert.equal(other.statusCode, 404, "another identity does not see it");
  });

  test("cursor pagination over the caller's own orders; a forged cursor is refused", async () => {
    for (const n of [1, 2, 3]) await post(order(`PG-${n}`), { "idempotency-key": `pg-${n}` });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const res = await app.inject({
        method: "GET",
        url: `/api/v1/orders?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        headers: { authorization: "Bearer key-shop" },
      });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      seen.push(...body.items.map((i: { orderKey: string }) => i.orderKey));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    assert.ok(["b2b-portal:PG-1", "b2b-portal:PG-2", "b2b-portal:PG-3"].every((k) => seen.includes(k)));
    assert.ok(!seen.includes("b2b-portal:PO-3"), "the other identity's order is not listed");
    assert.equal(new Set(seen).size, seen.length);
    const forged = await app.inject({
      method: "GET",
      url: "/api/v1/orders?cursor=bm9wZQ",
      headers: { authorization: "Bearer key-shop" },
    });
    assert.equal(forged.statusCode, 400);
    const badLimit = await app.inject({
      method: "GET",
      url: "/api/v1/orders?limit=500",
      headers: { authorization: "Bearer key-shop" },
    });
    assert.equal(badLimit.statusCode, 400);
  });
});

describe("POST /api/v1/orders/{id}/cancel", () => {
  const cancel = (
    id: string,
    key: string,
    who = "key-shop",
    body: unknown = { reason: "customer changed mind" },
  ) =>
    app.inject({
      method: "POST",
      url: `/api/v1/orders/${id}/cancel`,
      headers: { authorization: `Bearer ${who}`, "content-type": "application/json", "idempotency-key": key },
      payload: JSON.stringify(body),
    });

  test("a cancellation of the caller's order becomes order.cancelled on its stream, once", async () => {
    const placed = await post(order("PO-CXL"), { "idempotency-key": "cxl-order" });
    const id = placed.json().id as string;
    const first = await cancel(id, "cxl-1");
    assert.equal(first.statusCode, 202, first.body);
    assert.deepEqual(
      { ...(first.json() as Record<string, unknown>), id: undefined },
      {
        id: undefined,
        orderKey: "b2b-portal:PO-CXL",
        status: "cancel-requested",
        duplicate: false,
        links: { order: `/api/v1/orders/${id}` },
      },
    );
    assert.equal((await cancel(id, "cxl-1")).headers["idempotent-replayed"], "true");
    const again = await cancel(id, "cxl-2");
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().duplicate, true, "one cancellation per order");
    assert.equal((await cancel(id, "cxl-3", "key-other")).statusCode, 404, "only the order's own identity");
    assert.equal((await cancel("msg_nope", "cxl-4")).statusCode, 404);
    assert.equal((await cancel(id, "cxl-5", "key-shop", { reason: "x", extra: 1 })).statusCode, 400);
    assert.equal((await cancel(id, "cxl-6", "key-readonly")).statusCode, 403);

    const processor = createInboxProcessor({
      store,
      connectors: new Map([[apiOrdersConnector.type, apiOrdersConnector]]),
      connections: { [API_ORDERS_CONNECTION]: { type: apiOrdersConnector.type } },
    });
    // The cancellation waits behind its order (same ordering key): two rounds.
    for (let round = 0; round < 3; round++) {
      const jobs = await store.jobs.claim({ workerId: "t", leaseMs: 10_000, limit: 100 });
      for (const job of jobs) {
        const outcome = await processor(job);
        await store.transaction(async (tx) => {
          await outcome.commit(tx);
          await tx.completeJob(job, outcome.result);
        });
      }
    }
    const events = await store.events.readStream("order:b2b-portal:PO-CXL");
    assert.deepEqual(
      events.map((e) => e.type),
      ["order.received", "order.cancelled"],
    );
    assert.equal((events[1]?.data as { reason?: string } | undefined)?.reason, "customer changed mind");
    const listed = await app.inject({
      method: "GET",
      url: "/api/v1/orders?limit=100",
      headers: { authorization: "Bearer key-shop" },
    });
    assert.ok(
      listed.json().items.every((item: { orderKey: string }) => !item.orderKey.startsWith("cancel:")),
      "a cancellation request is not listed as an order",
    );
    const status = await app.inject({
      method: "GET",
      url: `/api/v1/orders/${id}`,
      headers: { authorization: "Bearer key-shop" },
    });
    assert.equal(status.json().status, "cancelled");
  });
});

describe("stock, shipments and the OpenAPI document", () => {
  test("stock per location from Odoo's stock.changed facts, summed exactly", async () => {
    await store.events.append([
      {
        stream: "stock:FURN_0001",
        type: "stock.changed",
        data: {
          default_code: "FURN_0001",
          product_id: 7,
          location_id: 8,
          quantity: "10.10",
          reserved_quantity: "2.05",
          source: { connection: "erp" },
        },
      },
      {
        stream: "stock:FURN_0001",
        type: "stock.changed",
        data: {
          default_code: "FURN_0001",
          product_id: 7,
          location_id: 9,
          quantity: "5",
          reserved_quantity: "0",
          source: { connection: "erp" },
        },
      },
      {
        stream: "stock:FURN_0001",
        type: "stock.changed",
        data: {
          default_code: "FURN_0001",
          product_id: 7,
          location_id: 8,
          quantity: "9.10",
          reserved_quantity: "1.05",
          source: { connection: "erp" },
        },
      },
    ]);
    const projection = createStockLevelsProjection({ store, clock, logger: createSilentLogger() });
    assert.equal(await projection.catchUp(), 3);
    assert.equal(await projection.catchUp(), 0, "the cursor moved with the levels");
    const res = await app.inject({
      method: "GET",
      url: "/api/v1/stock?sku=FURN_0001",
      headers: { authorization: "Bearer key-shop" },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.available, "13.05");
    assert.deepEqual(
      body.levels.map((l: { locationId: number; available: string }) => [l.locationId, l.available]),
      [
        [8, "8.05"],
        [9, "5"],
      ],
    );
    const noScope = await app.inject({
      method: "GET",
      url: "/api/v1/stock?sku=A",
      headers: { authorization: "Bearer key-other" },
    });
    assert.equal(noScope.statusCode, 403);
    const extra = await app.inject({
      method: "GET",
      url: "/api/v1/stock?sku=A&warehouse=1",
      headers: { authorization: "Bearer key-shop" },
    });
    assert.equal(extra.statusCode, 400);
  });

  test("shipments of an order from delivery.done events", async () => {
    await store.events.append([
      {
        stream: "order:S00042",
        type: "delivery.done",
        data: {
          id: 5,
          name: "WH/OUT/00005",
          carrier_tracking_ref: "1Z999",
          carrier: "UPS",
          date_done: "2026-12-02 08:00:00",
        },
      },
    ]);
    const res = await app.inject({
      method: "GET",
      url: "/api/v1/shipments?order=S00042",
      headers: { authorization: "Bearer key-shop" },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().items, [
      {
        orderKey: "S00042",
        pickingId: 5,
        name: "WH/OUT/00005",
        trackingRef: "1Z999",
        carrier: "UPS",
        doneAt: "2026-12-02 08:00:00",
      },
    ]);
  });

  test("OpenAPI 3.1 generated from the route schemas", async () => {
    const res = await app.inject({ method: "GET", url: "/api/v1/openapi.json" });
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.openapi, "3.1.0");
    assert.ok(doc.paths["/api/v1/orders"].post.requestBody, "the order body is documented");
    assert.ok(doc.paths["/api/v1/orders/{id}"].get);
    assert.ok(doc.paths["/api/v1/stock"].get);
    assert.ok(
      !Object.keys(doc.paths).some((p) => p.startsWith("/hooks")),
      "webhooks are not part of the API",
    );
    const params = doc.paths["/api/v1/orders"].post.parameters as {
      name: string;
      in: string;
      required: boolean;
    }[];
    assert.ok(params.some((p) => p.in === "header" && p.name === "idempotency-key" && p.required));
  });
});

describe("idempotency keys are forgotten after their time", () => {
  test("answered keys older than the TTL are deleted; recent and running ones stay", async () => {
    const { createIdempotency } = await import("./idempotency.ts");
    const { createIdempotencySweeper } = await import("./idempotency-sweeper.ts");
    const idem = createIdempotency({ store, clock });
    const old = await idem.begin("idn_sweep", "old", "POST", "/x", { a: 1 });
    assert.ok("run" in old);
    await old.run({ status: 202, body: { ok: true } });
    const running = await idem.begin("idn_sweep", "running", "POST", "/x", { a: 2 });
    assert.ok("run" in running);
    clock.advance(25 * 60 * 60 * 1_000);
    const recent = await idem.begin("idn_sweep", "recent", "POST", "/x", { a: 3 });
    assert.ok("run" in recent);
    await recent.run({ status: 202, body: { ok: true } });
    const sweeper = createIdempotencySweeper({ store, clock, logger: createSilentLogger() });
    // The other tests' answered keys in this store are older than a day too by now.
    assert.ok((await sweeper.sweep()) >= 1);
    const keys = (await store.records.list("api.idempotency", { prefix: "idn_sweep:" })).map((r) => r.key);
    assert.deepEqual(keys.sort(), ["idn_sweep:recent", "idn_sweep:running"]);
    // A forgotten key is a new request again.
    const again = await idem.begin("idn_sweep", "old", "POST", "/x", { a: 99 });
    assert.ok("run" in again);
  });
});
