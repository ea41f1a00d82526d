/**
 * Reads a whole EDIFACT file into interchanges and messages, checking the envelope: UNB..UNZ (several
 * interchanges per file, each optionally after its own UNA), UNG..UNE groups, UNH..UNT messages.
 *
 * Checks, each a located failure: structure (a segment outside a message, a missing trailer, a header
 * inside an open envelope, missing mandatory envelope elements) is `CDK_EDI_SYNTAX`; counts and
 * references (UNT01 = segments UNH..UNT, UNT02 = UNH01, UNE01/UNE02, UNZ01 = messages or groups,
 * UNZ02 = UNB05) are `CDK_EDI_CONTROL`. Reading stops at the first failure; the messages completed
 * before it are returned with it (each already passed its own UNT check).
 *
 * What the messages mean is the mappers' business; the reader only knows the envelope.
 */
import { decodeEdifact } from "./edifact-charset.ts";
import { buildEnvelopes } from "./edifact-envelope.ts";
import {
  type EdifactDelimiters,
  type EdifactFailure,
  type EdifactSegment,
  valueAt,
} from "./edifact-syntax.ts";
import { DEFAULT_EDIFACT_LIMITS, type EdifactLimits, tokenizeEdifact } from "./edifact-tokenizer.ts";

/** An interchange sender or recipient (UNB-02/UNB-03): id and its code qualifier (`14` = GLN). */
export interface EdifactParty {
  readonly id: string;
  readonly qualifier?: string;
}

/** One message, UNH to UNT inclusive. */
export interface EdifactMessage {
  /** UNH01, the message reference number. */
  readonly reference: string;
  /** UNH-02-1..5: `ORDERS`, `D`, `96A`, `UN`, `EAN008`. */
  readonly type: string;
  readonly version: string;
  readonly release: string;
  readonly agency: string;
  readonly association?: string;
  readonly segments: readonly EdifactSegment[];
  /** UNG05 when the message is in a functional group. */
  readonly groupRef?: string;
}

/** One interchange, UNB to UNZ. */
export interface EdifactInterchange {
  readonly syntaxId: string;
  readonly syntaxVersion: string;
  readonly sender: EdifactParty;
  readonly recipient: EdifactParty;
  /** UNB-04-1/2 as sent: `YYMMDD` (or `CCYYMMDD` in version 4) and `HHMM`. */
  readonly preparedDate: string;
  readonly preparedTime: string;
  /** UNB05, the interchange control reference. */
  readonly controlRef: string;
  readonly applicationRef?: string;
  /** UNB09 = 1: the sender asks for a CONTRL. */
  readonly ackRequested: boolean;
  /** UNB11 = 1. */
  readonly test: boolean;
  readonly delimiters: EdifactDelimiters;
  readonly header: EdifactSegment;
  readonly messages: readonly EdifactMessage[];
}

export type EdifactReadResult =
  | {
      readonly ok: true;
      readonly interchanges: readonly EdifactInterchange[];
      readonly warnings: readonly string[];
    }
  | {
      readonly ok: false;
      readonly failure: EdifactFailure;
      /** What was complete before the failure (messages that passed their UNT check). */
      readonly interchanges: readonly EdifactInterchange[];
      readonly warnings: readonly string[];
    };

export interface ReadEdifactOptions {
  readonly limits?: Partial<EdifactLimits>;
}

/**
 * Reads a file (bytes, decoded per UNB's syntax identifier, or text already decoded). Never throws.
 *
 * @example
 * const result = readEdifact("orders.edi", bytes);
 * if (result.ok) for (const ic of result.interchanges) for (const m of ic.messages) console.log(m.type);
 */
export function readEdifact(
  file: string,
  input: Uint8Array | string,
  options: ReadEdifactOptions = {},
): EdifactReadResult {
  const warnings: string[] = [];
  let text: string;
  if (typeof input === "string") {
    text = input;
  } else {
    const decoded = decodeEdifact(file, input);
    if (!decoded.ok) return { ok: false, failure: decoded.failure, interchanges: [], warnings };
    warnings.push(...decoded.warnings);
    text = decoded.text;
  }
  const limits = { ...DEFAULT_EDIFACT_LIMITS, ...options.limits };
  const tokens = tokenizeEdifact(text, file, limits);
  warnings.push(...tokens.warnings);
  const envelopes = buildEnvelopes(file, tokens.segments, tokens.failure === undefined);
  warnings.push(...envelopes.warnings);
  const open = envelopes.openMessage;
  const fail =
    envelopes.failure ??
    (tokens.failure && open
      ? {
          ...tokens.failure,
          messageRef: valueAt(open, 1),
          messageType: (open.elements[1] ?? []).slice(0, 4).join(":"),
          messageStart: open.position,
        }
      : tokens.failure);
  return fail === undefined
    ? { ok: true, interchanges: envelopes.interchanges, warnings }
    : { ok: false, failure: fail, interchanges: envelopes.interchanges, warnings };
}
