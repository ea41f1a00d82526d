/**
 * 997 (functional acknowledgement) to an acknowledgement result: which group it answers (AK1), each
 * set's verdict (AK2/AK5) with the segment and element errors the partner reported (AK3/AK4), and the
 * group's verdict and counts (AK9). `x12-control-numbers.ts` uses it to mark sent interchanges as
 * acknowledged; it is not a canonical model entity, so it is checked here.
 */
import { wholeSet, type X12MapperFactory, type X12SetContext } from "./x12-mapping.ts";
import { el, elementProblem, problemAt, type X12Problem, type X12Segment } from "./x12-segment.ts";

/** AK5/AK9 verdict codes: Accepted, accepted with Errors, Partially accepted, Rejected, ... */
export type X12AckCode = "A" | "E" | "P" | "R" | "M" | "W" | "X";

export interface X12SetAck {
  /** AK201 and AK202: the acknowledged set's type and ST02. */
  readonly type: string;
  readonly controlNumber: string;
  /** AK501 (`A` accepted, `E` accepted with errors, `R` rejected, ...). */
  readonly status: X12AckCode;
  /** AK502..AK506 set-level error codes. */
  readonly errors: readonly string[];
  /** AK3 segment errors, each with its AK4 element errors. */
  readonly segmentErrors: readonly {
    readonly tag: string;
    readonly position: string;
    readonly code: string;
    readonly elements: readonly {
      readonly position: string;
      readonly code: string;
      readonly copy?: string;
    }[];
  }[];
}

/** A received 997, as a value. */
export interface X12FunctionalAck {
  /** AK101 and AK102: the acknowledged group's functional id (`PO`, `SH`, ...) and GS06. */
  readonly functionalId: string;
  readonly groupControlNumber: string;
  /** AK901. */
  readonly status: X12AckCode;
  /** AK902..AK904. */
  readonly setsIncluded: number;
  readonly setsReceived: number;
  readonly setsAccepted: number;
  readonly sets: readonly X12SetAck[];
  /** ISA13 of the interchange that carried the 997, and its sender (ISA06). */
  readonly interchange?: { readonly controlNumber: string; readonly senderId: string };
}

const CODES = new Set(["A", "E", "P", "R", "M", "W", "X"]);

function map997(segments: readonly X12Segment[], context: X12SetContext): X12Problem | undefined {
  const { file } = context;
  const ak1 = segments.find((s) => s.tag === "AK1");
  const ak9 = segments.find((s) => s.tag === "AK9");
  if (ak1 === undefined || ak9 === undefined) {
    const st = context.st;
    return problemAt(
      "CDK_EDI_CONTENT",
      file,
      { segment: st.index, line: st.line, tag: "ST" },
      `the 997 has no ${ak1 === undefined ? "AK1" : "AK9"} segment; expected AK1 and AK9`,
    );
  }
  if (!el(ak1, 2).trim())
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      ak1,
      2,
      "AK102 (group control number) is empty; expected the GS06 acknowledged",
    );
  if (!CODES.has(el(ak9, 1)))
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      ak9,
      1,
      `AK901 is "${el(ak9, 1)}"; expected A, E, P, R, M, W or X`,
    );
  const sets: X12SetAck[] = [];
  let current:
    | { type: string; controlNumber: string; segmentErrors: X12SetAck["segmentErrors"][number][] }
    | undefined;
  for (const seg of segments) {
    if (seg.tag === "AK2") current = { type: el(seg, 1), controlNumber: el(seg, 2), segmentErrors: [] };
    else if (seg.tag === "AK3" && current !== undefined) {
      current.segmentErrors.push({ tag: el(seg, 1), position: el(seg, 2), code: el(seg, 4), elements: [] });
    } else if (seg.tag === "AK4" && current?.segmentErrors.at(-1) !== undefined) {
      const copy = el(seg, 4);
      (current.segmentErrors.at(-1)!.elements as object[]).push({
        position: el(seg, 1),
        code: el(seg, 3),
        ...(copy ? { copy } : {}),
      });
    } else if (seg.tag === "AK5" && current !== undefined) {
      if (!CODES.has(el(seg, 1)))
        return elementProblem(
          "CDK_EDI_CONTENT",
          file,
          seg,
          1,
          `AK501 is "${el(seg, 1)}"; expected A, E, P, R, M, W or X`,
        );
      const errors = [2, 3, 4, 5, 6].map((i) => el(seg, i)).filter(Boolean);
      sets.push({ ...current, status: el(seg, 1) as X12AckCode, errors });
      current = undefined;
    }
  }
  const count = (i: number) => Number.parseInt(el(ak9, i), 10) || 0;
  const ack: X12FunctionalAck = {
    functionalId: el(ak1, 1),
    groupControlNumber: el(ak1, 2).trim(),
    status: el(ak9, 1) as X12AckCode,
    setsIncluded: count(2),
    setsReceived: count(3),
    setsAccepted: count(4),
    sets,
    ...(context.isa === undefined
      ? {}
      : { interchange: { controlNumber: el(context.isa, 13), senderId: el(context.isa, 6).trim() } }),
  };
  context.emit("functional-ack", ack);
  return undefined;
}

/** The 997 mapper. */
export const x12FunctionalAckMapper: X12MapperFactory = {
  type: "997",
  entity: "functional-ack",
  create: (context) => wholeSet(map997, context),
};
