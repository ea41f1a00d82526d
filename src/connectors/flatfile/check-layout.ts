/**
 * Checks a flat-file layout beyond its schema and compiles it for the decoder: overlapping or
 * zero-width fixed-width fields, duplicate field names or record types, a field without a position, a
 * date without a usable format, a `groupBy` field some record lacks. Every problem carries the path
 * of the faulty part (`flatFiles.layouts.acme.records[1].fields[3].start`), so a person fixes all of
 * them in one edit.
 *
 * `checkLayout` answers with a value (for `crossdock validate`); `compileLayout` throws the problems
 * as one `CDK_FILE_LAYOUT_INVALID` (for code that builds layouts and cannot go on without one).
 */
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import { CrossdockError } from "../../core/errors.ts";
import { compileDateFormat, type DateParser } from "./field-value.ts";
import {
  type FlatFileLayout,
  FlatFileLayoutSchema,
  type LayoutField,
  type LayoutRecord,
} from "./flat-file-layout.ts";

export interface LayoutProblem {
  /** Dotted path from the layout's own location, e.g. `flatFiles.layouts.acme.records[0].fields[2]`. */
  readonly path: string;
  readonly message: string;
}

export interface CompiledField {
  readonly field: LayoutField;
  /** The field's JSON pointer-free path in the layout, for messages. */
  readonly path: string;
  readonly date?: DateParser;
}

export interface CompiledRecord {
  readonly type: string | undefined;
  readonly role: "header" | "detail" | "ignore";
  readonly fields: readonly CompiledField[];
}

/** A checked layout, ready for `decodeFlatFile`. */
export interface CompiledLayout {
  readonly name: string;
  readonly layout: FlatFileLayout;
  /** By record type value; the key `""` in a single-record layout. */
  readonly records: ReadonlyMap<string, CompiledRecord>;
}

const ajv = new Ajv2020({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false });
const validateShape = ajv.compile(FlatFileLayoutSchema);

function dotted(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((token) =>
      /^[0-9]+$/.test(token) ? `[${token}]` : `.${token.replaceAll("~1", "/").replaceAll("~0", "~")}`,
    )
    .join("");
}

function shapeProblem(error: ErrorObject, where: string): LayoutProblem {
  const params = error.params as Record<string, unknown>;
  const at = `${where}${dotted(error.instancePath)}`;
  if (error.keyword === "additionalProperties")
    return { path: `${at}.${String(params.additionalProperty)}`, message: "is not a layout key" };
  if (error.keyword === "required")
    return { path: `${at}.${String(params.missingProperty)}`, message: "is required" };
  if (error.keyword === "enum")
    return { path: at, message: `must be one of ${(params.allowedValues as unknown[]).join(", ")}` };
  return { path: at, message: error.message ?? "is invalid" };
}

function checkField(
  layout: FlatFileLayout,
  field: LayoutField,
  path: string,
  at: (p: string, m: string) => void,
): DateParser | undefined {
  const csv = layout.format === "csv";
  const positioned =
    field.column !== undefined ||
    field.header !== undefined ||
    field.start !== undefined ||
    field.length !== undefined;
  if (field.type === "constant") {
    if (field.value === undefined) at(`${path}.value`, "is required for a constant field");
    if (positioned) at(path, "a constant field reads no text: remove column, header, start and length");
  } else if (csv) {
    if (field.start !== undefined || field.length !== undefined)
      at(path, "start and length are for fixed-width layouts; use column or header");
    if ((field.column === undefined) === (field.header === undefined))
      at(path, "needs exactly one of column and header");
    if (field.header !== undefined && layout.csv?.header !== true)
      at(`${path}.header`, "needs csv.header: true (the file's first line names the columns)");
  } else {
    if (field.column !== undefined || field.header !== undefined)
      at(path, "column and header are for CSV layouts; use start and length");
    if (field.start === undefined) at(`${path}.start`, "is required (1-based first character)");
    if (field.length === undefined) at(`${path}.length`, "is required (width in characters, at least 1)");
  }
  if (field.type !== "decimal" && (field.impliedDecimals !== undefined || field.decimalComma !== undefined))
    at(path, "impliedDecimals and decimalComma apply to decimal fields only");
  if (field.type !== "text" && field.map !== undefined) at(`${path}.map`, "applies to text fields only");
  if (field.type !== "date") {
    if (field.format !== undefined) at(`${path}.format`, "applies to date fields only");
    return undefined;
  }
  if (field.format === undefined) {
    at(`${path}.format`, "is required for a date field, e.g. CCYYMMDD");
    return undefined;
  }
  const parser = compileDateFormat(field.format);
  if (typeof parser === "string") at(`${path}.format`, `"${field.format}" ${parser}`);
  return typeof parser === "string" ? undefined : parser;
}

function checkOverlaps(
  fields: readonly LayoutField[],
  path: string,
  at: (p: string, m: string) => void,
): void {
  const placed = fields
    .map((field, index) => ({ field, index }))
    .filter(({ field }) => field.start !== undefined && field.length !== undefined)
    .sort((a, b) => (a.field.start as number) - (b.field.start as number));
  for (let i = 1; i < placed.length; i++) {
    const before = placed[i - 1] as (typeof placed)[number];
    const current = placed[i] as (typeof placed)[number];
    const end = (before.field.start as number) + (before.field.length as number) - 1;
    // The same span read twice (one text, two targets) is deliberate, not an overlap.
    const same = current.field.start === before.field.start && current.field.length === before.field.length;
    if (!same && (current.field.start as number) <= end)
      at(
        `${path}.fields[${current.index}]`,
        `${current.field.name} (from ${current.field.start}) overlaps ${before.field.name} (${before.field.start}-${end})`,
      );
  }
}

/** Checks a layout (unknown input, e.g. from YAML) and compiles it; never throws. */
export function checkLayout(
  value: unknown,
  name: string,
  where = `flatFiles.layouts.${name}`,
): { ok: true; layout: CompiledLayout } | { ok: false; problems: LayoutProblem[] } {
  if (!validateShape(value))
    return {
      ok: false,
      problems: (validateShape.errors ?? []).slice(0, 50).map((e) => shapeProblem(e, where)),
    };
  const layout = value as FlatFileLayout;
  const problems: LayoutProblem[] = [];
  const at = (path: string, message: string) => void problems.push({ path, message });
  const records = new Map<string, CompiledRecord>();
  const multi = layout.records.length > 1;
  const rt = layout.recordType;
  if (multi && rt === undefined)
    at(`${where}.recordType`, "is required when the layout has more than one record");
  if (rt !== undefined) {
    if (layout.format === "csv" && (rt.column === undefined) === (rt.header === undefined))
      at(`${where}.recordType`, "needs exactly one of column and header for CSV");
    if (layout.format === "fixed-width" && (rt.start === undefined || rt.length === undefined))
      at(`${where}.recordType`, "needs start and length for fixed width");
  }
  if (
    layout.format === "csv" &&
    layout.csv?.quote !== undefined &&
    layout.csv.quote === (layout.csv.delimiter ?? ",")
  )
    at(`${where}.csv.quote`, "must differ from the delimiter");
  layout.records.forEach((record: LayoutRecord, r) => {
    const path = `${where}.records[${r}]`;
    const type = record.type ?? "";
    if (rt !== undefined && record.type === undefined)
      at(`${path}.type`, "is required: the layout has a recordType");
    if (rt === undefined && !multi && record.type !== undefined)
      at(`${path}.type`, "needs recordType (where the type is in a line)");
    if (records.has(type)) at(`${path}.type`, `repeats record type "${type}"`);
    const names = new Set<string>();
    const fields = record.fields.map((field, f) => {
      const fieldPath = `${path}.fields[${f}]`;
      if (names.has(field.name)) at(`${fieldPath}.name`, `repeats the field name ${field.name}`);
      names.add(field.name);
      const date = checkField(layout, field, fieldPath, at);
      return { field, path: fieldPath, ...(date ? { date } : {}) };
    });
    if (layout.format === "fixed-width") checkOverlaps(record.fields, path, at);
    if (layout.groupBy !== undefined && record.role !== "ignore" && !names.has(layout.groupBy))
      at(`${path}.fields`, `has no field ${layout.groupBy} (groupBy)`);
    records.set(type, { type: record.type, role: record.role ?? "header", fields });
  });
  const roles = layout.records.map((r) => r.role ?? "header");
  if (roles.includes("detail") && !roles.includes("header") && layout.groupBy === undefined)
    at(`${where}.records`, "has detail records but no header record and no groupBy");
  if (
    layout.entity !== undefined &&
    !layout.records.some((r) => r.fields.some((f) => f.target !== undefined))
  )
    at(`${where}.records`, `writes no target, so no ${layout.entity} can be built`);
  if (layout.derive !== undefined && layout.entity !== "order" && layout.entity !== "invoice")
    at(`${where}.derive`, "applies to order and invoice layouts only");
  return problems.length > 0 ? { ok: false, problems } : { ok: true, layout: { name, layout, records } };
}

/** `checkLayout`, throwing its problems as one located `CDK_FILE_LAYOUT_INVALID`. */
export function compileLayout(value: unknown, name: string, where?: string): CompiledLayout {
  const checked = checkLayout(value, name, where);
  if (checked.ok) return checked.layout;
  const shown = checked.problems.slice(0, 10).map((p) => `${p.path}: ${p.message}`);
  throw new CrossdockError(
    "CDK_FILE_LAYOUT_INVALID",
    `flat-file layout ${name} is not valid: ${shown.join("; ")}${checked.problems.length > 10 ? `; and ${checked.problems.length - 10} more` : ""}`,
    {
      details: { layout: name, problems: checked.problems },
    },
  );
}
