/**
 * Splits decoded EDIFACT text into segments: UNA service string advice, release character, line
 * breaks between segments and inside them (wrapped lines), bounded by limits.
 *
 * One linear pass, no regular expressions over the input, so a hostile file costs time proportional
 * to its length and memory bounded by the limits. Stops at the first failure and returns the segments
 * read before it. Accepted quirks (line breaks inside a segment) become warnings.
 *
 * Left out on purpose: repeating data elements (the syntax version 4 repetition separator). A release
 * before it is accepted; an unescaped one is `CDK_EDI_UNSUPPORTED`.
 */
import {
  DEFAULT_DELIMITERS,
  type EdifactDelimiters,
  type EdifactFailure,
  type EdifactSegment,
  failure,
} from "./edifact-syntax.ts";

/** Bounds on hostile or broken input; each can be lowered or raised per call. */
export interface EdifactLimits {
  /** Segments in one file; default 1,000,000. */
  readonly maxSegments: number;
  /** Characters in one segment; default 20,000 (an FTX holds 5 x 512). */
  readonly maxSegmentLength: number;
  /** Data elements in one segment; default 99 (the standard's element positions are two digits). */
  readonly maxElements: number;
  /** Components in one element; default 99. */
  readonly maxComponents: number;
}

export const DEFAULT_EDIFACT_LIMITS: EdifactLimits = Object.freeze({
  maxSegments: 1_000_000,
  maxSegmentLength: 20_000,
  maxElements: 99,
  maxComponents: 99,
});

export interface TokenizeResult {
  readonly segments: EdifactSegment[];
  readonly failure?: EdifactFailure;
  readonly warnings: string[];
  /** The delimiters in force at the end (a UNA can appear before each UNB). */
  readonly delimiters: EdifactDelimiters;
}

const isAlphanumeric = (ch: string) => /^[A-Za-z0-9]$/.test(ch);
const TAG = /^[A-Z][A-Z0-9]{2}$/;

/** Reads a UNA's six characters; a failure message when they cannot be delimiters. */
export function parseServiceString(advice: string): EdifactDelimiters | string {
  const [component, element, decimal, release, reserved, terminator] = [...advice];
  if (advice.length !== 6 || !component || !element || !decimal || !release || !reserved || !terminator)
    return "the UNA service string advice is shorter than 6 characters";
  const separators = [component, element, terminator, ...(release === " " ? [] : [release])];
  if (new Set(separators).size !== separators.length)
    return "the UNA declares the same character for two different delimiters";
  if (separators.some(isAlphanumeric)) return "the UNA declares a letter or digit as a delimiter";
  return {
    component,
    element,
    decimal,
    release: release === " " ? undefined : release,
    repetition: reserved === " " ? undefined : reserved,
    terminator,
  };
}

/** Tokenizes a whole file; see the module comment. `file` names the file in every failure. */
export function tokenizeEdifact(
  text: string,
  file: string,
  limits: EdifactLimits = DEFAULT_EDIFACT_LIMITS,
): TokenizeResult {
  const segments: EdifactSegment[] = [];
  const warnings: string[] = [];
  let d = DEFAULT_DELIMITERS;
  let sawUna = false;
  let wrapped = 0;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  const done = (fail?: EdifactFailure): TokenizeResult => {
    if (wrapped > 0)
      warnings.push(`${wrapped} segment(s) contained line breaks (wrapped lines); the breaks were removed`);
    return { segments, warnings, delimiters: d, ...(fail === undefined ? {} : { failure: fail }) };
  };
  const lastPosition = () => segments.at(-1)?.position ?? 0;

  while (true) {
    while (i < n && " \t\r\n\u001a\u0000".includes(text[i]!) && text[i] !== d.terminator) {
      if (text[i] === "\n") line++;
      i++;
    }
    if (i >= n) return done();
    const position = lastPosition() + 1;
    if (position > limits.maxSegments)
      return done(
        failure({
          code: "CDK_EDI_SYNTAX",
          file,
          location: { segment: position, line },
          what: `more than ${limits.maxSegments} segments (limit)`,
          syntaxErrorCode: "18",
        }),
      );
    if (text.startsWith("UNA", i) && !isAlphanumeric(text[i + 3] ?? "A")) {
      const parsed = parseServiceString(text.slice(i + 3, i + 9));
      if (typeof parsed === "string")
        return done(
          failure({
            code: "CDK_EDI_SYNTAX",
            file,
            location: { segment: position, tag: "UNA", line },
            what: parsed,
            found: text.slice(i, i + 9),
            expected: "UNA followed by 6 distinct service characters, such as UNA:+.? '",
            syntaxErrorCode: "22",
          }),
        );
      d = parsed;
      sawUna = true;
      segments.push({ tag: "UNA", elements: [[text.slice(i + 3, i + 9)]], position, line });
      i += 9;
      continue;
    }
    const startLine = line;
    const start = i;
    const elements: string[][] = [];
    let components: string[] = [];
    let buffer = "";
    let brokenLine = false;
    const fail = (what: string, found: string | undefined, expected: string, code = "18") => {
      const tag = elements[0]?.[0];
      const element =
        tag === undefined
          ? undefined
          : `${tag}-${String(elements.length).padStart(2, "0")}-${components.length + 1}`;
      return done(
        failure({
          code: code === "unsupported" ? "CDK_EDI_UNSUPPORTED" : "CDK_EDI_SYNTAX",
          file,
          location: {
            segment: position,
            line,
            ...(tag === undefined ? {} : { tag }),
            ...(element === undefined ? {} : { element }),
          },
          what,
          ...(found === undefined ? {} : { found }),
          expected,
          syntaxErrorCode: code === "unsupported" ? "15" : code,
        }),
      );
    };
    while (true) {
      if (i >= n)
        return fail(
          `the file ends inside a segment`,
          text.slice(start, start + 40),
          `the segment terminator ${d.terminator}`,
        );
      if (i - start > limits.maxSegmentLength)
        return fail(
          `the segment is longer than ${limits.maxSegmentLength} characters (limit)`,
          undefined,
          "a segment terminator",
        );
      const ch = text[i]!;
      if (ch === d.release) {
        const next = text[i + 1];
        const service = [d.component, d.element, d.release, d.terminator, d.repetition];
        if (next === undefined || !service.includes(next))
          return fail(
            "the release character must precede a service character",
            `${ch}${next ?? ""}`,
            `one of ${service.filter((s) => s !== undefined).join(" ")} after ${ch}`,
            "21",
          );
        buffer += next;
        i += 2;
        continue;
      }
      i++;
      if (ch === d.component || ch === d.element || ch === d.terminator) {
        components.push(buffer);
        buffer = "";
        if (components.length > limits.maxComponents)
          return fail(
            `more than ${limits.maxComponents} components in one element (limit)`,
            undefined,
            "fewer",
            "16",
          );
        if (ch === d.component) continue;
        elements.push(components);
        components = [];
        if (elements.length > limits.maxElements + 1)
          return fail(
            `more than ${limits.maxElements} data elements in one segment (limit)`,
            undefined,
            "fewer",
            "16",
          );
        if (ch === d.terminator) break;
      } else if (ch === d.repetition) {
        return fail(
          "repeating data elements are not supported",
          ch,
          "no repetition separator",
          "unsupported",
        );
      } else if (ch === "\n" || ch === "\r") {
        if (ch === "\n") line++;
        brokenLine = true;
      } else {
        buffer += ch;
      }
    }
    const tagElement = elements[0] ?? [""];
    const tag = tagElement[0] ?? "";
    if (tagElement.length !== 1 || !TAG.test(tag)) {
      return done(
        failure({
          code: "CDK_EDI_SYNTAX",
          file,
          location: { segment: position, line: startLine },
          what: "a segment does not start with a segment tag",
          found: text.slice(start, Math.min(i, start + 20)),
          expected: "three capital letters or digits such as LIN, then a data element separator",
          syntaxErrorCode: "12",
        }),
      );
    }
    if (brokenLine) wrapped++;
    const segment = { tag, elements: elements.slice(1), position, line: startLine };
    segments.push(segment);
    if (tag === "UNB" && !sawUna && segment.elements[0]?.[1] === "4") d = { ...d, repetition: "*" };
  }
}
