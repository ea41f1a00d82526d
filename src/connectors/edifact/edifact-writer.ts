/**
 * Writes interchanges: UNA, UNB, the messages (UNH ... UNT with the segment count filled in), UNZ,
 * escaping every service character in data with the release character.
 *
 * The envelope comes from a per-partner `EdifactEnvelopeConfig`; the interchange control reference
 * (UNB05) from an injected allocator (it must be unique per partner and is what a CONTRL refers back
 * to, so it belongs to the store, not to this module); the preparation time from an injected clock.
 * Message references are 1..n within the interchange. Trailing empty elements and components are
 * left out, as the syntax requires.
 *
 * @example
 * const written = writeInterchange(partner, [ordrspDraft(ack)], { clock, controlRefs });
 * await sftp.put(written.bytes, `out/${written.controlRef}.edi`);
 */
import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import type { EdifactParty } from "./edifact-reader.ts";
import { DEFAULT_DELIMITERS, type EdifactDelimiters } from "./edifact-syntax.ts";

/** A data value: text, or a number written with the interchange's decimal mark. */
export type DraftValue = string | { readonly decimal: string };
/** A segment to write: tag, then elements; an element is a value or its components. */
export type DraftSegment = readonly [tag: string, ...elements: (DraftValue | readonly DraftValue[])[]];

/** A message body (without UNH and UNT) and its identifier. */
export interface MessageDraft {
  /** UNH-02-1, such as `ORDRSP`. */
  readonly type: string;
  /** UNH-02-2..4; default the envelope's `directory`. */
  readonly directory?: { readonly version: string; readonly release: string; readonly agency: string };
  /** UNH-02-5; default the envelope's `association` (`""` for none, as a CONTRL needs). */
  readonly association?: string;
  readonly segments: readonly DraftSegment[];
}

/** How Crossdock writes to one trading partner. */
export interface EdifactEnvelopeConfig {
  readonly sender: EdifactParty;
  readonly recipient: EdifactParty;
  /** Default `UNOC` (ISO 8859-1); `UNOY`/`UNOW` write UTF-8, `UNOA`/`UNOB` ASCII. */
  readonly syntaxId?: string;
  /** Default `3`. */
  readonly syntaxVersion?: string;
  /** Delimiters announced in the UNA (always written); default `:+.? '`. */
  readonly delimiters?: Partial<EdifactDelimiters>;
  /** Message directory, default `{ version: "D", release: "96A", agency: "UN" }`. */
  readonly directory?: { readonly version: string; readonly release: string; readonly agency: string };
  /** UNH-02-5, the association assigned code, such as `EAN008`. */
  readonly association?: string;
  readonly applicationRef?: string;
  /** UNB09 = 1: ask the partner for a CONTRL. */
  readonly ackRequested?: boolean;
  /** UNB11 = 1: a test interchange. */
  readonly test?: boolean;
  /** A line break after every segment terminator (many partners' tools like it); default false. */
  readonly lineBreaks?: boolean;
}

/** Hands out interchange control references (UNB05): unique per partner, at most 14 characters. */
export interface ControlReferenceAllocator {
  next(): string;
}

export interface WriterDependencies {
  readonly clock: Clock;
  readonly controlRefs: ControlReferenceAllocator;
}

export interface WrittenInterchange {
  readonly text: string;
  readonly bytes: Uint8Array;
  readonly controlRef: string;
  readonly messageRefs: readonly string[];
}

/** Escapes the service characters of one value with the release character. */
export function escapeValue(value: string, d: EdifactDelimiters): string {
  const release = d.release ?? "?";
  const special = [d.component, d.element, release, d.terminator, ...(d.repetition ? [d.repetition] : [])];
  let out = "";
  for (const ch of value) out += special.includes(ch) ? `${release}${ch}` : ch;
  return out;
}

function text(value: DraftValue, d: EdifactDelimiters): string {
  if (typeof value === "string") return escapeValue(value, d);
  return value.decimal.replace(".", d.decimal);
}

const trimEnd = (parts: string[]) => {
  while (parts.length > 0 && parts.at(-1) === "") parts.pop();
  return parts;
};

/** One segment as text, terminator included. */
export function formatSegment(segment: DraftSegment, d: EdifactDelimiters = DEFAULT_DELIMITERS): string {
  const [tag, ...elements] = segment;
  const written = elements.map((element) =>
    typeof element === "string" || !Array.isArray(element)
      ? text(element as DraftValue, d)
      : trimEnd((element as readonly DraftValue[]).map((part) => text(part, d))).join(d.component),
  );
  return [tag, ...trimEnd(written)].join(d.element) + d.terminator;
}

/** Text to bytes in the syntax identifier's character set; a character it cannot carry is refused. */
export function encodeText(value: string, syntaxId: string): Uint8Array {
  if (syntaxId === "UNOY" || syntaxId === "UNOW") return new TextEncoder().encode(value);
  const max = syntaxId === "UNOC" ? 0xff : 0x7f;
  const index = [...value].findIndex((ch) => ch.codePointAt(0)! > max);
  if (index >= 0)
    throw new CrossdockError(
      "CDK_EDI_UNSUPPORTED",
      `character ${JSON.stringify([...value][index])} cannot be written in ${syntaxId}`,
      {
        details: {
          syntaxId,
          character: [...value][index],
          expected: syntaxId === "UNOC" ? "ISO 8859-1" : "ASCII",
        },
      },
    );
  return Uint8Array.from(Buffer.from(value, "latin1"));
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Writes one interchange holding `messages`; see the module comment. */
export function writeInterchange(
  config: EdifactEnvelopeConfig,
  messages: readonly MessageDraft[],
  deps: WriterDependencies,
): WrittenInterchange {
  const d: EdifactDelimiters = { ...DEFAULT_DELIMITERS, ...config.delimiters };
  const syntaxId = config.syntaxId ?? "UNOC";
  const version = config.syntaxVersion ?? "3";
  const directory = config.directory ?? { version: "D", release: "96A", agency: "UN" };
  const now = new Date(deps.clock.now());
  const year = String(now.getUTCFullYear());
  const date = `${version === "4" ? year : year.slice(2)}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`;
  const controlRef = deps.controlRefs.next();
  const party = (p: EdifactParty) => [p.id, p.qualifier ?? ""];
  const segments: string[] = [];
  const add = (segment: DraftSegment) => segments.push(formatSegment(segment, d));
  add([
    "UNB",
    [syntaxId, version],
    party(config.sender),
    party(config.recipient),
    [date, `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}`],
    controlRef,
    "",
    config.applicationRef ?? "",
    "",
    config.ackRequested ? "1" : "",
    "",
    config.test ? "1" : "",
  ]);
  const messageRefs = messages.map((message, index) => {
    const reference = String(index + 1);
    const id = message.directory ?? directory;
    add([
      "UNH",
      reference,
      [message.type, id.version, id.release, id.agency, message.association ?? config.association ?? ""],
    ]);
    for (const segment of message.segments) add(segment);
    add(["UNT", String(message.segments.length + 2), reference]);
    return reference;
  });
  add(["UNZ", String(messages.length), controlRef]);
  const una = `UNA${d.component}${d.element}${d.decimal}${d.release ?? " "}${d.repetition ?? " "}${d.terminator}`;
  const separator = config.lineBreaks ? "\n" : "";
  const body = [una, ...segments].join(separator) + separator;
  return { text: body, bytes: encodeText(body, syntaxId), controlRef, messageRefs };
}

/** A number value (written with the interchange's decimal mark). */
export const num = (decimal: string): DraftValue => ({ decimal });

/**
 * A DTM segment: a calendar date as 102 (`CCYYMMDD`), a timestamp as 203 (`CCYYMMDDHHMM`) in the
 * timestamp's own offset (EDIFACT carries none; the partner's `utcOffset` reads it back).
 */
export function dtm(qualifier: string, value: string): DraftSegment {
  const digits = value.slice(0, 16).replace(/[-T:]/g, "");
  return digits.length === 8
    ? ["DTM", [qualifier, digits, "102"]]
    : ["DTM", [qualifier, digits.slice(0, 12), "203"]];
}
