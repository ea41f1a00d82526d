import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { describe, test } from "node:test";
import { parseJson } from "../../sandbox/partner-kit/http-kit.ts";
import { startSandboxStorefront } from "../../sandbox/storefront/sandbox-storefront.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { type Received, startReceiver } from "./receiver.ts";

/** Shopify's check, written independently of the simulator: base64 HMAC-SHA256 of the raw body. */
function verifyShopify(secret: string, r: Received): boolean {
  const expected = createHmac("sha256", secret).update(r.body).digest();
  const given = Buffer.from(String(r.headers["x-shopify-hmac-sha256"]), "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const TOPICS = ["orders/create", "orders/updated", "orders/cancelled", "refunds/create"] as const;

describe("sandbox storefront: webhooks", () => {
  test("each topic is delivered with a verifiable signature and Shopify's headers; a tampered body fails", async () => {
    const clock = new ManualClock();
    const rx = await startReceiver();
    const store = await startSandboxStorefront({
      clock,
      apiSecret: "hush",
      webhooks: TOPICS.map((topic) => ({ topic, address: rx.url })),
    });
    try {
      const [order] = store.placeOrders(1, { lines: [1, 1] }).orders;
      const refund = store.shop.refund(order!.id, { lines: [{ id: order!.line_items[0]!.id, quantity: 1 }] });
      assert.ok(!("refused" in refund));
      const cancelled = store.shop.cancel(store.placeOrders(1).orders[0]!.id, { reason: "customer" });
      assert.ok(!("refused" in cancelled));
      assert.equal(await store.runDue(), 6);
      const topics = rx.received.map((r) => r.headers["x-shopify-topic"]);
      assert.deepEqual(topics, [
        "orders/create",
        "refunds/create",
        "orders/updated",
        "orders/create",
        "orders/cancelled",
        "orders/updated",
      ]);
      for (const r of rx.received) {
        assert.ok(verifyShopify("hush", r), `signature of ${r.headers["x-shopify-topic"]}`);
        assert.equal(r.headers["x-shopify-shop-domain"], "crossdock-sandbox.myshopify.com");
        assert.equal(r.headers["x-shopify-api-version"], "2024-10");
        assert.match(String(r.headers["x-shopify-webhook-id"]), /^[0-9a-f-]{36}$/);
      }
      const tampered = {
        ...rx.received[0]!,
        body: Buffer.from(rx.received[0]!.body.toString().replace('"paid"', '"voided"')),
      };
      assert.equal(verifyShopify("hush", tampered), false);
      const body = parseJson(rx.received[0]!.body);
      assert.ok(body.ok);
      assert.equal(
        (body.value as { id: bigint }).id,
        order!.id,
        "the webhook's id is the exact id above 2^53",
      );
      const refundBody = rx.received
        .find((r) => r.headers["x-shopify-topic"] === "refunds/create")!
        .json() as Record<string, unknown>;
      assert.ok(Array.isArray(refundBody.refund_line_items) && "transactions" in refundBody);
    } finally {
      await store.close();
      await rx.close();
    }
  });

  test("a non-2xx answer is retried with back-off on the clock, under the same webhook id", async () => {
    const clock = new ManualClock();
    const rx = await startReceiver([500, 503]);
    const store = await startSandboxStorefront({
      clock,
      webhooks: [{ topic: "orders/create", address: rx.url }],
      webhookRetry: { initialIntervalMs: 10_000, backoffCoefficient: 2, maximumAttempts: 4 },
    });
    try {
      store.placeOrders(1);
      await store.runDue();
      assert.equal(rx.received.length, 1);
      clock.advance(9_999);
      await store.runDue();
      assert.equal(rx.received.length, 1, "no retry before the interval");
      clock.advance(1);
      await store.runDue();
      assert.equal(rx.received.length, 2);
      clock.advance(20_000);
      await store.runDue();
      assert.equal(rx.received.length, 3);
      const ids = new Set(rx.received.map((r) => r.headers["x-shopify-webhook-id"]));
      assert.equal(ids.size, 1);
      assert.deepEqual(
        store.deliveries.attempts.map((a) => [a.attempt, a.status]),
        [
          [1, 500],
          [2, 503],
          [3, 200],
        ],
      );
      assert.equal([...store.deliveries.deliveries.values()][0]?.status, "delivered");
    } finally {
      await store.close();
      await rx.close();
    }
  });

  test("after the last attempt a delivery is failed; an unreachable address counts as a failure", async () => {
    const clock = new ManualClock();
    const store = await startSandboxStorefront({
      clock,
      webhooks: [{ topic: "orders/create", address: "http://127.0.0.1:1/nothing" }],
      webhookRetry: { initialIntervalMs: 1_000, maximumAttempts: 2 },
    });
    try {
      store.placeOrders(1);
      await store.runDue();
      clock.advance(1_000);
      await store.runDue();
      assert.equal(store.deliveries.attempts.length, 2);
      assert.ok(store.deliveries.attempts.every((a) => a.error !== undefined));
      assert.equal([...store.deliveries.deliveries.values()][0]?.status, "failed");
    } finally {
      await store.close();
    }
  });

  test("duplicates arrive twice with the same webhook id; redeliver() sends one again", async () => {
    const clock = new ManualClock();
    const rx = await startReceiver();
    const store = await startSandboxStorefront({
      clock,
      webhooks: [{ topic: "orders/create", address: rx.url }],
      webhookFaults: { duplicateRate: 1, duplicateDelayMs: 500 },
    });
    try {
      store.placeOrders(3);
      await store.runDue();
      assert.equal(rx.received.length, 3);
      clock.advance(500);
      await store.runDue();
      assert.equal(rx.received.length, 6);
      const ids = rx.received.map((r) => String(r.headers["x-shopify-webhook-id"]));
      assert.equal(new Set(ids).size, 3);
      assert.deepEqual(ids.slice(3), ids.slice(0, 3));
      assert.deepEqual(rx.received[0]!.body, rx.received[3]!.body);
      assert.ok(store.deliveries.redeliver(ids[0]!));
      await store.runDue();
      assert.equal(rx.received.at(-1)?.headers["x-shopify-webhook-id"], ids[0]);
      assert.equal(store.deliveries.redeliver("unknown"), false);
    } finally {
      await store.close();
      await rx.close();
    }
  });

  test("with a reorder window, later events overtake earlier ones (orders/updated before orders/create)", async () => {
    const clock = new ManualClock();
    const rx = await startReceiver();
    const store = await startSandboxStorefront({
      clock,
      seed: 7,
      webhooks: ["orders/create", "orders/cancelled", "orders/updated"].map((topic) => ({
        topic: topic as "orders/create",
        address: rx.url,
      })),
      webhookFaults: { reorderWindowMs: 5_000 },
    });
    try {
      store.placeOrders(20, { cancelShare: 0.5 });
      clock.advance(5_000);
      await store.runDue();
      assert.equal(rx.received.length, 40);
      const arrivals = store.deliveries.attempts.map((a) => a.seq);
      assert.notDeepEqual(
        arrivals,
        [...arrivals].sort((a, b) => a - b),
        "arrival order differs from emission order",
      );
      const firstSeen = new Map<bigint, string>();
      for (const r of rx.received) {
        const id = (parseJson(r.body) as { value: { id: bigint } }).value.id;
        if (!firstSeen.has(id)) firstSeen.set(id, String(r.headers["x-shopify-topic"]));
      }
      assert.ok(
        [...firstSeen.values()].some((topic) => topic !== "orders/create"),
        "some order is first seen through a later topic",
      );
    } finally {
      await store.close();
      await rx.close();
    }
  });

  test("placeOrders: SKUs from the list, the requested share cancelled, one malformed of each kind", async () => {
    const clock = new ManualClock();
    const rx = await startReceiver();
    const store = await startSandboxStorefront({
      clock,
      webhooks: [
        { topic: "orders/create", address: rx.url },
        { topic: "orders/cancelled", address: rx.url },
      ],
    });
    try {
      const skus = ["FURN_0001", "FURN_0008", "NOT-IN-CATALOGUE"];
      const placed = store.placeOrders(10, {
        skus,
        cancelShare: 0.3,
        cancelAfterMs: 60_000,
        malformed: true,
      });
      assert.equal(placed.orders.length, 10);
      assert.equal(placed.cancelled.length, 3);
      for (const o of placed.orders) for (const l of o.line_items) assert.ok(skus.includes(l.sku as string));
      assert.ok(
        placed.orders.every((o) => Number(o.total_price) > 0 && /^\d+\.\d{2}$/.test(o.total_price as string)),
      );
      await store.runDue();
      assert.equal(
        rx.received.filter((r) => r.headers["x-shopify-topic"] === "orders/cancelled").length,
        0,
        "cancellations wait for the clock",
      );
      clock.advance(60_000);
      await store.runDue();
      const cancelledIds = rx.received
        .filter((r) => r.headers["x-shopify-topic"] === "orders/cancelled")
        .map((r) => (parseJson(r.body) as { value: { id: bigint } }).value.id);
      assert.deepEqual(cancelledIds.sort(), [...placed.cancelled].sort());
      const bad = rx.received.find(
        (r) => r.headers["x-shopify-webhook-id"] === placed.malformed?.webhookIds[0],
      );
      assert.ok(bad);
      assert.equal((bad.json() as { line_items: { sku: unknown }[] }).line_items[0]?.sku, null);
      const truncated = store.placeOrders(0, { malformed: "truncated-json" });
      await store.runDue();
      const cut = rx.received.find(
        (r) => r.headers["x-shopify-webhook-id"] === truncated.malformed?.webhookIds[0],
      );
      assert.ok(cut && verifyShopify("sandbox-shopify-secret", cut), "signed correctly");
      assert.equal(parseJson(cut.body).ok, false, "but not JSON");
      assert.throws(() => store.placeOrders(-1), RangeError);
      assert.throws(() => store.placeOrders(1, { skus: [] }), RangeError);
    } finally {
      await store.close();
      await rx.close();
    }
  });

  test("the same seed gives the same traffic", async () => {
    const run = async () => {
      const store = await startSandboxStorefront({ clock: new ManualClock(), seed: 42 });
      const placed = store.placeOrders(5, { cancelShare: 0.4 });
      await store.close();
      return JSON.stringify(
        placed.orders
          .map((o) => [o.email, o.line_items.map((l) => [l.sku, l.quantity])])
          .concat([placed.cancelled.map(String)]),
      );
    };
    assert.equal(await run(), await run());
  });
});
