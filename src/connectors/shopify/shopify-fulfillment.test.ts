/**
 * The Shopify channel port against the sandbox storefront (fulfillments with tracking, partial
 * shipments, retries after a lost answer, the leaky bucket's 429, auth, refusals) and against hostile
 * answers (a real Shopify order fixture from the corpus, non-JSON, oversized, 5xx).
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type SandboxStorefront,
  startSandboxStorefront,
} from "../../../sandbox/storefront/sandbox-storefront.ts";
import { ManualClock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import type { Order } from "../../core/model/order.ts";
import type { ShipmentNotice } from "../../flows/order-to-cash/order-to-cash-ports.ts";
import { createShopifyChannel } from "./shopify-fulfillment.ts";

const CORPUS = join(import.meta.dirname, "../../../../shared/corpus");
const clock = new ManualClock();
let shop: SandboxStorefront;
before(async () => {
  shop = await startSandboxStorefront({ clock, rateLimit: { size: 2, leakPerSecond: 1 } });
});
after(() => shop.close());

/** A Shopify order with two lines of FURN_0001 (2 and 1) and one of FURN_0002 (4). */
function place(): string {
  const placed = shop.shop.placeOrder({
    email: "olga@example.com",
    lines: [
      { sku: "FURN_0001", title: "Chair", priceCents: 1_000, quantity: 2, grams: 500 },
      { sku: "FURN_0002", title: "Desk", priceCents: 5_000, quantity: 4, grams: 500 },
      { sku: "FURN_0001", title: "Chair (gift)", priceCents: 0, quantity: 1, grams: 500 },
    ],
  });
  return String(placed.id);
}

function shopOrder(id: string) {
  const order = shop.shop.orders.get(BigInt(id));
  assert.ok(order);
  return order;
}

function update(id: string, shipment: Partial<ShipmentNotice>) {
  return {
    order: { channel: "shop", channelOrderId: id } as Order,
    shipment: { shipmentId: "SH-1", complete: false, lines: [], ...shipment },
    pickingId: 1,
  };
}

/** Lets the leaky bucket drain between tests. */
function rest() {
  clock.advance(10_000);
}

function channel(overrides: { token?: string; url?: string } = {}) {
  return createShopifyChannel({
    shopUrl: overrides.url ?? shop.url,
    accessToken: { reveal: () => overrides.token ?? shop.accessToken },
    apiVersion: "2024-10",
    now: () => clock.now(),
  });
}

async function refusal(promise: Promise<unknown>): Promise<CrossdockError> {
  const error = await promise.then(
    () => assert.fail("expected a refusal"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof CrossdockError, String(error));
  return error;
}

describe("shopify channel on the sandbox storefront", () => {
  test("two shipments: a partial then the rest, tracking visible, each fulfillment once whatever the retries", async () => {
    const c = channel();
    try {
      const id = place();
      const first = update(id, {
        lines: [
          { sku: "FURN_0001", quantity: "3" },
          { sku: "FURN_0002", quantity: "1" },
        ],
        carrier: "UPS",
        trackingNumber: "1Z-A",
        trackingUrl: "https://ups.example/1Z-A",
      });
      rest();
      await c.pushTracking(first, "k1");
      rest();
      await c.pushTracking(first, "k1");
      const after1 = shopOrder(id);
      assert.equal(after1.fulfillments.length, 1, "a retry finds its fulfillment by tracking number");
      assert.equal(after1.fulfillment_status, "partial");
      const f1 = after1.fulfillments[0] as Record<string, unknown>;
      assert.deepEqual(
        [f1.tracking_number, f1.tracking_company, f1.tracking_url],
        ["1Z-A", "UPS", "https://ups.example/1Z-A"],
      );
      assert.deepEqual(
        after1.line_items.map((l) => l.fulfillable_quantity),
        [0, 3, 0],
        "3 of FURN_0001 spread over its two lines",
      );
      rest();
      await c.pushTracking(
        update(id, { lines: [{ sku: "FURN_0002", quantity: "3" }], trackingNumber: "1Z-B", complete: true }),
        "k2",
      );
      const done = shopOrder(id);
      assert.equal(done.fulfillment_status, "fulfilled");
      assert.deepEqual(
        done.fulfillments.map((f) => (f as { tracking_number: string }).tracking_number),
        ["1Z-A", "1Z-B"],
      );
    } finally {
      await c.close();
    }
  });

  test("a fulfillment made before a lost answer is not made again; nothing left to fulfil is a no-op", async () => {
    const c = channel();
    try {
      const id = place();
      // Our POST went through but its answer was lost: the shop already has the fulfillment.
      shop.shop.fulfil(BigInt(id), { trackingNumber: "1Z-LOST" });
      rest();
      await c.pushTracking(
        update(id, { lines: [{ sku: "FURN_0002", quantity: "4" }], trackingNumber: "1Z-LOST" }),
        "k",
      );
      assert.equal(shopOrder(id).fulfillments.length, 1);
      rest();
      await c.pushTracking(update(id, { lines: [{ sku: "FURN_0002", quantity: "4" }] }), "k-no-tracking");
      assert.equal(shopOrder(id).fulfillments.length, 1, "fulfilled by hand already: capped to nothing");
    } finally {
      await c.close();
    }
  });

  test("a full bucket is transient with Shopify's Retry-After (2.0 s); after it the push goes through", async () => {
    const c = channel();
    try {
      const id = place();
      rest();
      const push = update(id, { lines: [{ sku: "FURN_0002", quantity: "1" }], trackingNumber: "1Z-RL" });
      await c.pushTracking(push, "k");
      const limited = await refusal(
        c.pushTracking(
          update(id, { lines: [{ sku: "FURN_0002", quantity: "1" }], trackingNumber: "1Z-RL2" }),
          "k2",
        ),
      );
      assert.equal(limited.code, "CDK_TARGET_UNAVAILABLE");
      assert.equal(limited.failureClass, "transient");
      assert.equal(limited.retryAfterMs, 2_000);
      clock.advance(limited.retryAfterMs ?? 0);
      await c.pushTracking(
        update(id, { lines: [{ sku: "FURN_0002", quantity: "1" }], trackingNumber: "1Z-RL2" }),
        "k2",
      );
      assert.equal(shopOrder(id).fulfillments.length, 2);
    } finally {
      await c.close();
    }
  });

  test("refusals: bad token config; unknown, cancelled or non-Shopify order, foreign SKU, fractional quantity business", async () => {
    const c = channel();
    const bad = channel({ token: "shpat_wrong" });
    try {
      const id = place();
      rest();
      const auth = await refusal(
        bad.pushTracking(update(id, { lines: [{ sku: "FURN_0002", quantity: "1" }] }), "k"),
      );
      assert.equal(auth.code, "CDK_TARGET_AUTH");
      rest();
      const unknown = await refusal(
        c.pushTracking(update("12345", { lines: [{ sku: "FURN_0002", quantity: "1" }] }), "k"),
      );
      assert.equal(unknown.code, "CDK_TARGET_REJECTED");
      assert.match(unknown.message, /404/);
      const notShopify = await refusal(c.pushTracking(update("shop-1/../x", { lines: [] }), "k"));
      assert.equal(notShopify.code, "CDK_TARGET_REJECTED");
      rest();
      const foreign = await refusal(
        c.pushTracking(update(id, { lines: [{ sku: "NOT_ON_ORDER", quantity: "1" }] }), "k"),
      );
      assert.match(foreign.message, /NOT_ON_ORDER is not on the Shopify order/);
      rest();
      const fraction = await refusal(
        c.pushTracking(update(id, { lines: [{ sku: "FURN_0002", quantity: "1.5" }] }), "k"),
      );
      assert.match(fraction.message, /1\.5 of FURN_0002 is not a whole number/);
      rest();
      const badUrl = await refusal(
        c.pushTracking(
          update(id, { lines: [{ sku: "FURN_0002", quantity: "1" }], trackingUrl: "ftp://x" }),
          "k",
        ),
      );
      assert.equal(badUrl.code, "CDK_TARGET_REJECTED");
      assert.match(
        String((badUrl.details as { body: string }).body),
        /tracking_url/,
        "Shopify's 422 body kept",
      );
      assert.equal(shopOrder(id).fulfillments.length, 0, "nothing written by a refused push");
      const cancelled = place();
      shop.shop.cancel(BigInt(cancelled));
      rest();
      const late = await refusal(
        c.pushTracking(
          update(cancelled, { lines: [{ sku: "FURN_0002", quantity: "1" }], trackingNumber: "1Z-X" }),
          "k",
        ),
      );
      assert.equal(late.code, "CDK_TARGET_REJECTED");
      assert.match(late.message, /cancelled in Shopify/);
    } finally {
      await c.close();
      await bad.close();
    }
  });
});

describe("shopify channel against hostile answers", () => {
  let server: Server;
  let url: string;
  const posts: string[] = [];
  let answer: (res: ServerResponse, method: string) => void = (res) => res.end();
  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (req.method === "POST") posts.push(Buffer.concat(chunks).toString("utf8"));
        answer(res, req.method ?? "GET");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("a real Shopify order (corpus): a failed fulfillment with the same tracking does not count", async (t) => {
    let fixture: string;
    try {
      fixture = await readFile(join(CORPUS, "shopify/shopify_python_api__order.json"), "utf8");
    } catch {
      t.skip(`no corpus at ${CORPUS}`);
      return;
    }
    answer = (res, method) =>
      method === "GET"
        ? res.writeHead(200, { "content-type": "application/json" }).end(fixture)
        : res.writeHead(201).end('{"fulfillment":{"id":1}}');
    const c = channel({ url });
    try {
      await c.pushTracking(
        update("450789469", { lines: [{ sku: "IPOD2008RED", quantity: "1" }], trackingNumber: "1Z2345" }),
        "k",
      );
      assert.deepEqual(JSON.parse(posts.at(-1) ?? "{}"), {
        fulfillment: { line_items: [{ id: "518995019", quantity: 1 }], tracking_number: "1Z2345" },
      });
    } finally {
      await c.close();
    }
  });

  test("ids beyond 2^53 in the answer are kept exact", async () => {
    answer = (res, method) =>
      method === "GET"
        ? res
            .writeHead(200)
            .end(
              '{"order":{"id":9007199254740993,"line_items":[{"id":9007199254740995,"sku":"A","fulfillable_quantity":2}],"fulfillments":[]}}',
            )
        : res.writeHead(201).end("{}");
    const c = channel({ url });
    try {
      await c.pushTracking(update("9007199254740993", { lines: [{ sku: "A", quantity: "9" }] }), "k");
      assert.deepEqual(JSON.parse(posts.at(-1) ?? "{}").fulfillment.line_items, [
        { id: "9007199254740995", quantity: 2 },
      ]);
    } finally {
      await c.close();
    }
  });

  test("non-JSON, oversized, rootless and 503 answers are transient; nothing is posted", async () => {
    const c = channel({ url });
    const before = posts.length;
    try {
      for (const bad of [
        (res: ServerResponse) => res.writeHead(200).end("<html>"),
        (res: ServerResponse) => res.writeHead(200).end('{"orders":[]}'),
        (res: ServerResponse) => res.writeHead(503, { "retry-after": "5" }).end("down"),
        (res: ServerResponse) => {
          res.writeHead(200);
          const chunk = Buffer.alloc(1_048_576, 0x20);
          for (let i = 0; i < 6; i++) res.write(chunk);
          res.end("{}");
        },
      ]) {
        answer = bad;
        const error = await refusal(
          c.pushTracking(update("1", { lines: [{ sku: "A", quantity: "1" }] }), "k"),
        );
        assert.equal(error.code, "CDK_TARGET_UNAVAILABLE", error.message);
      }
      assert.equal(posts.length, before);
    } finally {
      await c.close();
    }
  });
});
