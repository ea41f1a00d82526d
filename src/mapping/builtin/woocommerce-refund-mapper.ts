/**
 * A WooCommerce refund (`POST orders/<id>/refunds` answer, or `GET orders/<id>/refunds/<id>`) to a
 * canonical `return/v1` when it gives back line items. WooCommerce writes refunded quantities and
 * totals as negative numbers; the return's quantities are positive. A refund carries no currency (it
 * is the order's), so the return has no `refundAmount` unless `currency` is given, and a refund of
 * money only (no line items) maps to nothing: the reason is returned, it is not an error.
 */

import type { CustomerReturn } from "../../core/model/customer-return.ts";
import { compareDecimals, trimDecimal } from "../../core/model/decimal.ts";
import {
  arrayOf,
  asObject,
  at,
  DocumentFault,
  decimalFrom,
  member,
  optionalId,
  optionalText,
  requiredId,
} from "./document-reader.ts";
import { money } from "./shopify-lines.ts";

/** The order id of a refund: given, its `parent_id`, or the `up` link `.../orders/<id>`. */
function orderIdOf(refund: Record<string, unknown>, given?: string): string | undefined {
  if (given) return given;
  const parent = optionalId(refund, "parent_id", "");
  if (parent && parent !== "0") return parent;
  const links = member(refund, "_links");
  const up = links && typeof links === "object" ? (links as { up?: { href?: unknown }[] }).up : undefined;
  const href = Array.isArray(up) ? up[0]?.href : undefined;
  return typeof href === "string" ? /\/orders\/(\d+)\/?$/.exec(href)?.[1] : undefined;
}

export function mapWooRefund(
  body: unknown,
  channel: string,
  options: { orderId?: string; currency?: string } = {},
): { ok: true; return: CustomerReturn } | { ok: false; reason: string } {
  const refund = asObject(body, "");
  const id = requiredId(refund, "id", "");
  const amount = member(refund, "amount");
  const lines = arrayOf(refund, "line_items", "", 1_000).map((raw, i) => {
    const path = at("/line_items", i);
    const item = asObject(raw, path);
    const sku = optionalText(item, "sku", path, 128);
    if (sku === undefined)
      throw new DocumentFault(at(path, "sku"), "is empty: a returned line needs its SKU");
    const quantity = trimDecimal(
      decimalFrom(member(item, "quantity"), at(path, "quantity")).replace(/^-/, ""),
    );
    if (compareDecimals(quantity, "0") === 0) throw new DocumentFault(at(path, "quantity"), "is 0");
    const lineId = optionalId(item, "id", path);
    return {
      ...(lineId ? { orderLineId: lineId } : {}),
      sku,
      quantity,
      uom: "C62",
      reason: "other" as const,
    };
  });
  if (lines.length === 0) {
    return {
      ok: false,
      reason: `refund ${id} of ${String(amount ?? "?")} returns no line items and carries no currency (it is the order's): no record`,
    };
  }
  const orderId = orderIdOf(refund, options.orderId);
  const reason = optionalText(refund, "reason", "", 100_000)?.slice(0, 1_000);
  const gmt = optionalText(refund, "date_created_gmt", "", 40);
  if (gmt === undefined) throw new DocumentFault("/date_created_gmt", "is missing: when the refund was made");
  return {
    ok: true,
    return: {
      schemaVersion: 1,
      rmaNumber: id,
      ...(orderId ? { order: { channel, channelOrderId: orderId } } : {}),
      status: "refunded",
      requestedAt: /(Z|[+-]\d{2}:\d{2})$/.test(gmt) ? gmt : `${gmt}Z`,
      lines: lines.map((l) => (reason ? { ...l, reasonNote: reason } : l)),
      ...(options.currency && amount !== undefined
        ? { refundAmount: money(amount, "/amount").replace(/^-/, ""), currency: options.currency }
        : {}),
      refs: [{ system: channel, kind: "refund", id }],
    },
  };
}
