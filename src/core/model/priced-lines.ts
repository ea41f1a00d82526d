/**
 * The priced parts shared by orders, invoices and purchase orders: lines with discounts and taxes,
 * shipping lines, payment terms and document totals. One shape, so one consistency check
 * (`checkPricedDocument`) covers all three.
 *
 * Price basis: a document's `pricesIncludeTax` says whether unit prices, line totals and the subtotal
 * include tax (Shopify's `taxes_included`, Odoo's tax-included price lists). Either way taxes are
 * listed per line, with rate and amount.
 *
 * Discounts are amounts for the whole line (not per unit), already subtracted in the line's `total`.
 * An order-level discount is allocated to the lines by the mapping (Shopify sends the allocations;
 * Odoo needs a per-line discount anyway), so totals never subtract a discount twice.
 */
import Type from "typebox";
import { closed, Id, Money, moneyAs, Percent, Quantity, Sku, Text, Uom } from "./model-primitives.ts";

export const Discount = Type.Object(
  {
    amount: Money,
    rate: Type.Optional(Percent),
    code: Type.Optional(Text(128)),
    description: Type.Optional(Text(256)),
  },
  { ...closed, description: "a discount on the whole line; amount is positive and already in total" },
);
export type Discount = Type.Static<typeof Discount>;

export const Tax = Type.Object(
  {
    name: Type.Optional(Text(128)),
    code: Type.Optional(Text(64)),
    rate: Percent,
    amount: Money,
  },
  { ...closed, description: "one tax on a line: rate in percent and the amount charged" },
);
export type Tax = Type.Static<typeof Tax>;

/** The fields of a priced line; entities add their own (an order line's id, a PO line's supplier SKU). */
export const pricedLineFields = {
  lineId: Type.Optional(Id),
  sku: Sku,
  name: Type.Optional(Text(2_000)),
  quantity: Quantity,
  uom: Uom,
  unitPrice: Money,
  discounts: Type.Optional(Type.Array(Discount, { maxItems: 20 })),
  taxes: Type.Optional(Type.Array(Tax, { maxItems: 10 })),
  total: moneyAs("quantity x unit price - discounts, in the document's price basis"),
};

export const ShippingLine = Type.Object(
  {
    method: Type.Optional(Text(128)),
    carrier: Type.Optional(Text(64)),
    service: Type.Optional(Text(128)),
    price: Money,
    discounts: Type.Optional(Type.Array(Discount, { maxItems: 20 })),
    taxes: Type.Optional(Type.Array(Tax, { maxItems: 10 })),
    total: moneyAs("price - discounts, in the document's price basis"),
  },
  closed,
);
export type ShippingLine = Type.Static<typeof ShippingLine>;

export const PaymentTerms = Type.Object(
  {
    code: Type.Optional(Text(64)),
    name: Type.Optional(Text(256)),
    dueDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_650 })),
  },
  { ...closed, description: 'when payment is due, e.g. { "code": "NET30", "dueDays": 30 }' },
);
export type PaymentTerms = Type.Static<typeof PaymentTerms>;

/**
 * Document totals. `subtotal` = sum of line totals; `shippingTotal` = sum of shipping line totals;
 * `discountTotal` = every discount of lines and shipping (informational: already in those totals);
 * `taxTotal` = every tax amount; `grandTotal` = subtotal + shippingTotal, plus taxTotal when prices
 * exclude tax.
 */
export const Totals = Type.Object(
  {
    subtotal: Money,
    discountTotal: Money,
    shippingTotal: Money,
    taxTotal: Money,
    grandTotal: Money,
  },
  closed,
);
export type Totals = Type.Static<typeof Totals>;
