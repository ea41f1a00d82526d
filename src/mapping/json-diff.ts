import type { JsonValue } from "../store/store.ts";
import { pointerToken } from "./json-value.ts";

/** One difference between two JSON values, at an RFC 6901 pointer. */
export type JsonChange =
  | { readonly path: string; readonly kind: "added"; readonly after: JsonValue }
  | { readonly path: string; readonly kind: "removed"; readonly before: JsonValue }
  | {
      readonly path: string;
      readonly kind: "changed";
      readonly before: JsonValue;
      readonly after: JsonValue;
    };

const isObject = (v: JsonValue): v is { [key: string]: JsonValue } =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The structural difference of two JSON values, deepest paths first reached in document order. Arrays
 * compare index by index: a line inserted at the top shows as every later line changed, which is what
 * a target that numbers lines would see too. Object keys compare as sets, so key order never counts.
 * Stops after `max` changes (default 200) so two wholly different documents cannot flood a report.
 */
export function diffJson(before: JsonValue, after: JsonValue, max = 200): JsonChange[] {
  const changes: JsonChange[] = [];
  const walk = (a: JsonValue, b: JsonValue, path: string): void => {
    if (changes.length >= max) return;
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const p = `${path}/${i}`;
        if (i >= b.length) changes.push({ path: p, kind: "removed", before: a[i] as JsonValue });
        else if (i >= a.length) changes.push({ path: p, kind: "added", after: b[i] as JsonValue });
        else walk(a[i] as JsonValue, b[i] as JsonValue, p);
        if (changes.length >= max) return;
      }
      return;
    }
    if (isObject(a) && isObject(b)) {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const key of keys) {
        const p = `${path}/${pointerToken(key)}`;
        if (!Object.hasOwn(b, key)) changes.push({ path: p, kind: "removed", before: a[key] as JsonValue });
        else if (!Object.hasOwn(a, key)) changes.push({ path: p, kind: "added", after: b[key] as JsonValue });
        else walk(a[key] as JsonValue, b[key] as JsonValue, p);
        if (changes.length >= max) return;
      }
      return;
    }
    if (a !== b) changes.push({ path, kind: "changed", before: a, after: b });
  };
  walk(before, after, "");
  return changes;
}
