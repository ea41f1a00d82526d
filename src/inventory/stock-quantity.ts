/**
 * Quantities inside the availability engine: decimal strings of the canonical model turned into
 * scaled BigInt units (value = units / 10^6), so sums stay exact and the hot path never parses text or
 * touches a float.
 *
 * Six fraction digits cover every unit-of-measure precision Odoo and EDI use. A reading with more
 * digits is rounded in the direction that can only lower availability: what adds to the pool
 * (on hand, available) rounds down, what takes from it (reserved, soft reservations, safety stock)
 * rounds up. Published numbers are whole units, always rounded down and never negative.
 */
import { formatDecimal, parseDecimal } from "../core/model/decimal.ts";

/** Fraction digits of engine units. */
export const QTY_SCALE = 6;
/** One whole unit in engine units. */
export const ONE = 10n ** BigInt(QTY_SCALE);

/** Which way a value with more than `QTY_SCALE` digits is rounded: the side that lowers availability. */
export type Rounding = "supply" | "demand";

/**
 * Engine units of a decimal string, or `undefined` when it is not one. `supply` rounds toward minus
 * infinity, `demand` toward plus infinity.
 */
export function toUnits(text: string, rounding: Rounding): bigint | undefined {
  const parsed = parseDecimal(text);
  if (!parsed) return undefined;
  if (parsed.scale <= QTY_SCALE) return parsed.units * 10n ** BigInt(QTY_SCALE - parsed.scale);
  const divisor = 10n ** BigInt(parsed.scale - QTY_SCALE);
  return rounding === "supply" ? floorDiv(parsed.units, divisor) : -floorDiv(-parsed.units, divisor);
}

/** Engine units of a whole number of units. */
export function wholeUnits(value: number): bigint {
  return BigInt(Math.trunc(value)) * ONE;
}

/** A decimal string for display and storage, without trailing zeros ("12.5", "3", "-0.25"). */
export function unitsToText(units: bigint): string {
  const text = formatDecimal({ units, scale: QTY_SCALE });
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/** `floor(a / b)` for a positive divisor, correct for negative `a` (BigInt `/` truncates). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** The whole units to publish: rounded down, never negative. */
export function publishable(units: bigint): number {
  return units <= 0n ? 0 : Number(units / ONE);
}

/** The smaller of two unit values. */
export function minUnits(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
