/**
 * The REST API's order submission (`OrderSubmission`, its v1 wire shape) as a canonical order
 * (`order/v1`). Lines take the unit `C62` (one piece: the API sells by the unit); a line's `discount`
 * becomes one discount of that amount; shipping becomes one shipping line; totals are computed exactly
 * from the decimal strings. The API carries no taxes (Odoo computes them), so `taxTotal` is 0 and prices
 * are without tax. The customer's own id in the channel, if given, is kept as a ref.
 */
import {
  addDecimals,
  compareDecimals,
  multiplyDecimals,
  subtractDecimals,
  sumDecimals,
} from "../../core/model/decimal.ts";
import type { Order } from "../../core/model/order.ts";
import type { OrderSubmission } from "../../gateway/api/api-schemas.ts";

type SubmittedAddress = NonNullable<OrderSubmission["billTo"]>;

function address(a: SubmittedAddress): NonNullable<Order["shipTo"]> {
  return {
    name: a.name,
    street: a.street,
    city: a.city,
    countryCode: a.countryCode,
    ...(a.company === undefined ? {} : { company: a.company }),
    ...(a.street2 === undefined ? {} : { street2: a.street2 }),
    ...(a.zip === undefined ? {} : { postalCode: a.zip }),
    ...(a.region === undefined ? {} : { region: a.region }),
    ...(a.phone === undefined ? {} : { phone: a.phone }),
  };
}

/** Rules of the API beyond its schema: a line's discount cannot exceed the line. Paths as JSON pointers. */
export function submissionProblems(submission: OrderSubmission): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  submission.lines.forEach((line, i) => {
    const gross = multiplyDecimals(line.quantity, line.unitPrice);
    if (line.discount !== undefined && compareDecimals(line.discount, gross) > 0) {
      problems.push({
        path: `/lines/${i}/discount`,
        message: `discount ${line.discount} is more than the line's ${line.quantity} x ${line.unitPrice} = ${gross}`,
      });
    }
  });
  return problems;
}

/** `receivedAt` (RFC 3339) stands for `placedAt` when the submission has none. */
export function submissionToOrder(submission: OrderSubmission, receivedAt: string): Order {
  const lines: Order["lines"] = submission.lines.map((line) => {
    const gross = multiplyDecimals(line.quantity, line.unitPrice);
    const discount = line.discount ?? "0";
    return {
      sku: line.sku,
      quantity: line.quantity,
      uom: "C62",
      unitPrice: line.unitPrice,
      ...(line.description === undefined ? {} : { name: line.description }),
      ...(line.discount === undefined ? {} : { discounts: [{ amount: line.discount }] }),
      total: subtractDecimals(gross, discount),
    };
  });
  const shippingLines: Order["shippingLines"] = submission.shipping
    ? [
        {
          price: submission.shipping.price,
          total: submission.shipping.price,
          ...(submission.shipping.method === undefined ? {} : { method: submission.shipping.method }),
        },
      ]
    : [];
  const subtotal = sumDecimals(lines.map((l) => l.total));
  const discountTotal = sumDecimals(submission.lines.map((l) => l.discount ?? "0"));
  const shippingTotal = sumDecimals(shippingLines.map((s) => s.total));
  const customer = submission.customer;
  return {
    schemaVersion: 1,
    channel: submission.channel,
    channelOrderId: submission.externalId,
    ...(submission.orderNumber === undefined ? {} : { orderNumber: submission.orderNumber }),
    status: "pending",
    placedAt: submission.placedAt ?? receivedAt,
    customer: {
      kind: "person",
      name: customer.name,
      ...(customer.email === undefined ? {} : { email: customer.email }),
      ...(customer.phone === undefined ? {} : { phone: customer.phone }),
      ...(customer.externalId === undefined
        ? {}
        : { refs: [{ system: submission.channel, kind: "customer", id: customer.externalId }] }),
    },
    shipTo: address(submission.shipTo),
    ...(submission.billTo === undefined ? {} : { billTo: address(submission.billTo) }),
    currency: submission.currency,
    pricesIncludeTax: false,
    lines,
    ...(shippingLines.length === 0 ? {} : { shippingLines }),
    totals: {
      subtotal,
      discountTotal,
      shippingTotal,
      taxTotal: "0",
      grandTotal: addDecimals(subtotal, shippingTotal),
    },
    ...(submission.notes === undefined ? {} : { notes: submission.notes }),
  } as Order;
}
