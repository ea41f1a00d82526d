/**
 * The priced parts of a WooCommerce (REST API v3) order: line items, fee lines and shipping lines,
 * with their coupon discounts and taxes, as the canonical model's priced lines. WooCommerce stores
 * line amounts without tax whatever the shop's `prices_include_tax` says (`subtotal` before coupons,
 * `total` after), and sends money as strings, with `price` as a number.
 */
import {
  compareDecimals,
  divideDecimals,
  multiplyDecimals,
  subtractDecimals,
  trimDecimal,
} from "../../core/model/decimal.ts";
import type { OrderLine } from "../../core/model/order.ts";
import type { Discount, ShippingLine, Tax } from "../../core/model/priced-lines.ts";
import {
  arrayOf,
  asObject,
  at,
  DocumentFault,
  decimalFrom,
  member,
  type Obj,
  optionalId,
  optionalText,
} from "./document-reader.ts";
import { MAX_LINES, money } from "./shopify-lines.ts";

/** What a line's taxes are named and rated by: the order's `tax_lines` by `rate_id`. */
export interface TaxRates {
  readonly byId: ReadonlyMap<string, { name?: string; code?: string; rate?: string }>;
}

export function readTaxRates(order: Obj): TaxRates {
  const byId = new Map<string, { name?: string; code?: string; rate?: string }>();
  arrayOf(order, "tax_lines", "", 100).forEach((raw, i) => {
    const path = at("/tax_lines", i);
    const line = asObject(raw, path);
    const id = optionalId(line, "rate_id", path);
    if (id === undefined) return;
    const name = optionalText(line, "label", path, 128);
    const code = optionalText(line, "rate_code", path, 64);
    const percent = member(line, "rate_percent");
    byId.set(id, {
      ...(name ? { name } : {}),
      ...(code ? { code } : {}),
      ...(percent === undefined ? {} : { rate: trimDecimal(decimalFrom(percent, at(path, "rate_percent"))) }),
    });
  });
  return { byId };
}

/**
 * A line's taxes. The rate is the tax line's `rate_percent` (WooCommerce 5+); older stores do not send
 * it, and it is then derived from the amount and the line's base (to 4 places), so the model's
 * tax check still holds.
 */
function taxesOf(item: Obj, path: string, base: string, rates: TaxRates): Tax[] {
  return arrayOf(item, "taxes", path, 10).flatMap((raw, i) => {
    const p = at(at(path, "taxes"), i);
    const tax = asObject(raw, p);
    const value = member(tax, "total");
    if (value === undefined || value === "") return [];
    const amount = money(value, at(p, "total"));
    const known = rates.byId.get(optionalId(tax, "id", p) ?? "");
    let rate = known?.rate;
    if (rate === undefined) {
      rate =
        compareDecimals(base, "0") === 0
          ? "0"
          : trimDecimal(divideDecimals(multiplyDecimals(amount, "100"), base, 4));
    }
    return [
      {
        ...(known?.name ? { name: known.name } : {}),
        ...(known?.code ? { code: known.code } : {}),
        rate,
        amount,
      },
    ];
  });
}

export interface WooLineOptions {
  /** What a line without a SKU becomes: refused (default) or `wc-product-<id>` / `wc-variation-<id>`. */
  readonly skuFallback?: "none" | "product-id";
  /** The SKU of fee lines. Default `FEE`. */
  readonly feeSku?: string;
}

function skuOf(item: Obj, path: string, options: WooLineOptions): string {
  const sku = optionalText(item, "sku", path, 128);
  if (sku !== undefined) return sku;
  if (options.skuFallback === "product-id") {
    const variation = optionalId(item, "variation_id", path);
    if (variation !== undefined && variation !== "0") return `wc-variation-${variation}`;
    const product = optionalId(item, "product_id", path);
    if (product !== undefined && product !== "0") return `wc-product-${product}`;
  }
  throw new DocumentFault(
    at(path, "sku"),
    "is empty: a line without a SKU cannot be matched to a product (give the product a SKU, or set skuFallback: product-id on the connection)",
  );
}

/** Maps `line_items` then `fee_lines` (as lines of the fee SKU). */
export function mapWooLines(
  order: Obj,
  rates: TaxRates,
  coupon: Omit<Discount, "amount">,
  options: WooLineOptions,
): OrderLine[] {
  const items = arrayOf(order, "line_items", "", MAX_LINES);
  if (items.length === 0) throw new DocumentFault("/line_items", "an order needs at least one line item");
  const lines = items.map((raw, i): OrderLine => {
    const path = at("/line_items", i);
    const item = asObject(raw, path);
    const sku = skuOf(item, path, options);
    const quantity = member(item, "quantity");
    if (typeof quantity !== "number" || !Number.isSafeInteger(quantity) || quantity <= 0) {
      throw new DocumentFault(
        at(path, "quantity"),
        `expected a positive whole number of units, found ${String(quantity)}`,
      );
    }
    const total = money(member(item, "total"), at(path, "total"));
    const subtotal =
      member(item, "subtotal") === undefined ? total : money(member(item, "subtotal"), at(path, "subtotal"));
    const unitPrice = money(divideDecimals(subtotal, String(quantity), 6), at(path, "subtotal"));
    const discount = subtractDecimals(subtotal, total);
    const discounts =
      compareDecimals(discount, "0") > 0 ? [{ amount: money(discount, at(path, "total")), ...coupon }] : [];
    const taxes = taxesOf(item, path, total, rates);
    const lineId = optionalId(item, "id", path);
    const name = optionalText(item, "name", path);
    return {
      ...(lineId === undefined ? {} : { lineId }),
      sku,
      ...(name === undefined ? {} : { name }),
      quantity: String(quantity),
      uom: "C62",
      unitPrice,
      ...(discounts.length > 0 ? { discounts } : {}),
      ...(taxes.length > 0 ? { taxes } : {}),
      total,
    };
  });
  const fees = arrayOf(order, "fee_lines", "", 100).map((raw, i): OrderLine => {
    const path = at("/fee_lines", i);
    const fee = asObject(raw, path);
    const total = money(member(fee, "total"), at(path, "total"));
    const taxes = taxesOf(fee, path, total, rates);
    const lineId = optionalId(fee, "id", path);
    const name = optionalText(fee, "name", path);
    return {
      ...(lineId === undefined ? {} : { lineId }),
      sku: options.feeSku ?? "FEE",
      ...(name === undefined ? {} : { name }),
      quantity: "1",
      uom: "C62",
      unitPrice: total,
      ...(taxes.length > 0 ? { taxes } : {}),
      total,
    };
  });
  return [...lines, ...fees];
}

export function mapWooShippingLines(order: Obj, rates: TaxRates): ShippingLine[] {
  return arrayOf(order, "shipping_lines", "", 20).map((raw, i) => {
    const path = at("/shipping_lines", i);
    const line = asObject(raw, path);
    const total = money(member(line, "total") ?? "0", at(path, "total"));
    const taxes = taxesOf(line, path, total, rates);
    const method = optionalText(line, "method_title", path, 128);
    const service = optionalText(line, "method_id", path, 128);
    return {
      ...(method === undefined ? {} : { method }),
      ...(service === undefined ? {} : { service }),
      price: total,
      ...(taxes.length > 0 ? { taxes } : {}),
      total,
    };
  });
}
