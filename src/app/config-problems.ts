/**
 * Located, human-readable configuration problems: where in the YAML source a value lives, how an Ajv
 * error reads to a person, and the `CrossdockError` that lists them all.
 *
 * Every problem names `file:line:column`, the dotted path and what was expected, so an operator can fix
 * all of them in one edit instead of one per restart. Ajv's own texts ("must NOT have additional
 * properties") are replaced by sentences built from the schema ("unknown key 'prot' (expected one of:
 * host, port)"). A value is quoted back only when it is not a secret.
 */
import type { ErrorObject } from "ajv/dist/2020.js";
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
  type YAMLMap,
} from "yaml";
import { CrossdockError, type ErrorCode } from "../core/errors.ts";
import { isSecretFieldName, redactUrl } from "../security/secret-ref.ts";
import type { ConfigProblem } from "./config-schema.ts";

/** A key of a mapping or an index of a list. */
export type PathSegment = string | number;

/** `store.poolSize`, `retry.nonRetryableCodes[2]`, `targets["crossdock.inbox"].timeoutMs`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** One line per problem: `crossdock.yaml:7:11 store.poolSize: must be an integer ... (got "ten")`. */
export function formatProblem(problem: ConfigProblem): string {
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  return problem.path === ""
    ? `${where}: ${problem.message}`
    : `${where} ${problem.path}: ${problem.message}`;
}

/** Sorts by position and drops repeats (the same finding reached through the base and the overlay). */
export function tidyProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  const unique = problems.filter((problem) => {
    const key = `${problem.line}:${problem.column}:${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** A message lists this many problems; a file with more is not a configuration someone wrote by hand. */
export const MAX_PRINTED_PROBLEMS = 200;

/** The error that lists every problem in its message and keeps them structured in `details.problems`. */
export function configError(
  code: ErrorCode,
  file: string,
  problems: readonly ConfigProblem[],
): CrossdockError {
  const tidy = tidyProblems(problems);
  const heading =
    code === "CDK_CONFIG_SYNTAX"
      ? `${file} is not valid YAML`
      : code === "CDK_SECRET_UNRESOLVED"
        ? `${file}: secret references could not be resolved`
        : `${file} is not a valid Crossdock configuration`;
  const count = tidy.length === 1 ? "1 problem" : `${tidy.length} problems`;
  const lines = tidy.slice(0, MAX_PRINTED_PROBLEMS).map((problem) => `  ${formatProblem(problem)}`);
  if (tidy.length > MAX_PRINTED_PROBLEMS) {
    lines.push(`  ... and ${tidy.length - MAX_PRINTED_PROBLEMS} more (all are in details.problems)`);
  }
  return new CrossdockError(code, `${heading} (${count}):\n${lines.join("\n")}`, {
    details: { file, problems: tidy },
  });
}

/** Where a node is: the line and column of its first character (1-based). */
export interface Position {
  line: number;
  column: number;
}

/**
 * Finds YAML nodes by path. Aliases are followed, so a path through `*anchor` still lands on the
 * anchored node; when a path does not exist (a missing key), the deepest node found on the way is used.
 */
export class YamlLocator {
  readonly #doc: Document;
  readonly #lines: LineCounter;
  readonly #index = new WeakMap<YAMLMap, Map<unknown, Pair>>();

  constructor(doc: Document, lines: LineCounter) {
    this.#doc = doc;
    this.#lines = lines;
  }

  positionOf(offset: number): Position {
    const { line, col } = this.#lines.linePos(offset);
    return { line, column: col };
  }

  /**
   * Locates `path`. `depth` says how many segments were found (`path.length` when all of them).
   * With `key: true` the position is the key of the last segment (for an unknown key).
   */
  locate(
    path: readonly PathSegment[],
    options: { key?: boolean } = {},
  ): { position: Position; depth: number } {
    let node: unknown = this.#doc.contents;
    let position = this.#start(node) ?? { line: 1, column: 1 };
    for (let depth = 0; depth < path.length; depth += 1) {
      node = this.#deref(node);
      const segment = path[depth];
      let next: unknown;
      let keyNode: unknown;
      if (isMap(node)) {
        const pair = this.#pairs(node).get(segment);
        next = pair?.value;
        keyNode = pair?.key;
      } else if (isSeq(node) && typeof segment === "number") {
        next = node.items[segment];
      }
      const last = depth === path.length - 1;
      const target = last && options.key && keyNode !== undefined ? keyNode : (next ?? keyNode);
      const found = this.#start(target);
      if (target === undefined || found === undefined) return { position, depth };
      position = found;
      node = next;
    }
    return { position, depth: path.length };
  }

  /** A mapping's pairs by key, built once: a file with thousands of problems must not be quadratic. */
  #pairs(map: YAMLMap): Map<unknown, Pair> {
    let pairs = this.#index.get(map);
    if (pairs === undefined) {
      pairs = new Map();
      for (const pair of map.items as Pair[]) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (!pairs.has(key)) pairs.set(key, pair);
      }
      this.#index.set(map, pairs);
    }
    return pairs;
  }

  #deref(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.#doc) : node;
  }

  #start(node: unknown): Position | undefined {
    const range = (node as Node | null | undefined)?.range;
    return range ? this.positionOf(range[0]) : undefined;
  }
}

/** Finds where a path of the effective (merged) config was written, and the path to print for it. */
export type PathLocator = (
  path: readonly PathSegment[],
  options?: { key?: boolean },
) => { position: Position; path: readonly PathSegment[] };

interface SchemaLike {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  expected?: string;
  items?: SchemaLike;
  properties?: Record<string, SchemaLike>;
}

/** The phrase after "must be": "an integer between 1 and 1000", "one of: full, normal". */
export function describeSchema(schema: SchemaLike): string {
  if (schema.expected) return schema.expected;
  if (schema.enum) return `one of: ${schema.enum.join(", ")}`;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  switch (schema.type) {
    case "integer":
    case "number": {
      const noun = schema.type === "integer" ? "an integer" : "a number";
      const { minimum: min, maximum: max } = schema;
      if (min !== undefined && max !== undefined) return `${noun} between ${min} and ${max}`;
      if (min !== undefined) return `${noun} >= ${min}`;
      if (max !== undefined) return `${noun} <= ${max}`;
      return noun;
    }
    case "string": {
      let text = schema.minLength ? "a non-empty string" : "a string";
      if (schema.maxLength !== undefined) text += ` of at most ${schema.maxLength} characters`;
      if (schema.pattern) text += ` matching /${schema.pattern}/`;
      return text;
    }
    case "array": {
      const items = schema.items?.type === "string" ? "strings" : "values";
      return schema.maxItems === undefined
        ? `a list of ${items}`
        : `a list of at most ${schema.maxItems} ${items}`;
    }
    case "object":
      return "a mapping";
    default:
      return "a valid value";
  }
}

/** The offending value as quoted back to the user: shortened, and never a secret's. */
export function describeValue(value: unknown, path: readonly PathSegment[]): string | undefined {
  const field = [...path].reverse().find((segment) => typeof segment === "string");
  if (typeof field === "string" && isSecretFieldName(field)) return undefined;
  if (path.length >= 2 && path[path.length - 2] === "store" && field === "url" && typeof value === "string") {
    return JSON.stringify(shorten(redactUrl(value)));
  }
  if (typeof value === "string") return JSON.stringify(shorten(value));
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Uint8Array) return "binary data";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "number" && !Number.isFinite(value)) return Number.isNaN(value) ? ".nan" : ".inf";
  return String(value);
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** Turns Ajv errors (compiled with `allErrors` and `verbose`) into one located problem per finding. */
export function problemsFromAjv(
  errors: readonly ErrorObject[],
  file: string,
  locate: PathLocator,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const valuesSeen = new Set<string>();
  for (const error of errors) {
    const path = pointerToPath(error.instancePath);
    const parent = (error.parentSchema ?? {}) as SchemaLike;
    if (error.keyword === "additionalProperties") {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      const at = locate([...path, key], { key: true });
      const known = parent.properties ? Object.keys(parent.properties) : undefined;
      const expected = known ? `one of: ${known.join(", ")}` : describeSchema(parent);
      const what = known ? `unknown key '${key}'` : `invalid name '${key}'`;
      problems.push(problem(file, at, `${what} (expected ${expected})`, expected));
    } else if (error.keyword === "required") {
      const key = String((error.params as { missingProperty: string }).missingProperty);
      const at = locate(path);
      const expected = parent.properties?.[key] ? describeSchema(parent.properties[key]) : undefined;
      const hint = expected ? ` (expected ${expected})` : "";
      problems.push(
        problem(file, { ...at, path: [...at.path, key] }, `missing required key '${key}'${hint}`, expected),
      );
    } else {
      // Ajv reports type and range separately for one value; the schema's description covers both.
      if (valuesSeen.has(error.instancePath)) continue;
      valuesSeen.add(error.instancePath);
      const at = locate(path);
      const expected = describeSchema(parent);
      const got = describeValue(error.data, path);
      const suffix = got === undefined ? "" : ` (got ${got})`;
      problems.push(problem(file, at, `must be ${expected}${suffix}`, expected, got));
    }
  }
  return problems;
}

/** Builds a problem at a located path. */
export function problem(
  file: string,
  at: { position: Position; path: readonly PathSegment[] },
  message: string,
  expected?: string,
  got?: string,
): ConfigProblem {
  return {
    file,
    line: at.position.line,
    column: at.position.column,
    path: formatPath(at.path),
    message,
    ...(expected === undefined ? {} : { expected }),
    ...(got === undefined ? {} : { got }),
  };
}
