/**
 * Consistency of priced documents (orders, invoices, purchase orders) beyond their shape: every line
 * has a positive quantity, line totals are quantity x unit price - discounts, tax amounts match their
 * rates, and the document totals add up, each within rounding.
 *
 * "Within rounding" means within `tolerance` (default: one minor unit of the document's currency,
 * e.g. 0.01 EUR, 1 JPY, 0.001 KWD). The tax total alone gets `tolerance` times the number of tax
 * amounts: channels round tax per line or once per document, and the two differ by up to one unit
 * per line. The other totals are sums of the document's own rounded values, so one unit is enough.
 *
 * Tax amounts are checked against the line's base as non-compound taxes: `base x rate / 100` when
 * prices exclude tax, `base x rate / (100 + sum of the line's rates)` when they include it. A channel
 * with compound taxes (Quebec's QST on GST) sets `checkTaxRates: false`.
 *
 * These functions expect a document that passed `validateModel`; they return problems, never throw.
 */
import {
  absDecimal,
  addDecimals,
  compareDecimals,
  multiplyDecimals,
  subtractDecimals,
  sumDecimals,
} from "./decimal.ts";
import type { ModelProblem } from "./model-problem.ts";
import type { Discount, ShippingLine, Tax, Totals } from "./priced-lines.ts";

export interface CheckOptions {
  /** Largest accepted rounding difference, a decimal string; default: one minor unit of the currency. */
  readonly tolerance?: string;
  /** Check tax amounts against their rates (default true); off for compound taxes. */
  readonly checkTaxRates?: boolean;
}

let knownCurrencies: ReadonlySet<string> | undefined;

/** True when ICU knows `code` as an ISO 4217 currency (the schema only checks three capitals). */
export function isKnownCurrency(code: string): boolean {
  knownCurrencies ??= new Set(Intl.supportedValuesOf("currency"));
  return knownCurrencies.has(code);
}

/** One minor unit of a currency as a decimal string ("0.01" for EUR, "1" for JPY, "0.001" for KWD). */
export function minorUnit(currency: string): string {
  let digits = 2;
  if (isKnownCurrency(currency)) {
    digits =
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ??
      2;
  }
  return digits === 0 ? "1" : `0.${"1".padStart(digits, "0")}`;
}

/** A problem unless `code` is a known ISO 4217 currency. */
export function checkCurrency(code: string, path: string): ModelProblem[] {
  return isKnownCurrency(code)
    ? []
    : [{ path, message: `"${code}" is not an ISO 4217 currency code`, rule: "currency-known" }];
}

/** `|actual - expected| <= tolerance` */
export function within(actual: string, expected: string, tolerance: string): boolean {
  return compareDecimals(absDecimal(subtractDecimals(actual, expected)), tolerance) <= 0;
}

/** A problem unless `value` > 0. */
export function checkPositive(value: string, path: string, what: string): ModelProblem[] {
  return compareDecimals(value, "0") > 0
    ? []
    : [{ path, message: `${what} must be positive, got ${value}`, rule: "positive" }];
}

function mismatch(
  path: string,
  rule: string,
  field: string,
  actual: string,
  expected: string,
  how: string,
  tolerance: string,
): ModelProblem {
  return {
    path,
    message: `${field} is ${actual} but ${how} is ${expected} (tolerance ${tolerance})`,
    rule,
  };
}

/** The document fields the check reads; orders, invoices and purchase orders all have them. */
export interface PricedDocument {
  readonly currency: string;
  readonly pricesIncludeTax: boolean;
  readonly lines: readonly {
    readonly quantity: string;
    readonly unitPrice: string;
    readonly discounts?: readonly Discount[] | undefined;
    readonly taxes?: readonly Tax[] | undefined;
    readonly total: string;
  }[];
  readonly shippingLines?: readonly ShippingLine[] | undefined;
  readonly totals: Totals;
}

/** Checks the lines, shipping lines and totals of a priced document; see the module comment. */
export function checkPricedDocument(document: PricedDocument, options: CheckOptions = {}): ModelProblem[] {
  const problems = checkCurrency(document.currency, "/currency");
  const tolerance = options.tolerance ?? minorUnit(document.currency);
  const checkRates = options.checkTaxRates ?? true;
  const discounts: string[] = [];
  const taxes: string[] = [];

  const checkCharges = (
    path: string,
    base: string,
    lineDiscounts: readonly Discount[],
    lineTaxes: readonly Tax[],
  ) => {
    lineDiscounts.forEach((discount, index) => {
      discounts.push(discount.amount);
      if (compareDecimals(discount.amount, "0") < 0) {
        problems.push({
          path: `${path}/discounts/${index}/amount`,
          message: `must not be negative, got ${discount.amount}`,
          rule: "discount-sign",
        });
      }
    });
    const divisor = document.pricesIncludeTax
      ? sumDecimals(["100", ...lineTaxes.map((tax) => tax.rate)])
      : "100";
    lineTaxes.forEach((tax, index) => {
      taxes.push(tax.amount);
      if (!checkRates) return;
      // amount x divisor vs base x rate: the same comparison as amount vs base x rate / divisor, without division
      const scaledAmount = multiplyDecimals(tax.amount, divisor);
      const scaledExpected = multiplyDecimals(base, tax.rate);
      if (!within(scaledAmount, scaledExpected, multiplyDecimals(tolerance, divisor))) {
        const basis = document.pricesIncludeTax
          ? `total x ${tax.rate} / ${divisor}`
          : `total x ${tax.rate} %`;
        problems.push({
          path: `${path}/taxes/${index}/amount`,
          message: `tax amount ${tax.amount} does not match ${basis} = ${base} x ${tax.rate} / ${divisor} (tolerance ${tolerance})`,
          rule: "tax-amount",
        });
      }
    });
  };

  document.lines.forEach((line, index) => {
    const path = `/lines/${index}`;
    problems.push(...checkPositive(line.quantity, `${path}/quantity`, "quantity"));
    const lineDiscounts = line.discounts ?? [];
    const expected = subtractDecimals(
      multiplyDecimals(line.quantity, line.unitPrice),
      sumDecimals(lineDiscounts.map((discount) => discount.amount)),
    );
    if (!within(line.total, expected, tolerance)) {
      problems.push(
        mismatch(
          `${path}/total`,
          "line-total",
          "total",
          line.total,
          expected,
          "quantity x unitPrice - discounts",
          tolerance,
        ),
      );
    }
    checkCharges(path, line.total, lineDiscounts, line.taxes ?? []);
  });

  const shippingLines = document.shippingLines ?? [];
  shippingLines.forEach((line, index) => {
    const path = `/shippingLines/${index}`;
    const lineDiscounts = line.discounts ?? [];
    const expected = subtractDecimals(
      line.price,
      sumDecimals(lineDiscounts.map((discount) => discount.amount)),
    );
    if (!within(line.total, expected, tolerance)) {
      problems.push(
        mismatch(
          `${path}/total`,
          "shipping-total",
          "total",
          line.total,
          expected,
          "price - discounts",
          tolerance,
        ),
      );
    }
    checkCharges(path, line.total, lineDiscounts, line.taxes ?? []);
  });

  const totals = document.totals;
  const sums: [keyof Totals, string[], string][] = [
    ["subtotal", document.lines.map((line) => line.total), "the sum of line totals"],
    ["shippingTotal", shippingLines.map((line) => line.total), "the sum of shipping line totals"],
    ["discountTotal", discounts, "the sum of all discounts"],
    ["taxTotal", taxes, "the sum of all taxes"],
  ];
  for (const [field, terms, how] of sums) {
    const expected = sumDecimals(terms);
    const allowed =
      field === "taxTotal" ? multiplyDecimals(tolerance, String(Math.max(1, terms.length))) : tolerance;
    if (!within(totals[field], expected, allowed)) {
      problems.push(mismatch(`/totals/${field}`, "totals-sum", field, totals[field], expected, how, allowed));
    }
  }
  const grand = addDecimals(
    addDecimals(totals.subtotal, totals.shippingTotal),
    document.pricesIncludeTax ? "0" : totals.taxTotal,
  );
  if (!within(totals.grandTotal, grand, tolerance)) {
    const how = document.pricesIncludeTax
      ? "subtotal + shippingTotal"
      : "subtotal + shippingTotal + taxTotal";
    problems.push(
      mismatch("/totals/grandTotal", "grand-total", "grandTotal", totals.grandTotal, grand, how, tolerance),
    );
  }
  return problems;
}
