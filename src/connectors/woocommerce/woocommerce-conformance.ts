/**
 * The `woocommerce-json` answer to `crossdock conformance`: what the hub makes of a WooCommerce REST
 * API v3 document. Orders (one, or a list as `GET orders` answers) map to canonical `order` records with
 * `woocommerce-order@1` and the connector's defaults; a refund with line items maps to a `return`
 * (WooCommerce's refund carries no currency, so no payment is made of it alone); webhook subscriptions
 * are counted with a note. A legacy REST API order (`{"order": {...}}`), a mapping failure, a record the
 * model refuses or an unknown shape is a located error (JSON pointer, line and column). Records use the
 * channel `woocommerce`.
 */
import { mapWooCommerceOrder } from "../../mapping/builtin/woocommerce-order-mapper.ts";
import { mapWooRefund } from "../../mapping/builtin/woocommerce-refund-mapper.ts";
import type { ConformanceDecoder, ConformanceResult } from "../conformance.ts";
import { type ConformanceTally, decodeJsonConformance, headText } from "../shopify/json-conformance-tally.ts";

const CHANNEL = "woocommerce";
type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

type WooDocument = "order" | "refund" | "webhook" | "legacy_order";

/** The document type of a WooCommerce object, by its own keys. */
export function wooDocumentOf(value: Obj): WooDocument | undefined {
  const has = (k: string) => Object.hasOwn(value, k);
  if (has("topic") && has("delivery_url")) return "webhook";
  if (has("refunded_by") || (has("amount") && has("refunded_payment"))) return "refund";
  if (
    has("line_items") &&
    (has("order_key") || (has("status") && has("currency") && has("date_created_gmt")))
  )
    return "order";
  if (has("line_items") && has("total_line_items_quantity")) return "legacy_order";
  return undefined;
}

function orderInputPath(base: string, document: unknown): (path: string) => string {
  const itemCount = isObject(document) && Array.isArray(document.line_items) ? document.line_items.length : 0;
  return (path) => {
    const line = /^\/lines\/(\d+)/.exec(path);
    if (line) {
      const index = Number(line[1]);
      return index < itemCount ? `${base}/line_items/${index}` : `${base}/fee_lines/${index - itemCount}`;
    }
    const shipping = /^\/shippingLines\/(\d+)/.exec(path);
    if (shipping) return `${base}/shipping_lines/${shipping[1]}`;
    const fields: Record<string, string> = {
      "/totals/grandTotal": "total",
      "/totals/taxTotal": "total_tax",
      "/totals/discountTotal": "discount_total",
      "/totals/shippingTotal": "shipping_total",
      "/currency": "currency",
    };
    return fields[path] ? `${base}/${fields[path]}` : base;
  };
}

function document(tally: ConformanceTally, type: WooDocument, value: Obj, base: string): void {
  tally.document(type);
  const what = `${type} at ${base || "/"}`;
  if (type === "webhook") {
    tally.warnings.push(
      `${base || "/"}: a webhook subscription (topic ${String(value.topic)}) is configuration: no records`,
    );
  } else if (type === "legacy_order") {
    tally.problems.push({
      path: base,
      message: `${what} is a legacy REST API v3 order (WooCommerce before 2.6, removed in 9.0): Crossdock reads the wc/v3 order (GET /wp-json/wc/v3/orders)`,
    });
  } else if (type === "order") {
    const run = () =>
      tally.record("order", mapWooCommerceOrder(value, CHANNEL), base, what, orderInputPath(base, value));
    tally.guard(base, what, run, base);
  } else {
    tally.guard(
      base,
      what,
      () => {
        const mapped = mapWooRefund(value, CHANNEL);
        if (mapped.ok) tally.record("return", mapped.return, base, what);
        else tally.warnings.push(`${base || "/"}: ${mapped.reason}`);
      },
      base,
    );
  }
}

function walk(tally: ConformanceTally, root: unknown): void {
  const one = (value: unknown, base: string, hint?: WooDocument) => {
    const type = isObject(value) ? (wooDocumentOf(value) ?? hint) : undefined;
    if (type && isObject(value)) document(tally, type, value, base);
    else tally.problems.push({ path: base, message: "is not a WooCommerce order, refund or webhook" });
  };
  if (Array.isArray(root)) {
    if (root.length === 0) tally.warnings.push("/: an empty list");
    for (const [i, item] of root.entries()) one(item, `/${i}`);
    return;
  }
  if (isObject(root) && Object.keys(root).length === 1 && isObject(root.order)) {
    one(root.order, "/order", "legacy_order");
    return;
  }
  if (isObject(root) && Object.keys(root).length === 1 && Array.isArray(root.orders)) {
    for (const [i, item] of root.orders.entries()) one(item, `/orders/${i}`, "legacy_order");
    return;
  }
  if (isObject(root) && wooDocumentOf(root) === undefined) {
    const keys = Object.keys(root).slice(0, 8).join(", ");
    tally.problems.push({
      path: "",
      message: `is not a WooCommerce order, refund or webhook (keys: ${keys})`,
    });
    return;
  }
  one(root, "");
}

const MARKERS =
  /"order_key"|"date_created_gmt"|\/wp-json\/wc\/|"total_line_items_quantity"|"shipping_methods"|"refunded_by"|"delivery_url"/;

export const woocommerceJsonConformanceDecoder: ConformanceDecoder = {
  format: "woocommerce-json",
  sniff(fileName, head) {
    const text = headText(head);
    if (!/^\s*[[{]/.test(text)) return false;
    return MARKERS.test(text) || (/woo/i.test(fileName) && /\.json$/i.test(fileName));
  },
  decode(fileName, bytes): ConformanceResult {
    return decodeJsonConformance("woocommerce-json", fileName, bytes, walk);
  },
};
