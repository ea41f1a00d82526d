/**
 * The vocabulary of the EDIFACT codec: delimiters (the UNA service string advice), segments as the
 * tokenizer hands them on, and located failures.
 *
 * A failure always says where: the file, the 1-based segment number in the file (a UNA counts as
 * segment 1, so in a one-segment-per-line file the segment number is the line number), the tag, the
 * element and component (`QTY-01-2`), what was found and what was expected. The same shape serves the
 * conformance report, exception records (`toCrossdockError`) and CONTRL acknowledgements
 * (`syntaxErrorCode`, ISO 9735 data element 0085).
 */
import { CrossdockError, type ErrorCode } from "../../core/errors.ts";

/** The six characters of a UNA service string advice. */
export interface EdifactDelimiters {
  readonly component: string;
  readonly element: string;
  /** Decimal mark the sender declared; data may use `.` or `,` either way (ISO 9735). */
  readonly decimal: string;
  /** Release (escape) character; `undefined` when the UNA declares none (a space, syntax version 4). */
  readonly release: string | undefined;
  /** Repetition separator (syntax version 4); `undefined` when UNA position 5 is the reserved space. */
  readonly repetition: string | undefined;
  readonly terminator: string;
}

/** What applies when a file has no UNA: `UNA:+.? '`. */
export const DEFAULT_DELIMITERS: EdifactDelimiters = Object.freeze({
  component: ":",
  element: "+",
  decimal: ".",
  release: "?",
  repetition: undefined,
  terminator: "'",
});

/** One segment, unescaped: `elements[e][c]` is element e+1, component c+1 (the tag is not an element). */
export interface EdifactSegment {
  readonly tag: string;
  readonly elements: readonly (readonly string[])[];
  /** 1-based segment number in the file (UNA included). */
  readonly position: number;
  /** 1-based line where the segment starts. */
  readonly line: number;
}

/** Where a problem is; `segment` is always set (the last segment, or 1, for an empty or truncated file). */
export interface EdifactLocation {
  readonly segment: number;
  readonly tag?: string;
  /** `QTY-01-2` style: tag, 2-digit element, component. */
  readonly element?: string;
  readonly line?: number;
}

/** A located failure of reading or mapping one file (or one message of it). */
export interface EdifactFailure {
  readonly code: ErrorCode;
  /** One sentence naming the file, the place, what was found and what was expected. */
  readonly message: string;
  readonly file: string;
  readonly location: EdifactLocation;
  readonly found?: string;
  readonly expected?: string;
  /** ISO 9735 syntax error code (0085) for a CONTRL: 29 counts differ, 28 references differ, ... */
  readonly syntaxErrorCode?: string;
  /** The UNH01 of the message the failure is in, when it is in one. */
  readonly messageRef?: string;
  /** That message's UNH-02 (`ORDERS:D:96A:UN`) and the segment number of its UNH, for a CONTRL. */
  readonly messageType?: string;
  readonly messageStart?: number;
  /** Every problem when there are several (mapping); the first is the one in `location`. */
  readonly problems?: readonly { readonly location: EdifactLocation; readonly message: string }[];
}

/** `QTY-01-2` (component given) or `UNZ-02`. */
export function elementRef(tag: string, element: number, component?: number): string {
  const e = String(element).padStart(2, "0");
  return component === undefined ? `${tag}-${e}` : `${tag}-${e}-${component}`;
}

/** A location at one segment, optionally at one of its elements. */
export function at(segment: EdifactSegment, element?: number, component?: number): EdifactLocation {
  return {
    segment: segment.position,
    tag: segment.tag,
    line: segment.line,
    ...(element === undefined ? {} : { element: elementRef(segment.tag, element, component) }),
  };
}

/** Shows a found value in a message: quoted, control characters visible, at most 40 characters. */
export function shown(value: string): string {
  const clipped = value.length > 40 ? `${value.slice(0, 40)}...` : value;
  return JSON.stringify(clipped);
}

export interface FailureInput {
  readonly code: ErrorCode;
  readonly file: string;
  readonly location: EdifactLocation;
  /** What is wrong, without the location (it is prefixed). */
  readonly what: string;
  readonly found?: string;
  readonly expected?: string;
  readonly syntaxErrorCode?: string;
  readonly messageRef?: string;
  readonly messageType?: string;
  readonly messageStart?: number;
}

/** Builds a failure whose message reads `file segment 12 (QTY-01-2, line 12): what: found "x", expected y`. */
export function failure(input: FailureInput): EdifactFailure {
  const { location } = input;
  const place = [location.element ?? location.tag, location.line === undefined ? "" : `line ${location.line}`]
    .filter((part) => part !== undefined && part !== "")
    .join(", ");
  const found = input.found === undefined ? "" : `; found ${shown(input.found)}`;
  const expected = input.expected === undefined ? "" : `, expected ${input.expected}`;
  return {
    code: input.code,
    message: `${input.file} segment ${location.segment}${place === "" ? "" : ` (${place})`}: ${input.what}${found}${expected}`,
    file: input.file,
    location,
    ...(input.found === undefined ? {} : { found: input.found }),
    ...(input.expected === undefined ? {} : { expected: input.expected }),
    ...(input.syntaxErrorCode === undefined ? {} : { syntaxErrorCode: input.syntaxErrorCode }),
    ...(input.messageRef === undefined ? {} : { messageRef: input.messageRef }),
    ...(input.messageType === undefined ? {} : { messageType: input.messageType }),
    ...(input.messageStart === undefined ? {} : { messageStart: input.messageStart }),
  };
}

/** The failure as the error an exception record keeps; `details` carries the location. */
export function toCrossdockError(edifactFailure: EdifactFailure): CrossdockError {
  const { code, message, ...details } = edifactFailure;
  return new CrossdockError(code, message, { details: { ...details } });
}

/** Element `element`, component `component` (both 1-based) of a segment; `""` when absent. */
export function valueAt(segment: EdifactSegment, element: number, component = 1): string {
  return segment.elements[element - 1]?.[component - 1] ?? "";
}
