/**
 * SKU -> inventory item from the sandbox storefront's `products.json` (paged, paced to its bucket,
 * ids above 2^53 kept exact), refreshed on a miss at most once per `minRefreshMs`, and the Shopify
 * `ChannelStockPort` over it: levels set at the channel's location, unknown SKUs rejected, a shop that
 * refuses the token thrown. Time is a manual clock that the injected sleep advances.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  type SandboxStorefront,
  startSandboxStorefront,
} from "../../../sandbox/storefront/sandbox-storefront.ts";
import { ManualClock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import { createShopifyChannelStock } from "./shopify-channel-stock.ts";
import { createShopifyInventoryClient } from "./shopify-inventory-client.ts";
import { createShopifySkuIndex } from "./shopify-sku-index.ts";

const clock = new ManualClock();
const waits: number[] = [];
const sleep = async (ms: number) => {
  waits.push(ms);
  clock.advance(ms);
};
let shop: SandboxStorefront;
const SKUS = Array.from({ length: 45 }, (_, i) => `SKU-${String(i + 1).padStart(3, "0")}`);

before(async () => {
  shop = await startSandboxStorefront({
    clock,
    rateLimit: { size: 10, leakPerSecond: 2 },
    locations: ["Main", "Overflow"],
    products: SKUS.map((sku) => ({ sku, available: 5 })),
  });
});
after(() => shop.close());

const connection = (token = shop.accessToken) => ({
  shopUrl: shop.url,
  accessToken: { reveal: () => token },
  apiVersion: "2024-10",
  clock,
  sleep,
});
const variant = (sku: string) => shop.shop.catalog.variants.find((v) => v.sku === sku);

describe("shopify SKU index on the sandbox storefront", () => {
  test("pages through the catalogue once, paced to the bucket, ids exact", async () => {
    clock.advance(60_000);
    waits.length = 0;
    const index = createShopifySkuIndex({ ...connection(), pageSize: 4 });
    const refs = await index.resolve(["SKU-001", "SKU-045"]);
    const ref = refs.get("SKU-045");
    assert.ok(ref && !("problem" in ref));
    assert.equal(ref.inventoryItemId, String(variant("SKU-045")?.inventoryItemId));
    assert.ok(BigInt(ref.inventoryItemId) > 2n ** 53n, "an id a double would round");
    assert.deepEqual(index.stats(), { skus: 45, pages: 12, refreshes: 1 });
    // bucket 10, headroom 4: six pages at once, then one every 500 ms; never a 429 (Retry-After 2 s)
    assert.ok(waits.length >= 5 && waits.every((ms) => ms <= 500), `waits ${waits}`);
    await index.resolve(["SKU-002"]);
    assert.equal(index.stats().pages, 12, "known SKUs are served from memory");
    await index.close();
  });

  test("a miss refreshes at most once per minRefreshMs; a new product is found", async () => {
    clock.advance(60_000);
    const index = createShopifySkuIndex({ ...connection(), minRefreshMs: 30_000 });
    await index.resolve(["SKU-001"]);
    const template = variant("SKU-001");
    assert.ok(template);
    shop.shop.catalog.variants.push({
      ...template,
      id: template.id + 10_000n,
      productId: template.productId + 10_000n,
      inventoryItemId: template.inventoryItemId + 10_000n,
      sku: "NEW-1",
    });
    assert.deepEqual(Object.fromEntries(await index.resolve(["NEW-1"])), { "NEW-1": { problem: "unknown" } });
    assert.equal(index.stats().refreshes, 1, "too soon after the load: no refresh");
    clock.advance(30_000);
    const found = (await index.resolve(["NEW-1"])).get("NEW-1");
    assert.ok(found && "inventoryItemId" in found);
    assert.equal(found.inventoryItemId, String(template.inventoryItemId + 10_000n));
    assert.equal(index.stats().refreshes, 2);
    shop.shop.catalog.variants.pop();
    await index.close();
  });

  test("the channel port sets levels at its location and reports accepted and rejected SKUs", async () => {
    clock.advance(60_000);
    const index = createShopifySkuIndex(connection());
    const client = createShopifyInventoryClient(connection());
    const overflow = shop.shop.catalog.locations[1];
    assert.ok(overflow);
    const port = createShopifyChannelStock({ index, client, locationId: String(overflow.id) });
    const result = await port.publish("shop", [
      { sku: "SKU-003", quantity: 7 },
      { sku: "NOPE", quantity: 1 },
      { sku: "SKU-004", quantity: 0 },
    ]);
    assert.deepEqual(result.accepted, [
      { sku: "SKU-003", quantity: 7 },
      { sku: "SKU-004", quantity: 0 },
    ]);
    assert.deepEqual(result.rejected, [{ sku: "NOPE", reason: "no variant on the shop has this SKU" }]);
    const at = (sku: string) => shop.shop.catalog.available(variant(sku)?.inventoryItemId ?? 0n, overflow.id);
    assert.deepEqual([at("SKU-003"), at("SKU-004")], [7, 0]);
    // Shopify refuses the location: a business answer per SKU, not a thrown batch
    const wrongPlace = createShopifyChannelStock({ index, client, locationId: "123" });
    const refused = await wrongPlace.publish("shop", [{ sku: "SKU-005", quantity: 2 }]);
    assert.equal(refused.accepted.length, 0);
    assert.match(refused.rejected?.[0]?.reason ?? "", /Location does not exist/);
    await client.close();
    await index.close();
  });

  test("a token the shop refuses: publish throws a config error, nothing accepted", async () => {
    clock.advance(60_000);
    const index = createShopifySkuIndex(connection("shpat_wrong"));
    const client = createShopifyInventoryClient(connection("shpat_wrong"));
    const port = createShopifyChannelStock({ index, client, locationId: "1" });
    const error = await port.publish("shop", [{ sku: "SKU-001", quantity: 1 }]).catch((e: unknown) => e);
    assert.ok(error instanceof CrossdockError && error.code === "CDK_TARGET_AUTH", String(error));
    await client.close();
    await index.close();
  });

  test("a SKU on two variants is ambiguous and never set; a transient failure throws the batch", async () => {
    const index = {
      resolve: async (skus: readonly string[]) =>
        new Map(
          skus.map((sku) => [
            sku,
            sku === "TWICE"
              ? { problem: "ambiguous" as const }
              : { productId: "1", variantId: "2", inventoryItemId: "3" },
          ]),
        ),
    };
    const unavailable = new CrossdockError("CDK_TARGET_UNAVAILABLE", "503");
    const port = createShopifyChannelStock({
      index,
      client: {
        setLevel: async () => {
          throw unavailable;
        },
      },
      locationId: "9",
    });
    const ambiguous = await port.publish("shop", [{ sku: "TWICE", quantity: 1 }]);
    assert.deepEqual(ambiguous, {
      accepted: [],
      rejected: [{ sku: "TWICE", reason: "several variants on the shop have this SKU; none is set" }],
    });
    await assert.rejects(port.publish("shop", [{ sku: "A", quantity: 1 }]), unavailable);
  });
});
