/**
 * Runs every file of a folder (or one file) through the decoder that claims it, for
 * `crossdock conformance <dir>`: per file, parsed with its document and record counts, or a located
 * error. A decoder that throws is a defect, reported for that file as `CDK_INTERNAL` with the file named;
 * the run goes on. Documentation files of a corpus (README, provenance tables) and source-code excerpts
 * (test vectors inside a library's tests, checked by the signature tests) are listed as skipped.
 *
 * Files are read whole, up to `maxFileBytes` (default 256 MiB); a larger file is an error for that file,
 * not a crash. Decoders are asked in order; the first whose `sniff` says yes decodes the file.
 */
import type { Dirent } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import type { ConformanceDecoder, ConformanceResult } from "./conformance.ts";

const HEAD_BYTES = 8_192;
/** Not messages: a corpus's own documentation, and source-code excerpts that carry test vectors. */
const DOCUMENTATION = /^(readme(\..*)?|sources\.tsv|licen[cs]e(\..*)?|.*\.md|.*\.excerpt)$/i;

export interface ConformanceRunOptions {
  decoders: readonly ConformanceDecoder[];
  maxFileBytes?: number;
  /** Called after each file, for progress. */
  onResult?: (result: ConformanceResult) => void;
}

export interface ConformanceReport {
  results: ConformanceResult[];
  /** Documentation and source excerpts, not run through a decoder. */
  skipped: string[];
  parsed: number;
  errors: number;
  /** Decoders that threw (always a defect); also counted in `errors`. */
  crashes: number;
}

async function listFiles(root: string): Promise<string[]> {
  const info = await stat(root);
  if (info.isFile()) return [root];
  const files: string[] = [];
  const walk = async (dir: string) => {
    const entries: Dirent[] = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  await walk(root);
  return files;
}

async function readBounded(path: string, max: number): Promise<Uint8Array | undefined> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    if (size > max) return undefined;
    const buffer = Buffer.alloc(size);
    await handle.read(buffer, 0, size, 0);
    return buffer;
  } finally {
    await handle.close();
  }
}

function failed(file: string, format: string, code: "CDK_INTERNAL" | "CDK_DECODE_FAILED", message: string) {
  return {
    file,
    format,
    outcome: "error" as const,
    documents: [],
    records: {},
    error: { code, message, location: { line: 1 } },
  };
}

export async function runConformance(
  root: string,
  options: ConformanceRunOptions,
): Promise<ConformanceReport> {
  const max = options.maxFileBytes ?? 256 * 1024 * 1024;
  const rootInfo = await stat(root);
  const base = rootInfo.isFile() ? join(root, "..") : root;
  const report: ConformanceReport = { results: [], skipped: [], parsed: 0, errors: 0, crashes: 0 };
  for (const path of await listFiles(root)) {
    const file = relative(base, path);
    const name = path.split(/[\\/]/).at(-1) as string;
    if (DOCUMENTATION.test(name)) {
      report.skipped.push(file);
      continue;
    }
    let result: ConformanceResult;
    const bytes = await readBounded(path, max);
    if (bytes === undefined) {
      result = failed(file, "unknown", "CDK_DECODE_FAILED", `${file}: larger than ${max} bytes; not read`);
    } else {
      const head = bytes.subarray(0, HEAD_BYTES);
      const decoder = options.decoders.find((d) => safeSniff(d, name, head));
      if (!decoder) {
        result = failed(
          file,
          "unknown",
          "CDK_DECODE_FAILED",
          `${file}: no decoder recognises this file (expected X12, EDIFACT, a configured flat-file layout, or a known JSON document)`,
        );
      } else {
        try {
          result = { ...(await decoder.decode(file, bytes)), file };
        } catch (error) {
          report.crashes++;
          result = failed(
            file,
            decoder.format,
            "CDK_INTERNAL",
            `${file}: the ${decoder.format} decoder crashed: ${(error as Error)?.message ?? String(error)}`,
          );
        }
      }
    }
    if (result.outcome === "parsed") report.parsed++;
    else report.errors++;
    report.results.push(result);
    options.onResult?.(result);
  }
  return report;
}

function safeSniff(decoder: ConformanceDecoder, name: string, head: Uint8Array): boolean {
  try {
    return decoder.sniff(name, head);
  } catch {
    return false;
  }
}

/** Where an error is, in one short text: `segment 14 (PO1) PO1-02`, `line 3, column 7, field qty`. */
export function describeLocation(result: ConformanceResult): string {
  const at = result.error?.location;
  if (!at) return "";
  const parts: string[] = [];
  if (at.segment !== undefined) parts.push(`segment ${at.segment}${at.tag ? ` (${at.tag})` : ""}`);
  if (at.element) parts.push(at.element);
  if (at.line !== undefined)
    parts.push(`line ${at.line}${at.column !== undefined ? `, column ${at.column}` : ""}`);
  if (at.field) parts.push(`field ${at.field}`);
  return parts.join(" ");
}
