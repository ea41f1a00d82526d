/**
 * The WooCommerce client against the sandbox WooCommerce server (sandbox/woocommerce/): stock by SKU
 * in batches, tracking notes written once, order completion, and every failure class.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  type SandboxWooCommerce,
  startSandboxWooCommerce,
} from "../../../sandbox/woocommerce/sandbox-woocommerce.ts";
import { CrossdockError } from "../../core/errors.ts";
import { createWooCommerceClient, type WooCommerceClient } from "./woocommerce-client.ts";

let store: SandboxWooCommerce;
let client: WooCommerceClient;
const NOW = Date.parse("2026-03-01T10:00:00Z");

before(async () => {
  store = await startSandboxWooCommerce({
    products: [{ sku: "SKU-1" }, { sku: "SKU-2", stock: null }, { sku: "SKU 3/ü" }],
    readOnlyKey: ["ck_read", "cs_read"],
    now: () => NOW,
  });
  client = connect();
});
after(async () => {
  await client.close();
  await store.close();
});

function connect(key = store.consumerKey, secret = store.consumerSecret) {
  return createWooCommerceClient({
    storeUrl: store.url,
    consumerKey: { reveal: () => key },
    consumerSecret: { reveal: () => secret },
    now: () => NOW,
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

const productBySku = (sku: string) => [...store.products.values()].find((p) => p.sku === sku);

describe("woocommerce client on the sandbox", () => {
  test("setStock looks SKUs up and updates them in one batch; unknown SKUs are outcomes", async () => {
    const outcomes = await client.setStock([
      { sku: "SKU-1", quantity: 4 },
      { sku: "SKU-2", quantity: 0 },
      { sku: "SKU 3/ü", quantity: 7 },
      { sku: "NOPE", quantity: 1 },
    ]);
    assert.deepEqual(
      outcomes.map((o) => [o.sku, o.outcome]),
      [
        ["NOPE", "not-found"],
        ["SKU-1", "updated"],
        ["SKU-2", "updated"],
        ["SKU 3/ü", "updated"],
      ],
    );
    assert.equal(productBySku("SKU-1")?.stock_quantity, 4);
    assert.equal(productBySku("SKU-2")?.manage_stock, true);
    assert.equal(productBySku("SKU-2")?.stock_status, "outofstock");
    assert.equal(productBySku("SKU 3/ü")?.stock_quantity, 7);
    assert.equal(store.requests.filter((r) => r.path.endsWith("/products/batch")).length, 1);
    await assert.rejects(client.setStock([{ sku: "SKU-1", quantity: 1.5 }]), /not a whole number/);
  });

  test("a tracking note is written once, as a customer note; completing the order", async () => {
    const order = store.addOrder([{ sku: "SKU-1", quantity: 2 }]);
    const tracking = { trackingNumber: "1Z999", carrier: "UPS", trackingUrl: "https://ups.example/1Z999" };
    const first = await client.addTrackingNote(String(order.id), tracking);
    const again = await client.addTrackingNote(String(order.id), tracking);
    assert.equal(first.created, true);
    assert.deepEqual(again, { noteId: first.noteId, created: false });
    const notes = store.notes.get(order.id) ?? [];
    assert.equal(notes.length, 1);
    assert.equal(notes[0]?.customer_note, true);
    assert.match(notes[0]?.note ?? "", /with UPS\. Tracking number 1Z999: https:\/\/ups\.example\/1Z999/);
    await client.completeOrder(String(order.id));
    assert.equal(store.orders.get(order.id)?.status, "completed");
  });

  test("an unknown order is business, with WooCommerce's code kept", async () => {
    const error = await refusal(client.completeOrder("999999"));
    assert.equal(error.code, "CDK_TARGET_REJECTED");
    assert.equal(error.failureClass, "business");
    assert.equal((error.details as { code: string }).code, "woocommerce_rest_shop_order_invalid_id");
    assert.equal((error.details as { status: number }).status, 404);
    assert.match((await refusal(client.completeOrder("12abc"))).message, /not a WooCommerce id/);
  });

  test("wrong key and read-only key are config", async () => {
    const wrong = connect("ck_wrong", "cs_wrong");
    const error = await refusal(wrong.findProductId("SKU-1"));
    assert.equal(error.code, "CDK_TARGET_AUTH");
    assert.equal((error.details as { code: string }).code, "woocommerce_rest_authentication_error");
    await wrong.close();
    const reader = connect("ck_read", "cs_read");
    assert.ok(await reader.findProductId("SKU-1"));
    const refused = await refusal(reader.setStock([{ sku: "SKU-1", quantity: 3 }]));
    assert.equal(refused.code, "CDK_TARGET_AUTH");
    assert.match(refused.message, /woocommerce_rest_cannot_edit/);
    await reader.close();
  });

  test("429 and 5xx are transient with Retry-After; an unreachable store too", async () => {
    store.failNext(429, 1, "7");
    const limited = await refusal(client.findProductId("SKU-1"));
    assert.equal(limited.code, "CDK_TARGET_UNAVAILABLE");
    assert.equal(limited.retryAfterMs, 7_000);
    store.failNext(503, 1, new Date(NOW + 3_000).toUTCString());
    assert.equal((await refusal(client.findProductId("SKU-1"))).retryAfterMs, 3_000);
    store.failNext(500);
    assert.equal((await refusal(client.findProductId("SKU-1"))).failureClass, "transient");
    const gone = createWooCommerceClient({
      storeUrl: "http://127.0.0.1:9",
      consumerKey: { reveal: () => "k" },
      consumerSecret: { reveal: () => "s" },
    });
    assert.equal((await refusal(gone.findProductId("SKU-1"))).code, "CDK_TARGET_UNAVAILABLE");
    await gone.close();
  });

  test("plain http to a remote host is refused before any request", () => {
    assert.throws(
      () =>
        createWooCommerceClient({
          storeUrl: "http://shop.example.com",
          consumerKey: { reveal: () => "k" },
          consumerSecret: { reveal: () => "s" },
        }),
      /must be https/,
    );
  });
});

test("sandbox pagination headers and Woo's error shape", async () => {
  const base = `${store.url}/wp-json/wc/v3/products?per_page=2`;
  const auth = { authorization: `Basic ${Buffer.from("ck_sandbox:cs_sandbox").toString("base64")}` };
  const answer = await fetch(base, { headers: auth });
  assert.equal(answer.headers.get("x-wp-total"), "3");
  assert.equal(answer.headers.get("x-wp-totalpages"), "2");
  const bad = await fetch(`${store.url}/wp-json/wc/v3/orders/1`, { method: "PUT", headers: auth, body: "{" });
  assert.deepEqual(await bad.json(), {
    code: "rest_invalid_json",
    message: "Invalid JSON body passed.",
    data: { status: 400 },
  });
});
