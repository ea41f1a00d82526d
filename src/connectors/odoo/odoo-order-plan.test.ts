import assert from "node:assert/strict";
import { test } from "node:test";
import { MODEL_EXAMPLES } from "../../core/model/model-examples.ts";
import type { Order } from "../../core/model/order.ts";
import type { CountryEntry, ProductEntry } from "./master-data-cache.ts";
import { discountPercent, type OrderPlanLookups, planOdooOrder } from "./odoo-order-plan.ts";

const product = (id: number, code: string, extra: Partial<ProductEntry> = {}): ProductEntry => ({
  id,
  name: code,
  default_code: code,
  barcode: null,
  uom_id: 1,
  storable: true,
  list_price: "1.00",
  taxes_id: [],
  active: true,
  ...extra,
});

function lookups(
  products: ProductEntry[],
  countries: CountryEntry[] = [{ id: 57, code: "DE", name: "Germany" }],
): OrderPlanLookups {
  return {
    productByCode: (code) => products.find((p) => p.default_code === code),
    productByBarcode: (barcode) => products.find((p) => p.barcode === barcode),
    countryByCode: (code) => countries.find((c) => c.code === code.toUpperCase()),
  };
}

const order = MODEL_EXAMPLES.order as Order;

test("the example order becomes partner upserts and an order with product ids, discount percent and a shipping line", () => {
  const outcome = planOdooOrder(
    order,
    lookups([product(7, "CHAIR-OAK-01"), product(8, "CUSHION-GREY"), product(99, "SHIP")]),
    {
      shippingProductSku: "SHIP",
    },
  );
  assert.ok(outcome.ok, JSON.stringify(!outcome.ok && outcome.problems));
  const { plan } = outcome;
  assert.equal(plan.key, "shopify-eu:5550934128715123456");
  assert.equal(plan.clientOrderRef, "#1001");
  assert.deepEqual(plan.customer, {
    key: "shopify-eu:customer:ana@example.com",
    name: "Ana Berg",
    isCompany: false,
    email: "ana@example.com",
  });
  assert.equal(plan.shipTo?.parentKey, plan.customer.key);
  assert.equal(plan.shipTo?.type, "delivery");
  assert.equal(plan.shipTo?.countryId, 57);
  assert.deepEqual(plan.lines, [
    { productId: 7, quantity: "2", priceUnit: "129.00", discount: "5", description: "Oak chair" },
    { productId: 8, quantity: "4", priceUnit: "19.90", description: "Seat cushion, grey" },
    { productId: 99, quantity: "1", priceUnit: "9.90", description: "Standard" },
  ]);
});

test("unknown and archived SKUs, a foreign unit, a missing country and no shipping product are refused with paths", () => {
  const odd: Order = {
    ...order,
    lines: [
      order.lines[0] as Order["lines"][number],
      { ...(order.lines[1] as Order["lines"][number]), uom: "KGM" },
      { ...(order.lines[1] as Order["lines"][number]), sku: "NOPE" },
    ],
    shipTo: { ...(order.shipTo as NonNullable<Order["shipTo"]>), countryCode: "XK" },
  };
  const outcome = planOdooOrder(
    odd,
    lookups([product(7, "CHAIR-OAK-01", { active: false }), product(8, "CUSHION-GREY")]),
  );
  assert.ok(!outcome.ok);
  assert.deepEqual(
    outcome.problems.map((p) => p.path),
    ["shipTo.countryCode", "lines/0/sku", "lines/1/uom", "lines/2/sku", "shippingLines/0"],
  );
  assert.match(
    outcome.problems.find((p) => p.path === "lines/2/sku")?.message ?? "",
    /unknown product "NOPE"/,
  );
});

test("a barcode finds the product; a returning customer keeps its key without email through the channel ref", () => {
  const noEmail: Order = {
    ...order,
    customer: { ...order.customer, email: undefined } as Order["customer"],
    shippingLines: [],
  };
  const outcome = planOdooOrder(
    noEmail,
    lookups([product(7, "X", { barcode: "CHAIR-OAK-01" }), product(8, "CUSHION-GREY")]),
  );
  assert.ok(outcome.ok);
  assert.equal(outcome.plan.customer.key, "shopify-eu:customer:7712345678901234567");
  assert.equal(outcome.plan.lines[0]?.productId, 7);
});

test("discount percent is exact and rounds half to even at 4 places", () => {
  assert.equal(discountPercent("2", "129.00", ["12.90"]), "5");
  assert.equal(discountPercent("3", "10.00", ["1.00"]), "3.3333");
  assert.equal(discountPercent("1", "8.00", ["0.00001"]), "0.0001");
  assert.equal(discountPercent("1", "1", ["0.0000005"]), "0", "0.00005% is half of the last place: to even");
  assert.equal(discountPercent("1", "1", ["0.0000015"]), "0.0002", "0.00015%: to even upwards");
  assert.equal(discountPercent("1", "0", ["1"]), "0");
  assert.equal(discountPercent("4", "19.90", []), "0");
});
