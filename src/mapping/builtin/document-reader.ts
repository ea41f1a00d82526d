/**
 * Typed, located reading of a decoded JSON document for built-in mappers. Each reader returns the
 * value or throws a `DocumentFault` naming the JSON pointer into the input and what was expected;
 * the mapper catches it once and returns `CDK_MAPPING_FAILED`. Throwing inside a mapper keeps the
 * mapping code a straight line; the fault never leaves the mapper.
 *
 * Reads only own properties, so `__proto__` or `constructor` keys in hostile input are data, never
 * inherited members.
 */
import { CrossdockError } from "../../core/errors.ts";
import { isDecimal, trimDecimal } from "../../core/model/decimal.ts";
import { pointerToken } from "../json-value.ts";
import type { MapOutcome, MappedValue } from "../mapping.ts";

export class DocumentFault extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path || "/"}: ${message}`);
    this.name = "DocumentFault";
    this.path = path;
  }
}

export type Obj = { readonly [key: string]: unknown };

export const at = (path: string, key: string | number): string => `${path}/${pointerToken(key)}`;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value).slice(0, 40)}`;
}

/** The member, or undefined when absent or null (Shopify writes null for "not set"). */
export function member(obj: Obj, key: string): unknown {
  return Object.hasOwn(obj, key) && obj[key] !== null ? obj[key] : undefined;
}

export function asObject(value: unknown, path: string): Obj {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new DocumentFault(path, `expected an object, found ${describe(value)}`);
  }
  return value as Obj;
}

export function optionalObject(obj: Obj, key: string, path: string): Obj | undefined {
  const value = member(obj, key);
  return value === undefined ? undefined : asObject(value, at(path, key));
}

/** An array member; absent or null is empty. Longer than `max` is a fault (hostile input). */
export function arrayOf(obj: Obj, key: string, path: string, max: number): readonly unknown[] {
  const value = member(obj, key);
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw new DocumentFault(at(path, key), `expected an array, found ${describe(value)}`);
  if (value.length > max)
    throw new DocumentFault(at(path, key), `${value.length} items exceed the limit of ${max}`);
  return value;
}

/** A non-empty trimmed string, at most `max` characters; empty strings read as absent. */
export function optionalText(obj: Obj, key: string, path: string, max = 2_000): string | undefined {
  const value = member(obj, key);
  if (value === undefined) return undefined;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string")
    throw new DocumentFault(at(path, key), `expected a string, found ${describe(value)}`);
  const text = value.trim();
  if (text.length > max) throw new DocumentFault(at(path, key), `${text.length} characters exceed ${max}`);
  return text === "" ? undefined : text;
}

export function requiredText(obj: Obj, key: string, path: string, max = 2_000): string {
  const text = optionalText(obj, key, path, max);
  if (text === undefined) throw new DocumentFault(at(path, key), "is missing or empty");
  return text;
}

/**
 * An id as a string. JSON numbers are accepted only while exact: an id above 2^53 that reached us as a
 * number has already lost digits (decode with `decodeJsonDocument`, which keeps them as text).
 */
export function optionalId(obj: Obj, key: string, path: string): string | undefined {
  const value = member(obj, key);
  if (value === undefined) return undefined;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new DocumentFault(at(path, key), `id ${value} is not exact (above 2^53 or not an integer)`);
    }
    return String(value);
  }
  if (typeof value === "string" && /^[0-9A-Za-z_:./-]{1,255}$/.test(value)) return value;
  throw new DocumentFault(
    at(path, key),
    `expected an id (digits or a short token), found ${describe(value)}`,
  );
}

export function requiredId(obj: Obj, key: string, path: string): string {
  const id = optionalId(obj, key, path);
  if (id === undefined) throw new DocumentFault(at(path, key), "is missing");
  return id;
}

/** A number or a decimal string as a canonical decimal string ("19.9" stays "19.9", 199 is "199"). */
export function decimalFrom(value: unknown, path: string): string {
  let text: string | undefined;
  if (typeof value === "number" && Number.isFinite(value)) {
    text = Math.abs(value) < 1e21 && !String(value).includes("e") ? String(value) : undefined;
    if (text === undefined && Math.abs(value) < 1e-6) text = value.toFixed(20);
  } else if (typeof value === "string") {
    text = value.trim();
  }
  if (text !== undefined && isDecimal(text) && text.length <= 40) return trimDecimal(text);
  throw new DocumentFault(
    path,
    `expected a decimal amount (a string like "19.90" or a number), found ${describe(value)}`,
  );
}

export function optionalDecimal(obj: Obj, key: string, path: string): string | undefined {
  const value = member(obj, key);
  return value === undefined || value === "" ? undefined : decimalFrom(value, at(path, key));
}

/**
 * Runs a built-in mapper: its values, or `CDK_MAPPING_FAILED` naming the mapping (`shopify-order@1`)
 * and, for a `DocumentFault`, the JSON pointer of the input that failed. A `RangeError` (a decimal out
 * of range) fails the same way; anything else is a bug and propagates.
 */
export function runBuiltinMapper(mapping: string, map: () => MappedValue[]): MapOutcome {
  try {
    return { ok: true, values: map() };
  } catch (cause) {
    if (!(cause instanceof DocumentFault) && !(cause instanceof RangeError)) throw cause;
    return {
      ok: false,
      error: new CrossdockError("CDK_MAPPING_FAILED", `mapping ${mapping}: input ${cause.message}`, {
        cause,
        details: { mapping, ...(cause instanceof DocumentFault ? { path: cause.path } : {}) },
      }),
    };
  }
}
