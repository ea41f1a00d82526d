import assert from "node:assert/strict";
import { test } from "node:test";
import { MODEL_EXAMPLES } from "../../core/model/model-examples.ts";
import { documentOf, matchesWhen } from "./route-rules.ts";

const order = {
  ...MODEL_EXAMPLES.order,
  channel: "shop",
  shipTo: { name: "A", street: "S 1", city: "Gent", countryCode: "BE" },
  lines: [
    { sku: "FURN_0001", quantity: "2", uom: "C62", unitPrice: "300.00", total: "600.00" },
    { sku: "LAMP-2", quantity: "1", uom: "C62", unitPrice: "10.00", total: "10.00" },
  ],
  totals: { subtotal: "610.00", discountTotal: "0", shippingTotal: "0", taxTotal: "0", grandTotal: "610.00" },
};

test("a rule's conditions all hold on the event's canonical document", () => {
  const data = { receivedVia: "api", order };
  assert.equal(documentOf(data), order, "the wrapped document");
  assert.equal(matchesWhen(undefined, data), true);
  assert.equal(matchesWhen({ channel: ["shop", "b2b"] }, data), true);
  assert.equal(matchesWhen({ channel: ["b2b"] }, data), false);
  assert.equal(matchesWhen({ country: ["BE", "NL"] }, data), true);
  assert.equal(matchesWhen({ country: ["FR"] }, data), false);
  assert.equal(matchesWhen({ sku: ["FURN_*"] }, data), true);
  assert.equal(matchesWhen({ sku: ["CHAIR-*"] }, data), false);
  assert.equal(matchesWhen({ sku: ["FURN.0001"] }, data), false, "a dot is a dot, not any character");
  assert.equal(matchesWhen({ amountAtLeast: "610.00" }, data), true, "at least: the total itself counts");
  assert.equal(matchesWhen({ amountAtLeast: "610.01" }, data), false);
  assert.equal(matchesWhen({ amountBelow: "610.00" }, data), false);
  assert.equal(matchesWhen({ amountBelow: "1000" }, data), true);
  assert.equal(matchesWhen({ channel: ["shop"], country: ["BE"], amountAtLeast: "500" }, data), true);
  assert.equal(matchesWhen({ channel: ["shop"], country: ["NL"] }, data), false, "every condition must hold");
});

test("a condition on a field the document lacks is false; odd data never throws", () => {
  const shipment = { shipment: { ...MODEL_EXAMPLES.shipment, warehouse: "RENO" } };
  assert.equal(matchesWhen({ warehouse: ["RENO"] }, shipment), true);
  assert.equal(
    matchesWhen({ channel: [MODEL_EXAMPLES.shipment.order.channel] }, shipment),
    true,
    "the order's channel",
  );
  assert.equal(matchesWhen({ amountAtLeast: "1" }, shipment), false, "a shipment has no total");
  for (const odd of [null, 7, "x", [], { order: null }, { lines: "no" }, { totals: { grandTotal: 12 } }]) {
    assert.equal(matchesWhen({ sku: ["*"], amountAtLeast: "0" }, odd), false);
  }
});
