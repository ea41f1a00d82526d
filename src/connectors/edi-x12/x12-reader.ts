/**
 * The tolerant, located X12 reader for whole files: bytes in, interchanges / groups / sets out, with
 * every problem located (file, segment number, tag, element) and never an exception.
 *
 * It reads what node-x12 reads and also what node-x12 trips on (see docs/edi-x12.md): ISAs that are not
 * padded to fixed width, mailbags of interchanges with different delimiters, bare ST..SE sets, NAK or
 * newline terminators, a line break after every terminator. For files too large to hold, use
 * `streamX12` (`x12-stream.ts`), which reports the same events set by set.
 *
 * @example
 * const doc = readX12("po.x12", bytes);
 * for (const set of x12Sets(doc)) if (set.accepted) console.log(set.set.type, set.set.segments.length);
 */
import { decodeX12Bytes, type X12Charset } from "./x12-charset.ts";
import { X12EnvelopeChecker } from "./x12-envelope.ts";
import { el, type X12Delimiters, type X12Problem, type X12Segment } from "./x12-segment.ts";
import { type X12Limits, X12Tokenizer } from "./x12-tokenizer.ts";

/** One transaction set. `segments` are those between ST and SE. */
export interface X12Set {
  readonly type: string;
  readonly controlNumber: string;
  readonly header: X12Segment;
  trailer: X12Segment | undefined;
  readonly segments: X12Segment[];
  problem: X12Problem | undefined;
}

export interface X12Group {
  /** GS; undefined for bare sets. */
  readonly header: X12Segment | undefined;
  trailer: X12Segment | undefined;
  readonly sets: X12Set[];
  problem: X12Problem | undefined;
}

export interface X12Interchange {
  /** ISA; undefined for bare sets. */
  readonly header: X12Segment | undefined;
  trailer: X12Segment | undefined;
  readonly delimiters: X12Delimiters;
  readonly groups: X12Group[];
  problem: X12Problem | undefined;
}

/** A whole file as read. `problems` holds every problem in file order, at most `maxProblems`. */
export interface X12Document {
  readonly file: string;
  readonly charset: X12Charset | undefined;
  readonly interchanges: X12Interchange[];
  readonly problems: X12Problem[];
  readonly warnings: string[];
  readonly segmentCount: number;
  /** Problems beyond `maxProblems` that were counted but not kept. */
  readonly problemsLeftOut: number;
}

export interface X12ReadOptions extends X12Limits {
  /** Most problems kept per file. Default 100. */
  readonly maxProblems?: number;
}

/** Reads a whole file. Never throws. */
export function readX12(file: string, input: Uint8Array | string, options: X12ReadOptions = {}): X12Document {
  const maxProblems = options.maxProblems ?? 100;
  const problems: X12Problem[] = [];
  const warnings: string[] = [];
  const interchanges: X12Interchange[] = [];
  let problemsLeftOut = 0;
  let charset: X12Charset | undefined;
  let text: string;
  if (typeof input === "string") {
    text = input;
  } else {
    const decoded = decodeX12Bytes(file, input);
    if (!decoded.ok) {
      return {
        file,
        charset,
        interchanges,
        problems: [decoded.problem],
        warnings,
        segmentCount: 0,
        problemsLeftOut,
      };
    }
    ({ text, charset } = decoded);
    if (decoded.warning !== undefined) warnings.push(decoded.warning);
  }
  let interchange: X12Interchange | undefined;
  let group: X12Group | undefined;
  let set: X12Set | undefined;
  const checker = new X12EnvelopeChecker(file, {
    interchangeStart(header, delimiters) {
      interchange = { header, trailer: undefined, delimiters, groups: [], problem: undefined };
      interchanges.push(interchange);
    },
    groupStart(header) {
      group = { header, trailer: undefined, sets: [], problem: undefined };
      interchange!.groups.push(group);
    },
    setStart(header) {
      set = {
        type: el(header, 1),
        controlNumber: el(header, 2),
        header,
        trailer: undefined,
        segments: [],
        problem: undefined,
      };
      group!.sets.push(set);
    },
    setSegment(segment) {
      set!.segments.push(segment);
    },
    setEnd(trailer, problem) {
      set!.trailer = trailer;
      set!.problem = problem;
    },
    groupEnd(trailer, problem) {
      group!.trailer = trailer;
      group!.problem = problem;
    },
    interchangeEnd(trailer, problem) {
      interchange!.trailer = trailer;
      interchange!.problem = problem;
    },
    problem(problem) {
      if (problems.length < maxProblems) problems.push(problem);
      else problemsLeftOut++;
    },
  });
  const tokenizer = new X12Tokenizer(
    file,
    {
      segment: (segment, delimiters) => checker.segment(segment, delimiters),
      problem: (problem) => checker.problem(problem),
      warning: (text) => warnings.push(text),
    },
    options,
  );
  tokenizer.push(text);
  tokenizer.end();
  checker.end();
  return {
    file,
    charset,
    interchanges,
    problems,
    warnings,
    segmentCount: tokenizer.segmentCount,
    problemsLeftOut,
  };
}

/** A set with its envelope, and whether it may be used: no problem in it, its group or its interchange. */
export interface X12SetInContext {
  readonly interchange: X12Interchange;
  readonly group: X12Group;
  readonly set: X12Set;
  readonly accepted: boolean;
  /** The problem that rejects it (its own, else its group's, else its interchange's). */
  readonly problem: X12Problem | undefined;
}

/** Every set of a document, in file order. */
export function* x12Sets(doc: X12Document): Generator<X12SetInContext> {
  for (const interchange of doc.interchanges) {
    for (const group of interchange.groups) {
      for (const set of group.sets) {
        const problem = set.problem ?? group.problem ?? interchange.problem;
        yield { interchange, group, set, accepted: problem === undefined, problem };
      }
    }
  }
}
