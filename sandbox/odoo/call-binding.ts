import type { MethodDef } from "./model-def.ts";
import { typeError, valueError } from "./odoo-error.ts";

/** A call's arguments once bound: record ids, named arguments, context. */
export interface BoundCall {
  ids: number[];
  args: Record<string, unknown>;
  context: Record<string, unknown>;
}

function idsOf(value: unknown): number[] {
  if (value === undefined || value === null || value === false) return [];
  if (typeof value === "number" && Number.isInteger(value)) return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "number" && Number.isInteger(v)))
    return value as number[];
  throw valueError(`Invalid record ids: ${JSON.stringify(value)?.slice(0, 100)}`);
}

function contextOf(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw typeError("context must be a dictionary");
  return value as Record<string, unknown>;
}

function bindNamed(
  method: MethodDef,
  name: string,
  args: Record<string, unknown>,
  kwargs: Record<string, unknown>,
): Record<string, unknown> {
  const qualified = `${method.owner}.${name}()`;
  for (const [key, value] of Object.entries(kwargs)) {
    if (!method.params.includes(key))
      throw typeError(`${qualified} got an unexpected keyword argument '${key}'`);
    if (key in args) throw typeError(`${qualified} got multiple values for argument '${key}'`);
    args[key] = value;
  }
  const missing = (method.required ?? []).filter((p) => !(p in args));
  if (missing.length) {
    const names = missing.map((m) => `'${m}'`).join(" and ");
    throw typeError(
      `${qualified} missing ${missing.length} required positional argument${missing.length > 1 ? "s" : ""}: ${names}`,
    );
  }
  return args;
}

/**
 * Binds execute_kw's positional `args` and `kwargs` to a method the way Python would, with Python's
 * TypeError wording. Multi-record methods take the ids as their first positional argument.
 */
export function bindPositional(
  method: MethodDef,
  name: string,
  positional: unknown,
  kwargsIn: unknown,
): BoundCall {
  if (!Array.isArray(positional))
    throw typeError(`${method.owner}.${name}() argument after * must be an iterable`);
  if (
    kwargsIn !== undefined &&
    kwargsIn !== null &&
    (typeof kwargsIn !== "object" || Array.isArray(kwargsIn))
  ) {
    throw typeError(`${method.owner}.${name}() argument after ** must be a mapping`);
  }
  const kwargs: Record<string, unknown> = { ...((kwargsIn as Record<string, unknown>) ?? {}) };
  const context = contextOf(kwargs.context);
  delete kwargs.context;
  let rest = positional;
  let ids: number[] = [];
  if (method.multi) {
    if (!positional.length)
      throw typeError(`${method.owner}.${name}() missing 1 required positional argument: 'self'`);
    ids = idsOf(positional[0]);
    rest = positional.slice(1);
  }
  if (rest.length > method.params.length) {
    const max = method.params.length + 1;
    const min = (method.required?.length ?? 0) + 1;
    const takes = min === max ? `${max}` : `from ${min} to ${max}`;
    throw typeError(
      `${method.owner}.${name}() takes ${takes} positional argument${max > 1 ? "s" : ""} but ${rest.length + 1} were given`,
    );
  }
  const args: Record<string, unknown> = {};
  rest.forEach((value, i) => {
    args[method.params[i] as string] = value;
  });
  return { ids, args: bindNamed(method, name, args, kwargs), context };
}

/** Binds a JSON-2 body: named arguments only, `ids` and `context` apart. */
export function bindJson2(method: MethodDef, name: string, body: unknown): BoundCall {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw typeError(`${method.owner}.${name}() arguments must be a JSON object`);
  }
  const named: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  const context = contextOf(named.context);
  const ids = idsOf(named.ids);
  delete named.context;
  delete named.ids;
  return { ids, args: bindNamed(method, name, {}, named), context };
}
