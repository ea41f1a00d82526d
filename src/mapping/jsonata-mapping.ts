import jsonata from "jsonata";
import { readPointer } from "../connectors/json/json-pointer.ts";
import type { Clock } from "../core/clock.ts";
import { CrossdockError } from "../core/errors.ts";
import { nestedDeeperThan, toJsonValue } from "./json-value.ts";
import { registerDecimalFunctions } from "./jsonata-decimals.ts";
import {
  createGuardHooks,
  DEFAULT_JSONATA_LIMITS,
  type JsonataLimits,
  LIMIT_CODES,
} from "./jsonata-guard.ts";
import { lineColumn, parseJsonataHeader } from "./jsonata-header.ts";
import type { MapOutcome, MappedValue, Mapping, MappingContext } from "./mapping.ts";

export interface JsonataMappingOptions {
  readonly name: string;
  readonly version: number;
  /** Where the text came from, for located messages (`file:line:column`). */
  readonly file: string;
  /** Reads the time for the time box. */
  readonly clock: Clock;
  /** Engine-wide limits; the file's header may override `timeoutMs` and `maxDepth`. */
  readonly limits?: Partial<JsonataLimits>;
}

/** The shape of what jsonata throws (a plain object, not an `Error`, for its own codes). */
interface JsonataFault {
  code?: string;
  position?: number;
  token?: string;
  message?: string;
}

/**
 * Compiles a JSONata mapping file once; the returned mapping is reused for every document. The
 * expression sees the document as its input and the message's context as `$context` (`connection`,
 * `messageId`, `receivedAt` as RFC 3339, `headers`) and has exact decimal functions for money
 * (`$decimalAdd`, `$decimalMul`, ... in `jsonata-decimals.ts`). It returns one canonical value (an object) or an
 * array of them; each gets its key from the header's `key` pointer, else from the message.
 *
 * Throws `CDK_MAPPING_SYNTAX` located as `file:line:column` when the header or the expression does not
 * compile. `map()` never throws: limits give `CDK_MAPPING_LIMIT`, other faults `CDK_MAPPING_FAILED`,
 * both located in the file.
 */
export function compileJsonataMapping(text: string, options: JsonataMappingOptions): Mapping {
  const { name, version, file, clock } = options;
  const header = parseJsonataHeader(text, file);
  const limits: JsonataLimits = {
    ...DEFAULT_JSONATA_LIMITS,
    ...options.limits,
    ...(header.timeoutMs === undefined ? {} : { timeoutMs: header.timeoutMs }),
    ...(header.maxDepth === undefined ? {} : { maxDepth: header.maxDepth }),
  };
  const at = (fault: JsonataFault): string => {
    if (fault.position === undefined) return file;
    const tokenLength = fault.token && fault.token !== "(end)" ? fault.token.length : 0;
    const { line, column } = lineColumn(text, Math.max(0, fault.position - tokenLength));
    return `${file}:${line}:${column}`;
  };
  let expression: jsonata.Expression;
  try {
    expression = jsonata(text, { stack: limits.maxDepth, sequence: limits.maxSequence });
  } catch (cause) {
    const fault = cause as JsonataFault;
    throw new CrossdockError("CDK_MAPPING_SYNTAX", `${at(fault)}: JSONata ${fault.code}: ${fault.message}`, {
      cause,
      details: { file, jsonataCode: fault.code, token: fault.token, position: fault.position },
    });
  }
  registerDecimalFunctions(expression);
  const hooks = createGuardHooks(limits, clock);
  // jsonata looks these up by symbol; its typings only admit string names.
  expression.assign(Symbol.for("jsonata.__evaluate_entry") as unknown as string, hooks.entry);
  expression.assign(Symbol.for("jsonata.__evaluate_exit") as unknown as string, hooks.exit);
  const id = `${name}@${version}`;

  const fail = (code: "CDK_MAPPING_FAILED" | "CDK_MAPPING_LIMIT", message: string, cause?: unknown) => ({
    ok: false as const,
    error: new CrossdockError(code, `mapping ${id}: ${message}`, { cause, details: { mapping: id, file } }),
  });

  async function map(document: unknown, context: MappingContext): Promise<MapOutcome> {
    if (nestedDeeperThan(document, limits.maxInputDepth)) {
      return fail("CDK_MAPPING_LIMIT", `the input nests deeper than ${limits.maxInputDepth} levels`);
    }
    let result: unknown;
    try {
      result = await expression.evaluate(document, { context: contextBinding(context) });
    } catch (cause) {
      if (cause instanceof RangeError) {
        return fail(
          "CDK_MAPPING_LIMIT",
          `${file}: the JavaScript engine's limit was hit (${cause.message})`,
          cause,
        );
      }
      const fault = cause as JsonataFault;
      const code = LIMIT_CODES.has(String(fault.code)) ? "CDK_MAPPING_LIMIT" : "CDK_MAPPING_FAILED";
      const what = fault.code === undefined ? String(cause) : `JSONata ${fault.code}: ${fault.message}`;
      return fail(code, `${at(fault)}: ${what}`, cause);
    }
    if (result === undefined) return fail("CDK_MAPPING_FAILED", `${file}: the expression produced nothing`);
    const items = Array.isArray(result) ? result : [result];
    const values: MappedValue[] = [];
    for (const [index, item] of items.entries()) {
      const where = Array.isArray(result) ? `output item ${index}` : "output";
      const json = toJsonValue(item, limits.maxInputDepth);
      if (!json.ok) return fail("CDK_MAPPING_FAILED", `${where} at "${json.path}": ${json.reason}`);
      if (json.value === null || typeof json.value !== "object" || Array.isArray(json.value)) {
        return fail("CDK_MAPPING_FAILED", `${where} is not an object (a canonical record)`);
      }
      const key = keyOf(json.value, header.key, context, index, items.length);
      if (key === undefined) {
        return fail("CDK_MAPPING_FAILED", `${where} has no string or number at its key ${header.key}`);
      }
      values.push({ key, value: json.value });
    }
    return { ok: true, values };
  }

  return {
    name,
    version,
    kind: "jsonata",
    source: header.source,
    target: header.target,
    emits: header.emits,
    origin: file,
    map,
  };
}

function contextBinding(context: MappingContext): Record<string, unknown> {
  return {
    connection: context.connection,
    messageId: context.messageId,
    receivedAt: context.receivedAt === undefined ? undefined : new Date(context.receivedAt).toISOString(),
    headers: context.headers ?? {},
  };
}

function keyOf(
  value: object,
  pointer: string | undefined,
  context: MappingContext,
  index: number,
  count: number,
): string | undefined {
  if (pointer !== undefined) {
    const key = readPointer(value, pointer);
    return typeof key === "string" || typeof key === "number" ? `${context.connection}:${key}` : undefined;
  }
  const base = `${context.connection}:${context.messageId ?? "unrecorded"}`;
  return count > 1 ? `${base}:${index}` : base;
}
