/**
 * A payment received from a customer (or a refund paid back), as a payment platform or Odoo reports
 * it, with what it pays: allocations to invoices or orders. An unallocated remainder is allowed
 * (prepayment); allocations never exceed the amount (the consistency check verifies it).
 */
import Type from "typebox";
import {
  CurrencyCode,
  closed,
  Extensions,
  Id,
  MODEL_BASE_URI,
  Money,
  moneyAs,
  OrderRef,
  Refs,
  SchemaVersion,
  Text,
  Timestamp,
} from "./model-primitives.ts";
import { PartyValue } from "./party.ts";

export const PAYMENT_STATUSES = ["pending", "authorized", "captured", "failed", "voided"] as const;

export const PaymentAllocation = Type.Object(
  { invoiceNumber: Type.Optional(Id), order: Type.Optional(OrderRef), amount: Money },
  { ...closed, description: "the part of the payment applied to one invoice or order" },
);

export const Payment = Type.Object(
  {
    schemaVersion: SchemaVersion(1),
    paymentId: Id,
    kind: Type.Enum(["payment", "refund"]),
    status: Type.Enum(PAYMENT_STATUSES),
    amount: moneyAs("positive; a refund's kind says the direction"),
    currency: CurrencyCode,
    receivedAt: Timestamp,
    method: Type.Enum(["card", "bank_transfer", "direct_debit", "wallet", "cash", "gift_card", "other"]),
    provider: Type.Optional(Text(64, 'the payment provider, e.g. "stripe" or "shopify_payments"')),
    payer: Type.Optional(PartyValue),
    allocations: Type.Optional(Type.Array(PaymentAllocation, { maxItems: 1_000 })),
    refs: Type.Optional(Refs),
    extensions: Type.Optional(Extensions),
  },
  {
    ...closed,
    $id: `${MODEL_BASE_URI}payment/v1`,
    title: "Payment",
    description: "money received from (or refunded to) a customer, and what it pays",
  },
);
export type Payment = Type.Static<typeof Payment>;
