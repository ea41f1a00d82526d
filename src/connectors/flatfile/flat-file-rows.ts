/**
 * The first stage of decoding a flat file: bytes to rows, streamed. CSV goes through csv-parse's
 * stream API behind a `LineSplitter` guard (over-long lines); fixed width through a `LineSplitter`
 * in `lines` mode. Whatever cannot be read (an unterminated quote, an over-long line, bytes that are
 * not valid UTF-8) is a `fault` row with its line, never an exception, and reading goes on where it can.
 */
import { pipeline, Readable } from "node:stream";
import { type CsvError, type Options, parse } from "csv-parse";
import type { FlatFileLayout } from "./flat-file-layout.ts";
import { LineSplitter, type SplitLine } from "./line-splitter.ts";

/** What a file's bytes arrive as: a stream, any async iterable of chunks, or the bytes themselves. */
export type FlatFileSource = Readable | AsyncIterable<Uint8Array> | Uint8Array;

export type RawRow =
  | { readonly kind: "header"; readonly line: number; readonly cells: readonly string[] }
  | { readonly kind: "cells"; readonly line: number; readonly cells: readonly string[] }
  | { readonly kind: "text"; readonly line: number; readonly text: string }
  | {
      readonly kind: "fault";
      readonly line: number;
      readonly column?: number;
      readonly found: string;
      readonly expected: string;
    };

export const DEFAULT_MAX_LINE_BYTES = 65_536;

function toReadable(source: FlatFileSource): Readable {
  if (source instanceof Readable) return source;
  if (source instanceof Uint8Array)
    return Readable.from([Buffer.from(source.buffer, source.byteOffset, source.byteLength)]);
  return Readable.from(source);
}

const NOT_UTF8 = {
  found: "bytes that are not valid UTF-8",
  expected: "UTF-8 text (or encoding: latin1 in the layout)",
};

function tooLong(line: number, bytes: number, max: number): RawRow {
  return {
    kind: "fault",
    line,
    found: `a line of ${bytes} bytes`,
    expected: `at most ${max} bytes (maxLineBytes)`,
  };
}

function csvFault(error: CsvError | undefined, lastLine: number): RawRow {
  const line = typeof error?.lines === "number" ? error.lines : lastLine + 1;
  switch (error?.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return {
        kind: "fault",
        line: lastLine + 1,
        found: `a quote opened after line ${lastLine} that is never closed (the file ends at line ${line})`,
        expected: "a closing quote",
      };
    case "CSV_INVALID_CLOSING_QUOTE":
      return {
        kind: "fault",
        line,
        found: "text right after a closing quote",
        expected: "a delimiter or the end of the line after a closing quote",
      };
    case "INVALID_OPENING_QUOTE":
      return {
        kind: "fault",
        line,
        found: "a quote inside an unquoted field",
        expected: "quotes only around a whole field",
      };
    default:
      return {
        kind: "fault",
        line,
        found: String(error?.message ?? "an unreadable record").slice(0, 200),
        expected: "a CSV record",
      };
  }
}

/** Rows of a CSV file. Cells are strings; the header row (if the layout has one) comes first as `header`. */
async function* csvRows(source: FlatFileSource, layout: FlatFileLayout): AsyncGenerator<RawRow> {
  const max = layout.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const faults: RawRow[] = [];
  const fault = (row: RawRow) => {
    faults.push(row);
    faults.sort((a, b) => a.line - b.line);
  };
  // The end line of the last record csv-parse accepted (it parses ahead of what is consumed).
  let lastLine = layout.skipLines ?? 0;
  const guard = new LineSplitter({
    maxLineBytes: max,
    mode: "bytes",
    onTooLong: (line, bytes) => fault(tooLong(line, bytes, max)),
  });
  const quote = layout.csv?.quote;
  const options: Options = {
    delimiter: layout.csv?.delimiter ?? ",",
    quote: quote === "" ? false : (quote ?? '"'),
    encoding: layout.encoding === "latin1" ? "latin1" : "utf8",
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    from_line: (layout.skipLines ?? 0) + 1,
    skip_records_with_error: true,
    on_skip: (error) => {
      fault(csvFault(error, lastLine));
      return undefined;
    },
    on_record: (record, context) => {
      lastLine = context.lines;
      return record;
    },
  };
  const parser = parse(options);
  const rows = pipeline(toReadable(source), guard, parser, () => {}) as unknown as AsyncIterable<{
    info: { lines: number };
    record: string[];
  }>;
  let headerPending = layout.csv?.header === true;
  for await (const { info, record } of rows) {
    while (faults.length > 0 && (faults[0] as RawRow).line <= info.lines) yield faults.shift() as RawRow;
    const bad = layout.encoding === "latin1" ? -1 : record.findIndex((cell) => cell.includes("\uFFFD"));
    if (bad >= 0) yield { kind: "fault", line: info.lines, column: bad + 1, ...NOT_UTF8 };
    else if (headerPending) yield { kind: "header", line: info.lines, cells: record };
    else yield { kind: "cells", line: info.lines, cells: record };
    headerPending = false;
  }
  yield* faults;
}

/** Lines of a fixed-width file, decoded; blank lines and `skipLines` are passed over. */
async function* fixedRows(source: FlatFileSource, layout: FlatFileLayout): AsyncGenerator<RawRow> {
  const max = layout.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const skip = layout.skipLines ?? 0;
  const lines = pipeline(
    toReadable(source),
    new LineSplitter({ maxLineBytes: max, mode: "lines" }),
    () => {},
  ) as unknown as AsyncIterable<SplitLine>;
  for await (const split of lines) {
    if (split.line <= skip) continue;
    if ("tooLong" in split) {
      yield tooLong(split.line, split.tooLong, max);
      continue;
    }
    const text = split.bytes.toString(layout.encoding === "latin1" ? "latin1" : "utf8");
    const bad = layout.encoding === "latin1" ? -1 : text.indexOf("\uFFFD");
    if (bad >= 0) yield { kind: "fault", line: split.line, column: bad + 1, ...NOT_UTF8 };
    else if (text.trim() !== "") yield { kind: "text", line: split.line, text };
  }
}

/** Rows of a file in the layout's format. Throws only if the source itself fails (a read error). */
export function readRows(source: FlatFileSource, layout: FlatFileLayout): AsyncGenerator<RawRow> {
  return layout.format === "csv" ? csvRows(source, layout) : fixedRows(source, layout);
}
