/**
 * The second stage: one row (CSV cells or a fixed-width line) to the typed values of its record
 * definition. Finds the record type, cuts each field at its column or position and converts it; every
 * field that fails is one problem naming the field, where it is, what was found and what was expected.
 */
import type { CompiledLayout, CompiledRecord } from "./check-layout.ts";
import { type FieldValue, readFieldValue, shown } from "./field-value.ts";

export interface FieldProblem {
  readonly field?: string;
  /** CSV column number or fixed-width start, 1-based. */
  readonly column?: number;
  readonly found: string;
  readonly expected: string;
}

export type ReadRecord =
  | {
      readonly ok: true;
      readonly record: CompiledRecord;
      readonly values: ReadonlyMap<string, FieldValue | undefined>;
      readonly problems: readonly FieldProblem[];
    }
  | { readonly ok: false; readonly problem: FieldProblem };

/** Column indexes (0-based) of a CSV header row's names. */
export type HeaderIndex = ReadonlyMap<string, number>;

/** A row as the reader sees it: CSV cells or fixed-width text. */
export type RowContent = { readonly cells: readonly string[] } | { readonly text: string };

function cut(
  content: RowContent,
  column: number | undefined,
  start: number | undefined,
  length: number | undefined,
): string | undefined {
  if ("cells" in content) return column === undefined ? undefined : content.cells[column - 1];
  if (start === undefined || length === undefined || content.text.length < start) return undefined;
  return content.text.slice(start - 1, start - 1 + length);
}

function columnOf(
  name: string | undefined,
  column: number | undefined,
  header: HeaderIndex | undefined,
): number | undefined {
  if (name === undefined) return column;
  const index = header?.get(name);
  return index === undefined ? undefined : index + 1;
}

/** Reads one row against the layout. `header` maps CSV header names when the layout uses them. */
export function readRecord(
  layout: CompiledLayout,
  content: RowContent,
  header: HeaderIndex | undefined,
): ReadRecord {
  const rt = layout.layout.recordType;
  let type = "";
  if (rt !== undefined) {
    const column = columnOf(rt.header, rt.column, header);
    const raw = cut(content, column, rt.start, rt.length);
    type = raw?.trim() ?? "";
    if (!layout.records.has(type)) {
      const known = [...layout.records.keys()].join(", ");
      return {
        ok: false,
        problem: {
          field: "record type",
          ...((column ?? rt.start) ? { column: column ?? rt.start } : {}),
          found: raw === undefined ? "no record type (the line is too short)" : shown(type),
          expected: `one of ${known}`,
        },
      };
    }
  }
  const record = layout.records.get(type) as CompiledRecord;
  const values = new Map<string, FieldValue | undefined>();
  const problems: FieldProblem[] = [];
  if (record.role === "ignore") return { ok: true, record, values, problems };
  for (const { field, date } of record.fields) {
    const column = field.type === "constant" ? undefined : columnOf(field.header, field.column, header);
    const raw = cut(content, column, field.start, field.length);
    const read = readFieldValue(raw, field, date);
    if (read.ok) values.set(field.name, read.value);
    else
      problems.push({
        field: field.name,
        ...((column ?? field.start) ? { column: column ?? field.start } : {}),
        found: read.found,
        expected: read.expected,
      });
  }
  return { ok: true, record, values, problems };
}
