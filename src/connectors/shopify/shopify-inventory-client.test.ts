/**
 * Inventory level updates against the sandbox storefront: paced to the leaky bucket (no 429 from our
 * own burst), 429 from another app waited out with Retry-After, coalescing per item and location, and
 * failure classes. Time is a manual clock that the injected sleep advances: no real waiting.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  type SandboxStorefront,
  startSandboxStorefront,
} from "../../../sandbox/storefront/sandbox-storefront.ts";
import { ManualClock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import { createShopifyInventoryClient, type InventoryLevelSet } from "./shopify-inventory-client.ts";
import { createShopifyStockPublisher } from "./shopify-stock-publisher.ts";

const clock = new ManualClock();
let shop: SandboxStorefront;
const waits: number[] = [];
const sleep = async (ms: number) => {
  waits.push(ms);
  clock.advance(ms);
};

before(async () => {
  shop = await startSandboxStorefront({
    clock,
    rateLimit: { size: 10, leakPerSecond: 2 },
    locations: ["Main", "Overflow"],
  });
});
after(() => shop.close());

function client(overrides: { token?: string; max429Retries?: number } = {}) {
  return createShopifyInventoryClient({
    shopUrl: shop.url,
    accessToken: { reveal: () => overrides.token ?? shop.accessToken },
    apiVersion: "2024-10",
    clock,
    sleep,
    ...(overrides.max429Retries === undefined ? {} : { max429Retries: overrides.max429Retries }),
  });
}

const catalog = () => shop.shop.catalog;
const level = (variant: number, location: number, available: number): InventoryLevelSet => ({
  inventoryItemId: String(catalog().variants[variant]?.inventoryItemId),
  locationId: String(catalog().locations[location]?.id),
  available,
});
const availableAt = (l: InventoryLevelSet) =>
  catalog().available(BigInt(l.inventoryItemId), BigInt(l.locationId));

async function fillBucket() {
  for (let i = 0; i < 12; i++) {
    await fetch(`${shop.adminUrl}/products.json?limit=1`, {
      headers: { "x-shopify-access-token": shop.accessToken },
    });
  }
}

describe("shopify inventory levels on the sandbox storefront", () => {
  test("a burst of 16 levels is paced to the bucket: all set, no 429 answered", async () => {
    clock.advance(60_000);
    waits.length = 0;
    const inventory = client();
    const publisher = createShopifyStockPublisher(inventory);
    const levels = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((v) => [level(v, 0, 10 + v), level(v, 1, 20 + v)]);
    for (const l of levels) publisher.enqueue(l);
    const outcomes = await publisher.flush();
    assert.deepEqual(new Set(outcomes.map((o) => o.outcome)), new Set(["sent"]));
    assert.equal(outcomes.length, 16);
    for (const l of levels) assert.equal(availableAt(l), l.available);
    // bucket 10, headroom 4: 6 calls at once, then one every 500 ms
    assert.ok(waits.length >= 10, `waited ${waits.length} times`);
    assert.ok(waits.every((ms) => ms <= 500));
    assert.ok(inventory.bucket().used <= 6);
    await inventory.close();
  });

  test("coalescing: many changes of one item and location cost one call, with the latest figure", async () => {
    clock.advance(60_000);
    const calls: InventoryLevelSet[] = [];
    const publisher = createShopifyStockPublisher({ setLevel: async (l) => void calls.push(l) });
    for (let n = 0; n < 50; n++) publisher.enqueue(level(0, 0, n));
    publisher.enqueue(level(1, 0, 5));
    assert.equal(publisher.pending(), 2);
    await publisher.flush();
    assert.deepEqual(
      calls.map((c) => c.available),
      [49, 5],
    );
    assert.equal(publisher.pending(), 0);
  });

  test("a 429 caused by another app is waited out (Retry-After 2.0) and the call succeeds", async () => {
    clock.advance(60_000);
    await fillBucket();
    waits.length = 0;
    const inventory = client();
    await inventory.setLevel(level(2, 0, 77));
    assert.equal(availableAt(level(2, 0, 77)), 77);
    assert.ok(waits.includes(2_000), `waits ${waits}`);
    await inventory.close();
  });

  test("429 beyond max429Retries: transient with retryAfterMs; the publisher keeps the level queued", async () => {
    clock.advance(60_000);
    await fillBucket();
    const inventory = client({ max429Retries: 0 });
    const publisher = createShopifyStockPublisher(inventory);
    publisher.enqueue(level(3, 0, 1));
    publisher.enqueue(level(4, 0, 1));
    const [first, ...rest] = await publisher.flush();
    assert.equal(first?.outcome, "retry");
    assert.equal(rest.length, 0);
    assert.ok(first?.outcome === "retry" && first.error.retryAfterMs === 2_000);
    assert.equal(publisher.pending(), 2);
    clock.advance(60_000);
    assert.deepEqual(
      (await publisher.flush()).map((o) => o.outcome),
      ["sent", "sent"],
    );
    await inventory.close();
  });

  test("unknown item is business (kept, dropped from the queue); a bad token is config and stops", async () => {
    clock.advance(60_000);
    const inventory = client();
    const publisher = createShopifyStockPublisher(inventory);
    publisher.enqueue({ inventoryItemId: "123", locationId: level(0, 0, 0).locationId, available: 1 });
    const [unknown] = await publisher.flush();
    assert.ok(unknown?.outcome === "failed");
    assert.equal(unknown.error.code, "CDK_TARGET_REJECTED");
    assert.match(unknown.error.message, /Inventory item does not exist/);
    const wrong = client({ token: "shpat_wrong" });
    const error = await wrong.setLevel(level(0, 0, 1)).catch((e: unknown) => e);
    assert.ok(error instanceof CrossdockError && error.code === "CDK_TARGET_AUTH");
    await assert.rejects(
      inventory.setLevel({ inventoryItemId: "1.5", locationId: "1", available: 1 }),
      /not a level Shopify can set/,
    );
    await wrong.close();
    await inventory.close();
  });
});
