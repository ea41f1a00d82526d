/**
 * What the JSON decoders (`shopify-json`, `woocommerce-json`, `easypost-json`, `shipbob-json`) share for
 * `crossdock conformance`:
 * a tally of document types, canonical records, notes and located problems, and how it becomes a
 * `ConformanceResult` (the first problem is the error, located by line and column through its JSON
 * pointer; the rest are counted).
 */

import { DocumentFault } from "../../mapping/builtin/document-reader.ts";
import { decodeJsonDocument } from "../../mapping/decode-json.ts";
import { validateCanonical } from "../../mapping/model-validator.ts";
import { locateJsonPointer } from "../carrier/locate-json-pointer.ts";
import type { ConformanceResult } from "../conformance.ts";

export interface LocatedProblem {
  /** JSON pointer into the file. */
  readonly path: string;
  readonly message: string;
}

export class ConformanceTally {
  readonly documents = new Map<string, number>();
  readonly records = new Map<string, number>();
  readonly warnings: string[] = [];
  readonly problems: LocatedProblem[] = [];

  private readonly noted = new Set<string>();

  /** A warning given once per file however many documents cause it. */
  noteOnce(key: string, message: string): void {
    if (this.noted.has(key)) return;
    this.noted.add(key);
    this.warnings.push(message);
  }

  document(type: string): void {
    this.documents.set(type, (this.documents.get(type) ?? 0) + 1);
  }

  /** Counts a canonical record after checking it against the model; a failed check is a problem. */
  record(entity: string, value: unknown, path: string, what: string, toInput?: (p: string) => string): void {
    const problems = validateCanonical(`${entity}/v1`, value);
    if (problems.length === 0) {
      this.records.set(entity, (this.records.get(entity) ?? 0) + 1);
      return;
    }
    const first = problems[0] as { path: string; message: string };
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
    this.problems.push({
      path: toInput ? toInput(first.path) : path,
      message: `${what} does not map to ${entity}/v1: ${first.path || "/"} ${first.message}${more}`,
    });
  }

  /**
   * Runs `fn`, turning a `DocumentFault` (located mapping failure) or `RangeError` (decimal out of
   * range) into a problem; anything else is a bug and propagates.
   */
  guard(path: string, what: string, fn: () => void, prefix = ""): void {
    try {
      fn();
    } catch (cause) {
      if (cause instanceof DocumentFault) {
        const at = `${prefix}${cause.path}`;
        this.problems.push({
          path: at,
          message: `${what}: ${at || "/"}: ${cause.message.slice((cause.path || "/").length + 2)}`,
        });
      } else if (cause instanceof RangeError)
        this.problems.push({ path, message: `${what}: ${cause.message}` });
      else throw cause;
    }
  }
}

/** The first 8 KiB of a file as text, for sniffing. */
export function headText(head: Uint8Array): string {
  return Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 8_192)).toString("utf8");
}

/**
 * Decodes `bytes` as JSON (ids above 2^53 kept as text) and lets `walk` tally it; never throws for
 * bad input.
 */
export function decodeJsonConformance(
  format: string,
  fileName: string,
  bytes: Uint8Array,
  walk: (tally: ConformanceTally, document: unknown) => void,
): ConformanceResult {
  const text = Buffer.from(bytes)
    .toString("utf8")
    .replace(/^\uFEFF/, "");
  const base = { file: fileName, format } as const;
  const decoded = decodeJsonDocument(text, fileName);
  if (!decoded.ok) {
    const d = (decoded.error.details ?? {}) as { line?: number; column?: number };
    return {
      ...base,
      outcome: "error",
      documents: [],
      records: {},
      error: {
        code: decoded.error.code,
        message: decoded.error.message,
        location: { line: d.line ?? 1, ...(d.column ? { column: d.column } : {}) },
      },
    };
  }
  const tally = new ConformanceTally();
  walk(tally, decoded.document);
  const documents = [...tally.documents].map(([type, count]) => ({ type, count }));
  const records = Object.fromEntries(tally.records);
  const warnings = tally.warnings;
  const problem = tally.problems[0];
  if (problem === undefined) {
    return { ...base, outcome: "parsed", documents, records, ...(warnings.length ? { warnings } : {}) };
  }
  const where = locateJsonPointer(text, problem.path);
  const more = tally.problems.length - 1;
  return {
    ...base,
    outcome: "error",
    documents,
    records,
    error: {
      code: "CDK_DECODE_FAILED",
      message: `${fileName} line ${where.line} at ${problem.path || "/"}: ${problem.message}`,
      location: { line: where.line, column: where.column, field: problem.path },
    },
    warnings: [
      ...warnings,
      ...(more > 0 ? [`${more} more problem${more > 1 ? "s" : ""} after the first`] : []),
    ],
  };
}
