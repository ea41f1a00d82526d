/**
 * The flat-file answers to `crossdock conformance`: `csv` and `fixed-width` (the built-in layouts of
 * `builtin-csv-layouts.ts` and `builtin-fixed-layouts.ts`, chosen by content), and `shipbob-json`.
 * A file no built-in layout recognises is still read (CSV syntax, line lengths, encoding) and its
 * rows counted, with a warning that a layout is needed for canonical records.
 */
import type { ConformanceDecoder, ConformanceResult } from "../conformance.ts";
import { decodeJsonConformance } from "../shopify/json-conformance-tally.ts";
import { BUILTIN_CSV_LAYOUTS } from "./builtin-csv-layouts.ts";
import { BUILTIN_FIXED_LAYOUTS, type BuiltinLayout } from "./builtin-fixed-layouts.ts";
import { type CompiledLayout, compileLayout } from "./check-layout.ts";
import { decodeFlatFile } from "./decode-flat-file.ts";
import type { FlatFileLayout } from "./flat-file-layout.ts";
import { readShipBobJson } from "./shipbob-json.ts";

const HEAD_CHARS = 8_192;
const EDI = /^(ISA|UNA|UNB|UNH|GS\*|ST\*)/;

function headText(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, HEAD_CHARS)).toString(
    "latin1",
  );
}

const compiled = new Map<string, CompiledLayout>();
function compiledOf(name: string, layout: FlatFileLayout): CompiledLayout {
  let found = compiled.get(name);
  if (found === undefined) {
    found = compileLayout(layout, name, `builtin.${name}`);
    compiled.set(name, found);
  }
  return found;
}

async function decodeWith(
  format: string,
  builtins: readonly BuiltinLayout[],
  fallback: FlatFileLayout,
  fileName: string,
  bytes: Uint8Array,
): Promise<ConformanceResult> {
  const head = headText(bytes);
  const builtin = builtins.find((b) => b.matches(fileName, head));
  const name = builtin?.name ?? `generic-${format}`;
  const layout = compiledOf(name, builtin?.layout ?? fallback);
  const result = await decodeFlatFile(bytes, layout, {
    fileName,
    errors: { mode: "collect", maxErrors: 20 },
  });
  const warnings = [`layout ${name}`];
  if (builtin === undefined)
    warnings.push(
      "no built-in layout recognises this file: rows were checked and counted, a layout is needed for canonical records",
    );
  else if (builtin.layout.entity === undefined)
    warnings.push(`${name} reads and checks records only: ${builtin.layout.description ?? ""}`);
  if (result.errors.length > 1) warnings.push(`${result.errors.length - 1} more errors after the first`);
  const first = result.errors[0];
  const details = (first?.details ?? {}) as { line?: number; column?: number; field?: string };
  return {
    file: fileName,
    format,
    outcome: first ? "error" : "parsed",
    documents: Object.entries(result.recordTypes).map(([type, count]) => ({
      type: type === "" ? "row" : type,
      count,
    })),
    records: layout.layout.entity === undefined ? {} : { [layout.layout.entity]: result.recordCount },
    ...(first
      ? {
          error: {
            code: first.code,
            message: first.message,
            location: {
              line: details.line ?? 1,
              ...(details.column ? { column: details.column } : {}),
              ...(details.field ? { field: details.field } : {}),
            },
          },
        }
      : {}),
    warnings,
  };
}

const GENERIC_FIXED: FlatFileLayout = {
  format: "fixed-width",
  encoding: "latin1",
  records: [{ fields: [] }],
};

/** `csv`: delimited text (`,` `;` tab `|`), EDI excluded. */
export const csvConformanceDecoder: ConformanceDecoder = {
  format: "csv",
  sniff(fileName, bytes) {
    const head = headText(bytes);
    if (head.includes("\u0000") || EDI.test(head.trimStart()) || /^\s*[[{<]/.test(head)) return false;
    if (BUILTIN_CSV_LAYOUTS.some((b) => b.matches(fileName, head))) return true;
    const first = head.split(/\r?\n/, 1)[0] ?? "";
    return /\.(csv|tsv)$/i.test(fileName) && (first.match(/[,;\t|]/g)?.length ?? 0) >= 1;
  },
  decode(fileName, bytes) {
    const first = headText(bytes).split(/\r?\n/, 1)[0] ?? "";
    const counts = [",", ";", "\t", "|"].map((d) => [d, first.split(d).length] as const);
    const delimiter = counts.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    const fallback: FlatFileLayout = { format: "csv", csv: { delimiter }, records: [{ fields: [] }] };
    return decodeWith("csv", BUILTIN_CSV_LAYOUTS, fallback, fileName, bytes);
  },
};

/** `fixed-width`: lines that start with a record tag (HEA, LIN...), EDI excluded. */
export const fixedWidthConformanceDecoder: ConformanceDecoder = {
  format: "fixed-width",
  sniff(fileName, bytes) {
    const head = headText(bytes);
    if (head.includes("\u0000") || EDI.test(head.trimStart())) return false;
    if (BUILTIN_FIXED_LAYOUTS.some((b) => b.matches(fileName, head))) return true;
    return /\.(inh|fw|fix|dat)$/i.test(fileName) && /^[A-Z]{3}[A-Z0-9 ]/.test(head);
  },
  decode(fileName, bytes) {
    return decodeWith("fixed-width", BUILTIN_FIXED_LAYOUTS, GENERIC_FIXED, fileName, bytes);
  },
};

/** `shipbob-json`: ShipBob WROs, WRO box lists and product lists. */
export const shipbobJsonConformanceDecoder: ConformanceDecoder = {
  format: "shipbob-json",
  sniff(fileName, bytes) {
    const head = headText(bytes);
    if (!/^\s*[[{]/.test(head)) return false;
    return (
      /"inventory_quantities"|"box_items"|"variants"/.test(head) ||
      (/shipbob/i.test(fileName) && /\.json$/i.test(fileName))
    );
  },
  decode(fileName, bytes) {
    return decodeJsonConformance("shipbob-json", fileName, bytes, (tally, document) => {
      const read = readShipBobJson(document);
      if (read.documents > 0) tally.documents.set(read.kind, read.documents);
      for (const record of read.records)
        tally.records.set(record.entity, (tally.records.get(record.entity) ?? 0) + 1);
      tally.warnings.push(...read.warnings);
      tally.problems.push(...read.problems);
    });
  },
};

/** The flat-file conformance decoders, in the order they should be asked. */
export const FLATFILE_CONFORMANCE_DECODERS: readonly ConformanceDecoder[] = [
  shipbobJsonConformanceDecoder,
  fixedWidthConformanceDecoder,
  csvConformanceDecoder,
];
