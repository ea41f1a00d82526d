/**
 * Converting one field's text to the value its target receives. Decimals stay decimal strings (never
 * floats): `000000000012.500` -> `"12.500"`, `30,00` with `decimalComma` -> `"30.00"`, `0001250` with
 * two implied decimals -> `"12.50"`, a trailing or leading sign either way. Dates become RFC 3339
 * timestamps (or calendar dates) after checking the day exists.
 *
 * Expected failures are values (`{ ok: false, found, expected }`), which the decoder turns into a
 * located `CDK_FILE_RECORD_INVALID`; nothing here throws on file content.
 */
import type { LayoutField } from "./flat-file-layout.ts";

export type FieldValue = string | number | boolean;
export type FieldRead =
  | { readonly ok: true; readonly value: FieldValue | undefined }
  | { readonly ok: false; readonly found: string; readonly expected: string };

/** A date format compiled once: the parser, or the reason the format is not usable. */
export type DateParser = (text: string) => { y: string; m: string; d: string; time: string } | undefined;

const TOKENS = /CCYY|YYYY|YY|MM|DD|HH|mm|ss/g;
/** C0 controls other than tab, CR and LF, and DEL: what binary data looks like in a text field. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 32 && code !== 9 && code !== 10 && code !== 13) || code === 127) return true;
  }
  return false;
}

/** Compiles `CCYYMMDD`, `DD-MM-YYYY`, `YYYYMMDDHHmm`...; a string is the reason it is refused. */
export function compileDateFormat(format: string): DateParser | string {
  const order: string[] = [];
  let pattern = "";
  let last = 0;
  for (const match of format.matchAll(TOKENS)) {
    pattern +=
      escapeRegex(format.slice(last, match.index)) + (match[0].length === 4 ? "([0-9]{4})" : "([0-9]{2})");
    order.push(match[0] === "CCYY" ? "YYYY" : match[0]);
    last = match.index + match[0].length;
  }
  pattern += escapeRegex(format.slice(last));
  if (!order.includes("YYYY") && !order.includes("YY")) return "has no year (CCYY, YYYY or YY)";
  if (!order.includes("MM") || !order.includes("DD")) return "needs a month (MM) and a day (DD)";
  if (new Set(order).size !== order.length) return "repeats a token";
  const regex = new RegExp(`^${pattern}$`);
  return (text) => {
    const match = regex.exec(text);
    if (!match) return undefined;
    const part = (token: string, fallback: string) => {
      const index = order.indexOf(token);
      return index < 0 ? fallback : (match[index + 1] as string);
    };
    const yy = part("YY", "");
    const y = part("YYYY", yy === "" ? "" : Number(yy) < 70 ? `20${yy}` : `19${yy}`);
    const [m, d, hh, mi, ss] = [
      part("MM", ""),
      part("DD", ""),
      part("HH", "00"),
      part("mm", "00"),
      part("ss", "00"),
    ];
    if (!realDay(Number(y), Number(m), Number(d)) || Number(hh) > 23 || Number(mi) > 59 || Number(ss) > 59)
      return undefined;
    return { y, m, d, time: `${hh}:${mi}:${ss}` };
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function realDay(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
}

function trimmed(text: string, mode: LayoutField["trim"]): string {
  if (mode === "none") return text;
  if (mode === "left") return text.replace(/^[ \t]+/, "");
  if (mode === "right") return text.replace(/[ \t]+$/, "");
  return text.replace(/^[ \t]+|[ \t]+$/g, "");
}

/** A short, printable rendering of what was found, for messages. */
export function shown(text: string): string {
  const cut = text.length > 40 ? `${text.slice(0, 40)}...` : text;
  return JSON.stringify(cut);
}

/** Normalises `[-]digits[.digits]`: no leading zeros, `-0` is `0`. */
function decimalText(sign: string, whole: string, fraction: string): string {
  const w = whole.replace(/^0+(?=[0-9])/, "") || "0";
  const body = fraction === "" ? w : `${w}.${fraction}`;
  return sign === "-" && /[1-9]/.test(body) ? `-${body}` : body;
}

/** Reads one field's text (undefined when the record has no such column or position). */
export function readFieldValue(raw: string | undefined, field: LayoutField, date?: DateParser): FieldRead {
  if (field.type === "constant") return { ok: true, value: field.value };
  const text = raw === undefined ? undefined : trimmed(raw, field.trim);
  if (text === undefined || text === "") {
    if (!field.required) return { ok: true, value: undefined };
    return {
      ok: false,
      found: raw === undefined ? "nothing (the record is too short)" : "an empty value",
      expected: "a value (the field is required)",
    };
  }
  if (hasControl(text))
    return { ok: false, found: `control or binary characters in ${shown(text)}`, expected: "printable text" };
  switch (field.type) {
    case "text": {
      if (field.map === undefined) return { ok: true, value: text };
      const mapped = Object.hasOwn(field.map, text) ? field.map[text] : undefined;
      return mapped === undefined
        ? { ok: false, found: shown(text), expected: `one of ${Object.keys(field.map).join(", ")}` }
        : { ok: true, value: mapped };
    }
    case "integer": {
      const match = /^([+-]?)([0-9]{1,18})$/.exec(text);
      if (!match) return { ok: false, found: shown(text), expected: "a whole number" };
      const value = decimalText(match[1] as string, match[2] as string, "");
      return { ok: true, value: field.as === "number" ? Number(value) : value };
    }
    case "decimal": {
      const source = field.decimalComma ? text.replace(",", ".") : text;
      const match = /^([+-]?)([0-9]{0,40})(?:\.([0-9]{0,40}))?([+-]?)$/.exec(source);
      const sign = match ? (match[1] as string) || (match[4] as string) : "";
      if (!match || (match[1] && match[4]) || `${match[2]}${match[3] ?? ""}` === "")
        return {
          ok: false,
          found: shown(text),
          expected: `a decimal number${field.decimalComma ? " with a decimal comma" : ""}`,
        };
      let whole = match[2] as string;
      let fraction = match[3] ?? "";
      const implied = field.impliedDecimals ?? 0;
      if (match[3] === undefined && implied > 0) {
        whole = whole.padStart(implied + 1, "0");
        fraction = whole.slice(whole.length - implied);
        whole = whole.slice(0, whole.length - implied);
      }
      return { ok: true, value: decimalText(sign, whole, fraction) };
    }
    case "date": {
      const parts = date?.(text);
      if (!parts)
        return { ok: false, found: shown(text), expected: `a date in the format ${field.format ?? "?"}` };
      const day = `${parts.y}-${parts.m}-${parts.d}`;
      return { ok: true, value: field.as === "date" ? day : `${day}T${parts.time}${field.utcOffset ?? "Z"}` };
    }
  }
  return { ok: false, found: shown(text), expected: "a known field type" };
}
