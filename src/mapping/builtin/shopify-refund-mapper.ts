/**
 * Shopify refunds and transactions to the canonical model: a refund (the `refunds/create` webhook
 * body, or the REST resource inside `{"refund": {...}}`) becomes
 * - a `return/v1` when it gives back line items (`refund_line_items`), keyed by the refund id, and
 * - one `payment/v1` of kind `refund` per refund transaction (money paid back), allocated to the order.
 *
 * Decisions a reader should know:
 * - a refund of money only (shipping, an order adjustment) has no return: the model needs lines;
 * - the return's `status` is `refunded` when a refund transaction succeeded, else `received` when
 *   Shopify restocked the items, else `authorized`; its reason is `other` with Shopify's note;
 * - a line restocked by Shopify (`restock_type` return/cancel/legacy_restock, or the refund's
 *   `restock: true`) has disposition `restock`;
 * - a transaction without `currency` (older API versions leave it out: it is the order's) maps to no
 *   payment; the caller is told why (`skipped`), it is not an error;
 * - a refunded line without a SKU (a custom line) is left out of the return, with a note;
 * - `suggested_refund` transactions (the refund calculator's answer) are not money moved: skipped.
 */

import type { CustomerReturn } from "../../core/model/customer-return.ts";
import { compareDecimals, sumDecimals } from "../../core/model/decimal.ts";
import type { OrderRef } from "../../core/model/model-primitives.ts";
import type { Payment } from "../../core/model/payment.ts";
import {
  arrayOf,
  asObject,
  at,
  DocumentFault,
  member,
  type Obj,
  optionalObject,
  optionalText,
  requiredId,
  requiredText,
} from "./document-reader.ts";
import { money } from "./shopify-lines.ts";

/** What one refund maps to: records, and why some parts map to none. */
export interface ShopifyRefundRecords {
  readonly return?: CustomerReturn;
  readonly payments: Payment[];
  readonly skipped: string[];
}

const RESTOCKED = new Set(["return", "cancel", "legacy_restock"]);
const METHODS: Record<string, Payment["method"]> = {
  shopify_payments: "card",
  stripe: "card",
  paypal: "wallet",
  gift_card: "gift_card",
  cash: "cash",
};

function status(kind: string, outcome: string | undefined): Payment["status"] {
  if (outcome === "failure" || outcome === "error") return "failed";
  if (outcome === "pending") return "pending";
  if (kind === "authorization") return "authorized";
  if (kind === "void") return "voided";
  return "captured";
}

/**
 * One transaction as a payment, or the reason it is none. `path` is its JSON pointer in the input;
 * `order` defaults to the transaction's own `order_id`.
 */
export function mapShopifyTransaction(
  raw: unknown,
  path: string,
  channel: string,
  order?: OrderRef,
): { ok: true; payment: Payment } | { ok: false; reason: string } {
  const tx = asObject(raw, path);
  const kind = requiredText(tx, "kind", path, 32);
  if (kind === "suggested_refund")
    return { ok: false, reason: `${path || "/"}: a suggested refund moved no money` };
  const currency = optionalText(tx, "currency", path, 3)?.toUpperCase();
  const id = requiredId(tx, "id", path);
  if (currency === undefined) {
    return {
      ok: false,
      reason: `${path || "/"}: transaction ${id} has no currency (it is the order's): no payment`,
    };
  }
  const amount = money(member(tx, "amount"), at(path, "amount"));
  if (compareDecimals(amount, "0") <= 0) {
    return { ok: false, reason: `${path || "/"}: transaction ${id} moved ${amount}: no payment` };
  }
  const gateway = optionalText(tx, "gateway", path, 64);
  const orderRef = order ?? { channel, channelOrderId: requiredId(tx, "order_id", path) };
  return {
    ok: true,
    payment: {
      schemaVersion: 1,
      paymentId: id,
      kind: kind === "refund" ? "refund" : "payment",
      status: status(kind, optionalText(tx, "status", path, 32)),
      amount,
      currency,
      receivedAt: optionalText(tx, "processed_at", path, 40) ?? requiredText(tx, "created_at", path, 40),
      method: (gateway && METHODS[gateway]) || "other",
      ...(gateway === undefined ? {} : { provider: gateway }),
      allocations: [{ order: orderRef, amount }],
      refs: [{ system: channel, kind: "transaction", id }],
      extensions: { [channel]: { kind, test: member(tx, "test") === true } },
    },
  };
}

/** Maps one refund resource (unwrapped); throws `DocumentFault` on a document that does not fit. */
export function mapShopifyRefund(body: unknown, channel: string, base = ""): ShopifyRefundRecords {
  const refund = asObject(body, base);
  const id = requiredId(refund, "id", base);
  const order: OrderRef = { channel, channelOrderId: requiredId(refund, "order_id", base) };
  const restockAll = member(refund, "restock") === true;
  const note = optionalText(refund, "note", base, 100_000)?.slice(0, 1_000);
  const skipped: string[] = [];
  const payments: Payment[] = [];
  arrayOf(refund, "transactions", base, 1_000).forEach((raw, i) => {
    const mapped = mapShopifyTransaction(raw, at(at(base, "transactions"), i), channel, order);
    if (mapped.ok) payments.push(mapped.payment);
    else skipped.push(mapped.reason);
  });
  const lines = arrayOf(refund, "refund_line_items", base, 1_000).flatMap((raw, i) => {
    const path = at(at(base, "refund_line_items"), i);
    const item = asObject(raw, path);
    const lineItem: Obj = optionalObject(item, "line_item", path) ?? {};
    const sku = optionalText(lineItem, "sku", at(path, "line_item"), 128);
    if (sku === undefined) {
      // a custom line (no product): the money is in the transactions, the goods cannot be matched
      skipped.push(`${path}: the refunded line has no SKU: not in the return`);
      return [];
    }
    const quantity = member(item, "quantity");
    if (typeof quantity !== "number" || !Number.isSafeInteger(quantity) || quantity <= 0) {
      throw new DocumentFault(
        at(path, "quantity"),
        `expected a positive whole number, found ${String(quantity)}`,
      );
    }
    const restockType = optionalText(item, "restock_type", path, 32);
    const restocked = restockType === undefined ? restockAll : RESTOCKED.has(restockType);
    const lineId = optionalText(item, "line_item_id", path, 32);
    return [
      {
        ...(lineId === undefined ? {} : { orderLineId: lineId }),
        sku,
        quantity: String(quantity),
        uom: "C62",
        reason: "other" as const,
        ...(note === undefined ? {} : { reasonNote: note }),
        ...(restocked ? { disposition: "restock" as const } : {}),
      },
    ];
  });
  if (lines.length === 0) {
    skipped.push(`${base || "/"}: refund ${id} returns no line items: no return record`);
    return { payments, skipped };
  }
  const paidBack = payments.filter((p) => p.kind === "refund" && p.status === "captured");
  const currency = paidBack[0]?.currency;
  const sameCurrency = paidBack.every((p) => p.currency === currency);
  const status =
    paidBack.length > 0
      ? "refunded"
      : restockAll || lines.some((l) => l.disposition)
        ? "received"
        : "authorized";
  const customerReturn: CustomerReturn = {
    schemaVersion: 1,
    rmaNumber: id,
    order,
    status,
    requestedAt: requiredText(refund, "created_at", base, 40),
    lines,
    ...(currency !== undefined && sameCurrency
      ? {
          refundAmount: money(sumDecimals(paidBack.map((p) => p.amount)), at(base, "transactions")),
          currency,
        }
      : {}),
    refs: [{ system: channel, kind: "refund", id }],
  };
  return { return: customerReturn, payments, skipped };
}
