/**
 * What an 810 says about money beyond its lines' prices, read for the 810 mapper: allowances and
 * charges (SAC: SAC05 with 2 implied decimals, else the SAC07 percent of its base), taxes (TXI, and tax
 * charges `D360`/`H850` as SAC), a stated tax spread over the lines it applies to (the shares adding up
 * exactly, the rate stated or the effective one), and the discount or tax added to a line. Every
 * refusal is a located `CDK_EDI_CONTENT` problem.
 */
import {
  allocateDecimal,
  compareDecimals,
  divideDecimals,
  multiplyDecimals,
  subtractDecimals,
  sumDecimals,
} from "../../core/model/decimal.ts";
import type { Invoice } from "../../core/model/invoice.ts";
import { within } from "../../core/model/priced-document-checks.ts";
import type { Discount, Tax } from "../../core/model/priced-lines.ts";
import type { X12Origins } from "./x12-record-check.ts";
import { el, elementProblem, type X12Problem, type X12Segment } from "./x12-segment.ts";
import { x12Decimal, x12ImpliedDecimal } from "./x12-values.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type InvoiceLine = Mutable<Invoice["lines"][number]>;

const TAX_CHARGES = new Set(["D360", "H850"]);
/** Names of the SAC02 codes the hub knows, for shipping lines and taxes. */
export const CHARGE_NAMES: Readonly<Record<string, string>> = {
  D240: "Freight",
  D500: "Handling",
  G830: "Shipping and handling",
  D360: "Goods and services tax",
  H850: "Tax",
};

/** A tax as the 810 states it: a TXI (amount TXI02, rate TXI03) or a tax charge SAC (SAC05, SAC07). */
export interface StatedTax {
  readonly segment: X12Segment;
  readonly code: string;
  readonly amount: string | undefined;
  readonly rate: string | undefined;
}

export const fail = (file: string, segment: X12Segment, position: number, text: string) =>
  elementProblem("CDK_EDI_CONTENT", file, segment, position, text);

/** A number element: undefined when empty, a problem when it does not read or is negative. */
export function amountAt(
  file: string,
  segment: X12Segment,
  position: number,
  implied: boolean,
  what: string,
): string | undefined | X12Problem {
  const raw = el(segment, position).trim();
  if (raw === "") return undefined;
  const value = implied ? x12ImpliedDecimal(raw, 2) : x12Decimal(raw);
  if (value === undefined || value.startsWith("-")) {
    const tag = `${segment.tag}${String(position).padStart(2, "0")}`;
    const kind = implied ? "an amount with 2 implied decimals (N2), 0 or more" : "a number, 0 or more";
    return fail(file, segment, position, `${tag} (${what}) is "${raw}"; expected ${kind}`);
  }
  return value;
}

/** A SAC's amount: SAC05 (an allowance may come negative), else the SAC07 percent of `base`. */
export function sacAmount(
  file: string,
  sac: X12Segment,
  base: () => string,
  places: number,
): { amount: string; percent: string | undefined } | X12Problem {
  const raw = el(sac, 5).trim();
  const unsigned = el(sac, 1).trim() === "A" && raw.startsWith("-") ? raw.slice(1) : raw;
  const amount = unsigned === "" ? undefined : x12ImpliedDecimal(unsigned, 2);
  if (unsigned !== "" && (amount === undefined || amount.startsWith("-")))
    return fail(
      file,
      sac,
      5,
      `SAC05 (amount) is "${raw}"; expected an amount with 2 implied decimals (N2), 0 or more`,
    );
  const percent = amountAt(file, sac, 7, false, "percent");
  if (typeof percent === "object") return percent;
  if (amount !== undefined) return { amount, percent };
  if (percent !== undefined)
    return { amount: divideDecimals(multiplyDecimals(base(), percent), "100", places), percent };
  return fail(file, sac, 5, "SAC05 (amount) and SAC07 (percent) are empty; expected the amount");
}

/** A SAC read: a tax charge, a charge or an allowance with its amount; undefined for SAC01 `N`. */
export function readSac(
  file: string,
  sac: X12Segment,
  base: () => string,
  places: number,
):
  | { tax: StatedTax }
  | { kind: "A" | "C"; amount: string; percent: string | undefined }
  | X12Problem
  | undefined {
  const kind = el(sac, 1).trim();
  if (kind === "N") return undefined;
  if (kind !== "A" && kind !== "C")
    return fail(file, sac, 1, `SAC01 is "${kind}"; expected A (allowance), C (charge) or N (information)`);
  if (kind === "C" && TAX_CHARGES.has(el(sac, 2).trim())) {
    const tax = statedTax(file, sac);
    return "message" in tax ? tax : { tax };
  }
  const found = sacAmount(file, sac, base, places);
  return "message" in found ? found : { kind, ...found };
}

export function statedTax(file: string, segment: X12Segment): StatedTax | X12Problem {
  const sac = segment.tag === "SAC";
  const amount = amountAt(file, segment, sac ? 5 : 2, sac, "tax amount");
  if (typeof amount === "object") return amount;
  const rate = amountAt(file, segment, sac ? 7 : 3, false, "tax percent");
  if (typeof rate === "object") return rate;
  return { segment, code: el(segment, sac ? 2 : 1).trim(), amount, rate };
}

/**
 * A tax spread over `bases` (one base for a line's own tax): the shares and the rate. Undefined when
 * the tax is zero.
 */
export function spreadTax(
  file: string,
  tax: StatedTax,
  bases: readonly string[],
  places: number,
  tolerance: string,
): { shares: string[]; rate: string } | undefined | X12Problem {
  const at = tax.segment.tag === "SAC" ? 5 : 2;
  const total = sumDecimals(bases);
  if (tax.amount === undefined && tax.rate === undefined)
    return fail(file, tax.segment, at, "the tax has no amount and no percent; expected one of them");
  if (tax.amount === undefined) {
    if (compareDecimals(tax.rate!, "0") === 0) return undefined;
    const rate = tax.rate!;
    return { shares: bases.map((b) => divideDecimals(multiplyDecimals(b, rate), "100", places)), rate };
  }
  if (compareDecimals(tax.amount, "0") === 0) return undefined;
  if (compareDecimals(total, "0") <= 0)
    return fail(file, tax.segment, at, `a tax of ${tax.amount} on lines that total 0; expected a base`);
  const shares = allocateDecimal(tax.amount, bases, places);
  const fits = (rate: string) =>
    shares.every((share, i) =>
      within(
        multiplyDecimals(share, "100"),
        multiplyDecimals(bases[i]!, rate),
        multiplyDecimals(tolerance, "100"),
      ),
    );
  if (tax.rate !== undefined && fits(tax.rate)) return { shares, rate: tax.rate };
  const rate = x12Decimal(divideDecimals(multiplyDecimals(tax.amount, "100"), total, 6));
  if (rate === undefined || compareDecimals(rate, "1000") >= 0)
    return fail(
      file,
      tax.segment,
      at,
      `a tax of ${tax.amount} on a base of ${total}; expected a smaller tax`,
    );
  return { shares, rate };
}

export function addDiscount(
  file: string,
  line: InvoiceLine,
  path: string,
  sac: X12Segment,
  amount: string,
  percent: string | undefined,
  origins: X12Origins,
): X12Problem | undefined {
  const total = subtractDecimals(line.total, amount);
  if (compareDecimals(total, "0") < 0)
    return fail(
      file,
      sac,
      5,
      `an allowance of ${amount} on a line of ${line.total}; expected at most the line's total`,
    );
  const discounts: Discount[] = [...(line.discounts ?? [])];
  line.discounts = discounts;
  origins.set(`${path}/discounts/${discounts.length}`, sac, 5);
  // SAC13 (a reference, e.g. the promotion code) names the discount better than the SAC02 code.
  const code = el(sac, 13).trim() || el(sac, 2).trim();
  const description = el(sac, 15).trim();
  discounts.push({
    amount,
    ...(percent !== undefined && compareDecimals(percent, "1000") < 0 ? { rate: percent } : {}),
    ...(code ? { code: code.slice(0, 128) } : {}),
    ...(description ? { description: description.slice(0, 256) } : {}),
  });
  line.total = total;
  return undefined;
}

export function addTax(
  target: { taxes?: readonly Tax[] },
  path: string,
  tax: StatedTax,
  amount: string,
  rate: string,
  origins: X12Origins,
): void {
  const taxes: Tax[] = [...(target.taxes ?? [])];
  target.taxes = taxes;
  origins.set(`${path}/taxes/${taxes.length}`, tax.segment, tax.segment.tag === "SAC" ? 5 : 2);
  const name = tax.segment.tag === "SAC" ? CHARGE_NAMES[tax.code] : undefined;
  taxes.push({
    ...(name ? { name } : {}),
    ...(tax.code ? { code: tax.code.slice(0, 64) } : {}),
    rate,
    amount,
  });
}
