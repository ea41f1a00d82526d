import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { parseJson } from "../../sandbox/partner-kit/http-kit.ts";
import {
  type SandboxStorefront,
  startSandboxStorefront,
} from "../../sandbox/storefront/sandbox-storefront.ts";
import { ManualClock } from "../../src/core/clock.ts";

const CORPUS = new URL("../../../shared/corpus/shopify/", import.meta.url);

describe("sandbox storefront: admin REST API", () => {
  const clock = new ManualClock();
  let store: SandboxStorefront;
  const call = async (method: string, path: string, body?: unknown, token = "shpat_sandbox") => {
    const res = await fetch(`${store.adminUrl}/${path}`, {
      method,
      headers: { "X-Shopify-Access-Token": token, "Content-Type": "application/json" },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    const parsed = parseJson(text);
    // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field in assertions; a wrong field fails them
    return { status: res.status, headers: res.headers, text, body: (parsed.ok ? parsed.value : text) as any };
  };

  before(async () => {
    store = await startSandboxStorefront({ clock, rateLimit: { size: 40, leakPerSecond: 2 } });
  });
  after(() => store.close());
  // Each test starts with an empty bucket, so rate limiting only shows where a test asks for it.
  const drain = () => clock.advance(60_000);

  test("refuses a missing or wrong access token with Shopify's 401 and counts nothing", async () => {
    drain();
    for (const token of ["", "shpat_wrong"]) {
      const r = await call("GET", "orders.json", undefined, token);
      assert.equal(r.status, 401);
      assert.match(r.body.errors, /Invalid API key or access token/);
      assert.equal(r.headers.get("x-shopify-shop-api-call-limit"), null);
    }
  });

  test("products.json lists the catalogue with ids above 2^53 written as exact JSON numbers", async () => {
    drain();
    const r = await call("GET", "products.json?limit=3");
    assert.equal(r.status, 200);
    assert.equal(r.body.products.length, 3);
    const product = r.body.products[0];
    assert.equal(typeof product.id, "bigint");
    assert.ok(product.id > 2n ** 53n);
    assert.match(r.text, new RegExp(`"id":${product.id}[,}]`));
    assert.equal(product.variants[0].sku, "FURN_0001");
    assert.equal(product.variants[0].price, "70.00");
    assert.equal((await call("GET", "products.json?limit=0")).status, 400);
  });

  test("POST orders.json creates an order with string money and takes stock; GET returns it", async () => {
    drain();
    const variant = store.shop.catalog.bySku("FURN_0002");
    assert.ok(variant);
    const before = store.shop.catalog.available(variant.inventoryItemId, store.shop.catalog.locations[0]!.id);
    const r = await call(
      "POST",
      "orders.json",
      `{"order":{"email":"a@b.example","line_items":[{"variant_id":${variant.id},"quantity":2},{"title":"Gift wrap","price":"1.50","quantity":1}]}}`,
    );
    assert.equal(r.status, 201, r.text);
    const order = r.body.order;
    assert.equal(
      order.line_items[0].variant_id,
      variant.id,
      "an id above 2^53 sent as a JSON number stays exact",
    );
    assert.equal(order.subtotal_price, "242.50");
    assert.equal(order.total_tax, "14.55");
    assert.equal(order.total_price, "257.05");
    assert.equal(order.financial_status, "paid");
    assert.equal(
      store.shop.catalog.available(variant.inventoryItemId, store.shop.catalog.locations[0]!.id),
      (before ?? 0) - 2,
    );
    const got = await call("GET", `orders/${order.id}.json`);
    assert.equal(got.status, 200);
    assert.equal(got.body.order.name, order.name);
    assert.equal((await call("GET", "orders/123.json")).status, 404);
    assert.equal((await call("GET", "orders/abc.json")).status, 404);
  });

  test("orders.json filters by status and pages with page_info in the Link header", async () => {
    drain();
    store.placeOrders(5);
    const first = await call("GET", "orders.json?limit=2&status=any");
    assert.equal(first.status, 200);
    assert.equal(first.body.orders.length, 2);
    const link = first.headers.get("link") ?? "";
    assert.match(link, /rel="next"/);
    const next = new URL(/<([^>]+)>/.exec(link)?.[1] ?? "");
    const second = await call("GET", `orders.json${next.search}`);
    assert.ok(second.body.orders[0].id > first.body.orders[1].id);
    assert.equal(
      (await call("GET", `orders.json${next.search}&status=open`)).status,
      400,
      "page_info excludes filters",
    );
    assert.equal((await call("GET", "orders.json?page_info=garbage")).status, 400);
    assert.equal((await call("GET", "orders.json?status=weird")).status, 400);
    assert.equal((await call("GET", "orders.json?limit=251")).status, 400);
    assert.equal((await call("GET", "orders.json?since_id=-1")).status, 400);
  });

  test("cancel.json cancels once, restocks on request, and refuses a second cancel", async () => {
    drain();
    const [order] = store.placeOrders(1).orders;
    assert.ok(order);
    const r = await call("POST", `orders/${order.id}/cancel.json`, { reason: "customer", restock: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.order.cancel_reason, "customer");
    assert.ok(r.body.order.cancelled_at);
    assert.equal((await call("POST", `orders/${order.id}/cancel.json`, {})).status, 422);
    assert.equal((await call("POST", `orders/${order.id}/cancel.json`, { reason: 5 })).status, 422);
    assert.equal((await call("POST", "orders/99/cancel.json", {})).status, 404);
    const cancelled = await call("GET", "orders.json?status=cancelled");
    assert.ok(cancelled.body.orders.some((o: { id: bigint }) => o.id === order.id));
  });

  test("fulfillments.json records tracking, partially then fully, and refuses over-fulfilment", async () => {
    drain();
    const [order] = store.placeOrders(1, { lines: [2, 2], maxQuantity: 1 }).orders;
    assert.ok(order);
    const [a, b] = order.line_items;
    const part = await call("POST", `orders/${order.id}/fulfillments.json`, {
      fulfillment: {
        tracking_number: "1Z999",
        tracking_company: "UPS",
        tracking_url: "https://ups.example/1Z999",
        line_items: [{ id: String(a!.id) }],
      },
    });
    assert.equal(part.status, 201, part.text);
    assert.equal(part.body.fulfillment.tracking_numbers[0], "1Z999");
    assert.equal(store.shop.orders.get(order.id)?.fulfillment_status, "partial");
    const again = await call("POST", `orders/${order.id}/fulfillments.json`, {
      fulfillment: { line_items: [{ id: String(a!.id), quantity: 1 }] },
    });
    assert.equal(again.status, 422);
    assert.ok("line_items[0].quantity" in again.body.errors);
    const rest = await call("POST", `orders/${order.id}/fulfillments.json`, {
      fulfillment: { tracking_number: "1Z998" },
    });
    assert.equal(rest.status, 201);
    assert.equal(rest.body.fulfillment.line_items[0].id, b!.id);
    assert.equal(store.shop.orders.get(order.id)?.fulfillment_status, "fulfilled");
    assert.equal(
      (await call("POST", `orders/${order.id}/cancel.json`, {})).status,
      422,
      "a fulfilled order cannot be cancelled",
    );
    const bad = await call("POST", `orders/${order.id}/fulfillments.json`, {
      fulfillment: { tracking_number: 42, tracking_url: "ftp://x" },
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(Object.keys(bad.body.errors).sort(), ["tracking_number", "tracking_url"]);
  });

  test("refunds.json refunds line quantities with tax and sets the financial status", async () => {
    drain();
    const [order] = store.placeOrders(1, { lines: [1, 1], maxQuantity: 1 }).orders;
    const line = order!.line_items[0]!;
    const r = await call("POST", `orders/${order!.id}/refunds.json`, {
      refund: { refund_line_items: [{ line_item_id: String(line.id), quantity: 1 }], restock: true },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(store.shop.orders.get(order!.id)?.financial_status, "refunded");
    assert.equal(
      (
        await call("POST", `orders/${order!.id}/refunds.json`, {
          refund: { refund_line_items: [{ line_item_id: String(line.id), quantity: 1 }] },
        })
      ).status,
      422,
    );
  });

  test("inventory_levels.json needs a filter; set.json sets one level and checks its input", async () => {
    drain();
    const variant = store.shop.catalog.bySku("FURN_0001")!;
    const location = store.shop.catalog.locations[0]!;
    assert.equal((await call("GET", "inventory_levels.json")).status, 422);
    assert.equal((await call("GET", "inventory_levels.json?inventory_item_ids=x")).status, 400);
    const set = await call(
      "POST",
      "inventory_levels/set.json",
      `{"location_id":${location.id},"inventory_item_id":${variant.inventoryItemId},"available":7}`,
    );
    assert.equal(set.status, 200, set.text);
    assert.equal(set.body.inventory_level.available, 7);
    const got = await call("GET", `inventory_levels.json?inventory_item_ids=${variant.inventoryItemId}`);
    assert.equal(got.body.inventory_levels[0].available, 7);
    assert.equal(got.body.inventory_levels[0].inventory_item_id, variant.inventoryItemId);
    const bad = await call("POST", "inventory_levels/set.json", {
      location_id: 1,
      inventory_item_id: "x",
      available: "7",
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(Object.keys(bad.body.errors).sort(), ["available", "inventory_item_id", "location_id"]);
  });

  test("webhooks.json subscribes, lists and deletes; refuses unknown topics, bad addresses and repeats", async () => {
    drain();
    const made = await call("POST", "webhooks.json", {
      webhook: { topic: "orders/create", address: "http://127.0.0.1:9/x" },
    });
    assert.equal(made.status, 201);
    assert.equal(
      (
        await call("POST", "webhooks.json", {
          webhook: { topic: "orders/create", address: "http://127.0.0.1:9/x" },
        })
      ).status,
      422,
    );
    assert.equal(
      (
        await call("POST", "webhooks.json", {
          webhook: { topic: "orders/eaten", address: "javascript:alert(1)" },
        })
      ).status,
      422,
    );
    assert.equal((await call("GET", "webhooks.json")).body.webhooks.length, 1);
    assert.equal((await call("DELETE", `webhooks/${made.body.webhook.id}.json`)).status, 200);
    assert.equal((await call("DELETE", `webhooks/${made.body.webhook.id}.json`)).status, 404);
  });

  test("hostile input: bad JSON and wrong types are 400/422 with located fields, unknown routes 404, wrong method 405", async () => {
    drain();
    assert.equal((await call("POST", "orders.json", "{not json")).status, 400);
    assert.equal((await call("POST", "orders.json", "[]")).status, 400);
    assert.equal((await call("POST", "orders.json", { order: "x" })).status, 400);
    const r = await call("POST", "orders.json", {
      order: {
        email: "nope",
        line_items: [{ variant_id: 1, quantity: 1 }, { title: "x", price: "1.999", quantity: "2" }, null],
        financial_status: "rich",
      },
    });
    assert.equal(r.status, 422);
    assert.deepEqual(Object.keys(r.body.errors).sort(), [
      "email",
      "financial_status",
      "line_items[0].variant_id",
      "line_items[1].price",
      "line_items[1].quantity",
      "line_items[2]",
    ]);
    const many = await call("POST", "orders.json", {
      order: { line_items: Array.from({ length: 251 }, () => ({ title: "x", price: "1", quantity: 1 })) },
    });
    assert.equal(many.status, 422);
    assert.equal(
      (
        await call("POST", "orders.json", {
          order: { line_items: [{ title: "x".repeat(300), price: "1", quantity: 1 }] },
        })
      ).status,
      422,
    );
    assert.equal((await call("GET", "nothing.json")).status, 404);
    assert.equal((await call("DELETE", "orders.json")).status, 405);
    const other = await fetch(`${store.url}/admin/api/2023-01/orders.json`, {
      headers: { "X-Shopify-Access-Token": "shpat_sandbox" },
    });
    assert.equal(other.status, 404);
  });

  test("a body over the limit is refused with 413 and the server keeps serving", async () => {
    drain();
    const big = Buffer.alloc(2 * 1024 * 1024, 0x20);
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(`${store.adminUrl}/orders.json`);
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: "POST",
          headers: { "X-Shopify-Access-Token": "shpat_sandbox", "Content-Length": big.length },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end(big);
    });
    assert.equal(status, 413);
    assert.equal((await call("GET", "products.json")).status, 200);
  });

  test("leaky bucket: 40 calls pass, the 41st is 429 with Retry-After, and a second later two more pass", async () => {
    drain();
    for (let i = 1; i <= 40; i++) {
      const r = await call("GET", "products.json?limit=1");
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("x-shopify-shop-api-call-limit"), `${i}/40`);
    }
    const refused = await call("GET", "products.json?limit=1");
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("retry-after"), "2.0");
    assert.equal(refused.headers.get("x-shopify-shop-api-call-limit"), "40/40");
    assert.match(refused.body.errors, /Exceeded 2 calls per second/);
    clock.advance(1_000);
    assert.equal((await call("GET", "products.json?limit=1")).status, 200);
    assert.equal((await call("GET", "products.json?limit=1")).status, 200);
    assert.equal((await call("GET", "products.json?limit=1")).status, 429);
    clock.advance(20_000);
    const after = await call("GET", "products.json?limit=1");
    assert.equal(after.status, 200);
    assert.equal(after.headers.get("x-shopify-shop-api-call-limit"), "1/40");
  });

  test("an order has the fields of Shopify's own order fixture (corpus)", async (t) => {
    const file = new URL("shopify-fulfillment-integration__order.json", CORPUS);
    if (!existsSync(file)) return t.skip("corpus not present beside the checkout");
    const real = (JSON.parse(readFileSync(file, "utf8")) as { order: Record<string, unknown> }).order;
    const [ours] = store.placeOrders(1).orders;
    const keys = [
      "id",
      "name",
      "email",
      "created_at",
      "currency",
      "financial_status",
      "fulfillment_status",
      "total_price",
      "subtotal_price",
      "total_tax",
      "tax_lines",
      "line_items",
      "shipping_lines",
      "shipping_address",
      "billing_address",
      "customer",
      "fulfillments",
      "order_number",
      "cancelled_at",
      "cancel_reason",
      "note",
      "tags",
      "source_name",
    ];
    for (const key of keys) {
      assert.ok(key in real, `corpus has ${key}`);
      assert.ok(key in ours!, `sandbox has ${key}`);
      assert.equal(
        typeof ours![key] === "bigint" ? "number" : Array.isArray(ours![key]) ? "array" : typeof ours![key],
        Array.isArray(real[key]) ? "array" : real[key] === null ? typeof ours![key] : typeof real[key],
        key,
      );
    }
    const realLine = (real.line_items as Record<string, unknown>[])[0]!;
    for (const key of [
      "id",
      "sku",
      "quantity",
      "price",
      "variant_id",
      "product_id",
      "title",
      "fulfillment_status",
      "grams",
    ]) {
      assert.ok(key in realLine && key in ours!.line_items[0]!, key);
    }
  });
});
