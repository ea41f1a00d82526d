/**
 * EDIFACT data values to the canonical model's strings: numbers (either decimal mark, as ISO 9735
 * allows), DTM dates and times by their format code, and unit codes.
 *
 * Dates carry no offset in EDIFACT; the partner's `utcOffset` (default `Z`) is applied. Format codes
 * read: 102 `CCYYMMDD`, 203 `CCYYMMDDHHMM`, 204 `CCYYMMDDHHMMSS`, 101 `YYMMDD`, 201 `YYMMDDHHMM`. A
 * 102 value with 12 digits (a time appended, seen in the wild) is read as 203 and reported as a quirk.
 */
import { formatDecimal, parseDecimal } from "../../core/model/decimal.ts";

/**
 * An EDIFACT number as a canonical decimal string ("1,5" -> "1.5", ".5" -> "0.5", "007" -> "7",
 * "-0" -> "0"); `undefined` when it is not a number. Trailing zeros are kept ("1.00").
 */
export function ediDecimal(raw: string): string | undefined {
  if (raw.length === 0 || raw.length > 40) return undefined;
  const match = /^(-?)([0-9]*)(?:[.,]([0-9]*))?$/.exec(raw);
  if (!match) return undefined;
  const [, sign, whole = "", fraction = ""] = match;
  if (whole.length === 0 && fraction.length === 0) return undefined;
  const text = `${sign}${whole.replace(/^0+(?=[0-9])/, "") || "0"}${fraction === "" ? "" : `.${fraction}`}`;
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** `a / b` rounded half-even to `places` fraction digits, trailing zeros trimmed (price per basis). */
export function divideDecimal(a: string, b: string, places = 6): string | undefined {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (!x || !y || y.units === 0n) return undefined;
  // a/b = (xu/10^xs) / (yu/10^ys); scale the numerator so the quotient has `places` + 1 digits
  const numerator = x.units * 10n ** BigInt(places + 1 + y.scale);
  const denominator = y.units * 10n ** BigInt(x.scale);
  const negative = numerator < 0n !== denominator < 0n;
  const abs = (v: bigint) => (v < 0n ? -v : v);
  const q = abs(numerator) / abs(denominator);
  let rounded = q / 10n;
  const digit = q % 10n;
  const exact = abs(numerator) % abs(denominator) === 0n;
  if (digit > 5n || (digit === 5n && (!exact || rounded % 2n === 1n))) rounded += 1n;
  const text = formatDecimal({ units: negative ? -rounded : rounded, scale: places });
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

export type DateValue =
  | { readonly ok: true; readonly date: string; readonly time?: string; readonly quirk?: string }
  | { readonly ok: false; readonly expected: string };

const FORMATS: Readonly<Record<string, { length: number; century: boolean; expected: string }>> = {
  "102": { length: 8, century: true, expected: "CCYYMMDD" },
  "203": { length: 12, century: true, expected: "CCYYMMDDHHMM" },
  "204": { length: 14, century: true, expected: "CCYYMMDDHHMMSS" },
  "101": { length: 6, century: false, expected: "YYMMDD" },
  "201": { length: 10, century: false, expected: "YYMMDDHHMM" },
};

/** Reads a DTM value by its format code (default 102). */
export function ediDate(value: string, formatCode: string): DateValue {
  let format = FORMATS[formatCode === "" ? "102" : formatCode];
  if (format === undefined)
    return { ok: false, expected: `a date format code among ${Object.keys(FORMATS).join(", ")}` };
  let quirk: string | undefined;
  if (formatCode === "102" && value.length === 12 && FORMATS["203"]) {
    format = FORMATS["203"];
    quirk = `format 102 with a time (${value}) read as 203`;
  }
  if (value.length !== format.length || !/^[0-9]+$/.test(value))
    return { ok: false, expected: format.expected };
  const full = format.century ? value : `${Number(value.slice(0, 2)) < 70 ? "20" : "19"}${value}`;
  const date = `${full.slice(0, 4)}-${full.slice(4, 6)}-${full.slice(6, 8)}`;
  const check = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(check.getTime()) || check.toISOString().slice(0, 10) !== date)
    return { ok: false, expected: `a calendar date as ${format.expected}` };
  if (full.length === 8) return { ok: true, date, ...(quirk ? { quirk } : {}) };
  const hh = full.slice(8, 10);
  const mm = full.slice(10, 12);
  const ss = full.length >= 14 ? full.slice(12, 14) : "00";
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59)
    return { ok: false, expected: `a time of day in ${format.expected}` };
  return { ok: true, date, time: `${hh}:${mm}:${ss}`, ...(quirk ? { quirk } : {}) };
}

/** An RFC 3339 timestamp from a date and optional time at the partner's offset. */
export function toTimestamp(date: string, time: string | undefined, utcOffset: string): string {
  return `${date}T${time ?? "00:00:00"}${utcOffset}`;
}

/** EANCOM and other common unit codes that are not UN/ECE Rec 20, to their Rec 20 code. */
export const DEFAULT_UNIT_CODES: Readonly<Record<string, string>> = Object.freeze({
  PCE: "H87",
  PCS: "H87",
  EA: "EA",
  PR: "PR",
});

/** A unit code to a canonical one; `undefined` when it is neither mapped nor Rec 20-shaped. */
export function canonicalUnit(code: string, units: Readonly<Record<string, string>>): string | undefined {
  if (code === "") return "C62";
  const mapped = units[code] ?? DEFAULT_UNIT_CODES[code];
  if (mapped !== undefined) return mapped;
  return /^[A-Z0-9]{1,3}$/.test(code) ? code : undefined;
}
