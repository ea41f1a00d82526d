/**
 * Validation problems as values: where (an RFC 6901 JSON pointer into the document, `""` for the
 * whole document), what is wrong in words a person can act on, and which rule said so. Shape checks,
 * input limits and consistency checks all report this one type, so a caller shows, stores or turns
 * them into an exception record the same way.
 */
import type { ErrorObject } from "ajv/dist/2020.js";

export interface ModelProblem {
  /** RFC 6901 JSON pointer, e.g. `/lines/0/quantity` (`~1` is `/`, `~0` is `~` inside a key). */
  readonly path: string;
  readonly message: string;
  /** The JSON Schema keyword (`pattern`, `required`, ...), `limit-*` or the consistency rule's name. */
  readonly rule: string;
}

/** The outcome of validating or checking a document: the typed value, or every problem found. */
export type ModelResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly ModelProblem[] };

/** At most this many problems are reported for one document; the last one says how many were left out. */
export const MAX_PROBLEMS = 100;

/** Escapes one key for a JSON pointer. */
export function pointerToken(key: string | number): string {
  return String(key).replaceAll("~", "~0").replaceAll("/", "~1");
}

/** A value shown inside a message: short, one line, never the whole 10 MB string. */
export function preview(value: unknown): string {
  if (typeof value === "string") {
    const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
    return value.length > 40 ? `${shown} (${value.length} characters)` : shown;
  }
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : typeof value;
}

function described(error: ErrorObject): string | undefined {
  const schema = error.parentSchema as { description?: unknown } | undefined;
  return typeof schema?.description === "string" ? schema.description : undefined;
}

/** Turns one Ajv error (compiled with `verbose: true`) into a problem; `undefined` for an echo to drop. */
export function problemFromAjv(error: ErrorObject): ModelProblem | undefined {
  const params = error.params as Record<string, unknown>;
  const path = error.instancePath;
  const what = described(error);
  const at = (key: unknown) => `${path}/${pointerToken(String(key))}`;
  switch (error.keyword) {
    case "required":
      return { path: at(params.missingProperty), message: "is required", rule: "required" };
    case "additionalProperties":
      return {
        path: at(params.additionalProperty),
        message: "is not a field here (channel-specific extras belong in `extensions`)",
        rule: "additionalProperties",
      };
    case "propertyNames":
      return {
        path: at(params.propertyName),
        message: "is not an allowed key: use a connection name (lowercase letters, digits, - and _)",
        rule: "propertyNames",
      };
    case "type":
      return {
        path,
        message: `must be ${what ?? String(params.type)}, got ${preview(error.data)}`,
        rule: "type",
      };
    case "pattern":
    case "format":
      // a key refused by `propertyNames` also fails its inner `pattern`: reported once, above
      if (params.propertyName !== undefined) return undefined;
      return {
        path,
        message: `must be ${what ?? `a valid ${error.keyword}`}, got ${preview(error.data)}`,
        rule: error.keyword,
      };
    case "maxLength":
      return {
        path,
        message: `must be at most ${params.limit} characters, got ${(error.data as string).length}`,
        rule: "maxLength",
      };
    case "minLength":
      return { path, message: "must not be empty", rule: "minLength" };
    case "enum":
      return {
        path,
        message: `must be one of ${(params.allowedValues as unknown[]).join(", ")}, got ${preview(error.data)}`,
        rule: "enum",
      };
    case "const":
      return {
        path,
        message: `must be ${JSON.stringify(params.allowedValue)}, got ${preview(error.data)}`,
        rule: "const",
      };
    case "maxItems":
    case "minItems":
    case "maxProperties": {
      const size = Array.isArray(error.data) ? error.data.length : Object.keys(error.data as object).length;
      const bound = error.keyword === "minItems" ? "at least" : "at most";
      const unit = error.keyword === "maxProperties" ? "keys" : "items";
      return {
        path,
        message: `must have ${bound} ${params.limit} ${unit}, got ${size}`,
        rule: error.keyword,
      };
    }
    case "not":
      // only used inside `propertyNames`, which reports it
      return undefined;
    default:
      return { path, message: error.message ?? "is invalid", rule: error.keyword };
  }
}

/** Caps a list of problems at `MAX_PROBLEMS`, saying how many more there were. */
export function capProblems(problems: readonly ModelProblem[]): readonly ModelProblem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  const more = problems.length - (MAX_PROBLEMS - 1);
  return [
    ...problems.slice(0, MAX_PROBLEMS - 1),
    { path: "", message: `${more} more problems not shown`, rule: "truncated" },
  ];
}
