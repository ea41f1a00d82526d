import { compileDomain, tableOf } from "./domain-sql.ts";
import { type FieldDef, isStored } from "./model-def.ts";
import { valueError } from "./odoo-error.ts";
import type { OrmEnv } from "./orm-env.ts";
import { readRecords } from "./orm-read.ts";

const NUMERIC = new Set(["integer", "float", "monetary"]);
const GRANULARITY: Record<string, string> = {
  day: "%Y-%m-%d",
  week: "%Y-W%W",
  month: "%Y-%m",
  quarter: "%Y-%m",
  year: "%Y",
};

interface GroupSpec {
  key: string;
  field: string;
  sql: string;
  def: FieldDef;
}

function groupSpecs(env: OrmEnv, model: string, groupby: unknown): GroupSpec[] {
  const def = env.model(model);
  const list = typeof groupby === "string" ? [groupby] : Array.isArray(groupby) ? groupby.map(String) : [];
  return list.map((key) => {
    const [field, gran] = key.split(":") as [string, string | undefined];
    const fd = def.fields[field];
    if (!fd || !isStored(fd) || fd.type === "many2many")
      throw valueError(`Invalid field '${field}' on model '${model}' for groupby`);
    const sql =
      gran && (fd.type === "date" || fd.type === "datetime")
        ? `strftime('${GRANULARITY[gran] ?? "%Y-%m"}', t."${field}")`
        : `t."${field}"`;
    return { key, field, sql, def: fd };
  });
}

/** `field:agg` or `field` -> [alias, SQL aggregate]; only numeric stored fields aggregate. */
function aggregates(env: OrmEnv, model: string, specs: string[]): [string, string][] {
  const def = env.model(model);
  const out: [string, string][] = [];
  for (const spec of specs) {
    const [name, fn = "sum"] = spec.split(":") as [string, string | undefined];
    const fd = def.fields[name];
    if (!fd || !isStored(fd) || !NUMERIC.has(fd.type)) continue;
    const agg = { sum: "SUM", min: "MIN", max: "MAX", avg: "AVG", count: "COUNT", count_distinct: "COUNT" }[
      fn
    ];
    if (!agg) throw valueError(`Invalid aggregation function ${fn}`);
    out.push([spec, `${agg}(${fn === "count_distinct" ? "DISTINCT " : ""}t."${name}")`]);
  }
  return out;
}

function groups(
  env: OrmEnv,
  model: string,
  domain: unknown,
  specs: GroupSpec[],
  aggs: [string, string][],
  limit?: number,
  offset?: number,
) {
  const w = compileDomain(
    { model: (n) => env.model(n), activeTest: env.context.active_test !== false },
    model,
    domain,
  );
  const keys = specs.map((s, i) => `${s.sql} AS g${i}`);
  const sql = `SELECT ${[...keys, "COUNT(*) AS n", ...aggs.map(([, a], i) => `${a} AS a${i}`)].join(", ")} FROM ${tableOf(model)} t WHERE ${w.sql}${specs.length ? ` GROUP BY ${specs.map((_, i) => `g${i}`).join(", ")} ORDER BY ${specs.map((_, i) => `g${i}`).join(", ")}` : ""} LIMIT ? OFFSET ?`;
  const rows = env.prepare(sql).all(...w.params, limit ?? -1, offset ?? 0) as Record<string, unknown>[];
  return rows.map((row) => {
    const values = specs.map((s, i) => {
      const v = row[`g${i}`];
      if (v === null || v === undefined) return false;
      if (s.def.type === "many2one") {
        const name = env.displayNames(s.def.relation as string, [v as number]).get(v as number);
        return [v, name ?? false];
      }
      if (s.def.type === "boolean") return v === 1;
      return v;
    });
    return { values, count: Number(row.n), aggs: aggs.map((_, i) => Number(row[`a${i}`] ?? 0)) };
  });
}

/** `read_group(domain, fields, groupby, offset, limit, orderby, lazy)` (16-18 API; still in 19). */
export function readGroup(env: OrmEnv, model: string, a: Record<string, unknown>): Record<string, unknown>[] {
  const all = groupSpecs(env, model, a.groupby);
  const specs = a.lazy === false ? all : all.slice(0, 1);
  const fields = Array.isArray(a.fields) ? a.fields.map(String) : [];
  const aggs = aggregates(env, model, fields);
  const countKey = specs.length === 1 && a.lazy !== false ? `${specs[0]?.field}_count` : "__count";
  return groups(env, model, a.domain ?? [], specs, aggs, a.limit as number, a.offset as number).map((g) => {
    const out: Record<string, unknown> = {};
    specs.forEach((s, i) => {
      out[s.key] = g.values[i];
    });
    out[countKey] = g.count;
    aggs.forEach(([alias], i) => {
      out[alias.split(":")[0] as string] = g.aggs[i];
    });
    const domain: unknown[] = [...((a.domain as unknown[]) ?? [])];
    specs.forEach((s, i) => {
      const v = g.values[i];
      if (!s.key.includes(":")) domain.push([s.field, "=", Array.isArray(v) ? v[0] : v]);
    });
    out.__domain = domain;
    return out;
  });
}

/** 19's `formatted_read_group(domain, groupby, aggregates, having, offset, limit, order)`. */
export function formattedReadGroup(
  env: OrmEnv,
  model: string,
  a: Record<string, unknown>,
): Record<string, unknown>[] {
  const specs = groupSpecs(env, model, a.groupby ?? []);
  const wanted = Array.isArray(a.aggregates) ? a.aggregates.map(String) : [];
  const aggs = aggregates(
    env,
    model,
    wanted.filter((x) => x !== "__count"),
  );
  return groups(env, model, a.domain ?? [], specs, aggs, a.limit as number, a.offset as number).map((g) => {
    const out: Record<string, unknown> = {};
    specs.forEach((s, i) => {
      out[s.key] = g.values[i];
    });
    if (wanted.includes("__count") || !wanted.length) out.__count = g.count;
    aggs.forEach(([alias], i) => {
      out[alias] = g.aggs[i];
    });
    return out;
  });
}

type Spec = Record<string, { fields?: Spec } | Record<string, never>>;

/** 17+'s `web_read(specification)`: nested reads, many2one as `{id, display_name, ...}`. */
export function webRead(
  env: OrmEnv,
  model: string,
  ids: number[],
  specification: unknown,
): Record<string, unknown>[] {
  if (!specification || typeof specification !== "object" || Array.isArray(specification)) {
    throw valueError("specification must be a dictionary");
  }
  const spec = specification as Spec;
  const def = env.model(model);
  const records = readRecords(env, model, ids, Object.keys(spec));
  for (const [name, sub] of Object.entries(spec)) {
    const field = def.fields[name];
    const nested = (sub as { fields?: Spec }).fields;
    if (!field?.relation || !nested) continue;
    for (const rec of records) {
      const value = rec[name];
      if (field.type === "many2one") {
        rec[name] = Array.isArray(value)
          ? { id: value[0], ...webRead(env, field.relation, [value[0] as number], nested)[0] }
          : false;
      } else if (Array.isArray(value)) {
        rec[name] = webRead(env, field.relation, value as number[], nested);
      }
    }
  }
  return records;
}
