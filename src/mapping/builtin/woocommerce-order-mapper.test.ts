import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { divideDecimals } from "../../core/model/decimal.ts";
import type { Order } from "../../core/model/order.ts";
import { decodeJsonDocument } from "../decode-json.ts";
import { validateCanonical } from "../model-validator.ts";
import { runMapping } from "../run-mapping.ts";
import { DocumentFault } from "./document-reader.ts";
import { mapWooCommerceOrder, woocommerceOrderMapping } from "./woocommerce-order-mapper.ts";

const fixture = readFileSync(new URL("./fixtures/woocommerce-order-created.json", import.meta.url));

function body(patch: (order: Record<string, unknown>) => void = () => {}): Record<string, unknown> {
  const decoded = decodeJsonDocument(fixture, "fixture");
  assert.ok(decoded.ok);
  const order = decoded.document as Record<string, unknown>;
  patch(order);
  return order;
}

function faultAt(document: unknown, path: string, options = {}): string {
  try {
    mapWooCommerceOrder(document, "woo", options);
  } catch (error) {
    assert.ok(error instanceof DocumentFault, String(error));
    assert.equal(error.path, path);
    return error.message;
  }
  assert.fail(`expected a fault at ${path}`);
}

describe("woocommerce-order@1", () => {
  test("a wc/v3 order maps to a valid, consistent order/v1", async () => {
    const run = await runMapping(woocommerceOrderMapping, body(), { connection: "woo" }, validateCanonical);
    assert.ok(run.ok, run.ok ? "" : `${run.error.message} ${JSON.stringify(run.problems)}`);
    const order = mapWooCommerceOrder(body(), "woo");
    assert.equal(order.channelOrderId, "4242");
    assert.equal(order.orderNumber, "4242");
    assert.equal(order.status, "pending");
    assert.equal(order.placedAt, "2026-03-01T09:30:00Z");
    assert.equal(order.pricesIncludeTax, false);
    assert.deepEqual(
      order.lines.map((l) => [l.sku, l.quantity, l.unitPrice, l.total, l.discounts, l.taxes]),
      [
        [
          "FURN_0001",
          "2",
          "50.00",
          "90.00",
          [{ amount: "10.00", code: "spring10" }],
          [{ name: "MwSt", code: "DE-MWST-1", rate: "20", amount: "18.00" }],
        ],
        [
          "FURN_0002",
          "3",
          "10.00",
          "30.00",
          undefined,
          [{ name: "MwSt", code: "DE-MWST-1", rate: "20", amount: "6.00" }],
        ],
        [
          "FEE",
          "1",
          "5.00",
          "5.00",
          undefined,
          [{ name: "MwSt", code: "DE-MWST-1", rate: "20", amount: "1.00" }],
        ],
      ],
    );
    assert.deepEqual(order.shippingLines, [
      {
        method: "Flat rate",
        service: "flat_rate",
        price: "10.00",
        taxes: [{ name: "MwSt", code: "DE-MWST-1", rate: "20", amount: "2.00" }],
        total: "10.00",
      },
    ]);
    assert.deepEqual(order.totals, {
      subtotal: "125.00",
      discountTotal: "10.00",
      shippingTotal: "10.00",
      taxTotal: "27.00",
      grandTotal: "162.00",
    });
    assert.deepEqual(order.paymentTerms, { code: "PREPAID", name: "Credit card (Stripe)", dueDays: 0 });
    assert.equal(order.customer.name, "Ana Müller");
    assert.equal(order.customer.company, "Müller Möbel GmbH");
    assert.deepEqual(order.customer.refs, [{ system: "woo", kind: "customer", id: "17" }]);
    assert.deepEqual(order.shipTo, {
      name: "Ana Müller",
      street: "Lagerweg 5",
      street2: "Tor 2",
      city: "Potsdam",
      postalCode: "14467",
      region: "BB",
      countryCode: "DE",
    });
    assert.equal(order.notes, "Bitte klingeln");
    const extras = order.extensions?.woo as Record<string, unknown>;
    assert.equal(extras.paid, true);
    assert.equal(extras.transactionId, "ch_3Nx1");
  });

  test("without rate_percent (older stores) the rate is derived from amount and base", () => {
    const order = mapWooCommerceOrder(
      body((o) => delete (o.tax_lines as Record<string, unknown>[])[0]?.rate_percent),
      "woo",
    );
    assert.equal(order.lines[0]?.taxes?.[0]?.rate, "20");
    assert.deepEqual(validateCanonical("order/v1", order), []);
    const odd = body((o) => {
      const item = (o.line_items as Record<string, unknown>[])[1] as Record<string, unknown>;
      item.subtotal = "10.00";
      item.total = "10.00";
      item.taxes = [{ id: 9, total: "0.70" }];
    });
    odd.total = "136.70";
    odd.total_tax = "21.70";
    const mapped = mapWooCommerceOrder(odd, "woo");
    assert.equal(mapped.lines[1]?.unitPrice, "3.333333");
    assert.equal(mapped.lines[1]?.taxes?.[0]?.rate, "7");
    assert.deepEqual(validateCanonical("order/v1", mapped), []);
  });

  test("statuses, unpaid orders, empty addresses", () => {
    const status = (s: string) =>
      mapWooCommerceOrder(
        body((o) => (o.status = s)),
        "woo",
      ).status;
    assert.deepEqual(["on-hold", "completed", "cancelled", "refunded", "failed"].map(status), [
      "pending",
      "completed",
      "cancelled",
      "cancelled",
      "cancelled",
    ]);
    const unpaid = mapWooCommerceOrder(
      body((o) => {
        o.date_paid = null;
        o.date_paid_gmt = null;
        o.shipping = {
          first_name: "",
          last_name: "",
          company: "",
          address_1: "",
          city: "",
          postcode: "",
          country: "",
        };
      }),
      "woo",
    );
    assert.equal(unpaid.paymentTerms, undefined);
    assert.equal(unpaid.shipTo, undefined);
    const setPaid = mapWooCommerceOrder(
      body((o) => {
        o.date_paid_gmt = null;
        o.set_paid = true;
      }),
      "woo",
    );
    assert.equal(setPaid.paymentTerms?.code, "PREPAID");
  });

  test("a line without a SKU is refused, or named after its product with skuFallback", () => {
    const noSku = body((o) => {
      ((o.line_items as Record<string, unknown>[])[1] as Record<string, unknown>).sku = "";
    });
    assert.match(faultAt(noSku, "/line_items/1/sku"), /skuFallback: product-id/);
    const mapped = mapWooCommerceOrder(noSku, "woo", { skuFallback: "product-id" });
    assert.equal(mapped.lines[1]?.sku, "wc-variation-23");
  });

  test("located faults: legacy envelope, bad money, bad quantity, no lines, no date", async () => {
    faultAt({ order: { id: 1 } }, "/order");
    faultAt(
      body(
        (o) => (((o.line_items as Record<string, unknown>[])[0] as Record<string, unknown>).total = "12,00"),
      ),
      "/line_items/0/total",
    );
    faultAt(
      body(
        (o) => (((o.line_items as Record<string, unknown>[])[0] as Record<string, unknown>).quantity = 1.5),
      ),
      "/line_items/0/quantity",
    );
    faultAt(
      body((o) => (o.line_items = [])),
      "/line_items",
    );
    faultAt(
      body((o) => {
        o.date_created_gmt = null;
      }),
      "/date_created_gmt",
    );
    const outcome = await woocommerceOrderMapping.map([], { connection: "woo" });
    assert.equal(outcome.ok, false);
    if (!outcome.ok) assert.equal(outcome.error.code, "CDK_MAPPING_FAILED");
  });

  test("a total that does not add up is flagged by the model check, at /totals/grandTotal", () => {
    const order: Order = mapWooCommerceOrder(
      body((o) => (o.total = "170.00")),
      "woo",
    );
    assert.deepEqual(
      validateCanonical("order/v1", order).map((p) => p.path),
      ["/totals/grandTotal"],
    );
  });

  test("divideDecimals rounds half-even", () => {
    assert.equal(divideDecimals("10.00", "3", 6), "3.333333");
    assert.equal(divideDecimals("2", "3", 2), "0.67");
    assert.equal(divideDecimals("-1", "8", 2), "-0.12");
    assert.throws(() => divideDecimals("1", "0", 2), RangeError);
  });
});
