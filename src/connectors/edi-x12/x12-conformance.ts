/**
 * The X12 decoder of `crossdock conformance`: claims a file that starts (after whitespace or a BOM)
 * with `ISA` or a bare `ST`, or with their EBCDIC bytes (to refuse it with a located
 * `CDK_EDI_UNSUPPORTED`), reads every interchange, maps the sets that have a mapper and counts
 * documents per set type and records per entity.
 *
 * A set is counted as a document whatever becomes of it; records count only for sets that were
 * accepted (no problem in the set, its group or its interchange). Sets without a mapper are warnings,
 * not errors. The first problem in file order is the result's `error`; the others are listed in
 * `warnings` (up to 20).
 */
import type { ConformanceDecoder, ConformanceResult } from "../conformance.ts";
import { sniffX12Bytes } from "./x12-charset.ts";
import { X12_MAPPERS } from "./x12-mappers.ts";
import type { X12MapOptions } from "./x12-mapping.ts";
import type { X12Problem } from "./x12-segment.ts";
import { createX12SetRunner } from "./x12-set-runner.ts";
import { runX12 } from "./x12-stream.ts";

/** The trading partner settings conformance runs with (no partner is configured for a folder of files). */
export const CONFORMANCE_MAP_OPTIONS: X12MapOptions = { connection: "conformance", warehouse: "WH" };

const MAX_NOTES = 20;

/** Decodes one file to a conformance result. Never throws. */
export function decodeX12ForConformance(
  fileName: string,
  bytes: Uint8Array,
  options: X12MapOptions = CONFORMANCE_MAP_OPTIONS,
): ConformanceResult {
  const documents = new Map<string, number>();
  const records: Record<string, number> = {};
  const problems: X12Problem[] = [];
  const warnings: string[] = [];
  const unmapped = new Map<string, number>();
  const handler = createX12SetRunner(fileName, options, X12_MAPPERS, {
    problem: (problem) => problems.push(problem),
    warning: (text) => warnings.push(text),
    interchangeEnd(outcomes) {
      for (const outcome of outcomes) {
        documents.set(outcome.type, (documents.get(outcome.type) ?? 0) + 1);
        if (!outcome.mapped) unmapped.set(outcome.type, (unmapped.get(outcome.type) ?? 0) + 1);
        else if (outcome.accepted && outcome.records > 0) {
          const entity = X12_MAPPERS.get(outcome.type)!.entity;
          records[entity] = (records[entity] ?? 0) + outcome.records;
        }
      }
    },
  });
  try {
    runX12(fileName, bytes, handler, { warning: (text) => warnings.push(text) });
  } catch (error) {
    problems.unshift({
      code: "CDK_EDI_SYNTAX",
      message: `${fileName}: segment 1: the reader failed unexpectedly (${String(error)}); this is a bug, please report it`,
      location: { segment: 1 },
    });
  }
  for (const [type, count] of unmapped) {
    warnings.push(
      `${fileName}: ${count} transaction set(s) of type ${type} read and envelope-checked but not mapped (no mapper for ${type})`,
    );
  }
  problems.sort((a, b) => a.location.segment - b.location.segment);
  const [first, ...rest] = problems;
  const notes = [...warnings, ...rest.map((p) => `${p.code}: ${p.message}`)];
  return {
    file: fileName,
    format: "x12",
    outcome: first === undefined ? "parsed" : "error",
    documents: [...documents].map(([type, count]) => ({ type, count })),
    records,
    ...(first === undefined
      ? {}
      : { error: { code: first.code, message: first.message, location: first.location } }),
    ...(notes.length > 0
      ? {
          warnings:
            notes.length > MAX_NOTES
              ? [...notes.slice(0, MAX_NOTES), `${notes.length - MAX_NOTES} more notes left out`]
              : notes,
        }
      : {}),
  };
}

/** The conformance port's X12 decoder. */
export const x12ConformanceDecoder: ConformanceDecoder = {
  format: "x12",
  sniff(_fileName, head) {
    const kind = sniffX12Bytes(head).kind;
    return kind === "x12" || kind === "ebcdic";
  },
  decode: (fileName, bytes) => decodeX12ForConformance(fileName, bytes),
};
