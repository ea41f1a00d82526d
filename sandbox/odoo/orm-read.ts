import { tableOf } from "./domain-sql.ts";
import { type FieldDef, isStored, type Row } from "./model-def.ts";
import { valueError } from "./odoo-error.ts";
import type { OrmEnv } from "./orm-env.ts";

/** Fields `read` returns without a `fields` argument: every non-computed field. */
export function defaultReadFields(env: OrmEnv, model: string): string[] {
  const def = env.model(model);
  return Object.entries(def.fields)
    .filter(([, f]) => !f.hidden && (isStored(f) || f.type === "one2many"))
    .map(([n]) => n);
}

/**
 * Odoo's `read` format: many2one `[id, display_name]` or false, x2many id lists, empty strings and
 * dates `false`, numbers 0 when unset. Missing ids are skipped, never an error.
 */
export function readRecords(
  env: OrmEnv,
  model: string,
  ids: readonly number[],
  fields?: unknown,
  load?: unknown,
): Record<string, unknown>[] {
  const def = env.model(model);
  let names: string[];
  if (
    fields === undefined ||
    fields === null ||
    fields === false ||
    (Array.isArray(fields) && !fields.length)
  ) {
    names = defaultReadFields(env, model);
  } else if (Array.isArray(fields)) {
    names = fields.map(String);
  } else if (typeof fields === "string") {
    names = [fields];
  } else {
    throw valueError(`Invalid fields argument ${JSON.stringify(fields)?.slice(0, 100)}`);
  }
  for (const name of names) {
    if (name !== "id" && !def.fields[name]) throw valueError(`Invalid field '${name}' on model '${model}'`);
  }
  const rows = env.browse(model, ids);
  const out: Record<string, unknown>[] = rows.map((r) => ({ id: r.id }));
  for (const name of names) {
    if (name === "id") continue;
    const field = def.fields[name] as FieldDef;
    // load="_classic_write" (or None) gives many2one as a bare id, like Odoo.
    const values =
      field.type === "many2one" && load !== undefined && load !== "_classic_read"
        ? rawValues(env, model, name, rows).map((v) => (typeof v === "number" && v > 0 ? v : false))
        : fieldValues(env, name, field, rows);
    out.forEach((rec, i) => {
      rec[name] = values[i];
    });
  }
  return out;
}

function fieldValues(env: OrmEnv, name: string, field: FieldDef, rows: Row[]): unknown[] {
  const raw: unknown[] = field.compute
    ? field.compute(env, rows)
    : field.type === "one2many"
      ? one2manyIds(env, field, rows)
      : rows.map((r) => r[name]);
  if (field.type === "many2one") {
    const ids = raw.filter((v): v is number => typeof v === "number" && v > 0);
    const names = ids.length ? env.displayNames(field.relation as string, ids) : new Map<number, string>();
    return raw.map((v) => (typeof v === "number" && names.has(v) ? [v, names.get(v)] : false));
  }
  return raw.map((v) => formatScalar(field, v));
}

function formatScalar(field: FieldDef, v: unknown): unknown {
  switch (field.type) {
    case "integer":
      return v === null || v === undefined || v === false ? 0 : Math.trunc(Number(v));
    case "float":
    case "monetary":
      return v === null || v === undefined || v === false ? 0 : Number(v);
    case "boolean":
      return Boolean(v);
    case "one2many":
    case "many2many":
      return Array.isArray(v) ? v : [];
    case "json":
      return v ?? false;
    default:
      return v === null || v === undefined || v === "" ? false : v;
  }
}

function one2manyIds(env: OrmEnv, field: FieldDef, rows: Row[]): number[][] {
  const relation = field.relation as string;
  const inverse = field.inverse as string;
  if (!rows.length) return [];
  const target = env.model(relation);
  const byParent = new Map<number, number[]>(rows.map((r) => [r.id, []]));
  const ids = rows.map((r) => r.id);
  const activeFilter = target.fields.active ? ` AND "active" = 1` : "";
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const sql = `SELECT id, "${inverse}" AS p FROM ${tableOf(relation)} WHERE "${inverse}" IN (${chunk.map(() => "?").join(",")})${activeFilter} ORDER BY id`;
    for (const { id, p } of env.prepare(sql).all(...chunk) as { id: number; p: number }[])
      byParent.get(p)?.push(id);
  }
  return rows.map((r) => byParent.get(r.id) ?? []);
}

/** Value of a (possibly computed) field for rows, unformatted (ids stay ids). */
export function rawValues(env: OrmEnv, model: string, name: string, rows: Row[]): unknown[] {
  const field = env.model(model).fields[name] as FieldDef;
  if (field.compute) return field.compute(env, rows);
  if (field.type === "one2many") return one2manyIds(env, field, rows);
  return rows.map((r) => r[name]);
}
