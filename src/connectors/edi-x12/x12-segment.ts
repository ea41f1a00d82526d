/**
 * The vocabulary of the X12 reader: a segment as read (tag, elements, where it was in the file), the
 * delimiters of one interchange, and a located problem.
 *
 * Positions are what a person needs to find the spot in an editor: `index` is the 1-based segment
 * number in the file (ISA is 1), `line` the 1-based line the segment starts on. Element references
 * follow the X12 habit: `PO1-02` is the second element of PO1, `QTY-03-1` the first component of the
 * third element.
 */
import type { ErrorCode } from "../../core/errors.ts";

/** One segment as read. `elements[0]` is element 01; the tag is not an element. */
export interface X12Segment {
  readonly tag: string;
  readonly elements: readonly string[];
  /** 1-based segment number in the file. */
  readonly index: number;
  /** 1-based line on which the segment starts. */
  readonly line: number;
}

/** The delimiters of one interchange, from its ISA (or guessed from a bare ST). */
export interface X12Delimiters {
  readonly element: string;
  readonly segment: string;
  /** ISA16; unknown for a bare ST..SE set. */
  readonly component?: string;
  /** ISA11 when it is a separator (00402 and later); `U` in 00401 means there is none. */
  readonly repetition?: string;
}

/** Where a problem is; the shape of `ConformanceLocation` for EDI. */
export interface X12Location {
  readonly segment: number;
  readonly tag?: string;
  readonly element?: string;
  readonly line?: number;
}

/** A located problem. `message` already names the file and the place. */
export interface X12Problem {
  readonly code: Extract<
    ErrorCode,
    "CDK_EDI_SYNTAX" | "CDK_EDI_CONTROL" | "CDK_EDI_UNSUPPORTED" | "CDK_EDI_CONTENT"
  >;
  readonly message: string;
  readonly location: X12Location;
}

/** Element `position` (1-based) of a segment, `""` when absent. */
export function el(segment: X12Segment, position: number): string {
  return segment.elements[position - 1] ?? "";
}

/** Component `component` (1-based) of element `position`; the whole element when there is no separator. */
export function comp(
  segment: X12Segment,
  position: number,
  component: number,
  separator: string | undefined,
): string {
  const value = el(segment, position);
  if (separator === undefined || separator === "") return component === 1 ? value : "";
  return value.split(separator)[component - 1] ?? "";
}

/** `PO1-02`, or `QTY-03-1` with a component. */
export function elementRef(tag: string, position: number, component?: number): string {
  const base = `${tag}-${String(position).padStart(2, "0")}`;
  return component === undefined ? base : `${base}-${component}`;
}

/** A short, one-line rendering of found text for messages (at most 40 characters). */
export function shown(text: string): string {
  const head = text.length > 40 ? text.slice(0, 40) : text;
  let clean = "";
  for (const c of head) {
    const code = c.charCodeAt(0);
    clean += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : c;
  }
  return text.length > 40 ? `"${clean}..." (${text.length} characters)` : `"${clean}"`;
}

/**
 * Builds a problem whose message reads `file: segment 12 (PO1-02, line 12): what`. `what` should say
 * what was found and what was expected.
 */
export function problemAt(
  code: X12Problem["code"],
  file: string,
  at: { segment: number; line?: number; tag?: string; element?: string },
  what: string,
): X12Problem {
  const place = at.element ?? at.tag;
  const where = [place, at.line === undefined ? undefined : `line ${at.line}`].filter(Boolean).join(", ");
  const location: X12Location = {
    segment: at.segment,
    ...(at.tag === undefined ? {} : { tag: at.tag }),
    ...(at.element === undefined ? {} : { element: at.element }),
    ...(at.line === undefined ? {} : { line: at.line }),
  };
  return { code, message: `${file}: segment ${at.segment}${where ? ` (${where})` : ""}: ${what}`, location };
}

/** A problem about one element of a segment. */
export function elementProblem(
  code: X12Problem["code"],
  file: string,
  segment: X12Segment,
  position: number,
  what: string,
  component?: number,
): X12Problem {
  return problemAt(
    code,
    file,
    {
      segment: segment.index,
      line: segment.line,
      tag: segment.tag,
      element: elementRef(segment.tag, position, component),
    },
    what,
  );
}
