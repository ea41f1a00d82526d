/**
 * Finds the first value that would not survive storage as JSON unchanged, so a step cannot return one
 * value the first time and a different one on replay (a `Date` comes back a string, a `Map` an empty
 * object, `NaN` null). Object properties that are `undefined` are allowed: JSON drops them on both paths.
 * Returns a path such as `$.lines[2].at`, or `undefined` when the whole value is JSON.
 */
export function findNonJson(value: unknown, path = "$"): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (value[i] === undefined) return `${path}[${i}]`;
      const found = findNonJson(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return path;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      const found = findNonJson(item, `${path}.${key}`);
      if (found) return found;
    }
    return undefined;
  }
  return path;
}
