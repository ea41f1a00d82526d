import { type FieldDef, isStored, type ModelDef, type Row } from "./model-def.ts";
import { validationError, valueError } from "./odoo-error.ts";

/** Mandatory field missing: Odoo's NotNullViolation as the RPC layer words it. */
export function requiredError(def: ModelDef, name: string, field: FieldDef): Error {
  return validationError(
    "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n" +
      "- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n" +
      `Model: ${def.description} (${def.name})\nField: ${field.string ?? name} (${name})`,
  );
}

/** JS value -> SQLite value for a stored field. */
export function encodeValue(field: FieldDef, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  switch (field.type) {
    case "boolean":
      return value ? 1 : 0;
    case "many2many":
    case "json":
      return value === false ? null : JSON.stringify(value);
    case "many2one":
      if (value === false || value === 0) return null;
      if (Array.isArray(value)) return Number(value[0]);
      if (typeof value !== "number" && !(typeof value === "string" && /^\d+$/.test(value))) {
        throw valueError(`Wrong value for ${field.relation}: ${JSON.stringify(value)?.slice(0, 100)}`);
      }
      return Number(value);
    case "integer":
    case "float":
    case "monetary": {
      if (value === false) return 0;
      const n = Number(value);
      if (typeof value === "object" || Number.isNaN(n))
        throw valueError(`invalid number: ${JSON.stringify(value)}`);
      return n;
    }
    default:
      if (value === false) return null;
      if (typeof value === "object") throw valueError(`Wrong value: ${JSON.stringify(value)?.slice(0, 100)}`);
      return String(value);
  }
}

/** SQLite row -> record: booleans, many2many id lists and json decoded. */
export function decodeRow(def: ModelDef, raw: Record<string, unknown>): Row {
  const row: Row = { ...raw, id: Number(raw.id) };
  for (const [name, field] of Object.entries(def.fields)) {
    if (!isStored(field)) continue;
    const v = raw[name];
    if (field.type === "boolean") row[name] = v === 1 || v === true;
    else if (field.type === "many2many") row[name] = typeof v === "string" ? JSON.parse(v) : [];
    else if (field.type === "json") row[name] = typeof v === "string" ? JSON.parse(v) : null;
  }
  return row;
}
