/**
 * Splits X12 text into segments, chunk by chunk, with the delimiters each interchange declares.
 *
 * Every ISA sets the delimiters for what follows (a "mailbag" file may hold interchanges with different
 * ones): the element separator is the character after `ISA`, the component separator is ISA16 (found by
 * counting 16 element separators, so an ISA whose fields are not padded to fixed width still reads), the
 * segment terminator is the character right after ISA16, and ISA11 is the repetition separator when it
 * is not a letter or digit. Line breaks and spaces between segments are skipped. A file that starts with
 * a bare `ST` (no envelope) takes its element separator from the character after `ST` and its terminator
 * from the first punctuation after the ST elements.
 *
 * One repair, always reported as a warning: when the ISA ends with a line break but the next segment
 * ends with punctuation before its line break (`GS*...*004010~`), that punctuation is the real segment
 * terminator (and when it equals ISA16, ISA16 was a misplaced terminator and the component separator is
 * unknown).
 *
 * Hostile input is bounded: a segment longer than `maxSegmentLength`, more than `maxElements` elements
 * or more than `maxSegments` segments stop the reading with a located `CDK_EDI_SYNTAX`. No regular
 * expression runs on unbounded text; memory is the current chunk plus one partial segment.
 */
import { problemAt, shown, type X12Delimiters, type X12Problem, type X12Segment } from "./x12-segment.ts";

/** Limits on what one file may contain. */
export interface X12Limits {
  /** Longest segment, in characters. Default 100,000 (X12 segments are rarely above 1,000). */
  readonly maxSegmentLength?: number;
  /** Most elements in one segment. Default 1,000. */
  readonly maxElements?: number;
  /** Most segments in one file. Default 20,000,000. */
  readonly maxSegments?: number;
}

/** Where the tokenizer sends what it reads. A problem with `fatal` ends the reading. */
export interface X12TokenSink {
  segment(segment: X12Segment, delimiters: X12Delimiters): void;
  problem(problem: X12Problem, fatal: boolean): void;
  warning(text: string): void;
}

const ISA_MAX = 400;
const TAG_MAX = 3;

function isAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Space, tab, CR, LF, a BOM, and the DOS end-of-file mark (Ctrl-Z) that old mailboxes append. */
function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 0xfeff || code === 0x1a;
}

function isTag(tag: string): boolean {
  if (tag.length < 2 || tag.length > TAG_MAX) return false;
  const first = tag.charCodeAt(0);
  if (first < 65 || first > 90) return false;
  for (let i = 1; i < tag.length; i++) {
    const code = tag.charCodeAt(i);
    if (!((code >= 48 && code <= 57) || (code >= 65 && code <= 90))) return false;
  }
  return true;
}

/** Incremental X12 tokenizer: `push` text as it arrives, then `end`. */
export class X12Tokenizer {
  readonly #file: string;
  readonly #sink: X12TokenSink;
  readonly #maxSegmentLength: number;
  readonly #maxElements: number;
  readonly #maxSegments: number;
  #buf = "";
  #pos = 0;
  #line = 1;
  /** Index of the next line feed at or after `#pos`; below `#pos` when it must be searched again. */
  #nl = -1;
  #index = 0;
  #delims: X12Delimiters | undefined;
  #stopped = false;

  constructor(file: string, sink: X12TokenSink, limits: X12Limits = {}) {
    this.#file = file;
    this.#sink = sink;
    this.#maxSegmentLength = limits.maxSegmentLength ?? 100_000;
    this.#maxElements = limits.maxElements ?? 1_000;
    this.#maxSegments = limits.maxSegments ?? 20_000_000;
  }

  /** True once a fatal problem stopped the reading. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Segments read so far. */
  get segmentCount(): number {
    return this.#index;
  }

  push(text: string): void {
    if (this.#stopped) return;
    if (this.#pos > 0) {
      this.#buf = this.#buf.slice(this.#pos);
      this.#nl = this.#nl >= this.#pos ? this.#nl - this.#pos : -1;
      this.#pos = 0;
    }
    if (this.#nl === Number.MAX_SAFE_INTEGER) this.#nl = -1;
    this.#buf += text;
    this.#drain(false);
  }

  end(): void {
    if (!this.#stopped) this.#drain(true);
  }

  #drain(ended: boolean): void {
    while (!this.#stopped) {
      this.#skipSpace();
      const left = this.#buf.length - this.#pos;
      if (left === 0 || (!ended && left < 4)) return;
      const done = this.#startsWith("ISA")
        ? this.#readIsa(ended)
        : this.#delims === undefined
          ? this.#startBare(ended)
          : this.#readSegment(ended);
      if (!done) return;
    }
  }

  #startsWith(tag: string): boolean {
    if (!this.#buf.startsWith(tag, this.#pos)) return false;
    const next = this.#buf.charCodeAt(this.#pos + tag.length);
    return !Number.isNaN(next) && !isAlnum(next) && !isSpace(next);
  }

  #skipSpace(): void {
    const buf = this.#buf;
    let pos = this.#pos;
    while (pos < buf.length) {
      const code = buf.charCodeAt(pos);
      if (!isSpace(code)) break;
      if (code === 10) this.#line++;
      pos++;
    }
    this.#pos = pos;
  }

  /** Moves to `to`, counting the line feeds passed. */
  #advance(to: number): void {
    for (;;) {
      if (this.#nl < this.#pos) {
        const next = this.#buf.indexOf("\n", this.#pos);
        this.#nl = next === -1 ? Number.MAX_SAFE_INTEGER : next;
      }
      if (this.#nl >= to) break;
      this.#line++;
      this.#pos = this.#nl + 1;
    }
    this.#pos = to;
  }

  #fail(what: string, tag?: string, element?: string): false {
    const at = {
      segment: this.#index + 1,
      line: this.#line,
      ...(tag === undefined ? {} : { tag }),
      ...(element === undefined ? {} : { element }),
    };
    this.#sink.problem(problemAt("CDK_EDI_SYNTAX", this.#file, at, what), true);
    this.#stopped = true;
    return false;
  }

  #emit(tag: string, elements: string[], line: number, delims: X12Delimiters): boolean {
    this.#index++;
    if (this.#index > this.#maxSegments) {
      this.#index--;
      return this.#fail(`the file has more than ${this.#maxSegments} segments, the limit`, tag);
    }
    this.#sink.segment({ tag, elements, index: this.#index, line }, delims);
    return true;
  }

  #readIsa(ended: boolean): boolean {
    const buf = this.#buf;
    const start = this.#pos;
    const es = buf[start + 3]!;
    const limit = Math.min(buf.length, start + ISA_MAX);
    let p = start + 3;
    for (let n = 2; n <= 16; n++) {
      p = buf.indexOf(es, p + 1);
      if (p === -1 || p >= limit) {
        if (!ended && buf.length < start + ISA_MAX) return false;
        return this.#fail(
          `the ISA has ${n - 1} element separators ${shown(es)} in its first ${ISA_MAX} characters; expected 16`,
          "ISA",
        );
      }
    }
    if (p + 2 >= buf.length) {
      if (!ended) return false;
      return this.#fail(
        "the file ends inside the ISA; expected ISA16 and a segment terminator",
        "ISA",
        "ISA-16",
      );
    }
    let component: string | undefined = buf[p + 1]!;
    const isaTerminator = buf[p + 2]!;
    if (isAlnum(component.charCodeAt(0)) || isAlnum(isaTerminator.charCodeAt(0))) {
      return this.#fail(
        `ISA16 and the segment terminator are ${shown(component + isaTerminator)}; expected two punctuation characters such as ">~"`,
        "ISA",
        "ISA-16",
      );
    }
    let terminator = isaTerminator;
    if (isaTerminator === "\n" || isaTerminator === "\r") {
      const repaired = this.#repairLineTerminator(p + 3, es, ended);
      if (repaired === "wait") return false;
      if (repaired !== undefined) {
        this.#sink.warning(
          repaired === component
            ? `${this.#file}: segment ${this.#index + 1} (ISA-16): ISA16 ${shown(component)} is followed by a line break and the next segment ends with it too: read ${shown(repaired)} as the segment terminator and the component separator as unknown`
            : `${this.#file}: segment ${this.#index + 1} (ISA): the ISA ends with a line break but the next segment ends with ${shown(repaired)}: read ${shown(repaired)} as the segment terminator`,
        );
        if (repaired === component) component = undefined;
        terminator = repaired;
      }
    }
    const elements = buf.slice(start + 4, p + 2).split(es);
    const isa11 = elements[10] ?? "";
    const repetition =
      isa11.length === 1 && !isAlnum(isa11.charCodeAt(0)) && isa11 !== " " && isa11 !== terminator
        ? isa11
        : undefined;
    this.#delims = {
      element: es,
      segment: terminator,
      ...(component === undefined ? {} : { component }),
      ...(repetition === undefined ? {} : { repetition }),
    };
    if (p + 2 - start !== 105) {
      this.#sink.warning(
        `${this.#file}: segment ${this.#index + 1} (ISA): the ISA is ${p + 3 - start} characters long, not the fixed 106; read by its separators`,
      );
    }
    const line = this.#line;
    this.#advance(p + 3);
    return this.#emit("ISA", elements, line, this.#delims);
  }

  /** The punctuation that ends the segment after `from`, when the ISA itself ended with a line break. */
  #repairLineTerminator(from: number, es: string, ended: boolean): string | undefined | "wait" {
    const buf = this.#buf;
    let q = from;
    while (q < buf.length && isSpace(buf.charCodeAt(q))) q++;
    const end = buf.indexOf("\n", q);
    if (end === -1 || end - q > this.#maxSegmentLength) {
      return !ended && buf.length - q <= this.#maxSegmentLength ? "wait" : undefined;
    }
    let last = end - 1;
    if (buf[last] === "\r") last--;
    if (last <= q) return undefined;
    const c = buf[last]!;
    const code = c.charCodeAt(0);
    return isAlnum(code) || isSpace(code) || c === es ? undefined : c;
  }

  #startBare(ended: boolean): boolean {
    const buf = this.#buf;
    const start = this.#pos;
    if (!this.#startsWith("ST")) {
      return this.#fail(
        `expected an ISA (or a bare ST) to start the interchange, found ${shown(buf.slice(start, start + 40))}`,
      );
    }
    const es = buf[start + 2]!;
    const limit = Math.min(buf.length, start + 200);
    for (let i = start + 3; i < limit; i++) {
      const code = buf.charCodeAt(i);
      if (isAlnum(code) || code === 32 || buf[i] === es) continue;
      this.#delims = { element: es, segment: buf[i]! };
      this.#sink.warning(
        `${this.#file}: segment ${this.#index + 1} (ST): no ISA/GS envelope; delimiters taken from the ST segment (element ${shown(es)}, terminator ${shown(buf[i]!)})`,
      );
      return true;
    }
    if (!ended && buf.length < start + 200) return false;
    return this.#fail("the ST segment has no segment terminator in its first 200 characters", "ST");
  }

  #readSegment(ended: boolean): boolean {
    const buf = this.#buf;
    const delims = this.#delims!;
    const start = this.#pos;
    const t = buf.indexOf(delims.segment, start);
    let stop: number;
    let next: number;
    if (t === -1) {
      if (buf.length - start > this.#maxSegmentLength) return this.#tooLong(delims);
      if (!ended) return false;
      stop = buf.length;
      next = buf.length;
      if (delims.segment !== "\n" && delims.segment !== "\r")
        this.#sink.warning(
          `${this.#file}: segment ${this.#index + 1}: the last segment has no terminator ${shown(delims.segment)}`,
        );
    } else {
      if (t - start > this.#maxSegmentLength) return this.#tooLong(delims);
      stop = t;
      next = t + delims.segment.length;
    }
    while (stop > start && (buf[stop - 1] === "\r" || buf[stop - 1] === "\n")) stop--;
    const raw = buf.slice(start, stop);
    const line = this.#line;
    this.#advance(next);
    const cut = raw.indexOf(delims.element);
    const tag = cut === -1 ? raw : raw.slice(0, cut);
    if (!isTag(tag)) {
      this.#index++;
      this.#sink.problem(
        problemAt(
          "CDK_EDI_SYNTAX",
          this.#file,
          { segment: this.#index, line },
          `found ${shown(raw)} where a segment should start; expected a tag of 2-3 capitals or digits followed by ${shown(delims.element)}`,
        ),
        false,
      );
      return true;
    }
    const elements = cut === -1 ? [] : raw.slice(cut + 1).split(delims.element);
    if (elements.length > this.#maxElements) {
      return this.#fail(
        `the segment has ${elements.length} elements, above the limit of ${this.#maxElements}`,
        tag,
      );
    }
    return this.#emit(tag, elements, line, delims);
  }

  #tooLong(delims: X12Delimiters): false {
    return this.#fail(
      `no segment terminator ${shown(delims.segment)} in the next ${this.#maxSegmentLength} characters (the limit of one segment)`,
    );
  }
}
