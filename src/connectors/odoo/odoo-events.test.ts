import assert from "node:assert/strict";
import { test } from "node:test";
import { ODOO_EVENT_TYPES, toDecimalString } from "./odoo-events.ts";

test("event type names are the stored ones (never rename)", () => {
  assert.deepEqual(
    [...ODOO_EVENT_TYPES],
    [
      "order.confirmed",
      "order.cancelled",
      "delivery.done",
      "invoice.posted",
      "payment.received",
      "stock.changed",
      "product.changed",
      "partner.changed",
      "purchase.confirmed",
      "receipt.done",
    ],
  );
});

test("toDecimalString formats Odoo floats as fixed decimals, half away from zero", () => {
  const cases: [unknown, number, string][] = [
    [1234.5600000000002, 2, "1234.56"],
    [0.1 + 0.2, 2, "0.30"],
    [1.005, 2, "1.01"],
    [2.675, 2, "2.68"],
    [-1.005, 2, "-1.01"],
    [-0.001, 2, "0.00"],
    [100, 2, "100.00"],
    [0, 2, "0.00"],
    [false, 2, "0.00"],
    [1999.995, 2, "2000.00"],
    [12.5, 0, "13"],
    [1.23456, 3, "1.235"],
    [1.5e-7, 2, "0.00"],
    [5e-7, 6, "0.000001"],
    [1e21, 2, "1000000000000000000000.00"],
    ["42.1", 2, "42.10"],
  ];
  for (const [value, digits, expected] of cases) {
    assert.equal(toDecimalString(value, digits), expected, `${String(value)} @ ${digits}`);
  }
  assert.throws(() => toDecimalString(Number.NaN), RangeError);
  assert.throws(() => toDecimalString(1, -1), RangeError);
});
