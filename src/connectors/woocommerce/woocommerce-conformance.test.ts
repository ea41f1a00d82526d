import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { ConformanceResult } from "../conformance.ts";
import { shopifyJsonConformanceDecoder } from "../shopify/shopify-conformance.ts";
import { woocommerceJsonConformanceDecoder as decoder } from "./woocommerce-conformance.ts";

const CORPUS = new URL("../../../../shared/corpus/woocommerce/", import.meta.url);
const skip = existsSync(CORPUS) ? false : "corpus folder ../shared/corpus/woocommerce is absent";
const bytes = (name: string) => new Uint8Array(readFileSync(new URL(name, CORPUS)));
const FIXTURE = readFileSync(
  new URL("../../mapping/builtin/fixtures/woocommerce-order-created.json", import.meta.url),
  "utf8",
);
const summary = (r: ConformanceResult | undefined) => [r?.outcome, r?.documents, r?.records];

describe("woocommerce-json conformance over the corpus", { skip }, () => {
  const results = new Map<string, ConformanceResult>();
  test("every file is sniffed (by this decoder only) and decoded without throwing", async () => {
    for (const file of readdirSync(CORPUS).filter((f) => f.endsWith(".json"))) {
      assert.ok(decoder.sniff(file, bytes(file)), file);
      assert.equal(shopifyJsonConformanceDecoder.sniff(file, bytes(file)), false, file);
      const result = await decoder.decode(file, bytes(file));
      results.set(file, result);
      if (result.outcome === "error") {
        assert.ok((result.error?.location.line ?? 0) >= 1, file);
        assert.ok(result.error?.message.startsWith(file), file);
      }
    }
    assert.ok(results.size >= 6);
  });

  test("the documentation's orders have lines without SKUs: located at the first one", () => {
    const created = results.get("woo-rest-api-docs__v3_order_create_response.json");
    assert.equal(created?.outcome, "error");
    assert.equal(created?.error?.location.field, "/line_items/0/sku");
    assert.equal(created?.error?.location.line, 85);
    const list = results.get("woo-rest-api-docs__v3_orders_list_response.json");
    assert.deepEqual(list?.documents, [{ type: "order", count: 2 }]);
    assert.equal(list?.error?.location.field, "/0/line_items/0/sku");
    assert.deepEqual(list?.warnings, ["1 more problem after the first"]);
  });

  test("legacy order, refund and webhook subscription", () => {
    const legacy = results.get("woo-rest-api-docs__legacy-v3_order_create_response.json");
    assert.equal(legacy?.error?.location.field, "/order");
    assert.match(legacy?.error?.message ?? "", /legacy REST API v3 order/);
    assert.deepEqual(summary(results.get("woo-rest-api-docs__v3_order_refund_create_response.json")), [
      "parsed",
      [{ type: "refund", count: 1 }],
      {},
    ]);
    const hook = results.get("woo-rest-api-docs__v3_webhook_create_response.json");
    assert.deepEqual(summary(hook), ["parsed", [{ type: "webhook", count: 1 }], {}]);
  });
});

describe("woocommerce-json on own documents", () => {
  test("an order and a list of orders map to canonical orders", async () => {
    assert.deepEqual(summary(await decoder.decode("o.json", Buffer.from(FIXTURE))), [
      "parsed",
      [{ type: "order", count: 1 }],
      { order: 1 },
    ]);
    const list = await decoder.decode("l.json", Buffer.from(`[${FIXTURE},${FIXTURE}]`));
    assert.deepEqual(list.records, { order: 2 });
  });

  test("a refund with line items maps to a return; a wrong total is located at /total", async () => {
    const refund = {
      id: 9,
      date_created_gmt: "2026-03-02T10:00:00",
      amount: "20.00",
      reason: "broken",
      refunded_by: 1,
      refunded_payment: true,
      line_items: [{ id: 1, sku: "FURN_0001", quantity: -1, total: "-20.00" }],
      _links: { up: [{ href: "https://shop.example/wp-json/wc/v3/orders/4242" }] },
    };
    assert.deepEqual((await decoder.decode("r.json", Buffer.from(JSON.stringify(refund)))).records, {
      return: 1,
    });
    const wrong = JSON.parse(FIXTURE);
    wrong.total = "170.00";
    const result = await decoder.decode("w.json", Buffer.from(JSON.stringify(wrong, null, 2)));
    assert.equal(result.error?.location.field, "/total");
    assert.match(result.error?.message ?? "", /grandTotal is 170.00/);
  });

  test("malformed JSON and unknown shapes are located errors", async () => {
    const broken = await decoder.decode("b.json", Buffer.from('{"order_key": "x",\n"line_items": [}'));
    assert.equal(broken.error?.location.line, 2);
    const unknown = await decoder.decode("u.json", Buffer.from('{"order_key": "x"}'));
    assert.match(unknown.error?.message ?? "", /not a WooCommerce order, refund or webhook/);
    for (const junk of ["", "null", "[1]", "{}", '{"orders": [1]}']) {
      assert.equal((await decoder.decode("j.json", Buffer.from(junk))).outcome, "error", junk);
    }
    assert.equal(decoder.sniff("a.json", Buffer.from('{"order": {"financial_status": "paid"}}')), false);
  });
});
