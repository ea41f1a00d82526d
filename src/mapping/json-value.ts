import type { JsonValue } from "../store/store.ts";

/** Escapes one RFC 6901 pointer token. */
export function pointerToken(token: string | number): string {
  return String(token).replaceAll("~", "~0").replaceAll("/", "~1");
}

/**
 * True when `document` nests objects and arrays deeper than `maxDepth`. Iterative, so a hostile
 * document of a million nested arrays costs a loop, not a stack overflow.
 */
export function nestedDeeperThan(document: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[document, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value !== "object") continue;
    if (depth >= maxDepth) return true;
    for (const child of Object.values(value)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return false;
}

export type ToJsonOutcome = { ok: true; value: JsonValue } | { ok: false; path: string; reason: string };

/**
 * Copies what a JSONata expression returned into plain JSON, or says where it is not JSON: JSONata
 * results can hold functions, `undefined` members, non-finite numbers and its internal sequence
 * arrays (with extra properties). Keys are copied as own data properties, so a `__proto__` key stays
 * a key and never becomes a prototype.
 */
export function toJsonValue(value: unknown, maxDepth = 64, path = ""): ToJsonOutcome {
  if (value === null || typeof value === "string" || typeof value === "boolean") return { ok: true, value };
  if (typeof value === "number") {
    return Number.isFinite(value)
      ? { ok: true, value }
      : { ok: false, path, reason: `${value} is not a JSON number` };
  }
  if (typeof value !== "object") return { ok: false, path, reason: `a ${typeof value} is not JSON` };
  if (Object.hasOwn(value, "_jsonata_lambda") || Object.hasOwn(value, "_jsonata_function")) {
    return { ok: false, path, reason: "a function is not JSON" };
  }
  if (maxDepth <= 0) return { ok: false, path, reason: "nested too deeply" };
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (let i = 0; i < value.length; i++) {
      const item = toJsonValue(value[i], maxDepth - 1, `${path}/${i}`);
      if (!item.ok) return item;
      out.push(item.value);
    }
    return { ok: true, value: out };
  }
  const out: { [key: string]: JsonValue } = {};
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined) continue;
    const item = toJsonValue(member, maxDepth - 1, `${path}/${pointerToken(key)}`);
    if (!item.ok) return item;
    Object.defineProperty(out, key, {
      value: item.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { ok: true, value: out };
}
