/**
 * The conformance port: how `crossdock conformance <dir>` asks each decoder (X12, EDIFACT, flat files,
 * carrier JSON, ...) what it makes of one file. A decoder claims a file by sniffing its first bytes (and
 * its name, as a hint only), then decodes it all the way to canonical records without storing anything.
 *
 * `decode` never throws: a file the decoder cannot read is a result with a located error (file, segment
 * or line, what was found, what was expected), exactly what a user would see in an exception record.
 */
import type { ErrorCode } from "../core/errors.ts";

/** Where in a file a problem is. At least one of `segment` and `line` is set. */
export interface ConformanceLocation {
  /** 1-based segment number within the file (EDI). */
  readonly segment?: number;
  /** The segment's tag, such as `PO1` or `UNH`. */
  readonly tag?: string;
  /** 1-based element (and component) position within the segment, such as `PO1-02` or `QTY-01-2`. */
  readonly element?: string;
  /** 1-based line (flat files, JSON). */
  readonly line?: number;
  /** 1-based column or byte offset within the line. */
  readonly column?: number;
  /** Field name (flat files, JSON pointer for JSON). */
  readonly field?: string;
}

export interface ConformanceError {
  readonly code: ErrorCode;
  /** One sentence: what was found, where, what was expected. Includes the file name. */
  readonly message: string;
  readonly location: ConformanceLocation;
}

/** What one file decoded to. */
export interface ConformanceResult {
  /** The file's name as given (relative to the folder the command was run on). */
  readonly file: string;
  /** The decoder's format, such as `x12`, `edifact`, `csv`, `fixed-width`, `easypost-json`. */
  readonly format: string;
  readonly outcome: "parsed" | "error";
  /** Per document type found (`850`, `ORDERS`, `tracker.updated`): how many documents. */
  readonly documents: readonly { readonly type: string; readonly count: number }[];
  /** Canonical records produced, per canonical entity (`order`, `shipment`, `stock-level`, ...). */
  readonly records: Readonly<Record<string, number>>;
  /** Set when `outcome` is `error`. A file can have records and still an error (a later set failed). */
  readonly error?: ConformanceError;
  /** Notes that are not errors: quirks accepted (newline terminators, a wrapped line), documents skipped. */
  readonly warnings?: readonly string[];
}

export interface ConformanceDecoder {
  readonly format: string;
  /** True when this decoder should take the file. Looks at the content first; the name is a hint. */
  sniff(fileName: string, head: Uint8Array): boolean;
  /** Decodes the whole file to canonical records. Never throws. */
  decode(fileName: string, bytes: Uint8Array): ConformanceResult | Promise<ConformanceResult>;
}
