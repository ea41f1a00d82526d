/**
 * The WooCommerce `ChannelStockPort` against the sandbox WooCommerce over a real socket: updated SKUs
 * accepted, unknown SKUs and per-item refusals rejected with their reason, a failed call thrown.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  type SandboxWooCommerce,
  startSandboxWooCommerce,
} from "../../../sandbox/woocommerce/sandbox-woocommerce.ts";
import { ManualClock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import { createWooCommerceChannelStock } from "./woocommerce-channel-stock.ts";
import { createWooCommerceClient } from "./woocommerce-client.ts";

let store: SandboxWooCommerce;
before(async () => {
  store = await startSandboxWooCommerce({ products: [{ sku: "MUG", stock: 10 }, { sku: "TEA" }] });
});
after(() => store.close());

const client = (secret = store.consumerSecret) =>
  createWooCommerceClient({
    storeUrl: store.url,
    consumerKey: { reveal: () => store.consumerKey },
    consumerSecret: { reveal: () => secret },
  });
const stockOf = (sku: string) => [...store.products.values()].find((p) => p.sku === sku)?.stock_quantity;

test("updated SKUs are accepted, unknown ones rejected with the reason and not searched again for a while", async () => {
  const clock = new ManualClock();
  const woo = client();
  const port = createWooCommerceChannelStock({ client: woo, clock, notFoundTtlMs: 60_000 });
  const result = await port.publish("web", [
    { sku: "MUG", quantity: 3 },
    { sku: "GONE", quantity: 5 },
    { sku: "TEA", quantity: 0 },
  ]);
  assert.deepEqual(result.accepted, [
    { sku: "MUG", quantity: 3 },
    { sku: "TEA", quantity: 0 },
  ]);
  assert.deepEqual(result.rejected, [{ sku: "GONE", reason: "no product of the store has this SKU" }]);
  assert.deepEqual([stockOf("MUG"), stockOf("TEA")], [3, 0]);
  const searches = () => store.requests.filter((r) => r.path.includes("sku=GONE")).length;
  assert.equal(searches(), 1);
  const again = await port.publish("web", [{ sku: "GONE", quantity: 4 }]);
  assert.match(again.rejected?.[0]?.reason ?? "", /not searched again before/);
  assert.equal(searches(), 1, "no call within the TTL");
  clock.advance(60_000);
  await port.publish("web", [{ sku: "GONE", quantity: 4 }]);
  assert.equal(searches(), 2);
  await woo.close();
});

test("a store that refuses the key: the call throws, nothing is accepted", async () => {
  const woo = client("cs_wrong");
  const port = createWooCommerceChannelStock({ client: woo, clock: new ManualClock() });
  const error = await port.publish("web", [{ sku: "MUG", quantity: 1 }]).catch((e: unknown) => e);
  assert.ok(error instanceof CrossdockError && error.code === "CDK_TARGET_AUTH", String(error));
  assert.equal(stockOf("MUG"), 3);
  await woo.close();
});

test("a per-item refusal in the batch answer is a rejection with WooCommerce's code", async () => {
  const port = createWooCommerceChannelStock({
    clock: new ManualClock(),
    client: {
      setStock: async (levels) =>
        levels.map((l) => ({
          sku: l.sku,
          outcome: "rejected" as const,
          productId: "7",
          code: "woocommerce_rest_product_invalid_id",
          message: "Invalid ID.",
        })),
    },
  });
  assert.deepEqual(await port.publish("web", [{ sku: "MUG", quantity: 2 }]), {
    accepted: [],
    rejected: [{ sku: "MUG", reason: "woocommerce_rest_product_invalid_id: Invalid ID." }],
  });
});
