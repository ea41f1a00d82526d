import { type FieldDef, isStored, type ModelDef } from "./model-def.ts";
import { valueError } from "./odoo-error.ts";

/** What the domain compiler needs from the environment. */
export interface DomainContext {
  model(name: string): ModelDef;
  activeTest: boolean;
}

/** An SQL condition with its bound parameters. */
export interface SqlWhere {
  sql: string;
  params: unknown[];
}

type Node =
  | { kind: "leaf"; leaf: unknown[] }
  | { kind: "not"; a: Node }
  | { kind: "and" | "or"; a: Node; b: Node };

const OPERATORS = new Set([
  "=",
  "!=",
  "<>",
  "<",
  "<=",
  ">",
  ">=",
  "in",
  "not in",
  "like",
  "ilike",
  "not like",
  "not ilike",
  "=like",
  "=ilike",
  "child_of",
  "parent_of",
]);

/** `table` name of a model in SQLite. */
export function tableOf(model: string): string {
  return `"${model.replace(/\./g, "_")}"`;
}

/**
 * Compiles an Odoo domain (prefix notation, implicit `&`) into an SQL condition on `alias`. Leaves may
 * follow many2one/x2many paths (`order_id.state`); inactive records are filtered unless the domain names
 * `active` or the context says `active_test: false`, like Odoo.
 */
export function compileDomain(ctx: DomainContext, modelName: string, domain: unknown, alias = "t"): SqlWhere {
  if (domain === false || domain === null || domain === undefined) domain = [];
  if (!Array.isArray(domain)) throw valueError(`Invalid domain: ${JSON.stringify(domain)}`);
  const model = ctx.model(modelName);
  const stack: Node[] = [];
  let mentionsActive = false;
  for (let i = domain.length - 1; i >= 0; i--) {
    const item = domain[i];
    if (item === "&" || item === "|") {
      const a = stack.pop();
      const b = stack.pop();
      if (!a || !b) throw valueError(`Invalid domain: ${JSON.stringify(domain).slice(0, 200)}`);
      stack.push({ kind: item === "&" ? "and" : "or", a, b });
    } else if (item === "!") {
      const a = stack.pop();
      if (!a) throw valueError(`Invalid domain: ${JSON.stringify(domain).slice(0, 200)}`);
      stack.push({ kind: "not", a });
    } else if (Array.isArray(item) && item.length === 3) {
      if (typeof item[0] === "string" && item[0].split(".")[0] === "active") mentionsActive = true;
      stack.push({ kind: "leaf", leaf: item });
    } else {
      throw valueError(`Invalid leaf ${JSON.stringify(item)?.slice(0, 200)}`);
    }
  }
  const params: unknown[] = [];
  const parts = stack.reverse().map((node) => nodeSql(ctx, model, node, alias, params));
  if (model.fields.active && ctx.activeTest && !mentionsActive) parts.push(`${alias}."active" = 1`);
  return { sql: parts.length ? parts.map((p) => `(${p})`).join(" AND ") : "1=1", params };
}

function nodeSql(ctx: DomainContext, model: ModelDef, node: Node, alias: string, params: unknown[]): string {
  switch (node.kind) {
    case "not":
      return `NOT (${nodeSql(ctx, model, node.a, alias, params)})`;
    case "and":
    case "or":
      return `(${nodeSql(ctx, model, node.a, alias, params)}) ${node.kind.toUpperCase()} (${nodeSql(ctx, model, node.b, alias, params)})`;
    case "leaf":
      return leafSql(ctx, model, node.leaf, alias, params);
  }
}

let aliasCounter = 0;

function leafSql(
  ctx: DomainContext,
  model: ModelDef,
  leaf: unknown[],
  alias: string,
  params: unknown[],
): string {
  const [left, rawOp, value] = leaf;
  if (left === 1 || left === 0) return left === 1 ? "1=1" : "1=0";
  if (typeof left !== "string" || typeof rawOp !== "string")
    throw valueError(`Invalid leaf ${JSON.stringify(leaf)}`);
  const op = rawOp.toLowerCase();
  if (!OPERATORS.has(op)) throw valueError(`Invalid leaf ${JSON.stringify(leaf)}`);
  const [name, ...rest] = left.split(".");
  const field: FieldDef | undefined = name === "id" ? { type: "integer" } : model.fields[name as string];
  if (!field || name === undefined)
    throw valueError(`Invalid field ${model.name}.${name} in leaf ${JSON.stringify(leaf)}`);
  const col = `${alias}."${name}"`;
  if (field.compute) {
    if (!field.search || rest.length)
      throw valueError(`Non-stored field ${model.name}.${name} cannot be searched.`);
    const sub = compileDomain({ ...ctx, activeTest: false }, model.name, field.search(op, value), alias);
    params.push(...sub.params);
    return sub.sql;
  }
  const relational = field.type === "many2one" || field.type === "one2many" || field.type === "many2many";
  if (rest.length || (relational && typeof value === "string" && !["=like", "=ilike"].includes(op))) {
    if (!relational || !field.relation) throw valueError(`Invalid path ${left} on ${model.name}`);
    const target = ctx.model(field.relation);
    const subDomain = rest.length
      ? [[rest.join("."), rawOp, value]]
      : [[target.recName ?? "name", rawOp, value]];
    const subAlias = `s${++aliasCounter}`;
    const sub = compileDomain({ ...ctx, activeTest: false }, target.name, subDomain, subAlias);
    const subSelect = `SELECT ${subAlias}.id FROM ${tableOf(target.name)} ${subAlias} WHERE ${sub.sql}`;
    params.push(...sub.params);
    return relationIn(field, col, alias, subSelect);
  }
  if (op === "child_of" || op === "parent_of") {
    const ids = (Array.isArray(value) ? value : [value]).filter((v) => typeof v === "number");
    const parent = model.fields.parent_id ? "parent_id" : "location_id";
    const table = tableOf(model.name);
    const start = ids.length ? ids.map(() => "?").join(",") : "NULL";
    params.push(...ids);
    const tree =
      op === "child_of"
        ? `WITH RECURSIVE tree(id) AS (SELECT id FROM ${table} WHERE id IN (${start}) UNION SELECT c.id FROM ${table} c JOIN tree ON c."${parent}" = tree.id) SELECT id FROM tree`
        : `WITH RECURSIVE tree(id, p) AS (SELECT id, "${parent}" FROM ${table} WHERE id IN (${start}) UNION SELECT c.id, c."${parent}" FROM ${table} c JOIN tree ON c.id = tree.p) SELECT id FROM tree`;
    return `${alias}.id IN (${tree})`;
  }
  if (field.type === "one2many" || field.type === "many2many")
    return x2manyLeaf(ctx, field, col, alias, op, value, params);
  return scalarLeaf(field, col, op, value, params);
}

function relationIn(field: FieldDef, col: string, alias: string, subSelect: string): string {
  if (field.type === "many2one") return `${col} IN (${subSelect})`;
  if (field.type === "one2many") {
    return `${alias}.id IN (SELECT "${field.inverse}" FROM ${tableOf(field.relation as string)} WHERE id IN (${subSelect}))`;
  }
  return `EXISTS (SELECT 1 FROM json_each(${col}) j WHERE j.value IN (${subSelect}))`;
}

function x2manyLeaf(
  _ctx: DomainContext,
  field: FieldDef,
  col: string,
  alias: string,
  op: string,
  value: unknown,
  params: unknown[],
): string {
  const empty =
    field.type === "one2many"
      ? `NOT EXISTS (SELECT 1 FROM ${tableOf(field.relation as string)} r WHERE r."${field.inverse}" = ${alias}.id)`
      : `(${col} IS NULL OR ${col} = '[]')`;
  if (value === false || value === null) {
    if (op === "=" || op === "in") return empty;
    if (op === "!=" || op === "<>" || op === "not in") return `NOT ${empty}`;
  }
  const ids = (Array.isArray(value) ? value : [value]).filter((v) => typeof v === "number");
  const list = ids.length ? ids.map(() => "?").join(",") : "NULL";
  params.push(...ids);
  const sub =
    field.type === "one2many"
      ? `SELECT "${field.inverse}" FROM ${tableOf(field.relation as string)} WHERE id IN (${list})`
      : null;
  const has = sub
    ? `${alias}.id IN (${sub})`
    : `EXISTS (SELECT 1 FROM json_each(${col}) j WHERE j.value IN (${list}))`;
  if (op === "=" || op === "in") return has;
  if (op === "!=" || op === "<>" || op === "not in") return `NOT (${has})`;
  throw valueError(`Invalid operator ${op} for x2many field`);
}

function sqlValue(field: FieldDef, value: unknown): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value !== null && typeof value === "object") return JSON.stringify(value);
  if (field.type === "integer" && typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  return value;
}

function likePattern(value: unknown, wrap: boolean, glob: boolean): string {
  let s = String(value ?? "");
  if (glob)
    s = s
      .replace(/[[\]*?]/g, (c) => `[${c}]`)
      .replace(/%/g, "*")
      .replace(/_/g, "?");
  const any = glob ? "*" : "%";
  return wrap ? `${any}${s}${any}` : s;
}

function scalarLeaf(field: FieldDef, col: string, op: string, value: unknown, params: unknown[]): string {
  const isEmpty = (v: unknown) => v === false || v === null || v === undefined;
  const nullSql =
    field.type === "boolean"
      ? `(${col} IS NULL OR ${col} = 0)`
      : field.type === "char" || field.type === "text"
        ? `(${col} IS NULL OR ${col} = '')`
        : `${col} IS NULL`;
  switch (op) {
    case "=":
      if (isEmpty(value)) return nullSql;
      params.push(sqlValue(field, value));
      return `${col} = ?`;
    case "!=":
    case "<>":
      if (isEmpty(value)) return `NOT ${nullSql}`;
      params.push(sqlValue(field, value));
      return `(${col} != ? OR ${col} IS NULL)`;
    case "<":
    case "<=":
    case ">":
    case ">=":
      if (isEmpty(value)) return "1=0";
      params.push(sqlValue(field, value));
      return `${col} ${op} ?`;
    case "in":
    case "not in": {
      const list = Array.isArray(value) ? value : [value];
      const present = list.filter((v) => !isEmpty(v)).map((v) => sqlValue(field, v));
      const withNull = present.length < list.length;
      const parts: string[] = [];
      if (present.length > 500) {
        // One JSON parameter instead of thousands of placeholders (SQLite caps bound variables).
        parts.push(`${col} IN (SELECT value FROM json_each(?))`);
        params.push(JSON.stringify(present));
      } else if (present.length) {
        parts.push(`${col} IN (${present.map(() => "?").join(",")})`);
        params.push(...present);
      }
      if (withNull) parts.push(nullSql);
      const positive = parts.length ? parts.join(" OR ") : "1=0";
      if (op === "in") return positive;
      return withNull || !present.length ? `NOT (${positive})` : `(NOT (${positive}) OR ${col} IS NULL)`;
    }
    case "like":
    case "not like":
      params.push(likePattern(value, true, true));
      return op === "like" ? `${col} GLOB ?` : `(${col} IS NULL OR ${col} NOT GLOB ?)`;
    case "ilike":
    case "not ilike":
      params.push(likePattern(value, true, false));
      return op === "ilike" ? `${col} LIKE ?` : `(${col} IS NULL OR ${col} NOT LIKE ?)`;
    case "=like":
      params.push(likePattern(value, false, true));
      return `${col} GLOB ?`;
    case "=ilike":
      params.push(likePattern(value, false, false));
      return `${col} LIKE ?`;
  }
  throw valueError(`Invalid operator ${op}`);
}

/** Validates an `order` spec and turns it into SQL; non-stored fields are silently ignored, like Odoo. */
export function compileOrder(model: ModelDef, order: unknown, alias = "t"): string {
  const spec = typeof order === "string" && order.trim() ? order : (model.order ?? "id");
  const parts: string[] = [];
  for (const raw of spec.split(",")) {
    const m = /^\s*(\w+)(?:\.\w+)?\s*(asc|desc)?\s*(?:nulls\s+(first|last))?\s*$/i.exec(raw);
    if (!m) throw valueError(`Invalid "order" specified (${spec}).`);
    const name = m[1] as string;
    const field = name === "id" ? ({ type: "integer" } as FieldDef) : model.fields[name];
    if (!field) throw valueError(`Invalid field '${name}' on model '${model.name}'`);
    if (name !== "id" && (!isStored(field) || field.type === "many2many")) continue;
    const dir = (m[2] ?? "asc").toUpperCase();
    const nulls = m[3] ? m[3].toUpperCase() : dir === "ASC" ? "LAST" : "FIRST";
    parts.push(`${alias}."${name}" ${dir} NULLS ${nulls}`);
  }
  if (!parts.some((p) => p.startsWith(`${alias}."id"`))) parts.push(`${alias}."id" ASC`);
  return parts.join(", ");
}
