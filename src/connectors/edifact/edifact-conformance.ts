/**
 * The EDIFACT decoder of `crossdock conformance`: claims files that start with UNA or UNB (after an
 * optional BOM and whitespace), reads every interchange, maps every message with a built-in mapping
 * and counts documents per message type and records per canonical entity.
 *
 * Outcome: `error` with the first located failure, reading or mapping; messages read before a reading
 * failure are still counted and mapped, and every message is mapped even after one failed (the
 * warnings say how many failed). Types without a mapping (APERAK, PRICAT, ...) are counted as
 * documents with a warning, never an error. `decode` never throws: an unexpected exception becomes a
 * `CDK_INTERNAL` result naming the file.
 */
import type { ConformanceDecoder, ConformanceError, ConformanceResult } from "../conformance.ts";
import { skipPreamble } from "./edifact-charset.ts";
import { EDIFACT_MAPPINGS, mapEdifactMessage } from "./edifact-mapping.ts";
import type { EdifactMappingOptions } from "./edifact-mapping-context.ts";
import { type ReadEdifactOptions, readEdifact } from "./edifact-reader.ts";
import type { EdifactFailure } from "./edifact-syntax.ts";

export interface EdifactConformanceOptions extends ReadEdifactOptions {
  /** Mapping options; the decoder's default currency is EUR (warned per message) unless set here. */
  readonly mapping?: EdifactMappingOptions;
}

function toError(failure: EdifactFailure): ConformanceError {
  const { segment, tag, element, line } = failure.location;
  return {
    code: failure.code,
    message: failure.message,
    location: {
      segment,
      ...(tag === undefined ? {} : { tag }),
      ...(element === undefined ? {} : { element }),
      ...(line === undefined ? {} : { line }),
    },
  };
}

/** The `edifact` conformance decoder; see the module comment. */
export function createEdifactConformanceDecoder(options: EdifactConformanceOptions = {}): ConformanceDecoder {
  const mapping: EdifactMappingOptions = { defaultCurrency: "EUR", ...options.mapping };
  return {
    format: "edifact",
    sniff(_fileName, head) {
      const start = skipPreamble(head);
      const tag = String.fromCharCode(...head.subarray(start, start + 4));
      return /^UN[AB][^A-Za-z0-9\s]$/.test(tag);
    },
    decode(fileName, bytes) {
      try {
        return decodeFile(fileName, bytes, options, mapping);
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause);
        return {
          file: fileName,
          format: "edifact",
          outcome: "error",
          documents: [],
          records: {},
          error: {
            code: "CDK_INTERNAL",
            message: `${fileName}: the EDIFACT decoder failed unexpectedly: ${reason}`,
            location: { segment: 1 },
          },
        };
      }
    },
  };
}

function decodeFile(
  fileName: string,
  bytes: Uint8Array,
  options: ReadEdifactOptions,
  mapping: EdifactMappingOptions,
): ConformanceResult {
  const read = readEdifact(fileName, bytes, options);
  const warnings = [...read.warnings];
  const documents = new Map<string, number>();
  const records: Record<string, number> = {};
  const unmapped = new Map<string, number>();
  let firstFailure: EdifactFailure | undefined = read.ok ? undefined : read.failure;
  let failedMessages = 0;
  for (const interchange of read.interchanges) {
    for (const message of interchange.messages) {
      documents.set(message.type, (documents.get(message.type) ?? 0) + 1);
      if (EDIFACT_MAPPINGS[message.type] === undefined) {
        unmapped.set(message.type, (unmapped.get(message.type) ?? 0) + 1);
        continue;
      }
      const outcome = mapEdifactMessage(fileName, message, mapping);
      warnings.push(...outcome.warnings);
      if (outcome.ok) records[outcome.entity] = (records[outcome.entity] ?? 0) + outcome.records.length;
      else {
        failedMessages++;
        firstFailure ??= outcome.failure;
      }
    }
  }
  for (const [type, count] of unmapped)
    warnings.push(`${count} ${type} message(s) counted but not mapped (no canonical mapping for ${type})`);
  if (failedMessages > 0) warnings.push(`${failedMessages} message(s) could not be mapped`);
  return {
    file: fileName,
    format: "edifact",
    outcome: firstFailure === undefined ? "parsed" : "error",
    documents: [...documents].map(([type, count]) => ({ type, count })),
    records,
    ...(firstFailure === undefined ? {} : { error: toError(firstFailure) }),
    ...(warnings.length === 0 ? {} : { warnings }),
  };
}
