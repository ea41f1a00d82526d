/**
 * Input limits checked before any schema runs, so a hostile document costs one bounded walk and
 * yields located problems instead of a stack overflow, a 100 MB list of errors or a polluted
 * prototype downstream.
 *
 * The walk is iterative (no recursion, so deep nesting cannot overflow the stack), stops at the first
 * exceeded budget, and also covers `extensions`, the one place schemas leave open. It refuses:
 * nesting deeper than `maxDepth`; more than `maxValues` values; a string longer than `maxStringLength`;
 * more than `maxTotalStringLength` characters of strings in all; the keys `__proto__`, `constructor` and
 * `prototype` anywhere (a later merge or `Object.assign` would otherwise turn them into prototype
 * pollution); and anything JSON cannot carry (NaN, Infinity, undefined, bigint, functions, class
 * instances such as Date), so every valid document survives a JSON round trip unchanged.
 */
import { type ModelProblem, pointerToken } from "./model-problem.ts";

export interface ModelLimits {
  /** Deepest nesting of arrays and objects; the deepest entity needs 6, default 32. */
  readonly maxDepth: number;
  /** Values (scalars, arrays, objects) in the whole document; default 500,000 (a 10,000-line order needs about 250,000). */
  readonly maxValues: number;
  /** Characters in one string; default 1,000,000 (schema fields have their own, smaller limits). */
  readonly maxStringLength: number;
  /** Characters in all strings together; default 16,000,000. */
  readonly maxTotalStringLength: number;
}

export const DEFAULT_MODEL_LIMITS: ModelLimits = Object.freeze({
  maxDepth: 32,
  maxValues: 500_000,
  maxStringLength: 1_000_000,
  maxTotalStringLength: 16_000_000,
});

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
/** Problems of one kind after which the walk stops reporting (the document is refused anyway). */
const MAX_WALK_PROBLEMS = 20;

/** A position in the walk; the JSON pointer is built only when a problem is reported. */
interface Frame {
  readonly value: unknown;
  readonly parent: Frame | undefined;
  readonly key: string;
  readonly depth: number;
}

function pathOf(frame: Frame | undefined): string {
  let path = "";
  for (let at = frame; at?.parent !== undefined; at = at.parent) path = `/${pointerToken(at.key)}${path}`;
  return path;
}

/** Walks `value` once; an empty list means it is plain JSON within the limits. */
export function checkJsonLimits(value: unknown, limits: ModelLimits = DEFAULT_MODEL_LIMITS): ModelProblem[] {
  const problems: ModelProblem[] = [];
  const stack: Frame[] = [{ value, parent: undefined, key: "", depth: 0 }];
  let values = 0;
  let characters = 0;
  while (stack.length > 0 && problems.length < MAX_WALK_PROBLEMS) {
    const frame = stack.pop()!;
    const { value: current, depth } = frame;
    values += 1;
    if (values > limits.maxValues) {
      problems.push({ path: "", message: `has more than ${limits.maxValues} values`, rule: "limit-values" });
      break;
    }
    if (typeof current === "string") {
      characters += current.length;
      if (current.length > limits.maxStringLength) {
        problems.push({
          path: pathOf(frame),
          message: `is a string of ${current.length} characters, more than the limit of ${limits.maxStringLength}`,
          rule: "limit-string",
        });
      } else if (characters > limits.maxTotalStringLength) {
        problems.push({
          path: "",
          message: `has more than ${limits.maxTotalStringLength} characters of text in all`,
          rule: "limit-size",
        });
        break;
      }
      continue;
    }
    if (current === null || typeof current === "boolean") continue;
    if (typeof current === "number") {
      if (!Number.isFinite(current)) {
        problems.push({ path: pathOf(frame), message: `is ${current}, not a JSON number`, rule: "not-json" });
      }
      continue;
    }
    if (typeof current !== "object") {
      problems.push({
        path: pathOf(frame),
        message: `is ${typeof current}, not a JSON value`,
        rule: "not-json",
      });
      continue;
    }
    if (depth >= limits.maxDepth) {
      problems.push({
        path: pathOf(frame),
        message: `is nested deeper than ${limits.maxDepth} levels`,
        rule: "limit-depth",
      });
      break;
    }
    if (Array.isArray(current)) {
      if (current.length > limits.maxValues - values) {
        problems.push({
          path: pathOf(frame),
          message: `has ${current.length} items, more than the document's limit of ${limits.maxValues} values`,
          rule: "limit-values",
        });
        break;
      }
      for (let index = current.length - 1; index >= 0; index -= 1) {
        if (!(index in current)) {
          problems.push({
            path: `${pathOf(frame)}/${index}`,
            message: "is a hole in the array, not a JSON value",
            rule: "not-json",
          });
          continue;
        }
        stack.push({ value: current[index], parent: frame, key: String(index), depth: depth + 1 });
      }
      continue;
    }
    const prototype = Object.getPrototypeOf(current);
    if (prototype !== Object.prototype && prototype !== null) {
      const name = (current as { constructor?: { name?: unknown } }).constructor?.name;
      problems.push({
        path: pathOf(frame),
        message: `is a ${String(name ?? "non-plain object")}, not a JSON object`,
        rule: "not-json",
      });
      continue;
    }
    for (const key of Object.keys(current)) {
      if (FORBIDDEN_KEYS.has(key)) {
        problems.push({
          path: `${pathOf(frame)}/${pointerToken(key)}`,
          message: `the key "${key}" is not allowed anywhere`,
          rule: "forbidden-key",
        });
        continue;
      }
      stack.push({ value: (current as Record<string, unknown>)[key], parent: frame, key, depth: depth + 1 });
    }
  }
  return problems;
}
