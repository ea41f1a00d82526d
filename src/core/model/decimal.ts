/**
 * Exact arithmetic on the decimal strings of the canonical model ("19.90", "-3", "0.125").
 *
 * Money and quantities travel as strings because a binary float cannot hold 0.1 exactly and a JSON
 * number above 2^53 silently loses digits. These helpers work on scaled BigInt integers
 * (value = units / 10^scale), so sums and products are exact; rounding happens only where the caller
 * asks for it, half-even ("banker's rounding", what Odoo and most tax rules use for ties), which keeps
 * a long sum of rounded values unbiased.
 *
 * Accepted input: an optional `-`, 1-40 digits, optionally `.` and 1-40 digits. No `+`, no exponent,
 * no spaces, no thousands separators: the model's schemas already refuse those, and a helper that
 * guessed would hide a mapping bug. Leading zeros are tolerated here (the schemas refuse them).
 * Invalid input is a programming error (validate first) and throws a `RangeError`; use
 * `parseDecimal` to test a string without throwing.
 *
 * Results keep every digit: `addDecimals` returns the larger scale of its operands, `multiplyDecimals`
 * the sum of their scales ("19.99" x "3" = "59.97", "0.5" x "0.5" = "0.25"); `-0` is written `0`.
 */

/** A decimal as a scaled integer: its value is `units / 10^scale`. */
export interface ScaledDecimal {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL_TEXT = /^(-?)([0-9]{1,40})(?:\.([0-9]{1,40}))?$/;
/** The largest number of fraction digits `roundHalfEven` accepts. */
export const MAX_DECIMAL_PLACES = 40;

/** Parses a decimal string; `undefined` when it is not one (never throws). */
export function parseDecimal(text: unknown): ScaledDecimal | undefined {
  if (typeof text !== "string" || text.length > 83) return undefined;
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = ""] = match;
  const magnitude = BigInt(`${whole}${fraction}`);
  return { units: sign === "-" ? -magnitude : magnitude, scale: fraction.length };
}

/** True when `text` is a decimal string these helpers accept. */
export function isDecimal(text: unknown): text is string {
  return parseDecimal(text) !== undefined;
}

/** Writes a scaled decimal with exactly `scale` fraction digits. */
export function formatDecimal(value: ScaledDecimal): string {
  const negative = value.units < 0n;
  const digits = (negative ? -value.units : value.units).toString().padStart(value.scale + 1, "0");
  const whole = digits.slice(0, digits.length - value.scale);
  const fraction = digits.slice(digits.length - value.scale);
  const body = value.scale === 0 ? whole : `${whole}.${fraction}`;
  return negative ? `-${body}` : body;
}

function parseOrThrow(text: string, role: string): ScaledDecimal {
  const parsed = parseDecimal(text);
  if (!parsed) {
    const shown = typeof text === "string" ? JSON.stringify(String(text).slice(0, 40)) : typeof text;
    throw new RangeError(`${role} is not a decimal string: ${shown}`);
  }
  return parsed;
}

function rescale(value: ScaledDecimal, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

/** `a + b`, exact, at the larger scale of the two. */
export function addDecimals(a: string, b: string): string {
  const x = parseOrThrow(a, "left operand");
  const y = parseOrThrow(b, "right operand");
  const scale = Math.max(x.scale, y.scale);
  return formatDecimal({ units: rescale(x, scale) + rescale(y, scale), scale });
}

/** `a - b`, exact, at the larger scale of the two. */
export function subtractDecimals(a: string, b: string): string {
  const x = parseOrThrow(a, "left operand");
  const y = parseOrThrow(b, "right operand");
  const scale = Math.max(x.scale, y.scale);
  return formatDecimal({ units: rescale(x, scale) - rescale(y, scale), scale });
}

/** The exact sum of a list; `"0"` for an empty one. */
export function sumDecimals(values: Iterable<string>): string {
  let total = "0";
  for (const value of values) total = addDecimals(total, value);
  return total;
}

/** `a x b`, exact (price times quantity); the scale is the sum of the operands' scales. */
export function multiplyDecimals(a: string, b: string): string {
  const x = parseOrThrow(a, "left operand");
  const y = parseOrThrow(b, "right operand");
  return formatDecimal({ units: x.units * y.units, scale: x.scale + y.scale });
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b` ("1.50" equals "1.5"). */
export function compareDecimals(a: string, b: string): -1 | 0 | 1 {
  const x = parseOrThrow(a, "left operand");
  const y = parseOrThrow(b, "right operand");
  const scale = Math.max(x.scale, y.scale);
  const difference = rescale(x, scale) - rescale(y, scale);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

/** `|a|`, same scale. */
export function absDecimal(a: string): string {
  const x = parseOrThrow(a, "operand");
  return formatDecimal({ units: x.units < 0n ? -x.units : x.units, scale: x.scale });
}

/**
 * Rounds to `places` fraction digits, ties to the even neighbour ("0.125" -> "0.12", "0.135" ->
 * "0.14", "-2.5" at 0 places -> "-2"). The result always has exactly `places` fraction digits, so
 * `roundHalfEven("3", 2)` is `"3.00"`.
 */
export function roundHalfEven(a: string, places: number): string {
  if (!Number.isInteger(places) || places < 0 || places > MAX_DECIMAL_PLACES) {
    throw new RangeError(`places must be an integer from 0 to ${MAX_DECIMAL_PLACES}, got ${places}`);
  }
  const x = parseOrThrow(a, "operand");
  if (x.scale <= places) return formatDecimal({ units: rescale(x, places), scale: places });
  const divisor = 10n ** BigInt(x.scale - places);
  const negative = x.units < 0n;
  const magnitude = negative ? -x.units : x.units;
  let quotient = magnitude / divisor;
  const twiceRemainder = (magnitude % divisor) * 2n;
  if (twiceRemainder > divisor || (twiceRemainder === divisor && quotient % 2n === 1n)) quotient += 1n;
  return formatDecimal({ units: negative ? -quotient : quotient, scale: places });
}

/** `a / b` rounded half-even to `places` decimals; a `b` of zero is a `RangeError`. */
export function divideDecimals(a: string, b: string, places: number): string {
  const x = parseOrThrow(a, "dividend");
  const y = parseOrThrow(b, "divisor");
  if (y.units === 0n) throw new RangeError("division by zero");
  // Two digits beyond `places`, truncated, then rounded half-even.
  const extra = places + 2;
  const units = (x.units * 10n ** BigInt(y.scale + extra)) / (y.units * 10n ** BigInt(x.scale));
  return roundHalfEven(formatDecimal({ units, scale: extra }), places);
}

/** Drops leading zeros, and trailing fraction zeros beyond `minPlaces`; `-0` is `0`. */
export function trimDecimal(text: string, minPlaces = 0): string {
  const negative = text.startsWith("-");
  const [whole = "0", fraction = ""] = text.replace(/^-/, "").split(".");
  let digits = fraction;
  while (digits.length > minPlaces && digits.endsWith("0")) digits = digits.slice(0, -1);
  const head = whole.replace(/^0+(?=\d)/, "");
  const body = digits === "" ? head : `${head}.${digits}`;
  return negative && /[1-9]/.test(body) ? `-${body}` : body;
}

/**
 * Splits `amount` over `bases` in proportion to them, to `places` decimals, the shares adding up to
 * `amount` (rounded to `places`) exactly: the units left over go to the largest remainders, the first
 * base first on a tie. `bases` 0 or more, not all 0.
 */
export function allocateDecimal(amount: string, bases: readonly string[], places: number): string[] {
  const parsed = bases.map((b) => parseOrThrow(b, "base"));
  const scale = Math.max(0, ...parsed.map((p) => p.scale));
  const units = parsed.map((p) => p.units * 10n ** BigInt(scale - p.scale));
  const total = units.reduce((sum, u) => sum + u, 0n);
  if (total <= 0n) throw new RangeError("the bases add up to 0; nothing to split by");
  const a = parseOrThrow(roundHalfEven(amount, places), "amount").units;
  const shares = units.map((u) => (a * u) / total);
  const order = units
    .map((u, i) => ({ i, rest: (a * u) % total }))
    .sort((p, q) => (p.rest === q.rest ? p.i - q.i : p.rest > q.rest ? -1 : 1));
  let left = a - shares.reduce((sum, u) => sum + u, 0n);
  for (let k = 0; left > 0n; k++, left--) shares[order[k % order.length]!.i]! += 1n;
  return shares.map((share) => formatDecimal({ units: share, scale: places }));
}
