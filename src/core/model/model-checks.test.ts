import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkConsistency, checkModel, isValidGtin } from "./model-checks.ts";
import { MODEL_EXAMPLES } from "./model-examples.ts";
import type { ModelProblem } from "./model-problem.ts";
import { MODEL_ENTITIES, type ModelEntityName, type ModelValue } from "./model-registry.ts";
import { isKnownCurrency, minorUnit } from "./priced-document-checks.ts";

const names = Object.keys(MODEL_ENTITIES) as ModelEntityName[];
const copy = <N extends ModelEntityName>(name: N): ModelValue<N> =>
  structuredClone(MODEL_EXAMPLES[name]) as ModelValue<N>;

function rulesAt(problems: readonly ModelProblem[]): string[] {
  return problems.map((problem) => `${problem.rule} ${problem.path}`);
}

describe("checkModel on the examples", () => {
  for (const name of names) {
    test(`${name}: shape and consistency pass`, () => {
      assert.deepEqual(checkModel(name, MODEL_EXAMPLES[name]), { ok: true, value: MODEL_EXAMPLES[name] });
    });
  }

  test("a shape problem stops before consistency (which would read missing fields)", () => {
    const result = checkModel("order", { schemaVersion: 1 });
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.problems.every((problem) => problem.rule === "required"));
  });
});

describe("priced documents (order, invoice, purchase order)", () => {
  test("a line total off by more than a cent, and totals that do not add up", () => {
    const order = copy("order");
    order.lines[0]!.total = "245.12";
    order.totals.grandTotal = "400.00";
    assert.deepEqual(rulesAt(checkConsistency("order", order)), [
      "line-total /lines/0/total",
      "totals-sum /totals/subtotal",
      "grand-total /totals/grandTotal",
    ]);
    const [line] = checkConsistency("order", order);
    assert.equal(
      line?.message,
      "total is 245.12 but quantity x unitPrice - discounts is 245.10 (tolerance 0.01)",
    );
  });

  test("within rounding: a line total one cent off passes, the default tolerance follows the currency", () => {
    const order = copy("order");
    order.lines[1]!.total = "79.61";
    order.totals.subtotal = "324.71";
    order.totals.grandTotal = "398.18";
    order.lines[1]!.taxes![0]!.amount = "15.13";
    order.totals.taxTotal = "63.58";
    order.totals.grandTotal = "398.19";
    assert.deepEqual(checkConsistency("order", order), []);
    assert.equal(minorUnit("EUR"), "0.01");
    assert.equal(minorUnit("JPY"), "1");
    assert.equal(minorUnit("KWD"), "0.001");
    const strict = checkConsistency("order", order, { tolerance: "0.001" });
    assert.ok(strict.some((problem) => problem.rule === "line-total"));
  });

  test("zero and negative quantities, negative discounts, wrong tax amounts", () => {
    const order = copy("order");
    order.lines[0]!.quantity = "0";
    order.lines[1]!.quantity = "-4";
    order.lines[1]!.total = "-79.60";
    order.lines[0]!.discounts = [{ amount: "-12.90" }];
    order.lines[0]!.total = "0";
    order.shippingLines![0]!.taxes![0]!.amount = "1.99";
    const rules = rulesAt(checkConsistency("order", order));
    for (const expected of [
      "positive /lines/0/quantity",
      "positive /lines/1/quantity",
      "discount-sign /lines/0/discounts/0/amount",
      "tax-amount /shippingLines/0/taxes/0/amount",
    ]) {
      assert.ok(rules.includes(expected), `${expected} in ${rules.join(", ")}`);
    }
  });

  test("prices including tax: tax = total x rate / (100 + rates); grand total does not add tax again", () => {
    const order = copy("order");
    order.pricesIncludeTax = true;
    order.lines = [
      {
        sku: "A",
        quantity: "1",
        uom: "C62",
        unitPrice: "119.00",
        taxes: [{ rate: "19", amount: "19.00" }],
        total: "119.00",
      },
    ];
    order.shippingLines = [];
    order.totals = {
      subtotal: "119.00",
      discountTotal: "0",
      shippingTotal: "0",
      taxTotal: "19.00",
      grandTotal: "119.00",
    };
    assert.deepEqual(checkConsistency("order", order), []);
    order.totals.grandTotal = "138.00";
    assert.deepEqual(rulesAt(checkConsistency("order", order)), ["grand-total /totals/grandTotal"]);
    order.totals.grandTotal = "119.00";
    order.lines[0]!.taxes![0]!.amount = "22.61";
    order.totals.taxTotal = "22.61";
    assert.deepEqual(rulesAt(checkConsistency("order", order)), ["tax-amount /lines/0/taxes/0/amount"]);
    assert.deepEqual(checkConsistency("order", order, { checkTaxRates: false }), []);
  });

  test("currencies ICU does not know are refused; JPY totals are checked to the yen", () => {
    assert.equal(isKnownCurrency("EUR"), true);
    assert.equal(isKnownCurrency("XYZ"), false);
    const order = copy("order");
    order.currency = "XYZ";
    assert.ok(rulesAt(checkConsistency("order", order)).includes("currency-known /currency"));
    const yen = copy("order");
    yen.currency = "JPY";
    yen.lines = [{ sku: "A", quantity: "3", uom: "C62", unitPrice: "333", total: "1001" }];
    yen.shippingLines = [];
    yen.totals = {
      subtotal: "1001",
      discountTotal: "0",
      shippingTotal: "0",
      taxTotal: "0",
      grandTotal: "1001",
    };
    assert.deepEqual(rulesAt(checkConsistency("order", yen)), ["line-total /lines/0/total"]);
  });

  test("invoice amountDue, purchase order unique line ids", () => {
    const invoice = copy("invoice");
    invoice.amountDue = "10.00";
    assert.deepEqual(rulesAt(checkConsistency("invoice", invoice)), ["amount-due /amountDue"]);
    invoice.amountDue = "1000.00";
    invoice.status = "posted";
    assert.deepEqual(rulesAt(checkConsistency("invoice", invoice)), ["amount-due /amountDue"]);
    const po = copy("purchase-order");
    po.lines[1]!.lineId = "1";
    assert.deepEqual(rulesAt(checkConsistency("purchase-order", po)), ["unique-line-id /lines/1/lineId"]);
  });
});

describe("other entities", () => {
  test("product: GTIN check digits, pack size, price currencies", () => {
    assert.equal(isValidGtin("4006381333931"), true);
    assert.equal(isValidGtin("036000291452"), true, "UPC-A");
    assert.equal(isValidGtin("96385074"), true, "EAN-8");
    assert.equal(isValidGtin("4006381333932"), false);
    assert.equal(isValidGtin("12345"), false);
    const product = copy("product");
    product.barcodes = [
      { value: "4006381333932", kind: "gtin" },
      { value: "ABC-1", kind: "other" },
    ];
    product.packSize = "0";
    product.prices![0]!.currency = "ABC";
    assert.deepEqual(rulesAt(checkConsistency("product", product)), [
      "positive /packSize",
      "gtin /barcodes/0/value",
      "currency-known /prices/0/currency",
    ]);
  });

  test("stock level never offers more than onHand - reserved; negative onHand is allowed", () => {
    const level = copy("stock-level");
    level.available = "38.5";
    assert.deepEqual(rulesAt(checkConsistency("stock-level", level)), ["stock-available /available"]);
    level.onHand = "-3";
    level.reserved = "0";
    level.available = "-3";
    assert.deepEqual(checkConsistency("stock-level", level), []);
    level.reserved = "-1";
    level.incoming = "-2";
    assert.deepEqual(rulesAt(checkConsistency("stock-level", level)), [
      "stock-sign /reserved",
      "stock-sign /incoming",
    ]);
  });

  test("reservation expires after it was made, across offsets", () => {
    const reservation = copy("reservation");
    reservation.createdAt = "2026-03-01T10:00:00+01:00";
    reservation.expiresAt = "2026-03-01T09:00:00Z";
    assert.deepEqual(rulesAt(checkConsistency("reservation", reservation)), ["time-order /expiresAt"]);
    reservation.expiresAt = "2026-03-01T09:00:01Z";
    assert.deepEqual(checkConsistency("reservation", reservation), []);
  });

  test("shipment: packages hold no more than the lines, currency with cost, lots add up", () => {
    const shipment = copy("shipment");
    shipment.packages![0]!.contents = [
      { sku: "CHAIR-OAK-01", quantity: "3" },
      { sku: "LAMP-01", quantity: "1" },
    ];
    delete shipment.currency;
    shipment.lines[0]!.lots = [{ lot: "L1", quantity: "1" }];
    assert.deepEqual(rulesAt(checkConsistency("shipment", shipment)), [
      "lots-sum /lines/0/lots",
      "currency-required /currency",
      "package-contents /packages/0/contents/0/quantity",
      "package-contents /packages/0/contents/1/sku",
    ]);
  });

  test("payment: positive, allocations within the amount and naming a target", () => {
    const payment = copy("payment");
    payment.allocations = [{ invoiceNumber: "INV/1", amount: "300.00" }, { amount: "100.00" }];
    assert.deepEqual(rulesAt(checkConsistency("payment", payment)), [
      "allocation-target /allocations/1",
      "allocation-sum /allocations",
    ]);
    payment.amount = "0";
    payment.allocations = [];
    assert.deepEqual(rulesAt(checkConsistency("payment", payment)), ["positive /amount"]);
  });

  test("return: currency with a refund, positive quantities", () => {
    const rma = copy("return");
    delete rma.currency;
    rma.lines[0]!.quantity = "0";
    assert.deepEqual(rulesAt(checkConsistency("return", rma)), [
      "positive /lines/0/quantity",
      "currency-required /currency",
    ]);
  });

  test("supplier acknowledgement: header agrees with lines, changes are stated, currency with prices", () => {
    const ack = copy("supplier-acknowledgement");
    ack.status = "accepted";
    ack.lines[1] = { lineId: "2", status: "changed", unitPrice: "2300.00" };
    delete ack.currency;
    assert.deepEqual(rulesAt(checkConsistency("supplier-acknowledgement", ack)), [
      "ack-status /status",
      "currency-required /currency",
    ]);
    ack.status = "rejected";
    ack.currency = "SEK";
    ack.lines = [
      { lineId: "1", status: "rejected", quantity: "5" },
      { lineId: "1", status: "rejected" },
    ];
    assert.deepEqual(rulesAt(checkConsistency("supplier-acknowledgement", ack)), [
      "unique-line-id /lines/1/lineId",
      "ack-change /lines/0/quantity",
    ]);
    ack.status = "accepted_with_changes";
    ack.lines = [{ lineId: "1", status: "changed" }];
    assert.deepEqual(rulesAt(checkConsistency("supplier-acknowledgement", ack)), ["ack-change /lines/0"]);
  });

  test("receipt: positive quantities and lots", () => {
    const receipt = copy("receipt");
    receipt.lines[0]!.lots = [{ lot: "A", quantity: "20" }];
    receipt.lines[1]!.quantity = "-4";
    assert.deepEqual(rulesAt(checkConsistency("receipt", receipt)), [
      "positive /lines/1/quantity",
      "lots-sum /lines/0/lots",
    ]);
  });
});
