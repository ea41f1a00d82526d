import assert from "node:assert/strict";
import { test } from "node:test";
import { checkModel } from "../../core/model/model-checks.ts";
import type { OrderSubmission } from "../../gateway/api/api-schemas.ts";
import { submissionProblems, submissionToOrder } from "./api-order-mapping.ts";

const submission: OrderSubmission = {
  channel: "b2b-portal",
  externalId: "PO-1",
  orderNumber: "B2B-1",
  currency: "EUR",
  customer: { name: "Deco Addict", email: "buyer@deco.example", externalId: "C-77" },
  shipTo: { name: "Deco Addict", street: "Main 1", city: "Leuven", zip: "3000", countryCode: "BE" },
  lines: [
    { sku: "FURN_0001", quantity: "3", unitPrice: "19.90", discount: "5.70" },
    { sku: "FURN_0002", quantity: "0.5", unitPrice: "10.00" },
  ],
  shipping: { method: "Express", price: "12.50" },
};

test("a submission becomes a canonical order that passes the model's shape and consistency checks", () => {
  const order = submissionToOrder(submission, "2026-12-02T08:00:00.000Z");
  const checked = checkModel("order", order);
  assert.ok(checked.ok, JSON.stringify(!checked.ok && checked.problems));
  assert.equal(order.channelOrderId, "PO-1");
  assert.equal(order.placedAt, "2026-12-02T08:00:00.000Z");
  assert.deepEqual(order.customer.refs, [{ system: "b2b-portal", kind: "customer", id: "C-77" }]);
  assert.equal(order.shipTo?.postalCode, "3000");
  assert.deepEqual(
    order.lines.map((l) => [l.sku, l.uom, l.total]),
    [
      ["FURN_0001", "C62", "54.00"],
      ["FURN_0002", "C62", "5.000"],
    ],
  );
  assert.deepEqual(order.totals, {
    subtotal: "59.000",
    discountTotal: "5.70",
    shippingTotal: "12.50",
    taxTotal: "0",
    grandTotal: "71.500",
  });
});

test("a discount larger than its line is refused with the line's path", () => {
  const bad = {
    ...submission,
    lines: [{ sku: "A", quantity: "2", unitPrice: "1.00", discount: "5.00" }],
    shipping: undefined,
  };
  assert.deepEqual(submissionProblems(bad), [
    { path: "/lines/0/discount", message: "discount 5.00 is more than the line's 2 x 1.00 = 2.00" },
  ]);
  assert.deepEqual(submissionProblems(submission), []);
});

test("the api-orders connector emits order.received with the canonical order, or a located decode failure", async () => {
  const { apiOrdersConnector } = await import("./api-orders-connector.ts");
  const message = (body: unknown) => ({
    id: "msg_1",
    source: "api",
    connection: "api",
    dedupeKey: "order:b2b-portal:PO-1",
    body: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
    headers: { "x-crossdock-identity": "idn_1" },
    contentType: "application/json",
    receivedAt: Date.parse("2026-12-02T08:00:00Z"),
    trace: undefined,
    size: 0,
  });
  const ok = apiOrdersConnector.decode(message(submission), "api", { type: "api-orders" });
  assert.ok(ok.ok);
  assert.equal(ok.events[0]?.stream, "order:b2b-portal:PO-1");
  const data = ok.events[0]?.data as { order: { channelOrderId: string } } | undefined;
  assert.equal(data?.order.channelOrderId, "PO-1");
  const bad = apiOrdersConnector.decode(
    message({ ...submission, lines: [{ sku: "A", quantity: "1", unitPrice: "1.00", discount: "9.00" }] }),
    "api",
    { type: "api-orders" },
  );
  assert.ok(!bad.ok);
  assert.equal(bad.error.code, "CDK_DECODE_FAILED");
  assert.match(bad.error.message, /order\/lines\/0\/discount discount 9\.00 is more than/);
  const broken = apiOrdersConnector.decode(message('{"channel": '), "api", { type: "api-orders" });
  assert.ok(!broken.ok);
  assert.match(broken.error.message, /line 1 column/);
});
