/**
 * Decodes a CSV or fixed-width file into canonical records, streamed: rows (`flat-file-rows.ts`) ->
 * typed records (`record-reader.ts`) -> documents checked as their entity (`document-builder.ts`).
 * Memory stays bounded by one line and one document: records go to `onRecord` as they complete (the
 * decoder awaits it, which back-pressures the file), or are collected when no `onRecord` is given.
 *
 * A bad record is an expected outcome: a `CDK_FILE_RECORD_INVALID` in `errors` naming the file, line,
 * field, what was found and what was expected. Records decoded before it are kept. The error policy
 * decides whether reading goes on: `stopAtFirstError`, or `collect` up to `maxErrors` (default 100).
 * A document with a bad record is dropped as a whole (its other records are not guessed at).
 *
 * @example
 * const layout = compileLayout(config.flatFiles.layouts.acme, "acme");
 * const result = await decodeFlatFile(createReadStream(path), layout, { fileName: "ship_0412.csv" });
 * for (const record of result.records) store(record.value); // canonical shipments
 * for (const error of result.errors) exception(error); // located CDK_FILE_RECORD_INVALID
 */
import { CrossdockError } from "../../core/errors.ts";
import type { CompiledLayout } from "./check-layout.ts";
import { applyRecord, buildDocument, type OpenDocument } from "./document-builder.ts";
import type { FlatFileEntity } from "./flat-file-layout.ts";
import { type FlatFileSource, readRows } from "./flat-file-rows.ts";
import { type FieldProblem, type HeaderIndex, readRecord } from "./record-reader.ts";

export type ErrorPolicy =
  | { readonly mode: "stopAtFirstError" }
  | { readonly mode: "collect"; readonly maxErrors?: number };

export interface FlatFileRecord {
  /** The canonical entity, or undefined for a layout that only reads records. */
  readonly entity: FlatFileEntity | undefined;
  /** The line the document starts on. */
  readonly line: number;
  readonly value: Readonly<Record<string, unknown>>;
}

export interface DecodeFlatFileOptions {
  /** Named in every error. */
  readonly fileName: string;
  /** Default `{ mode: "collect", maxErrors: 100 }`. */
  readonly errors?: ErrorPolicy;
  /** Receives each record as it completes; then `records` stays empty. */
  readonly onRecord?: (record: FlatFileRecord) => void | Promise<void>;
}

export interface FlatFileResult {
  readonly fileName: string;
  readonly layout: string;
  /** Decoded records, in file order (empty when `onRecord` was given). */
  readonly records: FlatFileRecord[];
  /** How many records were decoded (also with `onRecord`). */
  readonly recordCount: number;
  /** Lines read per record type (`""` in a single-record layout). */
  readonly recordTypes: Readonly<Record<string, number>>;
  readonly errors: CrossdockError[];
  /** False when the policy stopped reading before the end of the file. */
  readonly complete: boolean;
}

function recordError(file: string, line: number, problem: FieldProblem): CrossdockError {
  const where = `${file} line ${line}${problem.column ? ` column ${problem.column}` : ""}${problem.field ? ` field ${problem.field}` : ""}`;
  return new CrossdockError(
    "CDK_FILE_RECORD_INVALID",
    `${where}: found ${problem.found}, expected ${problem.expected}`,
    {
      details: { file, line, ...problem },
    },
  );
}

/** Decodes a whole file. Never throws on file content; a failing source (read error) is an error too. */
export async function decodeFlatFile(
  source: FlatFileSource,
  compiled: CompiledLayout,
  options: DecodeFlatFileOptions,
): Promise<FlatFileResult> {
  const { layout } = compiled;
  const file = options.fileName;
  const policy = options.errors ?? { mode: "collect" };
  const maxErrors = policy.mode === "stopAtFirstError" ? 1 : Math.max(1, policy.maxErrors ?? 100);
  const records: FlatFileRecord[] = [];
  const errors: CrossdockError[] = [];
  const recordTypes: Record<string, number> = {};
  let recordCount = 0;
  let header: HeaderIndex | undefined;
  let open: OpenDocument | undefined;
  const fail = (line: number, problem: FieldProblem) =>
    errors.push(recordError(file, line, problem)) >= maxErrors;

  const close = async (): Promise<boolean> => {
    const document = open;
    open = undefined;
    if (document === undefined) return false;
    if (document.unreadLine !== undefined) {
      const what = layout.entity ?? "document";
      const error = new CrossdockError(
        "CDK_FILE_RECORD_INVALID",
        `${file} line ${document.line}: the ${what} starting here is dropped: line ${document.unreadLine} inside it could not be read`,
        {
          details: {
            file,
            line: document.line,
            found: `an unreadable line ${document.unreadLine}`,
            expected: "every line of the document readable",
          },
        },
      );
      return errors.push(error) >= maxErrors;
    }
    if (document.failed) return false;
    const built = buildDocument(document, layout);
    if (!built.ok) {
      const first = built.problems[0];
      const more = built.problems.length > 1 ? ` (and ${built.problems.length - 1} more problems)` : "";
      const error = new CrossdockError(
        "CDK_FILE_RECORD_INVALID",
        `${file} line ${document.line}: the ${layout.entity} starting here is not valid: ${first?.path || "/"} ${first?.message}${more}`,
        {
          details: {
            file,
            line: document.line,
            field: first?.path,
            expected: first?.message,
            problems: built.problems.slice(0, 20),
          },
        },
      );
      return errors.push(error) >= maxErrors;
    }
    const record: FlatFileRecord = { entity: layout.entity, line: document.line, value: built.value };
    recordCount++;
    if (options.onRecord) await options.onRecord(record);
    else records.push(record);
    return false;
  };

  // A line that cannot be read may belong to the open document when documents span lines: the
  // document is then dropped with its own error rather than emitted possibly incomplete.
  const multiLine =
    layout.groupBy !== undefined || [...compiled.records.values()].some((r) => r.role === "detail");
  const unread = (line: number) => {
    if (open !== undefined && multiLine) open.unreadLine ??= line;
  };
  let stopped = false;
  try {
    for await (const row of readRows(source, layout)) {
      if (row.kind === "fault") {
        unread(row.line);
        if (
          fail(row.line, {
            ...(row.column ? { column: row.column } : {}),
            found: row.found,
            expected: row.expected,
          })
        ) {
          stopped = true;
          break;
        }
        continue;
      }
      if (row.kind === "header") {
        header = new Map(row.cells.map((name, index) => [name.trim(), index]));
        const missing = [...compiled.records.values()]
          .flatMap((r) => r.fields)
          .find((f) => f.field.header !== undefined && !header?.has(f.field.header));
        if (missing) {
          fail(row.line, {
            field: missing.field.name,
            found: `a header row without "${missing.field.header}"`,
            expected: "the column names the layout refers to",
          });
          stopped = true;
          break;
        }
        continue;
      }
      const read = readRecord(
        compiled,
        row.kind === "cells" ? { cells: row.cells } : { text: row.text },
        header,
      );
      if (!read.ok) {
        unread(row.line);
        if (fail(row.line, read.problem)) {
          stopped = true;
          break;
        }
        continue;
      }
      const type = read.record.type ?? "";
      recordTypes[type] = (recordTypes[type] ?? 0) + 1;
      if (read.record.role === "ignore") continue;
      const groupBy = layout.groupBy;
      const key = groupBy === undefined ? undefined : String(read.values.get(groupBy) ?? "");
      const starts =
        groupBy !== undefined ? open === undefined || open.key !== key : read.record.role === "header";
      if (starts) {
        if (await close()) {
          stopped = true;
          break;
        }
        open = { line: row.line, key, value: {}, failed: false };
      } else if (open === undefined) {
        if (
          fail(row.line, {
            field: "record type",
            found: `a ${type} detail record before any header`,
            expected: "a header record first",
          })
        ) {
          stopped = true;
          break;
        }
        continue;
      }
      const document = open as OpenDocument;
      if (read.problems.length > 0) {
        document.failed = true;
        if (read.problems.some((problem) => fail(row.line, problem))) {
          stopped = true;
          break;
        }
        continue;
      }
      applyRecord(document, read.record, read.values);
    }
    if (!stopped) stopped = await close();
  } catch (cause) {
    stopped = true;
    errors.push(
      new CrossdockError(
        "CDK_FILE_RECORD_INVALID",
        `${file}: the file could not be read to the end: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause, details: { file } },
      ),
    );
  }
  return {
    fileName: file,
    layout: compiled.name,
    records,
    recordCount,
    recordTypes,
    errors,
    complete: !stopped,
  };
}
