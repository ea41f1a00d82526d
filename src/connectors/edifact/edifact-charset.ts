/**
 * Bytes to text by the UNB syntax identifier (UNB-01-1), read from the raw bytes before decoding (the
 * envelope itself is ASCII in every level).
 *
 * | identifier | decoded as |
 * |---|---|
 * | UNOA, UNOB | ASCII (UNOA's upper-case-only repertoire is not enforced) |
 * | UNOC | ISO 8859-1 |
 * | UNOD ... UNOK | ISO 8859-2, -5, -7, -3, -4, -6, -8, -9 |
 * | UNOW, UNOY | UTF-8 |
 *
 * One accepted quirk, with a warning: a file declared UNOA/UNOB/UNOC whose bytes are valid UTF-8 with
 * multi-byte sequences is decoded as UTF-8 (a partner exporting UTF-8 under a Latin-1 label; Latin-1
 * text that happens to be valid UTF-8 is vanishingly rare). U+FFFD in the text, the mark of text
 * damaged before it reached us, is also warned about. Other levels, and EBCDIC, are
 * `CDK_EDI_UNSUPPORTED`.
 */
import type { EdifactFailure } from "./edifact-syntax.ts";
import { failure } from "./edifact-syntax.ts";

const SINGLE_BYTE: Readonly<Record<string, string>> = {
  UNOD: "iso-8859-2",
  UNOE: "iso-8859-5",
  UNOF: "iso-8859-7",
  UNOG: "iso-8859-3",
  UNOH: "iso-8859-4",
  UNOI: "iso-8859-6",
  UNOJ: "iso-8859-8",
  UNOK: "iso-8859-9",
};

export type DecodeResult =
  | { readonly ok: true; readonly text: string; readonly syntaxId: string; readonly warnings: string[] }
  | { readonly ok: false; readonly failure: EdifactFailure };

/** Offset of the first byte after a BOM and whitespace. */
export function skipPreamble(bytes: Uint8Array): number {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && [0x20, 0x09, 0x0d, 0x0a].includes(bytes[i]!)) i++;
  return i;
}

const ascii = (bytes: Uint8Array, from: number, length: number) =>
  String.fromCharCode(...bytes.subarray(from, Math.min(bytes.length, from + length)));

/** The syntax identifier of the first UNB and the UNB's segment number (2 after a UNA), or undefined. */
export function sniffSyntaxId(bytes: Uint8Array): { id: string; segment: number } | undefined {
  let i = skipPreamble(bytes);
  let segment = 1;
  let elementSeparator = "+";
  let componentSeparator = ":";
  if (ascii(bytes, i, 3) === "UNA") {
    componentSeparator = ascii(bytes, i + 3, 1);
    elementSeparator = ascii(bytes, i + 4, 1);
    i += 9;
    while (i < bytes.length && [0x20, 0x0d, 0x0a].includes(bytes[i]!)) i++;
    segment = 2;
  }
  if (ascii(bytes, i, 4) !== `UNB${elementSeparator}`) return undefined;
  const head = ascii(bytes, i + 4, 8);
  const end = [...head].findIndex((ch) => ch === componentSeparator || ch === elementSeparator);
  return { id: end < 0 ? head : head.slice(0, end), segment };
}

function isMultiByteUtf8(bytes: Uint8Array): boolean {
  if (!bytes.some((byte) => byte > 0x7f)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Decodes a whole file; see the module comment. */
export function decodeEdifact(file: string, bytes: Uint8Array): DecodeResult {
  const sniffed = sniffSyntaxId(bytes);
  const start = skipPreamble(bytes);
  if (bytes[start] === 0xe4 && bytes[start + 1] === 0xd5 && bytes[start + 2] === 0xc2) {
    return {
      ok: false,
      failure: failure({
        code: "CDK_EDI_UNSUPPORTED",
        file,
        location: { segment: 1, tag: "UNB", line: 1 },
        what: "the file is EBCDIC, which is not supported",
        expected: "ASCII-based text (UNOA, UNOB, UNOC, UNOY, ...)",
        syntaxErrorCode: "14",
      }),
    };
  }
  const id = sniffed?.id ?? "UNOA";
  const warnings: string[] = [];
  const multiByte = isMultiByteUtf8(bytes);
  let text: string;
  if (id === "UNOY" || id === "UNOW") {
    text = new TextDecoder("utf-8").decode(bytes);
  } else if (["UNOA", "UNOB", "UNOC"].includes(id)) {
    if (multiByte) {
      warnings.push(`declared ${id} but the bytes are UTF-8 with non-ASCII characters; decoded as UTF-8`);
      text = new TextDecoder("utf-8").decode(bytes);
    } else {
      if (id !== "UNOC" && bytes.some((byte) => byte > 0x7f))
        warnings.push(`declared ${id} (ASCII) but the file has bytes above 0x7F; decoded as ISO 8859-1`);
      text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
    }
  } else if (SINGLE_BYTE[id] !== undefined) {
    text = new TextDecoder(SINGLE_BYTE[id]).decode(bytes);
  } else {
    return {
      ok: false,
      failure: failure({
        code: "CDK_EDI_UNSUPPORTED",
        file,
        location: { segment: sniffed?.segment ?? 1, tag: "UNB", element: "UNB-01-1" },
        what: "the syntax identifier (character set) is not supported",
        found: id,
        expected: "UNOA, UNOB, UNOC, UNOD-UNOK, UNOW or UNOY",
        syntaxErrorCode: "14",
      }),
    };
  }
  if (text.includes("\ufffd"))
    warnings.push("the text contains U+FFFD replacement characters: it was damaged before it reached us");
  return { ok: true, text, syntaxId: id, warnings };
}
