import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { ConformanceResult } from "../conformance.ts";
import { shopifyJsonConformanceDecoder as decoder } from "./shopify-conformance.ts";

const CORPUS = new URL("../../../../shared/corpus/shopify/", import.meta.url);
const skip = existsSync(CORPUS) ? false : "corpus folder ../shared/corpus/shopify is absent";
const bytes = (name: string) => new Uint8Array(readFileSync(new URL(name, CORPUS)));
const text = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value, null, 1));
const summary = (r: ConformanceResult | undefined) => [r?.outcome, r?.documents, r?.records];

describe("shopify-json conformance over the corpus", { skip }, () => {
  const results = new Map<string, ConformanceResult>();
  test("every file is sniffed and decoded without throwing: parsed, or a located error", async () => {
    for (const file of readdirSync(CORPUS).filter((f) => f.endsWith(".json"))) {
      assert.ok(decoder.sniff(file, bytes(file)), file);
      const result = await decoder.decode(file, bytes(file));
      results.set(file, result);
      if (result.outcome === "error") {
        assert.ok((result.error?.location.line ?? 0) >= 1, file);
        assert.ok(result.error?.message.startsWith(file), file);
      }
    }
    assert.ok(results.size >= 16);
  });

  test("records and notes per file", () => {
    assert.deepEqual(summary(results.get("shopify_python_api__product.json")), [
      "parsed",
      [{ type: "product", count: 1 }],
      { product: 4 },
    ]);
    assert.deepEqual(summary(results.get("shopify_python_api__refund.json")), [
      "parsed",
      [{ type: "refund", count: 1 }],
      { return: 1, payment: 1 },
    ]);
    assert.deepEqual(summary(results.get("shopify_python_api__inventory_levels.json")), [
      "parsed",
      [{ type: "inventory_level", count: 4 }],
      { "stock-level": 4 },
    ]);
    const calc = results.get("shopify_python_api__refund_calculate.json");
    assert.deepEqual(summary(calc), ["parsed", [{ type: "refund_calculation", count: 1 }], {}]);
    const pending = results.get("shopify-fulfillment-integration__fulfillment_webhook.json");
    assert.deepEqual(summary(pending), ["parsed", [{ type: "fulfillment", count: 1 }], {}]);
    assert.match(pending?.warnings?.[0] ?? "", /is pending: goods have not left yet/);
    const tx = results.get("shopify_python_api__transaction.json");
    assert.match(tx?.warnings?.[0] ?? "", /has no currency/);
    for (const f of ["location", "draft_order", "inventory_item", "fulfillment_event"]) {
      assert.equal(results.get(`shopify_python_api__${f}.json`)?.outcome, "parsed", f);
    }
  });

  test("Shopify's own order fixture does not add up: a located error at its first line item", () => {
    const order = results.get("shopify_python_api__order.json");
    assert.equal(order?.outcome, "error");
    assert.equal(order?.error?.location.field, "/order/line_items/0");
    assert.match(order?.error?.message ?? "", /tax amount 3\.98 does not match/);
    const list = results.get("shopify_python_api__orders.json");
    assert.equal(list?.error?.location.field, "/orders/0/line_items");
    assert.match(list?.error?.message ?? "", /needs at least one line item/);
  });
});

describe("shopify-json on own documents", () => {
  const order = {
    id: "ID",
    name: "#1",
    currency: "EUR",
    created_at: "2026-03-01T10:00:00+01:00",
    financial_status: "paid",
    total_price: "20.00",
    total_tax: "0.00",
    line_items: [{ id: 1, sku: "A-1", quantity: 2, price: "10.00" }],
  };

  test("a bare webhook body and a list map, ids above 2^53 exact", async () => {
    const body = text(order).toString().replace('"ID"', "9007199254740993");
    const bare = await decoder.decode("o.json", Buffer.from(body));
    assert.deepEqual(summary(bare), ["parsed", [{ type: "order", count: 1 }], { order: 1 }]);
    const listed = await decoder.decode(
      "l.json",
      text({
        orders: [
          { ...order, id: 1 },
          { ...order, id: 2 },
        ],
      }),
    );
    assert.deepEqual(listed.records, { order: 2 });
  });

  test("a fulfillment that shipped maps to a shipment; a refund of money only to a payment", async () => {
    const shipped = await decoder.decode(
      "f.json",
      text({
        fulfillment: {
          id: 5,
          order_id: 9,
          status: "success",
          shipment_status: "delivered",
          created_at: "2026-03-02T10:00:00Z",
          tracking_company: "UPS",
          tracking_numbers: ["1Z1", "1Z2"],
          line_items: [{ id: 1, sku: "A-1", quantity: 2 }],
        },
      }),
    );
    assert.deepEqual(shipped.records, { shipment: 1 });
    const refund = await decoder.decode(
      "r.json",
      text({
        id: 7,
        order_id: 9,
        created_at: "2026-03-02T10:00:00Z",
        refund_line_items: [],
        order_adjustments: [],
        transactions: [
          {
            id: 8,
            kind: "refund",
            status: "success",
            amount: "5.00",
            currency: "EUR",
            gateway: "shopify_payments",
            created_at: "2026-03-02T10:00:00Z",
          },
        ],
      }),
    );
    assert.deepEqual(summary(refund), ["parsed", [{ type: "refund", count: 1 }], { payment: 1 }]);
    assert.match(refund.warnings?.[0] ?? "", /returns no line items/);
  });

  test("malformed and unknown documents are located errors, never throws", async () => {
    const broken = await decoder.decode("b.json", Buffer.from('{\n "order": {\n  "id": 1,\n  oops\n}}'));
    assert.equal(broken.outcome, "error");
    assert.equal(broken.error?.location.line, 4);
    const unknown = await decoder.decode("u.json", text({ shop: { id: 1 } }));
    assert.match(unknown.error?.message ?? "", /not a Shopify resource/);
    const noSku = await decoder.decode(
      "n.json",
      text({ order: { ...order, line_items: [{ id: 1, quantity: 1, price: "20.00" }] } }),
    );
    assert.equal(noSku.error?.location.field, "/order/line_items/0/sku");
    assert.equal(noSku.error?.location.line, 11); // the line item (sku is absent)
    const badLevel = await decoder.decode(
      "i.json",
      text({
        inventory_levels: [
          { inventory_item_id: 1, location_id: 2, available: "x", updated_at: "2026-03-01T00:00:00Z" },
        ],
      }),
    );
    assert.equal(badLevel.error?.location.field, "/inventory_levels/0/available");
    for (const junk of ["", "null", "[1]", '"x"', "{}", '{"orders": "x"}']) {
      const result = await decoder.decode("j.json", Buffer.from(junk));
      assert.equal(result.outcome, "error", junk);
    }
  });

  test("sniffs Shopify shapes, not WooCommerce or CSV", () => {
    assert.ok(decoder.sniff("x.json", text({ order: order })));
    assert.equal(decoder.sniff("x.json", text({ order: { id: 1, total_line_items_quantity: 1 } })), false);
    assert.equal(decoder.sniff("x.json", text({ id: 1, order_key: "wc_order_1" })), false);
    assert.equal(decoder.sniff("a.csv", Buffer.from("a,b\n")), false);
  });
});
