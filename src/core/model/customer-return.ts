/**
 * A customer return (RMA): what the customer sends back, why, and what happens to each item once it
 * is inspected. Named `CustomerReturn` in code because `return` is a keyword; its schema is `return/v1`.
 *
 * `disposition` is decided at inspection: `restock` puts it back into sellable stock, `refurbish` and
 * `quarantine` keep it out of stock, `scrap` writes it off, `return_to_vendor` sends it to the
 * supplier. It is absent until decided.
 */
import Type from "typebox";
import {
  CurrencyCode,
  closed,
  Extensions,
  Id,
  MODEL_BASE_URI,
  moneyAs,
  OrderRef,
  Quantity,
  Refs,
  SchemaVersion,
  Sku,
  Text,
  Timestamp,
  Uom,
} from "./model-primitives.ts";
import { PartyValue } from "./party.ts";

export const RETURN_REASONS = [
  "damaged",
  "defective",
  "wrong_item",
  "not_as_described",
  "no_longer_needed",
  "late_delivery",
  "other",
] as const;

export const RETURN_DISPOSITIONS = [
  "restock",
  "refurbish",
  "quarantine",
  "scrap",
  "return_to_vendor",
] as const;

export const ReturnLine = Type.Object(
  {
    orderLineId: Type.Optional(Id),
    sku: Sku,
    quantity: Quantity,
    uom: Uom,
    reason: Type.Enum(RETURN_REASONS),
    reasonNote: Type.Optional(Text(1_000)),
    disposition: Type.Optional(Type.Enum(RETURN_DISPOSITIONS)),
  },
  closed,
);

export const CustomerReturn = Type.Object(
  {
    schemaVersion: SchemaVersion(1),
    rmaNumber: Id,
    order: Type.Optional(OrderRef),
    status: Type.Enum(["requested", "authorized", "received", "refunded", "rejected", "closed"]),
    requestedAt: Timestamp,
    customer: Type.Optional(PartyValue),
    lines: Type.Array(ReturnLine, { minItems: 1, maxItems: 1_000 }),
    refundAmount: Type.Optional(moneyAs("what is refunded, in `currency`")),
    currency: Type.Optional(CurrencyCode),
    refs: Type.Optional(Refs),
    extensions: Type.Optional(Extensions),
  },
  {
    ...closed,
    $id: `${MODEL_BASE_URI}return/v1`,
    title: "Return",
    description: "a customer return (RMA): lines, reasons and dispositions",
  },
);
export type CustomerReturn = Type.Static<typeof CustomerReturn>;
