/**
 * The `shopify-json` answer to `crossdock conformance`: what the hub makes of a Shopify REST resource
 * or webhook body. Understood shapes, bare (a webhook body) or wrapped (`{"order": {...}}`,
 * `{"orders": [...]}`, a top-level array): orders, refunds, products, inventory levels, fulfillments and
 * transactions map to canonical records (`order`, `return` / `payment`, `product`, `stock-level`,
 * `shipment`, `payment`) with the same built-in mappers the connector uses; locations, draft orders,
 * inventory items, fulfillment events and refund calculations are counted with a note (the model has
 * no record for them). Anything else, a mapping failure or a record the model refuses is a located
 * error (JSON pointer, line and column). Records use the channel `shopify`.
 */
import { mapShopifyOrder } from "../../mapping/builtin/shopify-order-mapper.ts";
import { mapShopifyProduct } from "../../mapping/builtin/shopify-product-mapper.ts";
import { mapShopifyRefund, mapShopifyTransaction } from "../../mapping/builtin/shopify-refund-mapper.ts";
import {
  mapShopifyFulfillment,
  mapShopifyInventoryLevel,
} from "../../mapping/builtin/shopify-stock-mapper.ts";
import type { ConformanceDecoder, ConformanceResult } from "../conformance.ts";
import { type ConformanceTally, decodeJsonConformance, headText } from "./json-conformance-tally.ts";

const CHANNEL = "shopify";
/** Wrapper keys of the REST API, singular and plural, to the resource type. */
const RESOURCES = [
  "order",
  "refund",
  "product",
  "inventory_level",
  "fulfillment",
  "transaction",
  "location",
  "draft_order",
  "inventory_item",
  "fulfillment_event",
] as const;
type Resource = (typeof RESOURCES)[number];
const NO_RECORD: Partial<Record<Resource, string>> = {
  location: "a location is configuration (a warehouse to map), not a canonical record",
  draft_order: "a draft order is not an order until completed (it then comes as orders/create)",
  inventory_item: "an inventory item links a SKU to Shopify's ids; the product sync keeps that link",
  fulfillment_event: "a fulfillment event is carrier tracking on a Shopify fulfillment; not mapped",
};

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The resource type of a bare (unwrapped) Shopify resource, by its own keys. */
export function shopifyResourceOf(value: Obj): Resource | undefined {
  const has = (k: string) => Object.hasOwn(value, k);
  if (has("refund_line_items") || (has("order_adjustments") && has("transactions"))) return "refund";
  if (has("line_items") && (has("financial_status") || has("order_number") || has("total_price")))
    return has("invoice_url") ? "draft_order" : "order";
  if (has("variants") && has("title")) return "product";
  if (has("inventory_item_id") && has("location_id") && has("available")) return "inventory_level";
  if (has("fulfillment_id") && has("happened_at")) return "fulfillment_event";
  if (has("order_id") && has("line_items") && (has("tracking_number") || has("tracking_numbers")))
    return "fulfillment";
  if (has("kind") && has("gateway") && has("amount")) return "transaction";
  if (has("sku") && has("tracked")) return "inventory_item";
  if (has("country_code") && has("province_code") && has("name") && !has("line_items")) return "location";
  return undefined;
}

/** Canonical order paths back to the Shopify fields they came from, to locate a model problem. */
function orderInputPath(base: string): (path: string) => string {
  return (path) => {
    const line = /^\/lines\/(\d+)/.exec(path);
    if (line) return `${base}/line_items/${line[1]}`;
    const shipping = /^\/shippingLines\/(\d+)/.exec(path);
    if (shipping) return `${base}/shipping_lines/${shipping[1]}`;
    const fields: Record<string, string> = {
      "/totals/grandTotal": "total_price",
      "/totals/taxTotal": "total_tax",
      "/totals/subtotal": "subtotal_price",
      "/totals/discountTotal": "total_discounts",
      "/totals/shippingTotal": "shipping_lines",
      "/currency": "currency",
    };
    return fields[path] ? `${base}/${fields[path]}` : base;
  };
}

function resource(tally: ConformanceTally, type: Resource, value: unknown, base: string): void {
  if (type === "refund" && isObject(value) && !Object.hasOwn(value, "id")) {
    tally.document("refund_calculation");
    tally.warnings.push(
      `${base || "/"}: a refund calculation (refunds/calculate) proposes a refund: no records`,
    );
    return;
  }
  tally.document(type);
  const note = NO_RECORD[type];
  if (note !== undefined) {
    tally.warnings.push(`${base || "/"}: ${note}`);
    return;
  }
  const what = `${type} at ${base || "/"}`;
  if (type === "order") {
    // the order mapper reads from the order's root: its fault paths are relative to `base`
    const mapped = () =>
      tally.record("order", mapShopifyOrder(value, CHANNEL), base, what, orderInputPath(base));
    tally.guard(base, what, mapped, base);
    return;
  }
  tally.guard(base, what, () => {
    if (type === "refund") {
      const mapped = mapShopifyRefund(value, CHANNEL, base);
      if (mapped.return) tally.record("return", mapped.return, base, what);
      for (const payment of mapped.payments) tally.record("payment", payment, base, what);
      tally.warnings.push(...mapped.skipped);
    } else if (type === "product") {
      const mapped = mapShopifyProduct(value, CHANNEL, {}, base);
      for (const product of mapped.products) tally.record("product", product, base, what);
      tally.warnings.push(...mapped.skipped);
    } else if (type === "inventory_level") {
      const mapped = mapShopifyInventoryLevel(value, CHANNEL, undefined, base);
      tally.record("stock-level", mapped.level, base, what);
      if (!mapped.resolved)
        tally.noteOnce(
          "sku",
          "inventory levels name inventory items, not SKUs: their records carry inventory-item:<id> here (the connection resolves SKUs from its product sync)",
        );
    } else if (type === "fulfillment") {
      const mapped = mapShopifyFulfillment(value, CHANNEL, base);
      if (mapped.ok) tally.record("shipment", mapped.shipment, base, what);
      else tally.warnings.push(mapped.reason);
    } else if (type === "transaction") {
      const mapped = mapShopifyTransaction(value, base, CHANNEL);
      if (mapped.ok) tally.record("payment", mapped.payment, base, what);
      else tally.warnings.push(mapped.reason);
    }
  });
}

function walk(tally: ConformanceTally, document: unknown): void {
  const items = (list: unknown[], base: string) =>
    list.forEach((item, i) => {
      const type = isObject(item) ? shopifyResourceOf(item) : undefined;
      if (type) resource(tally, type, item, `${base}/${i}`);
      else
        tally.problems.push({
          path: `${base}/${i}`,
          message: "is not a Shopify resource (order, refund, product, ...)",
        });
    });
  if (Array.isArray(document)) {
    items(document, "");
    return;
  }
  if (!isObject(document)) {
    tally.problems.push({
      path: "",
      message: `is ${document === null ? "null" : typeof document}, expected a Shopify resource`,
    });
    return;
  }
  const keys = Object.keys(document);
  if (keys.length === 1) {
    const key = keys[0] as string;
    const inner = document[key];
    const singular = RESOURCES.find((r) => r === key);
    const plural = RESOURCES.find((r) => `${r}s` === key);
    if (singular && isObject(inner)) {
      resource(tally, singular, inner, `/${key}`);
      return;
    }
    if (plural && Array.isArray(inner)) {
      for (const [i, item] of inner.entries()) resource(tally, plural, item, `/${key}/${i}`);
      if (inner.length === 0) tally.warnings.push(`/${key}: an empty list`);
      return;
    }
  }
  const bare = shopifyResourceOf(document);
  if (bare) {
    resource(tally, bare, document, "");
    return;
  }
  tally.problems.push({
    path: "",
    message: `is not a Shopify resource or a REST envelope of one (keys: ${keys.slice(0, 8).join(", ")})`,
  });
}

const WOO_MARKERS =
  /"order_key"|"total_line_items_quantity"|"shipping_methods"|\/wp-json\/|"date_created_gmt"/;
const SHOPIFY_MARKERS = new RegExp(
  `^\\s*(\\[\\s*)?\\{\\s*"(${RESOURCES.join("|")})s?"\\s*:|"admin_graphql_api_id"|"financial_status"|"refund_line_items"|"inventory_item_id"|"variant_id"|"tracking_numbers"`,
);

export const shopifyJsonConformanceDecoder: ConformanceDecoder = {
  format: "shopify-json",
  sniff(fileName, head) {
    const text = headText(head);
    if (!/^\s*[[{]/.test(text) || WOO_MARKERS.test(text)) return false;
    return SHOPIFY_MARKERS.test(text) || (/shopify/i.test(fileName) && /\.json$/i.test(fileName));
  },
  decode(fileName, bytes): ConformanceResult {
    return decodeJsonConformance("shopify-json", fileName, bytes, walk);
  },
};
