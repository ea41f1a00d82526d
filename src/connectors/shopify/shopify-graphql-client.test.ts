/**
 * The GraphQL client against the sandbox storefront's cost bucket (1,000 points, 50 a second) on a
 * manual clock: a burst paced so Shopify never throttles it, a THROTTLED answer waited out for its
 * deficit, and the failure classes. Waits go through manual timers that the test fires exactly when
 * due: no real waiting, and every wait is asserted to the millisecond.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import {
  type SandboxStorefront,
  startSandboxStorefront,
} from "../../../sandbox/storefront/sandbox-storefront.ts";
import { ManualClock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import { ManualTimers, type Timers } from "../../core/timers.ts";
import { createShopifyGraphqlClient, type ShopifyGraphqlOptions } from "./shopify-graphql-client.ts";
import { PRODUCTS_QUERY, productsQueryCost } from "./shopify-product-sync.ts";

const clock = new ManualClock();
const manual = new ManualTimers(clock);
const waits: number[] = [];
const timers: Timers = {
  setTimeout: (fn, ms) => {
    waits.push(ms);
    return manual.setTimeout(fn, ms);
  },
  clearTimeout: (handle) => manual.clearTimeout(handle),
};
let shop: SandboxStorefront;

/** Awaits `promise`, moving the clock to each wait's end when the client waits (one at a time). */
async function drive<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  const settled = promise.finally(() => {
    done = true;
  });
  settled.catch(() => undefined);
  while (!done) {
    await new Promise((resolve) => setImmediate(resolve));
    if (manual.pending > 0) manual.advance(waits.at(-1) ?? 0);
  }
  return settled;
}

before(async () => {
  // 60 products: a page of 50 (one variant each) costs what it requests, 3 + 50 x 5 = 253
  const products = Array.from({ length: 60 }, (_, i) => ({ sku: `SKU-${String(i).padStart(2, "0")}` }));
  shop = await startSandboxStorefront({ clock, products, rateLimit: false });
});
after(() => shop.close());

function client(extra: Partial<ShopifyGraphqlOptions> = {}) {
  return createShopifyGraphqlClient({
    shopUrl: shop.url,
    accessToken: { reveal: () => shop.accessToken },
    apiVersion: "2024-10",
    clock,
    timers,
    ...extra,
  });
}
const page = (first: number) => ({ first, after: null, variantsFirst: 1 });
const rawQuery = (body: unknown) =>
  fetch(`${shop.url}/admin/api/2024-10/graphql.json`, {
    method: "POST",
    headers: { "x-shopify-access-token": shop.accessToken, "content-type": "application/json" },
    body: JSON.stringify(body),
  }).then((r) => r.json() as Promise<Record<string, unknown>>);

describe("shopify GraphQL client on the sandbox storefront", () => {
  test("a burst of 6 full pages is paced to the bucket: no THROTTLED, waits as the deficits need", async () => {
    clock.advance(600_000);
    waits.length = 0;
    const shopify = client();
    const cost = productsQueryCost(50, 1);
    assert.equal(cost, 253);
    const answers = await drive(
      Promise.all(
        Array.from({ length: 6 }, () => shopify.query(PRODUCTS_QUERY, page(50), { estimatedCost: cost })),
      ),
    );
    assert.deepEqual(
      answers.map((a) => a.throttled),
      [0, 0, 0, 0, 0, 0],
    );
    assert.deepEqual(
      answers.map((a) => a.cost),
      Array.from({ length: 6 }, () => ({ requested: 253, actual: 253 })),
    );
    // 1000 -> 747 -> 494 -> 241; then 12 points missing (240 ms), then a full 253 each (5,060 ms)
    assert.deepEqual(waits, [240, 5_060, 5_060]);
    assert.deepEqual(
      answers.map((a) => a.waitedMs),
      [0, 0, 0, 240, 5_060, 5_060],
    );
    assert.deepEqual(shopify.bucket(), { maximumAvailable: 1_000, currentlyAvailable: 0, restoreRate: 50 });
    await shopify.close();
  });

  test("the actual cost is refunded: a short last page leaves the difference in the bucket", async () => {
    clock.advance(600_000);
    const shopify = client();
    const first = await shopify.query<{ products: { pageInfo: { endCursor: string } } }>(
      PRODUCTS_QUERY,
      page(50),
      { estimatedCost: 253 },
    );
    const last = await shopify.query(
      PRODUCTS_QUERY,
      { ...page(50), after: first.data.products.pageInfo.endCursor },
      { estimatedCost: 253 },
    );
    assert.deepEqual(last.cost, { requested: 253, actual: 3 + 10 * 5 });
    assert.equal(shopify.bucket()?.currentlyAvailable, 1_000 - 253 - 53);
    await shopify.close();
  });

  test("a THROTTLED answer (another client spent the bucket) is waited out for its deficit and sent again", async () => {
    clock.advance(600_000);
    waits.length = 0;
    const shopify = client();
    await drive(shopify.query(PRODUCTS_QUERY, page(1), { estimatedCost: 8 })); // bucket known: 992
    for (let i = 0; i < 3; i++) await rawQuery({ query: PRODUCTS_QUERY, variables: page(50) }); // 992 - 759 = 233
    const answer = await drive(shopify.query(PRODUCTS_QUERY, page(50), { estimatedCost: 253 }));
    assert.equal(answer.throttled, 1);
    assert.deepEqual(waits, [400]); // 20 points missing at 50 a second
    assert.equal(answer.waitedMs, 400);
    assert.deepEqual(answer.cost, { requested: 253, actual: 253 });
    await shopify.close();
  });

  test("THROTTLED beyond maxThrottledRetries: transient, with the deficit as retryAfterMs", async () => {
    clock.advance(600_000);
    for (let i = 0; i < 3; i++) await rawQuery({ query: PRODUCTS_QUERY, variables: page(50) }); // 241 left
    const throttledBody = await rawQuery({ query: PRODUCTS_QUERY, variables: page(50) });
    assert.deepEqual(throttledBody.errors, [
      {
        message: "Throttled",
        extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
      },
    ]);
    const shopify = client({ maxThrottledRetries: 0 });
    const error = await drive(shopify.query(PRODUCTS_QUERY, page(50), { estimatedCost: 253 })).catch(
      (e) => e,
    );
    assert.ok(error instanceof CrossdockError);
    assert.equal(error.code, "CDK_TARGET_UNAVAILABLE");
    assert.equal(error.retryAfterMs, 240); // 12 points missing at 50 a second
    await shopify.close();
  });

  test("failure classes: token, unknown operation, cost above 1,000, oversized answer, 5xx", async () => {
    clock.advance(600_000);
    const codeOf = (p: Promise<unknown>) =>
      drive(p).then(
        () => "resolved",
        (e: CrossdockError) => `${e.code}/${e.failureClass}`,
      );
    const wrong = client({ accessToken: { reveal: () => "shpat_wrong" } });
    assert.equal(await codeOf(wrong.query(PRODUCTS_QUERY, page(1))), "CDK_TARGET_AUTH/config");
    const shopify = client();
    const unknown = await drive(
      shopify.query("query Orders { orders(first: 1) { edges { node { id } } } }"),
    ).catch((e) => e);
    assert.equal(`${unknown.code}/${unknown.failureClass}`, "CDK_TARGET_REJECTED/config");
    assert.match(unknown.message, /undefinedField: Operation Orders is not supported/);
    const tooCostly = await drive(shopify.query(PRODUCTS_QUERY, { first: 250, variantsFirst: 10 })).catch(
      (e) => e,
    );
    assert.equal(tooCostly.code, "CDK_TARGET_REJECTED");
    assert.match(tooCostly.message, /MAX_COST_EXCEEDED: Query cost is 5753/);
    const small = client({ maxResponseBytes: 200 });
    assert.equal(await codeOf(small.query(PRODUCTS_QUERY, page(5))), "CDK_TARGET_REJECTED/config");
    const broken = createServer((_req, res) => {
      res.writeHead(503, { "retry-after": "3" });
      res.end("upstream down");
    });
    await new Promise<void>((resolve) => broken.listen(0, "127.0.0.1", resolve));
    const port = (broken.address() as { port: number }).port;
    const down = client({ shopUrl: `http://127.0.0.1:${port}` });
    const error = await drive(down.query(PRODUCTS_QUERY, page(1))).catch((e) => e);
    assert.equal(
      `${error.code}/${error.failureClass}/${error.retryAfterMs}`,
      "CDK_TARGET_UNAVAILABLE/transient/3000",
    );
    for (const c of [wrong, shopify, small, down]) await c.close();
    await new Promise((resolve) => broken.close(resolve));
  });
});
