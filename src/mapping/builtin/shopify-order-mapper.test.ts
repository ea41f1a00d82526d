import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { Order } from "../../core/model/order.ts";
import { decodeJsonDocument } from "../decode-json.ts";
import type { MapOutcome } from "../mapping.ts";
import { validateCanonical } from "../model-validator.ts";
import { runMapping } from "../run-mapping.ts";
import { shopifyOrderMapping } from "./shopify-order-mapper.ts";

/** The one order a successful outcome holds. */
function orderOf(outcome: MapOutcome): Order {
  assert.ok(outcome.ok);
  return outcome.values[0]?.value as unknown as Order;
}

const fixture = readFileSync(new URL("./fixtures/shopify-orders-create.json", import.meta.url));
const CORPUS = new URL("../../../../shared/corpus/shopify/", import.meta.url);
const context = { connection: "shopify-eu", messageId: "msg-1" };

function body(patch: (order: Record<string, unknown>) => void = () => {}): Record<string, unknown> {
  const decoded = decodeJsonDocument(fixture, "fixture");
  assert.ok(decoded.ok);
  const order = decoded.document as Record<string, unknown>;
  patch(order);
  return order;
}

async function mapFails(document: unknown, path: RegExp) {
  const outcome = await shopifyOrderMapping.map(document, context);
  assert.equal(outcome.ok, false, `expected a located failure at ${path}`);
  if (outcome.ok) return;
  assert.equal(outcome.error.code, "CDK_MAPPING_FAILED");
  assert.match(outcome.error.message, path);
}

describe("shopify-order@1", () => {
  test("a orders/create body maps to a valid, consistent order/v1 with exact ids and decimal money", async () => {
    const run = await runMapping(shopifyOrderMapping, body(), context, validateCanonical);
    assert.ok(run.ok, run.ok ? "" : `${run.error.message} ${JSON.stringify(run.problems)}`);
    const [record] = run.records;
    assert.equal(record?.key, "shopify-eu:5550934128715123456");
    assert.deepEqual(run.events[0], {
      stream: "order:shopify-eu:5550934128715123456",
      type: "order.received",
      data: record?.value,
      causationId: "msg-1",
    });
    const order = record?.value as unknown as Order & { extensions: Record<string, Record<string, unknown>> };
    assert.equal(order.channelOrderId, "5550934128715123456");
    assert.equal(order.orderNumber, "#1001");
    assert.equal(order.status, "pending");
    assert.deepEqual(order.customer, {
      kind: "person",
      name: "Ana Berg",
      email: "ana@example.com",
      refs: [{ system: "shopify-eu", kind: "customer", id: "7712345678901234567" }],
    });
    assert.deepEqual(order.shipTo, {
      name: "Ana Berg",
      street: "Hauptstrasse 5",
      city: "Berlin",
      postalCode: "10115",
      countryCode: "DE",
    });
    assert.deepEqual(order.lines[0], {
      lineId: "13579246801357924680",
      sku: "CHAIR-OAK-01",
      name: "Oak chair",
      quantity: "2",
      uom: "C62",
      unitPrice: "129.00",
      discounts: [{ amount: "12.90", code: "SPRING5" }],
      taxes: [{ name: "MwSt 19%", rate: "19", amount: "46.57" }],
      total: "245.10",
    });
    assert.equal(order.lines[1]?.unitPrice, "19.90", "a number price becomes a decimal string");
    assert.deepEqual(order.shippingLines, [
      {
        method: "Standard",
        carrier: "dhl",
        service: "STANDARD",
        price: "9.90",
        taxes: [{ name: "MwSt 19%", rate: "19", amount: "1.88" }],
        total: "9.90",
      },
    ]);
    assert.deepEqual(order.totals, {
      subtotal: "324.70",
      discountTotal: "12.90",
      shippingTotal: "9.90",
      taxTotal: "63.57",
      grandTotal: "398.17",
    });
    assert.equal(order.notes, "Please ring twice");
    const extras = order.extensions["shopify-eu"] as { financialStatus: string; lineItems: unknown[] };
    assert.equal(extras.financialStatus, "paid");
    assert.deepEqual(extras.lineItems[0], {
      lineId: "13579246801357924680",
      productId: "8080808080808",
      variantId: "42424242424242",
    });
  });

  test("status follows cancellation and fulfilment", async () => {
    const statusOf = async (patch: (o: Record<string, unknown>) => void) => {
      return orderOf(await shopifyOrderMapping.map(body(patch), context)).status;
    };
    assert.equal(await statusOf((o) => (o.cancelled_at = "2026-03-02T08:00:00Z")), "cancelled");
    assert.equal(await statusOf((o) => (o.fulfillment_status = "fulfilled")), "shipped");
    assert.equal(await statusOf((o) => (o.fulfillment_status = "partial")), "partially_shipped");
  });

  test("legacy order-level discounts and taxes are spread over the lines and still add up", async () => {
    const legacy = body((o) => {
      delete o.discount_applications;
      o.line_items = (o.line_items as Array<Record<string, unknown>>).map(
        ({ discount_allocations: _d, tax_lines: _t, ...line }) => line,
      );
      o.shipping_lines = [{ title: "Free", price: "0.00" }];
      o.total_discounts = "10.00";
      o.tax_lines = [{ title: "VAT", rate: 0.19, price: "62.24" }];
      o.total_tax = "62.24"; // 19 % of 327.60
      o.total_price = "389.84"; // 337.60 - 10.00 + 62.24 (+ 0 shipping)
    });
    const run = await runMapping(shopifyOrderMapping, legacy, context, validateCanonical);
    const order = run.records[0]?.value as unknown as Order;
    assert.deepEqual(
      order.lines.map((l) => [l.discounts, l.total, l.taxes?.[0]?.amount]),
      [
        [[{ amount: "7.64", description: "order discount" }], "250.36", "47.56"],
        [[{ amount: "2.36", description: "order discount" }], "77.24", "14.68"],
      ],
    );
    assert.ok(run.ok, run.ok ? "" : JSON.stringify(run.problems));
  });

  test("documents that do not fit are refused with the input path", async () => {
    await mapFails(null, /input \/: expected an object, found null/);
    await mapFails([body()], /input \/: expected an object, found an array/);
    await mapFails({ order: body() }, /input \/order: this is a REST Admin API envelope/);
    await mapFails(
      body((o) => delete o.id),
      /input \/id: is missing/,
    );
    await mapFails(
      body((o) => (o.id = 1.5)),
      /input \/id: id 1.5 is not exact/,
    );
    await mapFails(
      body((o) => (o.id = 2 ** 60)),
      /input \/id: id \d+ is not exact \(above 2\^53/,
    );
    await mapFails(
      body((o) => (o.id = { $gt: "" })),
      /input \/id: expected an id/,
    );
    await mapFails(
      body((o) => (o.line_items = [])),
      /input \/line_items: an order needs at least one line item/,
    );
    await mapFails(
      body((o) => (o.line_items = "many")),
      /input \/line_items: expected an array/,
    );
    const line = (patch: Record<string, unknown>) =>
      body((o) => Object.assign((o.line_items as Array<Record<string, unknown>>)[1] as object, patch));
    await mapFails(line({ sku: null }), /input \/line_items\/1\/sku: is missing: a line without a SKU/);
    await mapFails(line({ quantity: "4" }), /input \/line_items\/1\/quantity: expected a whole number/);
    await mapFails(line({ quantity: 1.5 }), /input \/line_items\/1\/quantity/);
    await mapFails(line({ price: "19,90" }), /input \/line_items\/1\/price: expected a decimal amount/);
    await mapFails(line({ price: "1e3" }), /input \/line_items\/1\/price: expected a decimal amount/);
    await mapFails(
      line({ tax_lines: [{ rate: "x", price: "1" }] }),
      /input \/line_items\/1\/tax_lines\/0\/rate/,
    );
    await mapFails(
      body((o) => delete o.currency),
      /input \/currency: is missing/,
    );
    await mapFails(
      body((o) => (o.customer = "ana")),
      /input \/customer: expected an object/,
    );
  });

  test("hostile and oversized input is refused or bounded, never a crash", async () => {
    const many = Array.from({ length: 10_001 }, () => ({ sku: "A", quantity: 1, price: "1.00" }));
    await mapFails(
      body((o) => (o.line_items = many)),
      /input \/line_items: 10001 items exceed the limit of 10000/,
    );
    await mapFails(
      body((o) => (o.currency = "E".repeat(5_000))),
      /input \/currency: 5000 characters exceed 3/,
    );
    await mapFails(
      body((o) => (o.note = "n".repeat(10_000_000))),
      /input \/note: 10000000 characters exceed/,
    );
    const longNote = await shopifyOrderMapping.map(
      body((o) => (o.note = "n".repeat(100_000))),
      context,
    );
    assert.ok(longNote.ok, "a long note is cut, the order is not refused for it");
    assert.equal(orderOf(longNote).notes?.length, 4_000);
    const decoded = decodeJsonDocument(
      fixture.toString().replace('"name": "#1001"', '"__proto__": {"polluted": 1}, "name": "#1001"'),
      "t",
    );
    assert.ok(decoded.ok);
    assert.ok((await shopifyOrderMapping.map(decoded.document, context)).ok);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    // a huge money value is refused by the schema, located
    const run = await runMapping(
      shopifyOrderMapping,
      body((o) => (o.total_price = "9".repeat(30))),
      context,
      validateCanonical,
    );
    assert.equal(run.ok, false);
    if (!run.ok) assert.ok(run.problems.some((p) => p.path === "/totals/grandTotal"));
  });

  test("every corpus Shopify order file maps or gives a located error, never a crash", async (t) => {
    if (!existsSync(CORPUS)) return t.skip(`corpus not present at ${CORPUS.pathname}`);
    const files = readdirSync(CORPUS).filter((f) => f.includes("order") && f.endsWith(".json"));
    assert.ok(files.length >= 4);
    let mapped = 0;
    for (const file of files) {
      const decoded = decodeJsonDocument(readFileSync(new URL(file, CORPUS)), file);
      assert.ok(decoded.ok, file);
      const doc = decoded.document as { order?: unknown; orders?: unknown[]; draft_order?: unknown };
      // the raw file, and the order(s) inside its REST envelope (what a webhook body would be)
      const inner = doc.order
        ? [doc.order]
        : doc.orders
          ? doc.orders
          : doc.draft_order
            ? [doc.draft_order]
            : [];
      for (const document of [doc, ...inner]) {
        const run = await runMapping(shopifyOrderMapping, document, context, validateCanonical);
        if (run.ok) {
          mapped++;
          continue;
        }
        assert.ok(
          ["CDK_MAPPING_FAILED", "CDK_MAPPING_OUTPUT_INVALID"].includes(run.error.code),
          `${file}: ${run.error.code}`,
        );
        const located =
          run.problems.length > 0
            ? run.problems.every((p) => p.path.startsWith("/"))
            : /input \/\S*: /.test(run.error.message);
        assert.ok(located, `${file}: not located: ${run.error.message}`);
      }
    }
    t.diagnostic(`${files.length} corpus files, ${mapped} documents mapped and valid`);
  });
});
