/**
 * The canonical sales order: what every channel's order (a Shopify webhook, a WooCommerce order, an
 * EDI 850, a REST API submission) is mapped to before it goes to Odoo.
 *
 * Its business key is (`channel`, `channelOrderId`): the channel's own id, unique within the channel,
 * which also makes the idempotency key of everything done for the order. `orderNumber` is what people
 * see ("#1001"). Money follows the rules of `priced-lines.ts`; `checkPricedDocument` verifies that the
 * lines and totals add up.
 */
import Type from "typebox";
import {
  ConnectionName,
  CurrencyCode,
  closed,
  Extensions,
  Id,
  MODEL_BASE_URI,
  Refs,
  SchemaVersion,
  Text,
  Timestamp,
} from "./model-primitives.ts";
import { AddressValue, PartyValue } from "./party.ts";
import { PaymentTerms, pricedLineFields, ShippingLine, Totals } from "./priced-lines.ts";

/**
 * Where an order stands. Stored and compared by workflows: values are only ever added.
 * `pending` = received, not yet accepted (payment or approval outstanding).
 */
export const ORDER_STATUSES = [
  "pending",
  "confirmed",
  "partially_shipped",
  "shipped",
  "completed",
  "cancelled",
] as const;

export const OrderLine = Type.Object(pricedLineFields, closed);
export type OrderLine = Type.Static<typeof OrderLine>;

export const Order = Type.Object(
  {
    schemaVersion: SchemaVersion(1),
    channel: ConnectionName,
    channelOrderId: Id,
    orderNumber: Type.Optional(Text(128)),
    status: Type.Enum(ORDER_STATUSES),
    placedAt: Timestamp,
    customer: PartyValue,
    billTo: Type.Optional(AddressValue),
    shipTo: Type.Optional(AddressValue),
    currency: CurrencyCode,
    pricesIncludeTax: Type.Boolean({ description: "whether unit prices and line totals include tax" }),
    lines: Type.Array(OrderLine, { minItems: 1, maxItems: 10_000 }),
    shippingLines: Type.Optional(Type.Array(ShippingLine, { maxItems: 20 })),
    paymentTerms: Type.Optional(PaymentTerms),
    totals: Totals,
    notes: Type.Optional(Type.String({ maxLength: 4_000 })),
    refs: Type.Optional(Refs),
    extensions: Type.Optional(Extensions),
  },
  {
    ...closed,
    $id: `${MODEL_BASE_URI}order/v1`,
    title: "Order",
    description: "a sales order from a channel, keyed by channel and channel order id",
  },
);
export type Order = Type.Static<typeof Order>;
