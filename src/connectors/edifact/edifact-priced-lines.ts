/**
 * Priced lines and totals of ORDERS and INVOIC: LIN groups to canonical priced lines (item number,
 * QTY, PRI with its price basis, MOA 203, TAX with MOA 124) and the document totals (the message's own
 * MOA 79/176/77... when it states them, so `checkModel` verifies them; computed otherwise).
 *
 * A line without PRI is kept at price 0 and listed in `unpriced`: the partner left pricing to the
 * supplier's price list, which the caller records so nobody mistakes it for a free line. Allowances
 * and charges (ALC) are not applied; a warning says so and stated totals expose any difference.
 */
import { multiplyDecimals, roundHalfEven, subtractDecimals, sumDecimals } from "../../core/model/decimal.ts";
import type { OrderLine } from "../../core/model/order.ts";
import { minorUnit } from "../../core/model/priced-document-checks.ts";
import type { Discount, ShippingLine, Tax, Totals } from "../../core/model/priced-lines.ts";
import { DEFAULT_ITEM_ID_PREFERENCE, type MappingContext } from "./edifact-mapping-context.ts";
import { type ItemGroup, itemName, itemNumbers, preferredItem, qualified } from "./edifact-message-view.ts";
import { type EdifactSegment, valueAt } from "./edifact-syntax.ts";
import { canonicalUnit, divideDecimal } from "./edifact-values.ts";

export interface PricedLineRules {
  /** QTY qualifiers in order of preference: `21` ordered, `47` invoiced, `12` despatched. */
  readonly quantity: readonly string[];
  /** PRI qualifiers in order of preference: `AAA` net, `INV` invoice, `AAB` gross. */
  readonly price: readonly string[];
}

export interface PricedLinesResult {
  readonly lines: OrderLine[];
  readonly unpriced: string[];
  /** Every item number of each line by type (`{ "1": { EN: "4006381333931", SA: "CHAIR-OAK-01" } }`). */
  readonly itemNumbers: Record<string, Record<string, string>>;
}

const placesCache = new Map<string, number>();
/** Fraction digits of a currency's minor unit, cached: `minorUnit` builds an `Intl.NumberFormat`. */
const places = (currency: string) => {
  let digits = placesCache.get(currency);
  if (digits === undefined) {
    digits = minorUnit(currency).split(".")[1]?.length ?? 0;
    if (placesCache.size < 500) placesCache.set(currency, digits);
  }
  return digits;
};

/** The line's tax from its TAX segment (rate in TAX-05-4) and the MOA 124 after it, or computed. */
function lineTax(
  ctx: MappingContext,
  group: ItemGroup,
  total: string,
  currency: string,
  path: string,
): Tax[] {
  const index = group.segments.findIndex((s) => s.tag === "TAX" && valueAt(s, 1) === "7");
  const tax = group.segments[index];
  if (tax === undefined) return [];
  const category = valueAt(tax, 6);
  const rate =
    ctx.decimal(tax, 5, 4, "the tax rate") ?? (category === "E" || category === "Z" ? "0" : undefined);
  if (rate === undefined) return [];
  const next = group.segments[index + 1];
  const moa = next?.tag === "MOA" && valueAt(next, 1) === "124" ? next : undefined;
  const stated = moa ? ctx.decimal(moa, 1, 2, "the tax amount") : undefined;
  const computed = divideDecimal(multiplyDecimals(total, rate), "100", 10) ?? "0";
  const amount = stated ?? roundHalfEven(computed, places(currency));
  if (moa) ctx.note(`${path}/taxes/0/amount`, moa, 1, 2);
  ctx.note(`${path}/taxes/0`, tax, 5, 4);
  return [
    {
      rate,
      amount,
      ...(valueAt(tax, 2) === "" ? {} : { name: valueAt(tax, 2) }),
      ...(category === "" ? {} : { code: category }),
    },
  ];
}

/** The amount in the MOA right after `index` with one of `qualifiers`, noted at `path`. */
function amountAfter(
  ctx: MappingContext,
  segments: readonly EdifactSegment[],
  index: number,
  qualifiers: string[],
  path: string,
) {
  const next = segments[index + 1];
  if (next?.tag !== "MOA" || !qualifiers.includes(valueAt(next, 1))) return undefined;
  ctx.note(path, next, 1, 2);
  return ctx.decimal(next, 1, 2, "the amount");
}

/** Allowances (ALC+A, amount in the MOA+204 or MOA+8 after it) as discounts. */
export function lineDiscounts(
  ctx: MappingContext,
  segments: readonly EdifactSegment[],
  path: string,
): Discount[] {
  const discounts: Discount[] = [];
  segments.forEach((segment, index) => {
    if (segment.tag !== "ALC" || valueAt(segment, 1) !== "A") return;
    const amount = amountAfter(ctx, segments, index, ["204", "8"], `${path}/${discounts.length}/amount`);
    const code = valueAt(segment, 5).trim();
    if (amount !== undefined) discounts.push({ amount, ...(code === "" ? {} : { code }) });
  });
  return discounts;
}

/** Header freight charges (ALC+C with service code FC, amount in MOA+23 or MOA+8) as shipping lines. */
export function shippingCharges(ctx: MappingContext, header: readonly EdifactSegment[]): ShippingLine[] {
  const lines: ShippingLine[] = [];
  header.forEach((segment, index) => {
    if (segment.tag !== "ALC") return;
    const freight = valueAt(segment, 1) === "C" && valueAt(segment, 5) === "FC";
    const price = freight
      ? amountAfter(ctx, header, index, ["23", "8"], `/shippingLines/${lines.length}/price`)
      : undefined;
    if (price !== undefined) lines.push({ method: "freight", price, total: price });
    else
      ctx.warnings.push(
        `message ${ctx.message.reference}: header allowance/charge at segment ${segment.position} is not applied`,
      );
  });
  return lines;
}

/** Maps the item groups; problems go to `ctx`, lines with problems are left out. */
export function pricedLines(
  ctx: MappingContext,
  items: readonly ItemGroup[],
  currency: string,
  rules: PricedLineRules,
): PricedLinesResult {
  const lines: OrderLine[] = [];
  const unpriced: string[] = [];
  const numbersByLine: Record<string, Record<string, string>> = {};
  const preference = ctx.options.itemIdPreference ?? DEFAULT_ITEM_ID_PREFERENCE;
  items.forEach((group, index) => {
    const path = `/lines/${lines.length}`;
    const lineId = valueAt(group.lin, 1).trim();
    const numbers = itemNumbers(group);
    const item = preferredItem(numbers, preference);
    if (numbers.length > 1)
      numbersByLine[lineId === "" ? String(index + 1) : lineId] = Object.fromEntries(
        numbers.map((n) => [n.type === "" ? "?" : n.type, n.id]),
      );
    if (item === undefined) {
      ctx.problem(
        group.lin,
        { element: 3, component: 1 },
        "the line has no item number",
        undefined,
        "LIN-03 or PIA",
      );
      return;
    }
    const qty = qualified(group.segments, "QTY", ...rules.quantity);
    if (qty === undefined) {
      ctx.problem(
        group.lin,
        {},
        "the line has no quantity",
        undefined,
        `QTY+${rules.quantity.join(" or QTY+")}`,
      );
      return;
    }
    const quantity = ctx.decimal(qty, 1, 2, "the quantity");
    const unitCode = valueAt(qty, 1, 3);
    const uom = canonicalUnit(unitCode, ctx.options.units ?? {});
    if (uom === undefined)
      ctx.problem(
        qty,
        { element: 1, component: 3 },
        "the unit is not a UN/ECE Rec 20 code and has no mapping",
        unitCode,
        "a 1-3 character Rec 20 code, or a `units` entry in the partner's mapping options",
      );
    const pri = qualified(group.segments, "PRI", ...rules.price);
    let unitPrice = pri ? ctx.decimal(pri, 1, 2, "the price") : "0";
    const basis = pri ? ctx.decimal(pri, 1, 5, "the price basis") : undefined;
    if (unitPrice !== undefined && basis !== undefined) unitPrice = divideDecimal(unitPrice, basis);
    const moa = group.segments.find((s) => s.tag === "MOA" && valueAt(s, 1) === "203");
    const stated = moa ? ctx.decimal(moa, 1, 2, "the line amount") : undefined;
    if (quantity === undefined || uom === undefined || unitPrice === undefined) return;
    if (pri === undefined) unpriced.push(lineId === "" ? String(index + 1) : lineId);
    const discounts = lineDiscounts(ctx, group.segments, `${path}/discounts`);
    const gross = roundHalfEven(multiplyDecimals(quantity, unitPrice), places(currency));
    const total = stated ?? subtractDecimals(gross, sumDecimals(discounts.map((d) => d.amount)));
    ctx.note(path, group.lin);
    ctx.note(`${path}/sku`, item.segment, item.element, 1);
    ctx.note(`${path}/quantity`, qty, 1, 2);
    ctx.note(`${path}/uom`, qty, 1, 3);
    if (pri) ctx.note(`${path}/unitPrice`, pri, 1, 2);
    if (moa) ctx.note(`${path}/total`, moa, 1, 2);
    const taxes = lineTax(ctx, group, total, currency, path);
    const name = itemName(group);
    lines.push({
      ...(lineId === "" ? {} : { lineId }),
      sku: item.id,
      ...(name === undefined ? {} : { name }),
      quantity,
      uom,
      unitPrice,
      ...(discounts.length === 0 ? {} : { discounts }),
      ...(taxes.length === 0 ? {} : { taxes }),
      total,
    });
  });
  if (items.some((group) => group.segments.some((s) => s.tag === "ALC" && valueAt(s, 1) !== "A")))
    ctx.warnings.push(`message ${ctx.message.reference}: line charges (ALC+C) are not applied`);
  return { lines, unpriced, itemNumbers: numbersByLine };
}

/** Totals: stated MOA amounts from the summary when present (noted for provenance), else computed. */
export function documentTotals(
  ctx: MappingContext,
  summary: readonly EdifactSegment[],
  lines: readonly OrderLine[],
  shipping: readonly ShippingLine[] = [],
): Totals {
  const stated = (path: string, ...qualifiers: string[]) => {
    const moa = qualified(summary, "MOA", ...qualifiers);
    if (moa === undefined) return undefined;
    ctx.note(`/totals/${path}`, moa, 1, 2);
    return ctx.decimal(moa, 1, 2, `the ${path}`);
  };
  const subtotal = stated("subtotal", "79") ?? sumDecimals(lines.map((line) => line.total));
  const taxTotal =
    stated("taxTotal", "176") ??
    sumDecimals(lines.flatMap((line) => (line.taxes ?? []).map((tax) => tax.amount)));
  const shippingTotal = sumDecimals(shipping.map((line) => line.total));
  const discountTotal = sumDecimals(lines.flatMap((line) => (line.discounts ?? []).map((d) => d.amount)));
  const grandTotal =
    stated("grandTotal", "77", "86", "128", "9") ?? sumDecimals([subtotal, shippingTotal, taxTotal]);
  return { subtotal, discountTotal, shippingTotal, taxTotal, grandTotal };
}
