/**
 * The priced parts of a Shopify order: line items, shipping lines, their discounts and taxes, turned
 * into the canonical model's priced lines (`src/core/model/priced-lines.ts`). Money is exact decimal
 * arithmetic on strings; Shopify's amounts arrive as strings and, in older payloads, as numbers.
 */
import {
  compareDecimals,
  multiplyDecimals,
  roundHalfEven,
  subtractDecimals,
  sumDecimals,
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
  optionalDecimal,
  optionalId,
  optionalText,
} from "./document-reader.ts";

/** Lines beyond this are refused as hostile (the model allows 10,000). */
export const MAX_LINES = 10_000;

/** A money amount: exact, at least two decimals ("199" is "199.00"), at most six (rounded half-even). */
export function money(value: unknown, path: string): string {
  const text = decimalFrom(value, path);
  const places = text.split(".")[1]?.length ?? 0;
  return places > 6 ? roundHalfEven(text, 6) : roundHalfEven(text, Math.max(2, places));
}

/** Shopify's tax rate is a fraction (0.06); the model's is a percentage ("6"). */
function percent(value: unknown, path: string): string {
  return trimDecimal(multiplyDecimals(decimalFrom(value, path), "100"));
}

function taxesOf(obj: Obj, path: string): Tax[] {
  return arrayOf(obj, "tax_lines", path, 10).map((raw, i) => {
    const p = at(at(path, "tax_lines"), i);
    const tax = asObject(raw, p);
    const name = optionalText(tax, "title", p, 128);
    const rate = member(tax, "rate");
    return {
      ...(name === undefined ? {} : { name }),
      rate: rate === undefined ? "0" : percent(rate, at(p, "rate")),
      amount: money(member(tax, "price") ?? "0", at(p, "price")),
    };
  });
}

/** Discount allocations of a line, named by the order's discount applications when they say. */
function discountsOf(obj: Obj, path: string, applications: readonly unknown[]): Discount[] {
  return arrayOf(obj, "discount_allocations", path, 20).flatMap((raw, i) => {
    const p = at(at(path, "discount_allocations"), i);
    const allocation = asObject(raw, p);
    const amount = money(member(allocation, "amount") ?? "0", at(p, "amount"));
    if (compareDecimals(amount, "0") === 0) return [];
    const index = member(allocation, "discount_application_index");
    const application =
      typeof index === "number" && applications[index] !== null && typeof applications[index] === "object"
        ? (applications[index] as Obj)
        : undefined;
    const code = application && optionalText(application, "code", p, 128);
    const description = application && optionalText(application, "title", p, 256);
    return [{ amount, ...(code ? { code } : {}), ...(description ? { description } : {}) }];
  });
}

const total = (discounts: readonly Discount[]) => sumDecimals(discounts.map((d) => d.amount));

/** Maps `line_items`; a line without a SKU is refused: it could not be matched to a product. */
export function mapLines(order: Obj, applications: readonly unknown[]): OrderLine[] {
  const items = arrayOf(order, "line_items", "", MAX_LINES);
  if (items.length === 0) throw new DocumentFault("/line_items", "an order needs at least one line item");
  return items.map((raw, i) => {
    const path = at("/line_items", i);
    const item = asObject(raw, path);
    const sku = optionalText(item, "sku", path, 128);
    if (sku === undefined) {
      throw new DocumentFault(
        at(path, "sku"),
        "is missing: a line without a SKU cannot be matched to a product",
      );
    }
    const quantity = member(item, "quantity");
    if (typeof quantity !== "number" || !Number.isSafeInteger(quantity) || quantity < 0) {
      throw new DocumentFault(
        at(path, "quantity"),
        `expected a whole number of units, found ${String(quantity)}`,
      );
    }
    const unitPrice = money(member(item, "price"), at(path, "price"));
    let discounts = discountsOf(item, path, applications);
    const legacy = optionalDecimal(item, "total_discount", path);
    if (discounts.length === 0 && legacy !== undefined && compareDecimals(legacy, "0") > 0) {
      discounts = [{ amount: money(legacy, at(path, "total_discount")) }];
    }
    const taxes = taxesOf(item, path);
    const lineId = optionalId(item, "id", path);
    const name = optionalText(item, "name", path) ?? optionalText(item, "title", path);
    return {
      ...(lineId === undefined ? {} : { lineId }),
      sku,
      ...(name === undefined ? {} : { name }),
      quantity: String(quantity),
      uom: "C62",
      unitPrice,
      ...(discounts.length > 0 ? { discounts } : {}),
      ...(taxes.length > 0 ? { taxes } : {}),
      total: subtractDecimals(multiplyDecimals(String(quantity), unitPrice), total(discounts)),
    };
  });
}

export function mapShippingLines(order: Obj, applications: readonly unknown[]): ShippingLine[] {
  return arrayOf(order, "shipping_lines", "", 20).map((raw, i) => {
    const path = at("/shipping_lines", i);
    const line = asObject(raw, path);
    const price = money(member(line, "price") ?? "0", at(path, "price"));
    const discounts = discountsOf(line, path, applications);
    const taxes = taxesOf(line, path);
    const method = optionalText(line, "title", path, 128) ?? optionalText(line, "code", path, 128);
    const service = optionalText(line, "code", path, 128);
    const source = optionalText(line, "source", path, 64);
    // `source` names the rate provider; "shopify" means a flat rate, not a carrier
    const carrier = source !== undefined && source !== "shopify" ? source : undefined;
    return {
      ...(method === undefined ? {} : { method }),
      ...(carrier === undefined ? {} : { carrier }),
      ...(service === undefined ? {} : { service }),
      price,
      ...(discounts.length > 0 ? { discounts } : {}),
      ...(taxes.length > 0 ? { taxes } : {}),
      total: subtractDecimals(price, total(discounts)),
    };
  });
}

/**
 * Spreads `amount` over `weights` in proportion (rounded down to cents, the remainder on the last
 * share, so no share is negative); undefined when the weights sum to zero or less.
 */
function spread(amount: string, weights: readonly string[], path: string): string[] | undefined {
  const cents = (text: string) => BigInt(roundHalfEven(text, 2).replace(".", ""));
  const base = weights.map(cents);
  const sum = base.reduce((a, b) => a + b, 0n);
  const total = cents(amount);
  if (sum <= 0n || weights.length === 0) return undefined;
  if (total > sum) throw new DocumentFault(path, `${amount} exceeds the lines' total`);
  let left = total;
  return base.map((weight, i) => {
    const share = i === base.length - 1 ? left : (total * (weight > 0n ? weight : 0n)) / sum;
    left -= share;
    const magnitude = share < 0n ? -share : share;
    const text = `${magnitude / 100n}.${String(magnitude % 100n).padStart(2, "0")}`;
    return share < 0n ? `-${text}` : text;
  });
}

/**
 * Older payloads carry an order-level `total_discounts` and no per-line allocations. The model keeps
 * discounts on lines, so the amount is spread over the lines in proportion to their totals, and each
 * line's total is reduced by its share.
 */
export function allocateOrderDiscount(lines: OrderLine[], amount: string): OrderLine[] {
  if (compareDecimals(amount, "0") <= 0) return lines;
  const shares = spread(
    amount,
    lines.map((l) => l.total),
    "/total_discounts",
  );
  if (!shares) return lines;
  return lines.map((line, i) => {
    const share = shares[i] as string;
    if (compareDecimals(share, "0") === 0) return line;
    return {
      ...line,
      discounts: [...(line.discounts ?? []), { amount: share, description: "order discount" }],
      total: subtractDecimals(line.total, share),
    };
  });
}

/**
 * Older payloads carry taxes only at order level (`tax_lines` of the order, none on the lines). The
 * model lists taxes per line, so each order tax is spread over the lines like a discount, keeping its
 * name and rate.
 */
export function allocateOrderTaxes(lines: OrderLine[], order: Obj): OrderLine[] {
  const taxes = taxesOf(order, "");
  if (taxes.length === 0 || lines.some((line) => line.taxes !== undefined)) return lines;
  const shares = taxes.map((tax, t) =>
    spread(
      tax.amount,
      lines.map((l) => l.total),
      `/tax_lines/${t}/price`,
    ),
  );
  return lines.map((line, i) => {
    const lineTaxes = taxes.flatMap((tax, t) => {
      const amount = shares[t]?.[i];
      return amount === undefined ? [] : [{ ...tax, amount }];
    });
    return lineTaxes.length > 0 ? { ...line, taxes: lineTaxes } : line;
  });
}
