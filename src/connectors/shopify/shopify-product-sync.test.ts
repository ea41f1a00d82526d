/**
 * The product sync against the sandbox storefront's GraphQL API, on a real SQLite store and a manual
 * clock: a first sync emits every product, a second nothing, a changed price exactly one; and the
 * GraphQL-to-REST translation on a hand-written product (variants without SKU, truncated variants,
 * gids, a duplicate SKU).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  type SandboxStorefront,
  startSandboxStorefront,
} from "../../../sandbox/storefront/sandbox-storefront.ts";
import { ManualClock } from "../../core/clock.ts";
import { checkModel } from "../../core/model/model-checks.ts";
import { ManualTimers } from "../../core/timers.ts";
import { openRestTestStore } from "../rest/rest-test-fixture.ts";
import { createShopifyGraphqlClient } from "./shopify-graphql-client.ts";
import {
  createShopifyProductSync,
  PRODUCT_SYNC_KIND,
  PRODUCT_SYNCED,
  restProductOf,
} from "./shopify-product-sync.ts";

const clock = new ManualClock();
let shop: SandboxStorefront;
before(async () => {
  shop = await startSandboxStorefront({ clock, rateLimit: false });
});
after(() => shop.close());

function graphqlClient() {
  return createShopifyGraphqlClient({
    shopUrl: shop.url,
    accessToken: { reveal: () => shop.accessToken },
    apiVersion: "2024-10",
    clock,
    timers: new ManualTimers(clock), // never fired: the catalogue's pages cost less than the bucket holds
  });
}

describe("shopify product sync on the sandbox storefront", () => {
  test("first sync emits all, a second nothing, a changed price exactly one", async (t) => {
    const store = await openRestTestStore(t, clock);
    const client = graphqlClient();
    t.after(() => client.close());
    const sync = createShopifyProductSync({ client, store, clock, connection: "shop", pageSize: 3 });

    const first = await sync.run();
    assert.deepEqual(
      { pages: first.pages, products: first.products, records: first.records, emitted: first.emitted },
      { pages: 3, products: 8, records: 8, emitted: 8 },
    );
    assert.equal(first.unchanged, 0);
    assert.deepEqual([first.skipped, first.invalid, first.duplicates, first.truncated], [[], [], [], []]);
    assert.equal(first.actualCost, 3 * 3 + 8 * 5); // shop + connection per page, 5 per one-variant product
    const chair = catalogueOf("FURN_0001");
    const [event, ...more] = await store.events.readStream("product:shop:FURN_0001");
    assert.equal(more.length, 0);
    assert.equal(event?.type, PRODUCT_SYNCED);
    const product = (event?.data as { product: unknown } | undefined)?.product;
    assert.ok(checkModel("product", product).ok);
    assert.deepEqual(product, {
      schemaVersion: 1,
      sku: "FURN_0001",
      name: "Office Chair",
      uom: "C62",
      storable: true,
      prices: [{ currency: "USD", amount: "70.00", includesTax: false }],
      active: true,
      refs: [
        { system: "shop", kind: "product", id: String(chair.productId) },
        { system: "shop", kind: "variant", id: String(chair.id) },
        { system: "shop", kind: "inventory_item", id: String(chair.inventoryItemId) },
      ],
      extensions: { shop: { vendor: "Crossdock Sandbox", productType: null, tags: null, grams: null } },
    });
    const hashes = await store.records.list(PRODUCT_SYNC_KIND, { prefix: "shop/" });
    assert.equal(hashes.length, 8);
    assert.match(String((hashes[0]?.data as { hash: string } | undefined)?.hash), /^[0-9a-f]{64}$/);

    const second = await sync.run();
    assert.deepEqual([second.records, second.emitted, second.unchanged], [8, 0, 8]);

    catalogueOf("FURN_0002").priceCents = 12_999;
    clock.advance(60_000);
    const third = await sync.run();
    assert.deepEqual([third.emitted, third.unchanged], [1, 7]);
    const changed = await store.events.readStream("product:shop:FURN_0002");
    assert.equal(changed.length, 2);
    const latest = (changed[1]?.data as { product: { prices: { amount: string }[] } } | undefined)?.product;
    assert.equal(latest?.prices[0]?.amount, "129.99");
    assert.equal((await store.events.readStream("product:shop:FURN_0001")).length, 1);
  });

  test("a configured currency overrides the shop's; the hash sees the change", async (t) => {
    const store = await openRestTestStore(t, clock);
    const client = graphqlClient();
    t.after(() => client.close());
    const usd = await createShopifyProductSync({ client, store, clock, connection: "shop" }).run();
    assert.deepEqual([usd.pages, usd.emitted], [1, 8]);
    const eur = await createShopifyProductSync({
      client,
      store,
      clock,
      connection: "shop",
      currency: "EUR",
    }).run();
    assert.equal(eur.emitted, 8);
  });
});

describe("GraphQL products the sandbox does not have", () => {
  const tee = {
    id: "gid://shopify/Product/9007199254740993",
    title: "Tee",
    status: "DRAFT",
    tags: ["summer", "cotton"],
    descriptionHtml: "<p>Soft</p>",
    variants: {
      edges: [
        { node: { id: "gid://shopify/ProductVariant/11", sku: "TEE-S", title: "S", price: "9.50" } },
        { node: { id: "gid://shopify/ProductVariant/12", sku: "", title: "M", price: "9.50" } },
      ],
      pageInfo: { hasNextPage: true },
    },
  };

  test("gids become ids, tags a list, status lower case", () => {
    const rest = restProductOf(tee);
    assert.deepEqual([rest.id, rest.status, rest.tags], ["9007199254740993", "draft", "summer, cotton"]);
    assert.deepEqual(
      (rest.variants as { id: string; sku: string }[]).map((v) => [v.id, v.sku]),
      [
        ["11", "TEE-S"],
        ["12", ""],
      ],
    );
  });

  test("no SKU, more variants than read, a SKU twice and a bad GTIN are counted, not thrown", async (t) => {
    const store = await openRestTestStore(t, clock);
    const twice = { ...tee, id: "gid://shopify/Product/7", variants: { edges: [tee.variants.edges[0]] } };
    const badGtin = {
      id: "gid://shopify/Product/8",
      title: "Mug",
      status: "ACTIVE",
      variants: {
        edges: [{ node: { id: "gid://shopify/ProductVariant/13", sku: "MUG", barcode: "4006381333932" } }],
      },
    };
    const client = {
      query: async <T>() => ({
        data: {
          shop: { currencyCode: "EUR", taxesIncluded: true },
          products: {
            edges: [tee, twice, badGtin].map((node) => ({ node })),
            pageInfo: { hasNextPage: false },
          },
        } as T,
        cost: { requested: 100, actual: 20 },
        waitedMs: 0,
        throttled: 0,
      }),
    };
    const result = await createShopifyProductSync({ client, store, clock, connection: "shop" }).run();
    assert.deepEqual([result.products, result.records, result.emitted], [3, 1, 1]);
    assert.equal(result.skipped.length, 1);
    assert.match(result.skipped[0] ?? "", /product 9007199254740993 .*variant 12 has no SKU/);
    assert.deepEqual(result.truncated, ["9007199254740993"]);
    assert.deepEqual(result.duplicates, ["TEE-S"]);
    assert.equal(result.invalid[0]?.sku, "MUG");
    assert.ok(result.invalid[0]?.problems.some((p) => p.path.startsWith("/barcodes/0")));
    const [event] = await store.events.readStream("product:shop:TEE-S");
    const product = (event?.data as { product: Record<string, unknown> } | undefined)?.product ?? {};
    assert.deepEqual([product.name, product.active, product.description], ["Tee - S", false, "Soft"]);
    assert.deepEqual(product.prices, [{ currency: "EUR", amount: "9.50", includesTax: true }]);
  });
});

function catalogueOf(sku: string) {
  const variant = shop.shop.catalog.bySku(sku);
  if (!variant) throw new Error(`no ${sku} in the sandbox catalogue`);
  return variant;
}
