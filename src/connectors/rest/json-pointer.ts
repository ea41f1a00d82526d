/**
 * JSON pointers (RFC 6901), the way a `rest` connection says where something is in a partner's answer:
 * `/data` for the list of orders, `/meta/next_cursor` for the next cursor, `""` for the whole answer.
 */

/** True for a well-formed pointer: empty, or `/`-separated tokens where `~` is only `~0` or `~1`. */
export function isJsonPointer(value: unknown): value is string {
  return typeof value === "string" && (value === "" || /^(\/([^~]|~[01])*)+$/.test(value));
}

/** The reference tokens of a pointer, unescaped (`~1` is `/`, `~0` is `~`). */
export function pointerTokens(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/**
 * What a pointer finds: the value, or where the walk stopped (`missingAt`, the pointer up to the
 * first token that was not there), so an error can say which part of the answer was unexpected.
 */
export type PointerResult = { found: true; value: unknown } | { found: false; missingAt: string };

/** Resolves `pointer` in a parsed JSON value. Array tokens must be decimal indexes. */
export function resolvePointer(document: unknown, pointer: string): PointerResult {
  let current: unknown = document;
  let walked = "";
  for (const token of pointerTokens(pointer)) {
    walked += `/${token.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(token) || Number(token) >= current.length)
        return { found: false, missingAt: walked };
      current = current[Number(token)];
    } else if (typeof current === "object" && current !== null && Object.hasOwn(current, token)) {
      current = (current as Record<string, unknown>)[token];
    } else {
      return { found: false, missingAt: walked };
    }
  }
  return { found: true, value: current };
}

/** A scalar found by a pointer as text (ids, cursors, timestamps), or undefined when absent or null. */
export function pointerText(document: unknown, pointer: string): string | undefined {
  const result = resolvePointer(document, pointer);
  if (!result.found) return undefined;
  return scalarText(result.value);
}

/** Text of a JSON scalar, including integers kept exact as `JSON.rawJSON` values. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object" && value !== null && "rawJSON" in value) {
    return String((value as { rawJSON: unknown }).rawJSON);
  }
  return undefined;
}
