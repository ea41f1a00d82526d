import { CrossdockError } from "../core/errors.ts";
import type { MappingSource } from "./mapping.ts";

/** The settings a JSONata mapping file declares in its header comment. */
export interface JsonataHeader {
  readonly source: MappingSource;
  readonly target: string;
  readonly emits: string | undefined;
  /** RFC 6901 pointer into each output value giving its business key, e.g. `/channelOrderId`. */
  readonly key: string | undefined;
  /** Per-mapping overrides of the engine's limits. */
  readonly timeoutMs: number | undefined;
  readonly maxDepth: number | undefined;
}

/** 1-based line and column of a character offset; columns count UTF-16 units like editors' JSON. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const clamped = Math.max(0, Math.min(offset, text.length));
  const before = text.slice(0, clamped);
  const line = before.split("\n").length;
  return { line, column: clamped - before.lastIndexOf("\n") };
}

const MARK = "/* crossdock-mapping";
const KEYS = new Set(["source", "target", "emits", "key", "timeoutMs", "maxDepth"]);
const TARGET = /^[a-z][a-z0-9-]*\/v[1-9][0-9]*$/;
const EVENT = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

/**
 * Reads the header comment every mapping file starts with, so one file says everything about itself:
 *
 * ```
 * /* crossdock-mapping
 *    source: shopify orders/create
 *    target: order/v1
 *    emits: order.received
 *    key: /channelOrderId
 * *\/
 * ```
 * `source` (connection type, then document type) and `target` are required. Problems are located as
 * `file:line:column` with code `CDK_MAPPING_SYNTAX`.
 */
export function parseJsonataHeader(text: string, file: string): JsonataHeader {
  const fail = (offset: number, message: string): never => {
    const { line, column } = lineColumn(text, offset);
    throw new CrossdockError("CDK_MAPPING_SYNTAX", `${file}:${line}:${column}: ${message}`, {
      details: { file, line, column },
    });
  };
  const start = text.length - text.trimStart().length;
  if (!text.startsWith(MARK, start)) {
    fail(start, `a mapping file must start with a "${MARK}" header comment naming its source and target`);
  }
  const end = text.indexOf("*/", start);
  if (end === -1) fail(start, "the header comment is not closed with */");
  const fields = new Map<string, string>();
  let offset = start + MARK.length;
  for (const raw of text.slice(offset, end).split("\n")) {
    const lineStart = offset;
    offset += raw.length + 1;
    const trimmed = raw.trim();
    if (trimmed === "") continue;
    const match = /^([A-Za-z]+)\s*:\s*(.*)$/.exec(trimmed);
    const at = lineStart + raw.indexOf(trimmed);
    if (!match) fail(at, `expected "key: value" in the header, found "${trimmed.slice(0, 60)}"`);
    const [, key, value] = match as RegExpExecArray;
    if (!KEYS.has(key as string)) fail(at, `unknown header key "${key}" (known: ${[...KEYS].join(", ")})`);
    if (fields.has(key as string)) fail(at, `header key "${key}" is given twice`);
    fields.set(key as string, value as string);
    const check = (ok: boolean, expected: string) => {
      if (!ok) fail(at, `header ${key}: "${(value as string).slice(0, 60)}" is not ${expected}`);
    };
    if (key === "source")
      check(/^[a-z][a-z0-9-]*\s+\S+$/.test(value as string), "<connection type> <document type>");
    if (key === "target") check(TARGET.test(value as string), "an entity and version such as order/v1");
    if (key === "emits") check(EVENT.test(value as string), "an event type such as order.received");
    if (key === "key") check((value as string).startsWith("/"), "a JSON pointer such as /channelOrderId");
    if (key === "timeoutMs" || key === "maxDepth") {
      check(/^[1-9][0-9]{0,5}$/.test(value as string), "a positive integer below 1000000");
    }
  }
  for (const required of ["source", "target"]) {
    if (!fields.has(required)) fail(start, `the header has no "${required}:" line`);
  }
  const [connectionType, documentType] = (fields.get("source") as string).split(/\s+/) as [string, string];
  const number = (key: string) => (fields.has(key) ? Number(fields.get(key)) : undefined);
  return {
    source: { connectionType, documentType },
    target: fields.get("target") as string,
    emits: fields.get("emits"),
    key: fields.get("key"),
    timeoutMs: number("timeoutMs"),
    maxDepth: number("maxDepth"),
  };
}
