/**
 * The sandbox storefront's `inventorySetQuantities` (GraphQL Admin API) over HTTP: a valid group is
 * set where REST reads it and costs 10; unknown items, bad ids, more than 250 quantities, malformed
 * variables and stale compare quantities are refused the way Shopify refuses them, and a group with
 * any user error sets nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseJson } from "../../sandbox/partner-kit/http-kit.ts";
import {
  type SandboxStorefront,
  startSandboxStorefront,
} from "../../sandbox/storefront/sandbox-storefront.ts";
import { ManualClock } from "../../src/core/clock.ts";

const MUTATION = `mutation CrossdockSetInventory($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { createdAt reason changes { name delta quantityAfterChange item { id } location { id } } }
    userErrors { code field message }
  }
}`;

describe("sandbox storefront: inventorySetQuantities", () => {
  const clock = new ManualClock();
  let store: SandboxStorefront;
  const products = Array.from({ length: 300 }, (_, i) => ({ sku: `SKU-${i}`, available: 5 }));

  before(async () => {
    store = await startSandboxStorefront({ clock, products, locations: ["Main", "Outlet"] });
  });
  after(() => store.close());

  const catalog = () => store.shop.catalog;
  const item = (i: number) => `gid://shopify/InventoryItem/${catalog().variants[i]?.inventoryItemId}`;
  const main = () => `gid://shopify/Location/${catalog().locations[0]?.id}`;
  const outlet = () => `gid://shopify/Location/${catalog().locations[1]?.id}`;
  const availableAt = (i: number) =>
    catalog().available(
      catalog().variants[i]?.inventoryItemId as bigint,
      catalog().locations[0]?.id as bigint,
    );
  const input = (quantities: unknown[], extra: Record<string, unknown> = {}) => ({
    name: "available",
    reason: "correction",
    ignoreCompareQuantity: true,
    quantities,
    ...extra,
  });
  async function send(variables: unknown) {
    clock.advance(60_000); // a full bucket for each call
    const res = await fetch(`${store.url}/admin/api/2024-10/graphql.json`, {
      method: "POST",
      headers: { "x-shopify-access-token": store.accessToken, "content-type": "application/json" },
      body: JSON.stringify({ query: MUTATION, variables }),
    });
    const parsed = parseJson(await res.text());
    assert.equal(res.status, 200);
    assert.ok(parsed.ok);
    // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field in assertions
    return parsed.value as any;
  }
  async function restLevel(i: number): Promise<number> {
    const id = catalog().variants[i]?.inventoryItemId;
    const res = await fetch(
      `${store.adminUrl}/inventory_levels.json?inventory_item_ids=${id}&location_ids=${catalog().locations[0]?.id}`,
      { headers: { "x-shopify-access-token": store.accessToken } },
    );
    const body = parseJson(await res.text());
    assert.ok(body.ok);
    return (body.value as { inventory_levels: { available: number }[] }).inventory_levels[0]?.available ?? -1;
  }

  test("a valid group of 250 is set, read back through REST, and costs 10", async () => {
    const quantities = Array.from({ length: 250 }, (_, i) => ({
      inventoryItemId: item(i),
      locationId: main(),
      quantity: i,
    }));
    const answer = await send({ input: input(quantities) });
    const payload = answer.data.inventorySetQuantities;
    assert.deepEqual(payload.userErrors, []);
    assert.equal(payload.inventoryAdjustmentGroup.reason, "correction");
    // 249 moved from 5 (SKU-5 was already 5): available and on_hand each
    assert.equal(payload.inventoryAdjustmentGroup.changes.length, 249 * 2);
    const change = payload.inventoryAdjustmentGroup.changes.find(
      (c: { item: { id: string }; name: string }) => c.item.id === item(7) && c.name === "available",
    );
    assert.deepEqual(change, {
      name: "available",
      delta: 2,
      quantityAfterChange: 7,
      item: { id: item(7) },
      location: { id: main() },
    });
    assert.equal(answer.extensions.cost.requestedQueryCost, 10);
    assert.equal(answer.extensions.cost.actualQueryCost, 10);
    assert.equal(answer.extensions.cost.throttleStatus.currentlyAvailable, 990);
    for (const i of [0, 7, 249]) assert.equal(await restLevel(i), i);
    assert.equal(availableAt(250), 5);
  });

  test("an unknown item or location is a located user error, and nothing of the group is set", async () => {
    const before = [0, 1, 2, 3].map(availableAt);
    const quantities = [
      { inventoryItemId: item(0), locationId: main(), quantity: 100 },
      { inventoryItemId: item(1), locationId: main(), quantity: 101 },
      { inventoryItemId: item(2), locationId: "gid://shopify/Location/1", quantity: 102 },
      { inventoryItemId: "gid://shopify/InventoryItem/1", locationId: main(), quantity: 103 },
      { inventoryItemId: item(3), locationId: outlet(), quantity: 104 },
    ];
    const answer = await send({ input: input(quantities) });
    const payload = answer.data.inventorySetQuantities;
    assert.equal(payload.inventoryAdjustmentGroup, null);
    assert.deepEqual(
      payload.userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field.join(".")]),
      [
        ["INVALID_LOCATION", "input.quantities.2.locationId"],
        ["INVALID_INVENTORY_ITEM", "input.quantities.3.inventoryItemId"],
        ["ITEM_NOT_STOCKED_AT_LOCATION", "input.quantities.4.locationId"],
      ],
    );
    assert.deepEqual([0, 1, 2, 3].map(availableAt), before, "atomic: nothing set");
    assert.equal(answer.extensions.cost.actualQueryCost, 10);
  });

  test("a malformed global id is a top-level INVALID_VARIABLE error that sets and charges nothing", async () => {
    const before = availableAt(0);
    const answer = await send({
      input: input([
        { inventoryItemId: item(0), locationId: main(), quantity: 1 },
        { inventoryItemId: "12345", locationId: main(), quantity: 2 },
      ]),
    });
    assert.equal(answer.data, undefined);
    const [error] = answer.errors;
    assert.equal(error.extensions.code, "INVALID_VARIABLE");
    assert.match(error.message, /quantities\.1\.inventoryItemId \(Invalid global id '12345'\)/);
    assert.deepEqual(error.extensions.problems[0].path, ["quantities", 1, "inventoryItemId"]);
    assert.equal(availableAt(0), before);
  });

  test("more than 250 quantities is MAX_INPUT_SIZE_EXCEEDED", async () => {
    const quantities = Array.from({ length: 251 }, (_, i) => ({
      inventoryItemId: item(i),
      locationId: main(),
      quantity: 9,
    }));
    const answer = await send({ input: input(quantities) });
    assert.equal(answer.errors[0].extensions.code, "MAX_INPUT_SIZE_EXCEEDED");
    assert.match(answer.errors[0].message, /251 is greater than the maximum allowed of 250/);
    assert.notEqual(availableAt(0), 9);
  });

  test("malformed variables: no input, a string quantity, a bad reason, no compare quantity", async () => {
    const missing = await send({});
    assert.equal(missing.errors[0].extensions.code, "INVALID_VARIABLE");
    const stringQuantity = await send({
      input: input([{ inventoryItemId: item(0), locationId: main(), quantity: "3" }]),
    });
    assert.deepEqual(stringQuantity.errors[0].extensions.problems[0].path, ["quantities", 0, "quantity"]);
    const reason = await send({
      input: input([{ inventoryItemId: item(0), locationId: main(), quantity: 3 }], { reason: "because" }),
    });
    assert.deepEqual(reason.data.inventorySetQuantities.userErrors[0], {
      code: "INVALID_REASON",
      field: ["input", "reason"],
      message: "The specified reason is invalid.",
    });
    const compare = await send({
      input: input([{ inventoryItemId: item(0), locationId: main(), quantity: 3 }], {
        ignoreCompareQuantity: false,
      }),
    });
    assert.equal(compare.data.inventorySetQuantities.userErrors[0].code, "COMPARE_QUANTITY_REQUIRED");
    const stale = await send({
      input: input([{ inventoryItemId: item(0), locationId: main(), quantity: 3, compareQuantity: -7 }], {
        ignoreCompareQuantity: false,
      }),
    });
    assert.equal(stale.data.inventorySetQuantities.userErrors[0].code, "COMPARE_QUANTITY_STALE");
    const current = availableAt(0) as number;
    const fresh = await send({
      input: input(
        [{ inventoryItemId: item(0), locationId: main(), quantity: 3, compareQuantity: current }],
        {
          ignoreCompareQuantity: false,
        },
      ),
    });
    assert.deepEqual(fresh.data.inventorySetQuantities.userErrors, []);
    assert.equal(availableAt(0), 3);
  });

  test("an empty bucket answers THROTTLED and sets nothing; calls are counted per operation", async () => {
    clock.advance(60_000);
    const before = availableAt(0);
    store.graphqlCost.take(store.accessToken, 995);
    const res = await fetch(`${store.url}/admin/api/2024-10/graphql.json`, {
      method: "POST",
      headers: { "x-shopify-access-token": store.accessToken, "content-type": "application/json" },
      body: JSON.stringify({
        query: MUTATION,
        variables: { input: input([{ inventoryItemId: item(0), locationId: main(), quantity: 77 }]) },
      }),
    });
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    assert.equal(body.errors[0]?.extensions.code, "THROTTLED");
    assert.equal(availableAt(0), before);
    assert.ok((store.calls.get("GraphQL CrossdockSetInventory") ?? 0) >= 8);
    assert.ok((store.calls.get("REST GET inventory_levels.json") ?? 0) >= 3);
  });
});
