/**
 * The third stage: records to documents. Writes each record's values at their target paths, groups
 * records into documents (a `header` starts one; `groupBy` groups consecutive records by key), and
 * when a document is complete derives what the layout asks for and checks it as its canonical entity
 * (`checkModel`). Only one document is held at a time, so memory does not grow with the file.
 */
import { isDecimal, multiplyDecimals, roundHalfEven, sumDecimals } from "../../core/model/decimal.ts";
import { checkModel } from "../../core/model/model-checks.ts";
import type { ModelProblem } from "../../core/model/model-problem.ts";
import type { CompiledRecord } from "./check-layout.ts";
import type { FieldValue } from "./field-value.ts";
import type { FlatFileEntity, FlatFileLayout } from "./flat-file-layout.ts";

type Node = Record<string, unknown>;

/** A document under construction: its value, first line, record types seen, and whether a record failed. */
export interface OpenDocument {
  readonly line: number;
  readonly key: string | undefined;
  readonly value: Node;
  failed: boolean;
  /** A line inside the document that could not be read at all (so its record type is unknown). */
  unreadLine?: number;
}

export type BuiltDocument =
  | { readonly ok: true; readonly value: Node }
  | { readonly ok: false; readonly problems: readonly ModelProblem[] };

const SEGMENT = /^([A-Za-z][A-Za-z0-9]*)(?:\[([0-9]*)\])?$/;

/**
 * Writes `value` at `target`. `name[]` is the item this record appends (one per record and array
 * path, shared by the record's fields); `name[n]` a fixed item. An existing value is kept (the first
 * record wins, so header fields repeated on every row of a flattened file are written once).
 */
export function writeTarget(root: Node, target: string, value: FieldValue, items: Map<string, Node>): void {
  const segments = target.split(".");
  let node = root;
  let prefix = "";
  for (const [i, segment] of segments.entries()) {
    const [, name, index] = SEGMENT.exec(segment) as RegExpExecArray;
    const key = name as string;
    const last = i === segments.length - 1;
    prefix = prefix === "" ? segment : `${prefix}.${segment}`;
    if (index === undefined) {
      if (last) {
        if (!Object.hasOwn(node, key)) node[key] = value;
        return;
      }
      if (!Object.hasOwn(node, key) || typeof node[key] !== "object") node[key] = {};
      node = node[key] as Node;
      continue;
    }
    if (!Object.hasOwn(node, key) || !Array.isArray(node[key])) node[key] = [];
    const list = node[key] as unknown[];
    if (index === "") {
      if (last) {
        list.push(value);
        return;
      }
      let item = items.get(prefix);
      if (item === undefined) {
        item = {};
        list.push(item);
        items.set(prefix, item);
      }
      node = item;
    } else {
      const at = Number(index);
      if (last) {
        if (list[at] === undefined) list[at] = value;
        return;
      }
      if (typeof list[at] !== "object" || list[at] === null) list[at] = {};
      node = list[at] as Node;
    }
  }
}

/** Writes one record's values into a document. */
export function applyRecord(
  document: OpenDocument,
  record: CompiledRecord,
  values: ReadonlyMap<string, FieldValue | undefined>,
): void {
  const items = new Map<string, Node>();
  for (const { field } of record.fields) {
    const value = values.get(field.name);
    if (field.target !== undefined && value !== undefined)
      writeTarget(document.value, field.target, value, items);
  }
}

function derive(value: Node, options: NonNullable<FlatFileLayout["derive"]>): void {
  const lines = Array.isArray(value.lines) ? (value.lines as Node[]) : [];
  const places = options.moneyPlaces ?? 2;
  if (options.lineTotals) {
    for (const line of lines) {
      if (line.total === undefined && isDecimal(line.quantity) && isDecimal(line.unitPrice))
        line.total = roundHalfEven(multiplyDecimals(line.quantity, line.unitPrice), places);
    }
  }
  if (options.totals && value.totals === undefined && lines.every((line) => isDecimal(line.total))) {
    const subtotal = sumDecimals(lines.map((line) => line.total as string));
    const taxes = lines.flatMap((line) =>
      (Array.isArray(line.taxes) ? (line.taxes as Node[]) : []).map((t) => t.amount),
    );
    const taxTotal = taxes.every(isDecimal) ? sumDecimals(taxes as string[]) : "0";
    const grandTotal = value.pricesIncludeTax === true ? subtotal : sumDecimals([subtotal, taxTotal]);
    value.totals = { subtotal, discountTotal: "0", shippingTotal: "0", taxTotal, grandTotal };
  }
}

/** Completes a document: derivations, `schemaVersion`, then the canonical check when there is an entity. */
export function buildDocument(document: OpenDocument, layout: FlatFileLayout): BuiltDocument {
  const entity: FlatFileEntity | undefined = layout.entity;
  if (entity === undefined) return { ok: true, value: document.value };
  const value: Node = { schemaVersion: 1, ...document.value };
  if (layout.derive !== undefined) derive(value, layout.derive);
  const checked = checkModel(entity, value);
  return checked.ok ? { ok: true, value } : { ok: false, problems: checked.problems };
}
