/**
 * Checks the X12 envelope as segments go by and reports its structure as events: interchange (ISA..IEA),
 * functional group (GS..GE), transaction set (ST..SE).
 *
 * Control checks, each a located `CDK_EDI_CONTROL`: SE01 = the set's segment count (ST and SE
 * included), SE02 = ST02, GE01 = the group's set count, GE02 = GS06, IEA01 = the interchange's group
 * count, IEA02 = ISA13. Control numbers compare as numbers when both are digits (`000000001` = `1`).
 * Structure problems (an SE missing before the next ST, a segment outside any set, a GS outside an
 * interchange) are `CDK_EDI_SYNTAX`. A problem belongs to the innermost open envelope: a set with a
 * problem is failed and its remaining segments are not passed on.
 *
 * A file may start with bare ST..SE sets and no ISA/GS: they are read in an implicit interchange and
 * group with no header, and no GE/IEA checks apply to them.
 */
import {
  el,
  elementProblem,
  problemAt,
  type X12Delimiters,
  type X12Problem,
  type X12Segment,
} from "./x12-segment.ts";

/** What the checker tells its consumer, in file order. */
export interface X12EnvelopeHandler {
  interchangeStart?(isa: X12Segment | undefined, delimiters: X12Delimiters): void;
  groupStart?(gs: X12Segment | undefined): void;
  setStart?(st: X12Segment): void;
  /** A segment between ST and SE of a set that has no problem so far. */
  setSegment?(segment: X12Segment): void;
  /** The end of a set; `problem` is its first problem when it failed. */
  setEnd?(se: X12Segment | undefined, problem: X12Problem | undefined): void;
  groupEnd?(ge: X12Segment | undefined, problem: X12Problem | undefined): void;
  interchangeEnd?(iea: X12Segment | undefined, problem: X12Problem | undefined): void;
  /** Every problem, in file order (including those passed to the `*End` calls). */
  problem(problem: X12Problem): void;
}

interface Scope {
  readonly header: X12Segment | undefined;
  problem: X12Problem | undefined;
  children: number;
}

function sameControl(a: string, b: string): boolean {
  const x = a.trim();
  const y = b.trim();
  return /^\d{1,18}$/.test(x) && /^\d{1,18}$/.test(y) ? BigInt(x) === BigInt(y) : x === y;
}

/** The envelope state machine. Feed it segments (`segment`), problems from the tokenizer, then `end`. */
export class X12EnvelopeChecker {
  readonly #file: string;
  readonly #handler: X12EnvelopeHandler;
  #interchange: Scope | undefined;
  #group: Scope | undefined;
  #set: Scope | undefined;
  #last: X12Segment | undefined;

  constructor(file: string, handler: X12EnvelopeHandler) {
    this.#file = file;
    this.#handler = handler;
  }

  /** A problem found outside the checker (the tokenizer's): it fails the innermost open envelope. */
  problem(problem: X12Problem): void {
    const scope = this.#set ?? this.#group ?? this.#interchange;
    if (scope !== undefined) scope.problem ??= problem;
    this.#handler.problem(problem);
  }

  segment(seg: X12Segment, delimiters: X12Delimiters): void {
    this.#last = seg;
    switch (seg.tag) {
      case "ISA":
        this.#closeAll(seg);
        this.#interchange = { header: seg, problem: undefined, children: 0 };
        this.#handler.interchangeStart?.(seg, delimiters);
        return;
      case "GS":
        this.#closeSet(undefined, seg, "GS");
        this.#closeGroup(undefined, seg, "GS");
        if (this.#interchange === undefined) {
          this.#openInterchange(delimiters);
          this.problem(this.#at(seg, "a GS outside an interchange; expected an ISA before it"));
        }
        this.#openGroup(seg);
        return;
      case "ST":
        this.#st(seg, delimiters);
        return;
      case "SE":
        this.#se(seg);
        return;
      case "GE":
        this.#closeSet(undefined, seg, "GE");
        this.#ge(seg);
        return;
      case "IEA":
        this.#closeSet(undefined, seg, "IEA");
        this.#closeGroup(undefined, seg, "IEA");
        this.#iea(seg);
        return;
      default:
        if (this.#set === undefined) {
          this.problem(
            this.#at(seg, `a ${seg.tag} segment outside a transaction set; expected ST, GE or IEA`),
          );
          return;
        }
        this.#set.children++;
        if (this.#set.problem === undefined) this.#handler.setSegment?.(seg);
    }
  }

  /** The file ended: closes whatever is still open, each with a located problem. */
  end(): void {
    const last = this.#last;
    if (last === undefined) return;
    this.#closeSet(undefined, last, "end of the file");
    this.#closeGroup(undefined, last, "end of the file");
    this.#closeInterchange(undefined, last, "end of the file");
  }

  #at(seg: X12Segment, what: string, code: X12Problem["code"] = "CDK_EDI_SYNTAX"): X12Problem {
    return problemAt(code, this.#file, { segment: seg.index, line: seg.line, tag: seg.tag }, what);
  }

  #openInterchange(delimiters: X12Delimiters): void {
    this.#interchange = { header: undefined, problem: undefined, children: 0 };
    this.#handler.interchangeStart?.(undefined, delimiters);
  }

  #openGroup(gs: X12Segment | undefined): void {
    this.#interchange!.children++;
    this.#group = { header: gs, problem: undefined, children: 0 };
    this.#handler.groupStart?.(gs);
  }

  #st(seg: X12Segment, delimiters: X12Delimiters): void {
    this.#closeSet(undefined, seg, "ST");
    let stray: X12Problem | undefined;
    if (this.#interchange === undefined) this.#openInterchange(delimiters);
    if (this.#group === undefined) {
      if (this.#interchange!.header !== undefined) {
        stray = this.#at(seg, "an ST outside a functional group; expected a GS before it");
      }
      this.#openGroup(undefined);
    }
    this.#group!.children++;
    this.#set = { header: seg, problem: undefined, children: 1 };
    this.#handler.setStart?.(seg);
    if (stray !== undefined) this.problem(stray);
    if (el(seg, 1) === "")
      this.problem(
        elementProblem(
          "CDK_EDI_SYNTAX",
          this.#file,
          seg,
          1,
          "ST01 is empty; expected the transaction set type such as 850",
        ),
      );
  }

  #se(seg: X12Segment): void {
    const set = this.#set;
    if (set === undefined) {
      this.problem(this.#at(seg, "an SE without its ST; expected ST before it"));
      return;
    }
    set.children++;
    const count = el(seg, 1).trim();
    if (!/^\d{1,10}$/.test(count) || Number(count) !== set.children) {
      this.problem(
        elementProblem(
          "CDK_EDI_CONTROL",
          this.#file,
          seg,
          1,
          `SE01 is "${el(seg, 1)}"; the set has ${set.children} segments (ST at segment ${set.header!.index} to SE)`,
        ),
      );
    }
    const st02 = el(set.header!, 2);
    if (!sameControl(el(seg, 2), st02)) {
      this.problem(
        elementProblem(
          "CDK_EDI_CONTROL",
          this.#file,
          seg,
          2,
          `SE02 is "${el(seg, 2)}"; expected ST02 "${st02}" (segment ${set.header!.index})`,
        ),
      );
    }
    this.#closeSet(seg, seg, "SE");
  }

  #ge(seg: X12Segment): void {
    const group = this.#group;
    if (group === undefined) {
      this.problem(this.#at(seg, "a GE without its GS; expected GS before it"));
      return;
    }
    if (group.header !== undefined) {
      const count = el(seg, 1).trim();
      if (!/^\d{1,10}$/.test(count) || Number(count) !== group.children) {
        this.problem(
          elementProblem(
            "CDK_EDI_CONTROL",
            this.#file,
            seg,
            1,
            `GE01 is "${el(seg, 1)}"; the group has ${group.children} transaction sets`,
          ),
        );
      }
      const gs06 = el(group.header, 6);
      if (!sameControl(el(seg, 2), gs06)) {
        this.problem(
          elementProblem(
            "CDK_EDI_CONTROL",
            this.#file,
            seg,
            2,
            `GE02 is "${el(seg, 2)}"; expected GS06 "${gs06}" (segment ${group.header.index})`,
          ),
        );
      }
    }
    this.#closeGroup(seg, seg, "GE");
  }

  #iea(seg: X12Segment): void {
    const interchange = this.#interchange;
    if (interchange === undefined) {
      this.problem(this.#at(seg, "an IEA without its ISA; expected ISA before it"));
      return;
    }
    if (interchange.header !== undefined) {
      const count = el(seg, 1).trim();
      if (!/^\d{1,10}$/.test(count) || Number(count) !== interchange.children) {
        this.problem(
          elementProblem(
            "CDK_EDI_CONTROL",
            this.#file,
            seg,
            1,
            `IEA01 is "${el(seg, 1)}"; the interchange has ${interchange.children} functional groups`,
          ),
        );
      }
      const isa13 = el(interchange.header, 13);
      if (!sameControl(el(seg, 2), isa13)) {
        this.problem(
          elementProblem(
            "CDK_EDI_CONTROL",
            this.#file,
            seg,
            2,
            `IEA02 is "${el(seg, 2)}"; expected ISA13 "${isa13}" (segment ${interchange.header.index})`,
          ),
        );
      }
    }
    this.#closeInterchange(seg, seg, "IEA");
  }

  #closeSet(se: X12Segment | undefined, at: X12Segment, before: string): void {
    const set = this.#set;
    if (set === undefined) return;
    if (se === undefined) {
      this.problem(
        this.#at(
          at,
          `the transaction set that starts at segment ${set.header!.index} (ST02 "${el(set.header!, 2)}") has no SE before ${before === "end of the file" ? "the end of the file" : `this ${before}`}`,
        ),
      );
    }
    this.#set = undefined;
    this.#handler.setEnd?.(se, set.problem);
  }

  #closeGroup(ge: X12Segment | undefined, at: X12Segment, before: string): void {
    const group = this.#group;
    if (group === undefined) return;
    if (ge === undefined && group.header !== undefined) {
      this.problem(
        this.#at(
          at,
          `the functional group that starts at segment ${group.header.index} has no GE before ${before === "end of the file" ? "the end of the file" : `this ${before}`}`,
        ),
      );
    }
    this.#group = undefined;
    this.#handler.groupEnd?.(ge, group.problem);
  }

  #closeInterchange(iea: X12Segment | undefined, at: X12Segment, before: string): void {
    const interchange = this.#interchange;
    if (interchange === undefined) return;
    if (iea === undefined && interchange.header !== undefined) {
      this.problem(
        this.#at(
          at,
          `the interchange that starts at segment ${interchange.header.index} has no IEA before ${before === "end of the file" ? "the end of the file" : `this ${before}`}`,
        ),
      );
    }
    this.#interchange = undefined;
    this.#handler.interchangeEnd?.(iea, interchange.problem);
  }

  #closeAll(at: X12Segment): void {
    this.#closeSet(undefined, at, "ISA");
    this.#closeGroup(undefined, at, "ISA");
    this.#closeInterchange(undefined, at, "ISA");
  }
}
