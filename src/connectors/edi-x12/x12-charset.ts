/**
 * From bytes to text for the X12 reader. X12 is ASCII (00501 and later allow UTF-8 in the extended
 * character set); EBCDIC and UTF-16 files are refused with `CDK_EDI_UNSUPPORTED` rather than read as
 * garbage. Bytes that are not valid UTF-8 are read as Windows-1252 (Latin-1 plus `…` and friends at 0x80-0x9F), with a warning.
 */
import { problemAt, type X12Problem } from "./x12-segment.ts";

export type X12Charset = "utf-8" | "windows-1252";

/** What `sniffX12Bytes` found at the start of a file. */
export type X12Sniff =
  | { readonly kind: "x12"; readonly offset: number }
  | { readonly kind: "ebcdic" | "utf-16" | "empty" | "other"; readonly offset: number };

function isSpaceByte(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

function isAlnumByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/** Looks at the first bytes: ISA or ST after optional whitespace and BOM, EBCDIC, UTF-16 or other. */
export function sniffX12Bytes(head: Uint8Array): X12Sniff {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    return { kind: "utf-16", offset: 0 };
  }
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && isSpaceByte(head[i]!)) i++;
  if (i >= head.length) return { kind: "empty", offset: i };
  const at = (k: number) => head[i + k] ?? -1;
  if (at(1) === 0x00 && at(0) !== 0x00) return { kind: "utf-16", offset: i };
  if (at(0) === 0x00 && at(1) !== 0x00) return { kind: "utf-16", offset: i };
  if (at(0) === 0x49 && at(1) === 0x53 && at(2) === 0x41 && at(3) !== -1 && !isAlnumByte(at(3))) {
    return { kind: "x12", offset: i };
  }
  if (at(0) === 0x53 && at(1) === 0x54 && at(2) !== -1 && !isAlnumByte(at(2)) && !isSpaceByte(at(2))) {
    return { kind: "x12", offset: i };
  }
  // "ISA" and "ST" in EBCDIC (code page 037 and its relatives).
  if ((at(0) === 0xc9 && at(1) === 0xe2 && at(2) === 0xc1) || (at(0) === 0xe2 && at(1) === 0xe3)) {
    return { kind: "ebcdic", offset: i };
  }
  return { kind: "other", offset: i };
}

/** The decoded text, or a located problem for a character set the reader does not take. */
export type X12Text =
  | { readonly ok: true; readonly text: string; readonly charset: X12Charset; readonly warning?: string }
  | { readonly ok: false; readonly problem: X12Problem };

/** Decodes a whole file. The problem, when there is one, is located at segment 1. */
export function decodeX12Bytes(file: string, bytes: Uint8Array): X12Text {
  const sniff = sniffX12Bytes(bytes.subarray(0, 64));
  if (sniff.kind === "ebcdic" || sniff.kind === "utf-16") {
    const name = sniff.kind === "ebcdic" ? "EBCDIC" : "UTF-16";
    return {
      ok: false,
      problem: problemAt(
        "CDK_EDI_UNSUPPORTED",
        file,
        { segment: 1, line: 1, tag: "ISA" },
        `the file is encoded in ${name}; expected ASCII or UTF-8 (convert it before sending)`,
      ),
    };
  }
  if (sniff.kind === "empty") {
    return {
      ok: false,
      problem: problemAt(
        "CDK_EDI_SYNTAX",
        file,
        { segment: 1, line: 1 },
        "the file is empty; expected an ISA",
      ),
    };
  }
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), charset: "utf-8" };
  } catch {
    return {
      ok: true,
      text: new TextDecoder("windows-1252").decode(bytes),
      charset: "windows-1252",
      warning: `${file}: the file is not valid UTF-8; read as Windows-1252`,
    };
  }
}
