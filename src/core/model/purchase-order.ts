/**
 * A purchase order to a supplier (Odoo `purchase.order`, an EDI 850 sent out). Lines are priced like
 * sales lines (unit price = the supplier's cost) and each carries a `lineId`, required here because
 * the supplier's acknowledgement and the goods receipt refer to lines by it.
 */
import Type from "typebox";
import {
  CalendarDate,
  Code,
  CurrencyCode,
  closed,
  Extensions,
  Id,
  MODEL_BASE_URI,
  Refs,
  SchemaVersion,
  Sku,
  Timestamp,
} from "./model-primitives.ts";
import { AddressValue, PartyValue } from "./party.ts";
import { PaymentTerms, pricedLineFields, ShippingLine, Totals } from "./priced-lines.ts";

export const PURCHASE_ORDER_STATUSES = [
  "draft",
  "sent",
  "acknowledged",
  "partially_received",
  "received",
  "cancelled",
] as const;

export const PurchaseOrderLine = Type.Object(
  {
    ...pricedLineFields,
    lineId: Id,
    supplierSku: Type.Optional(Sku),
    expectedOn: Type.Optional(CalendarDate),
  },
  closed,
);

export const PurchaseOrder = Type.Object(
  {
    schemaVersion: SchemaVersion(1),
    poNumber: Id,
    status: Type.Enum(PURCHASE_ORDER_STATUSES),
    orderedAt: Timestamp,
    expectedOn: Type.Optional(CalendarDate),
    supplier: PartyValue,
    warehouse: Type.Optional(Code),
    shipTo: Type.Optional(AddressValue),
    currency: CurrencyCode,
    pricesIncludeTax: Type.Boolean(),
    lines: Type.Array(PurchaseOrderLine, { minItems: 1, maxItems: 10_000 }),
    shippingLines: Type.Optional(Type.Array(ShippingLine, { maxItems: 20 })),
    paymentTerms: Type.Optional(PaymentTerms),
    totals: Totals,
    refs: Type.Optional(Refs),
    extensions: Type.Optional(Extensions),
  },
  {
    ...closed,
    $id: `${MODEL_BASE_URI}purchase-order/v1`,
    title: "PurchaseOrder",
    description: "an order to a supplier",
  },
);
export type PurchaseOrder = Type.Static<typeof PurchaseOrder>;
