/**
 * File names on an SFTP folder: which ones are safe to touch, which ones are someone's upload in
 * progress, and what a file is called once archived in `done/` or `error/`.
 *
 * Names come from the partner's server and are not trusted: a name is used only if it is one path
 * segment (no `/`, no NUL, not `.` or `..`) of at most 255 bytes, so a hostile listing cannot make
 * us read or move anything outside the configured folder. Newlines and other odd characters are
 * allowed: they are legal on the server and harmless in a path we build ourselves.
 */
import { posix } from "node:path";

/** Longest file name most file systems accept (ext4, xfs: NAME_MAX), in bytes. */
export const MAX_NAME_BYTES = 255;

/** Names skipped as uploads in progress unless configured otherwise. */
export const DEFAULT_TEMP_PATTERNS: readonly string[] = Object.freeze([
  "*.part",
  "*.tmp",
  ".*",
  "*.filepart",
]);

/** True when `name` is a single, plain path segment we may join to a folder. */
export function isSafeName(name: string): boolean {
  return (
    name.length > 0 &&
    name !== "." &&
    name !== ".." &&
    !name.includes("/") &&
    !name.includes("\0") &&
    Buffer.byteLength(name) <= MAX_NAME_BYTES
  );
}

/** `folder/name`, refusing a name that is not a plain segment. */
export function remotePath(folder: string, name: string): string {
  if (!isSafeName(name)) throw new RangeError(`unsafe file name ${JSON.stringify(name)}`);
  return posix.join(folder, name);
}

/**
 * Compiles glob patterns (`*` any run of characters, `?` one character, nothing else special) into a
 * matcher of whole names.
 */
export function tempNameMatcher(patterns: readonly string[]): (name: string) => boolean {
  const regexes = patterns.map((pattern) => {
    const body = [...pattern]
      .map((ch) => (ch === "*" ? "[^]*" : ch === "?" ? "[^]" : ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
      .join("");
    return new RegExp(`^${body}$`, "u");
  });
  return (name) => regexes.some((regex) => regex.test(name));
}

/** `20260101T120000123Z`: sortable, no `:` (some servers refuse it in names). */
export function compactStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, "");
}

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = "";
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > maxBytes) break;
    out += ch;
    bytes += size;
  }
  return out;
}

/**
 * The name a file gets in `done/` or `error/`: `<name>.<stamp>.<sha256 first 12>`, the original name
 * shortened if needed so that the result plus `reserveBytes` (room for a sidecar suffix) still fits
 * in 255 bytes. Two files of one name never clobber each other: different content differs in the
 * hash, the same content archived again differs in the stamp.
 */
export function archiveName(name: string, atMs: number, sha256: string, reserveBytes = 0): string {
  const suffix = `.${compactStamp(atMs)}.${sha256.slice(0, 12)}`;
  return truncateUtf8(name, MAX_NAME_BYTES - reserveBytes - suffix.length) + suffix;
}

/** The name of an archived file's explanation in `error/`. */
export const SIDECAR_SUFFIX = ".error.json";
