/**
 * Stock published through `inventorySetQuantities` against the sandbox storefront over HTTP: 600 SKUs
 * in 3 mutations, read back through REST; unknown SKUs and user errors rejected with their reason while
 * the rest of the group lands; items not stocked at the location through the REST fallback; a
 * `THROTTLED` answer waited out; failures that stop the batch. Time is a manual clock that the
 * injected waits advance: no real waiting.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  type SandboxStorefront,
  startSandboxStorefront,
} from "../../../sandbox/storefront/sandbox-storefront.ts";
import { ManualClock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import type { StockUpdate } from "../../inventory/publication-planner.ts";
import { createShopifyChannelStock } from "./shopify-channel-stock.ts";
import { createShopifyGraphqlChannelStock } from "./shopify-graphql-channel-stock.ts";
import { createShopifyGraphqlClient } from "./shopify-graphql-client.ts";
import { createShopifyInventoryClient } from "./shopify-inventory-client.ts";
import { createShopifySkuIndex, type ShopifySkuIndex } from "./shopify-sku-index.ts";

const clock = new ManualClock();
const waits: number[] = [];
/** Timers that move the clock instead of waiting. */
const timers = {
  setTimeout(fn: () => void, ms: number) {
    waits.push(ms);
    clock.advance(ms);
    return setImmediate(fn);
  },
  clearTimeout: (handle: unknown) => clearImmediate(handle as NodeJS.Immediate),
};
const sleep = async (ms: number) => {
  clock.advance(ms);
};
let store: SandboxStorefront;
let index: ShopifySkuIndex;

before(async () => {
  store = await startSandboxStorefront({
    clock,
    products: Array.from({ length: 620 }, (_, i) => ({ sku: `SKU-${i}`, available: 1 })),
    locations: ["Main", "Outlet"],
  });
  index = createShopifySkuIndex({
    shopUrl: store.url,
    accessToken: { reveal: () => store.accessToken },
    apiVersion: "2024-10",
    clock,
    sleep,
  });
});
after(async () => {
  await index.close();
  await store.close();
});

const catalog = () => store.shop.catalog;
const location = (i: number) => catalog().locations[i]?.id as bigint;
const graphqlCalls = () => store.calls.get("GraphQL CrossdockSetInventory") ?? 0;
const update = (sku: string, quantity: number): StockUpdate => ({ sku, quantity }) as StockUpdate;

function graphql(token = store.accessToken) {
  return createShopifyGraphqlClient({
    shopUrl: store.url,
    accessToken: { reveal: () => token },
    apiVersion: "2024-10",
    clock,
    timers,
  });
}
function port(options: { token?: string; at?: number; fallback?: boolean; reason?: string } = {}) {
  const client = graphql(options.token);
  const locationId = String(location(options.at ?? 0));
  const rest = createShopifyInventoryClient({
    shopUrl: store.url,
    accessToken: { reveal: () => store.accessToken },
    apiVersion: "2024-10",
    clock,
    sleep,
  });
  const stock = createShopifyGraphqlChannelStock({
    index,
    client,
    locationId,
    ...(options.fallback ? { fallback: createShopifyChannelStock({ index, client: rest, locationId }) } : {}),
    ...(options.reason ? { reason: options.reason } : {}),
  });
  return { stock, close: () => Promise.all([client.close(), rest.close()]) };
}

/** The levels at `at` as REST `inventory_levels.json` answers them, by SKU. */
async function restLevels(skus: string[], at = 0): Promise<Map<string, number>> {
  const bySku = new Map(skus.map((sku) => [String(catalog().bySku(sku)?.inventoryItemId), sku]));
  const ids = [...bySku.keys()];
  const levels = new Map<string, number>();
  for (let i = 0; i < ids.length; i += 250) {
    clock.advance(1_000);
    const res = await fetch(
      `${store.adminUrl}/inventory_levels.json?inventory_item_ids=${ids.slice(i, i + 250).join(",")}&location_ids=${location(at)}`,
      { headers: { "x-shopify-access-token": store.accessToken } },
    );
    // ids above 2^53: read them as text, never as doubles
    const text = await res.text();
    for (const m of text.matchAll(/"inventory_item_id":(\d+),"location_id":\d+,"available":(-?\d+)/g))
      levels.set(bySku.get(m[1] as string) as string, Number(m[2]));
  }
  return levels;
}

describe("shopify channel stock through inventorySetQuantities", () => {
  test("600 SKUs go out in 3 mutations and REST reads back the same levels", async () => {
    clock.advance(60_000);
    const { stock, close } = port();
    const updates = Array.from({ length: 600 }, (_, i) => update(`SKU-${i}`, 1_000 + i));
    const before = graphqlCalls();
    const result = await stock.publish("shop", updates);
    assert.equal(result.accepted.length, 600);
    assert.equal(result.rejected, undefined);
    assert.equal(graphqlCalls() - before, 3);
    assert.equal(store.calls.get("REST POST inventory_levels/set.json") ?? 0, 0);
    const levels = await restLevels(updates.map((u) => u.sku));
    assert.deepEqual(
      updates.filter((u) => levels.get(u.sku) !== u.quantity),
      [],
    );
    await close();
  });

  test("an unknown SKU is rejected with its reason; the rest of the batch lands in one call", async () => {
    clock.advance(60_000);
    const { stock, close } = port();
    const before = graphqlCalls();
    const result = await stock.publish("shop", [
      update("SKU-1", 11),
      update("NOPE-1", 5),
      update("SKU-2", 12),
    ]);
    assert.deepEqual(
      result.accepted.map((u) => u.sku),
      ["SKU-1", "SKU-2"],
    );
    assert.deepEqual(result.rejected, [{ sku: "NOPE-1", reason: "no variant on the shop has this SKU" }]);
    assert.equal(graphqlCalls() - before, 1);
    assert.equal(catalog().available(catalog().bySku("SKU-2")?.inventoryItemId as bigint, location(0)), 12);
    await close();
  });

  test("a user error rejects the SKU it names; the group is sent again without it and lands", async () => {
    clock.advance(60_000);
    // SKU-600 and SKU-601 are stocked at the outlet (REST set connects them), SKU-602..604 are not
    for (const sku of ["SKU-600", "SKU-601"])
      catalog().setAvailable(catalog().bySku(sku)?.inventoryItemId as bigint, location(1), 0, clock.now());
    const { stock, close } = port({ at: 1 });
    const skus = ["SKU-600", "SKU-601", "SKU-602", "SKU-603", "SKU-604"];
    const before = graphqlCalls();
    const result = await stock.publish(
      "outlet",
      skus.map((sku, i) => update(sku, 40 + i)),
    );
    assert.deepEqual(
      result.accepted.map((u) => u.sku),
      ["SKU-600", "SKU-601"],
    );
    assert.deepEqual(
      result.rejected?.map((r) => [r.sku, r.reason.split(":")[0]]),
      [
        ["SKU-602", "ITEM_NOT_STOCKED_AT_LOCATION"],
        ["SKU-603", "ITEM_NOT_STOCKED_AT_LOCATION"],
        ["SKU-604", "ITEM_NOT_STOCKED_AT_LOCATION"],
      ],
    );
    assert.equal(graphqlCalls() - before, 2, "the refused group, then the group without the three");
    const levels = await restLevels(skus, 1);
    assert.deepEqual(
      [...levels],
      [
        ["SKU-600", 40],
        ["SKU-601", 41],
      ],
    );
    await close();
  });

  test("with the REST fallback, items not stocked at the location are connected and set by REST", async () => {
    clock.advance(60_000);
    const { stock, close } = port({ at: 1, fallback: true });
    const skus = ["SKU-600", "SKU-610", "SKU-611"];
    const beforeGraphql = graphqlCalls();
    const beforeRest = store.calls.get("REST POST inventory_levels/set.json") ?? 0;
    const result = await stock.publish(
      "outlet",
      skus.map((sku, i) => update(sku, 70 + i)),
    );
    assert.deepEqual(result.accepted.map((u) => u.sku).sort(), skus);
    assert.equal(result.rejected, undefined);
    assert.equal(graphqlCalls() - beforeGraphql, 2);
    assert.equal((store.calls.get("REST POST inventory_levels/set.json") ?? 0) - beforeRest, 2);
    assert.deepEqual([...(await restLevels(skus, 1))].sort(), [
      ["SKU-600", 70],
      ["SKU-610", 71],
      ["SKU-611", 72],
    ]);
    // now stocked there: the next publication is one mutation
    const again = graphqlCalls();
    await stock.publish("outlet", [update("SKU-610", 1), update("SKU-611", 2)]);
    assert.equal(graphqlCalls() - again, 1);
    await close();
  });

  test("a THROTTLED answer is waited out and the batch still lands", async () => {
    clock.advance(60_000);
    const { stock, close } = port();
    // another app spent the bucket: 3 points left of the 10 a mutation needs
    store.graphqlCost.take(store.accessToken, store.graphqlCost.available(store.accessToken) - 3);
    waits.length = 0;
    const before = graphqlCalls();
    const result = await stock.publish(
      "shop",
      Array.from({ length: 300 }, (_, i) => update(`SKU-${i}`, 7)),
    );
    assert.equal(result.accepted.length, 300);
    assert.ok(graphqlCalls() - before >= 3, "a THROTTLED answer, then the two mutations");
    assert.ok(waits.length >= 1 && waits.every((ms) => ms > 0 && ms <= 1_000), `waits ${waits}`);
    const levels = await restLevels(["SKU-0", "SKU-299"]);
    assert.deepEqual([...levels.values()], [7, 7]);
    await close();
  });

  test("a failure with nothing accepted throws: bad token (auth), a user error naming no SKU (config)", async () => {
    clock.advance(60_000);
    const denied = port({ token: "shpat_wrong" });
    await assert.rejects(denied.stock.publish("shop", [update("SKU-1", 3)]), (error: unknown) => {
      assert.ok(error instanceof CrossdockError);
      assert.equal(error.code, "CDK_TARGET_AUTH");
      return true;
    });
    await denied.close();
    const badReason = port({ reason: "because" });
    await assert.rejects(badReason.stock.publish("shop", [update("SKU-1", 3)]), (error: unknown) => {
      assert.ok(error instanceof CrossdockError);
      assert.equal(error.failureClass, "config");
      assert.match(error.message, /INVALID_REASON input\.reason/);
      return true;
    });
    await badReason.close();
    assert.notEqual(catalog().available(catalog().bySku("SKU-1")?.inventoryItemId as bigint, location(0)), 3);
  });
});
