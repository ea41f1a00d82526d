/**
 * The envelope state machine behind `readEdifact`: walks the segments once, opening and closing
 * interchanges, groups and messages, and checks every trailer against its header.
 */
import type { ErrorCode } from "../../core/errors.ts";
import type { EdifactInterchange, EdifactMessage } from "./edifact-reader.ts";
import {
  at,
  DEFAULT_DELIMITERS,
  type EdifactDelimiters,
  type EdifactFailure,
  type EdifactSegment,
  failure,
  valueAt,
} from "./edifact-syntax.ts";
import { parseServiceString } from "./edifact-tokenizer.ts";

export interface EnvelopeResult {
  readonly interchanges: EdifactInterchange[];
  readonly failure?: EdifactFailure;
  readonly warnings: string[];
  /** The UNH of a message still open at the end (the tokenizer stopped inside it). */
  readonly openMessage?: EdifactSegment;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface OpenGroup {
  readonly header: EdifactSegment;
  readonly ref: string;
  count: number;
}

/** See `readEdifact`. `complete` is false when the tokenizer stopped early (no "ends inside" failure then). */
export function buildEnvelopes(
  file: string,
  segments: readonly EdifactSegment[],
  complete: boolean,
): EnvelopeResult {
  const interchanges: EdifactInterchange[] = [];
  const warnings: string[] = [];
  let delimiters: EdifactDelimiters = DEFAULT_DELIMITERS;
  let interchange: (Mutable<EdifactInterchange> & { messages: EdifactMessage[] }) | undefined;
  let groups = 0;
  let group: OpenGroup | undefined;
  let message: { header: EdifactSegment; segments: EdifactSegment[] } | undefined;

  const stop = (
    code: ErrorCode,
    segment: EdifactSegment,
    what: string,
    extra: { element?: number; component?: number; found?: string; expected?: string; syntax: string },
  ): EnvelopeResult => ({
    interchanges: keepOpen(),
    warnings,
    failure: failure({
      code,
      file,
      location: at(segment, extra.element, extra.component),
      what,
      syntaxErrorCode: extra.syntax,
      ...(extra.found === undefined ? {} : { found: extra.found }),
      ...(extra.expected === undefined ? {} : { expected: extra.expected }),
      ...(message === undefined
        ? {}
        : {
            messageRef: valueAt(message.header, 1),
            messageType: (message.header.elements[1] ?? []).slice(0, 4).join(":"),
            messageStart: message.header.position,
          }),
    }),
  });
  // Messages that passed their UNT check are kept even when the interchange around them fails.
  const keepOpen = () => {
    if (interchange !== undefined && !interchanges.includes(interchange)) interchanges.push(interchange);
    return interchanges;
  };
  const required = (segment: EdifactSegment, element: number, component: number, name: string) =>
    valueAt(segment, element, component) === ""
      ? stop("CDK_EDI_SYNTAX", segment, `${name} is missing`, {
          element,
          component,
          expected: name,
          syntax: "13",
        })
      : undefined;
  const count = (segment: EdifactSegment, actual: number, what: string) => {
    const stated = valueAt(segment, 1);
    if (!/^[0-9]{1,9}$/.test(stated))
      return stop("CDK_EDI_SYNTAX", segment, `the ${what} count is not a number`, {
        element: 1,
        found: stated,
        expected: "digits",
        syntax: "12",
      });
    return Number(stated) === actual
      ? undefined
      : stop("CDK_EDI_CONTROL", segment, `the ${what} count does not match`, {
          element: 1,
          found: stated,
          expected: String(actual),
          syntax: "29",
        });
  };
  const reference = (segment: EdifactSegment, element: number, expected: string, header: string) =>
    valueAt(segment, element) === expected
      ? undefined
      : stop("CDK_EDI_CONTROL", segment, `the control reference does not match ${header}`, {
          element,
          found: valueAt(segment, element),
          expected: JSON.stringify(expected),
          syntax: "28",
        });

  for (const segment of segments) {
    const tag = segment.tag;
    if (message !== undefined && tag !== "UNT") {
      if (tag === "UNH" || tag === "UNZ" || tag === "UNB" || tag === "UNE" || tag === "UNG")
        return stop("CDK_EDI_SYNTAX", segment, `${tag} inside message ${valueAt(message.header, 1)}`, {
          expected: "UNT closing the message first",
          syntax: "13",
        });
      message.segments.push(segment);
      continue;
    }
    switch (tag) {
      case "UNA": {
        if (interchange !== undefined)
          return stop("CDK_EDI_SYNTAX", segment, "UNA inside an interchange", {
            expected: "UNZ",
            syntax: "22",
          });
        const parsed = parseServiceString(valueAt(segment, 1));
        if (typeof parsed !== "string") delimiters = parsed;
        break;
      }
      case "UNB": {
        if (interchange !== undefined)
          return stop("CDK_EDI_SYNTAX", segment, `UNB inside interchange ${interchange.controlRef}`, {
            expected: "UNZ closing it first",
            syntax: "13",
          });
        const missing =
          required(segment, 1, 1, "the syntax identifier") ??
          required(segment, 1, 2, "the syntax version") ??
          required(segment, 2, 1, "the sender id") ??
          required(segment, 3, 1, "the recipient id") ??
          required(segment, 5, 1, "the interchange control reference");
        if (missing) return missing;
        const party = (element: number) => ({
          id: valueAt(segment, element),
          ...(valueAt(segment, element, 2) === "" ? {} : { qualifier: valueAt(segment, element, 2) }),
        });
        interchange = {
          syntaxId: valueAt(segment, 1),
          syntaxVersion: valueAt(segment, 1, 2),
          sender: party(2),
          recipient: party(3),
          preparedDate: valueAt(segment, 4),
          preparedTime: valueAt(segment, 4, 2),
          controlRef: valueAt(segment, 5),
          ...(valueAt(segment, 7) === "" ? {} : { applicationRef: valueAt(segment, 7) }),
          ackRequested: valueAt(segment, 9) === "1",
          test: valueAt(segment, 11) === "1",
          delimiters,
          header: segment,
          messages: [],
        };
        groups = 0;
        break;
      }
      case "UNG": {
        if (interchange === undefined || group !== undefined)
          return stop("CDK_EDI_SYNTAX", segment, "UNG outside an interchange or inside a group", {
            expected: "UNG directly inside UNB..UNZ",
            syntax: "33",
          });
        if (interchange.messages.length > groups)
          return stop("CDK_EDI_SYNTAX", segment, "groups and ungrouped messages are mixed", {
            syntax: "30",
          });
        group = { header: segment, ref: valueAt(segment, 5), count: 0 };
        groups++;
        break;
      }
      case "UNE": {
        if (group === undefined)
          return stop("CDK_EDI_SYNTAX", segment, "UNE without UNG", { expected: "UNG before", syntax: "33" });
        const problem = count(segment, group.count, "message") ?? reference(segment, 2, group.ref, "UNG05");
        if (problem) return problem;
        group = undefined;
        break;
      }
      case "UNH": {
        if (interchange === undefined)
          return stop("CDK_EDI_SYNTAX", segment, "UNH outside an interchange", {
            expected: "UNB before",
            syntax: "33",
          });
        const missing =
          required(segment, 1, 1, "the message reference") ??
          required(segment, 2, 1, "the message type") ??
          required(segment, 2, 2, "the message version") ??
          required(segment, 2, 3, "the message release") ??
          required(segment, 2, 4, "the controlling agency");
        if (missing) return missing;
        if (interchange.messages.some((m) => m.reference === valueAt(segment, 1)))
          warnings.push(
            `segment ${segment.position}: message reference ${valueAt(segment, 1)} repeats within interchange ${interchange.controlRef}`,
          );
        message = { header: segment, segments: [segment] };
        break;
      }
      case "UNT": {
        if (message === undefined || interchange === undefined)
          return stop("CDK_EDI_SYNTAX", segment, "UNT without UNH", { expected: "UNH before", syntax: "33" });
        message.segments.push(segment);
        const header = message.header;
        const problem =
          count(segment, message.segments.length, "segment") ??
          reference(segment, 2, valueAt(header, 1), "UNH01");
        if (problem) return problem;
        interchange.messages.push({
          reference: valueAt(header, 1),
          type: valueAt(header, 2, 1),
          version: valueAt(header, 2, 2),
          release: valueAt(header, 2, 3),
          agency: valueAt(header, 2, 4),
          ...(valueAt(header, 2, 5) === "" ? {} : { association: valueAt(header, 2, 5) }),
          segments: message.segments,
          ...(group === undefined ? {} : { groupRef: group.ref }),
        });
        if (group !== undefined) group.count++;
        message = undefined;
        break;
      }
      case "UNZ": {
        if (interchange === undefined || group !== undefined)
          return stop("CDK_EDI_SYNTAX", segment, "UNZ without UNB or inside a group", {
            expected: group === undefined ? "UNB before" : "UNE first",
            syntax: "33",
          });
        const what = groups > 0 ? "group" : "message";
        const problem =
          count(segment, groups > 0 ? groups : interchange.messages.length, what) ??
          reference(segment, 2, interchange.controlRef, "UNB05");
        if (problem) return problem;
        if (interchange.messages.length === 0)
          warnings.push(`interchange ${interchange.controlRef} is empty`);
        interchanges.push(interchange);
        interchange = undefined;
        break;
      }
      default:
        return stop("CDK_EDI_SYNTAX", segment, `${tag} outside a message`, {
          expected: "UNH before the message's segments",
          syntax: "33",
        });
    }
  }
  const last = segments.at(-1);
  if (!complete)
    return {
      interchanges: keepOpen(),
      warnings,
      ...(message === undefined ? {} : { openMessage: message.header }),
    };
  if (interchange !== undefined && last !== undefined) {
    const open = message ? "message" : group ? "group" : "interchange";
    const expected = message ? "UNT" : group ? "UNE" : "UNZ";
    return stop("CDK_EDI_SYNTAX", last, `the file ends inside an open ${open} (truncated?)`, {
      expected: `${expected} after segment ${last.position}`,
      syntax: "13",
    });
  }
  if (interchanges.length === 0)
    return {
      interchanges,
      warnings,
      failure: failure({
        code: "CDK_EDI_SYNTAX",
        file,
        location: last === undefined ? { segment: 1, line: 1 } : at(last),
        what: "no interchange found",
        expected: "UNB ... UNZ",
        syntaxErrorCode: "13",
      }),
    };
  return { interchanges, warnings };
}
