/**
 * A customer invoice or credit note, as Odoo posts it (`account.move`) or an accounting platform
 * reports it. Amounts are positive for both kinds; `kind` says which way the money goes. Lines and
 * totals follow `priced-lines.ts`, so `checkPricedDocument` applies unchanged; a credit note's
 * shipping refund is a shipping line like any other.
 */
import Type from "typebox";
import {
  CalendarDate,
  CurrencyCode,
  closed,
  Extensions,
  Id,
  MODEL_BASE_URI,
  moneyAs,
  OrderRef,
  Refs,
  SchemaVersion,
  Timestamp,
} from "./model-primitives.ts";
import { AddressValue, PartyValue } from "./party.ts";
import { PaymentTerms, pricedLineFields, ShippingLine, Totals } from "./priced-lines.ts";

export const INVOICE_STATUSES = ["draft", "posted", "partially_paid", "paid", "cancelled"] as const;

export const Invoice = Type.Object(
  {
    schemaVersion: SchemaVersion(1),
    invoiceNumber: Id,
    kind: Type.Enum(["invoice", "credit_note"]),
    status: Type.Enum(INVOICE_STATUSES),
    issuedAt: Timestamp,
    dueDate: Type.Optional(CalendarDate),
    orders: Type.Optional(Type.Array(OrderRef, { maxItems: 100 })),
    customer: PartyValue,
    billTo: Type.Optional(AddressValue),
    currency: CurrencyCode,
    pricesIncludeTax: Type.Boolean(),
    lines: Type.Array(Type.Object(pricedLineFields, closed), { minItems: 1, maxItems: 10_000 }),
    shippingLines: Type.Optional(Type.Array(ShippingLine, { maxItems: 20 })),
    paymentTerms: Type.Optional(PaymentTerms),
    totals: Totals,
    amountDue: Type.Optional(moneyAs("what is still unpaid")),
    refs: Type.Optional(Refs),
    extensions: Type.Optional(Extensions),
  },
  {
    ...closed,
    $id: `${MODEL_BASE_URI}invoice/v1`,
    title: "Invoice",
    description: "a customer invoice or credit note",
  },
);
export type Invoice = Type.Static<typeof Invoice>;
