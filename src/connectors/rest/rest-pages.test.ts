import assert from "node:assert/strict";
import { test } from "node:test";
import type { RestClient, RestPage } from "./rest-client.ts";
import { ManualClock, marketSettings, rejection, restClient, startMarket } from "./rest-test-fixture.ts";

async function walk(client: RestClient, endpoint: string, options = {}): Promise<RestPage[]> {
  const pages: RestPage[] = [];
  for await (const page of client.pages(endpoint, options)) pages.push(page);
  return pages;
}
const ids = (pages: RestPage[], key = "id") =>
  pages.flatMap((p) => p.items.map((i) => (i as Record<string, string>)[key]));

test("cursor pagination walks every order once, in (updated_at, id) order", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock, { orders: 45 });
  const pages = await walk(restClient(t, marketSettings(market), clock), "orders");
  assert.deepEqual(
    pages.map((p) => p.items.length),
    [20, 20, 5],
  );
  assert.deepEqual(
    pages.map((p) => p.hasMore),
    [true, true, false],
  );
  assert.deepEqual(ids(pages), [...market.data.orders.keys()]);
  assert.match(pages[1]?.url ?? "", /limit=20&cursor=/);
});

test("link-header, page and offset pagination each walk the 25 offers", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock);
  const skus = [...market.data.offers.keys()].sort();
  const offers = (pagination: Record<string, unknown>) => ({
    offers: { method: "GET", path: "/offers", itemsPointer: "/offers", pagination },
  });
  const kinds = [
    { kind: "link-header", sizeParam: "per_page", size: 10 },
    { kind: "page", pageParam: "page", sizeParam: "per_page", size: 10 },
    { kind: "offset", offsetParam: "offset", limitParam: "limit", limit: 10 },
    { kind: "page", pageParam: "page", sizeParam: "per_page", size: 5 },
  ];
  for (const pagination of kinds) {
    const client = restClient(t, marketSettings(market, "api-key", { endpoints: offers(pagination) }), clock);
    const pages = await walk(client, "offers");
    assert.deepEqual(ids(pages, "sku"), skus, `${pagination.kind} ${pagination.size ?? pagination.limit}`);
    assert.equal(pages.at(-1)?.hasMore, false);
  }
});

test("maxPages bounds a walk; the last page says more follow, and the walk resumes at its nextUrl", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock, { orders: 45 });
  const client = restClient(t, marketSettings(market, "basic", { maxPages: 2 }), clock);
  const first = await walk(client, "orders");
  assert.deepEqual([first.length, first.at(-1)?.hasMore], [2, true]);
  const rest = await walk(client, "orders", { startUrl: first.at(-1)?.nextUrl });
  assert.deepEqual(ids([...first, ...rest]), [...market.data.orders.keys()]);
  const elsewhere = await rejection(walk(client, "orders", { startUrl: "http://127.0.0.1:1/v1/orders" }));
  assert.equal(elsewhere.code, "CDK_CONFIG_INVALID");
});

test("a repeated cursor or next link is a pagination loop, reported instead of paging forever", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock, { orders: 45 });
  const client = restClient(t, marketSettings(market), clock);
  market.fail({ kind: "loop" }, { times: 5, pathPrefix: "/v1/orders" });
  const cursorLoop = await rejection(walk(client, "orders"));
  assert.deepEqual([cursorLoop.code, cursorLoop.failureClass], ["CDK_TARGET_REJECTED", "config"]);
  assert.match(cursorLoop.message, /pagination loop/);
  assert.equal(market.requests.filter((r) => r.path.startsWith("/v1/orders")).length, 2);
  market.fail({ kind: "loop" }, { times: 5, pathPrefix: "/v1/offers" });
  const linkLoop = await rejection(walk(client, "offers"));
  assert.match(linkLoop.message, /leads back to a page already read \(link-header/);
});

test("items missing at itemsPointer are a located config problem", async (t) => {
  const clock = new ManualClock();
  const market = await startMarket(t, clock, { orders: 3 });
  const settings = marketSettings(market, "api-key");
  (settings.endpoints as Record<string, Record<string, unknown>>).orders = {
    method: "GET",
    path: "/orders",
    itemsPointer: "/orders/items",
  };
  const error = await rejection(walk(restClient(t, settings, clock), "orders"));
  assert.deepEqual(
    [error.code, error.failureClass, error.details?.missingAt],
    ["CDK_TARGET_REJECTED", "config", "/orders"],
  );
  assert.match(error.message, /expected a list at \/orders\/items, found nothing at \/orders/);
});
