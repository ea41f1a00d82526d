import type { FieldDef } from "./model-def.ts";
import { OdooError, valueError } from "./odoo-error.ts";
import type { OrmEnv } from "./orm-env.ts";

/** Error raised while converting one cell: carries the row and field for the `messages` entry. */
class ImportCellError extends Error {
  readonly field: string;
  constructor(message: string, field: string) {
    super(message);
    this.field = field;
  }
}

interface Column {
  index: number;
  path: string[];
}

const empty = (v: unknown) => v === undefined || v === null || v === false || v === "";

/**
 * `load(fields, data)`: Odoo's bulk import. The `id` column holds external ids (`module.name`, or a bare
 * name meaning `__import__.name`): an existing one updates its record, a new one creates the record and
 * registers it in ir.model.data. One2many lines come as `line_field/subfield` columns, one line per row;
 * a row whose non-line columns are all empty continues the previous record. Any error rolls the whole
 * call back and is returned in `messages` (never raised), like Odoo.
 *
 * Sandbox choice: lines given for an existing record replace its lines, so re-running a load is idempotent.
 */
export function loadRecords(env: OrmEnv, model: string, fields: unknown, data: unknown): unknown {
  if (!Array.isArray(fields) || !fields.every((f) => typeof f === "string")) {
    throw valueError("load() expects a list of field names");
  }
  if (!Array.isArray(data) || !data.every((row) => Array.isArray(row))) {
    throw valueError("load() expects a list of rows (lists of values)");
  }
  const def = env.model(model);
  const columns: Column[] = fields.map((name, index) => ({ index, path: name.split("/") }));
  for (const col of columns) {
    const top = col.path[0] as string;
    if (top !== "id" && top !== ".id" && !def.fields[top]) {
      return {
        ids: false,
        messages: [
          { type: "error", message: `Unknown field '${col.path.join("/")}'`, record: 0, field: top },
        ],
      };
    }
  }
  const isLine = (c: Column) => c.path.length > 1 && def.fields[c.path[0] as string]?.type === "one2many";
  const mainCols = columns.filter((c) => !isLine(c));
  const lineCols = columns.filter(isLine);
  const groups: { start: number; rows: unknown[][] }[] = [];
  (data as unknown[][]).forEach((row, i) => {
    const continuation = groups.length > 0 && mainCols.every((c) => empty(row[c.index]));
    if (continuation) groups[groups.length - 1]?.rows.push(row);
    else groups.push({ start: i, rows: [row] });
  });
  const ids: number[] = [];
  env.db.exec("SAVEPOINT sandbox_load");
  let current = 0;
  try {
    for (const group of groups) {
      current = group.start;
      ids.push(loadOne(env, model, mainCols, lineCols, group.rows));
    }
    env.db.exec("RELEASE sandbox_load");
    return { ids, messages: [] };
  } catch (error) {
    env.db.exec("ROLLBACK TO sandbox_load");
    env.db.exec("RELEASE sandbox_load");
    if (!(error instanceof OdooError) && !(error instanceof ImportCellError)) throw error;
    const field = error instanceof ImportCellError ? error.field : undefined;
    return {
      ids: false,
      messages: [{ type: "error", message: error.message, record: current, ...(field ? { field } : {}) }],
    };
  }
}

function loadOne(
  env: OrmEnv,
  model: string,
  mainCols: Column[],
  lineCols: Column[],
  rows: unknown[][],
): number {
  const def = env.model(model);
  const first = rows[0] as unknown[];
  const vals: Record<string, unknown> = {};
  let xmlid: string | undefined;
  let dbId: number | undefined;
  for (const col of mainCols) {
    const cell = first[col.index];
    const top = col.path[0] as string;
    if (top === "id") {
      if (!empty(cell)) xmlid = String(cell).includes(".") ? String(cell) : `__import__.${cell}`;
      continue;
    }
    if (top === ".id") {
      if (!empty(cell)) dbId = Number(cell);
      continue;
    }
    vals[top] = convertCell(env, def.fields[top] as FieldDef, top, col.path.slice(1), cell);
  }
  const lineFields = new Set(lineCols.map((c) => c.path[0] as string));
  for (const lineField of lineFields) {
    const field = def.fields[lineField] as FieldDef;
    const target = env.model(field.relation as string);
    const commands: unknown[] = [[5]];
    for (const row of rows) {
      const line: Record<string, unknown> = {};
      let any = false;
      for (const col of lineCols.filter((c) => c.path[0] === lineField)) {
        const sub = col.path[1] as string;
        const cell = row[col.index];
        if (empty(cell)) continue;
        any = true;
        const subField = target.fields[sub];
        if (!subField) throw new ImportCellError(`Unknown field '${col.path.join("/")}'`, lineField);
        line[sub] = convertCell(env, subField, sub, col.path.slice(2), cell);
      }
      if (any) commands.push([0, 0, line]);
    }
    vals[lineField] = commands;
  }
  const existing = dbId ?? (xmlid ? env.ref(xmlid) : undefined);
  if (existing !== undefined && env.browse(model, [existing]).length) {
    env.write(model, [existing], vals);
    return existing;
  }
  if (dbId !== undefined) throw new ImportCellError(`No record found for database id ${dbId}`, ".id");
  const id = env.create(model, vals);
  if (xmlid) env.setRef(xmlid, model, id);
  return id;
}

function convertCell(env: OrmEnv, field: FieldDef, name: string, sub: string[], cell: unknown): unknown {
  if (empty(cell)) return field.type === "many2many" ? [[5]] : false;
  const text = String(cell);
  const label = field.string ?? name;
  switch (field.type) {
    case "integer":
    case "float":
    case "monetary": {
      const n = Number(text);
      if (Number.isNaN(n))
        throw new ImportCellError(`'${text}' does not seem to be a number for field '${label}'`, name);
      return field.type === "integer" ? Math.trunc(n) : n;
    }
    case "boolean":
      return ["1", "true", "yes"].includes(text.toLowerCase());
    case "selection": {
      const hit = field.selection?.find(([k, v]) => k === text || v.toLowerCase() === text.toLowerCase());
      if (!hit) throw new ImportCellError(`Value '${text}' not found in selection field '${label}'`, name);
      return hit[0];
    }
    case "many2one":
      return resolveRelated(env, field, name, sub, text);
    case "many2many":
      return [[6, 0, text.split(",").map((part) => resolveRelated(env, field, name, sub, part.trim()))]];
    default:
      return text;
  }
}

function resolveRelated(env: OrmEnv, field: FieldDef, name: string, sub: string[], text: string): number {
  const relation = field.relation as string;
  const mode = sub[0];
  if (mode === ".id") {
    const id = Number(text);
    if (!Number.isInteger(id) || !env.browse(relation, [id]).length) {
      throw new ImportCellError(
        `No matching record found for database id '${text}' in field '${field.string ?? name}'`,
        name,
      );
    }
    return id;
  }
  if (mode === "id") {
    const id = env.ref(text.includes(".") ? text : `__import__.${text}`);
    if (id === undefined) {
      throw new ImportCellError(
        `No matching record found for external id '${text}' in field '${field.string ?? name}'`,
        name,
      );
    }
    return id;
  }
  const recName = env.model(relation).recName ?? "name";
  const ids = env.search(relation, [[recName, "=", text]], { limit: 1 });
  if (!ids.length)
    throw new ImportCellError(
      `No matching record found for name '${text}' in field '${field.string ?? name}'`,
      name,
    );
  return ids[0] as number;
}
