/**
 * Guard rails for JSONata evaluation, so that a runaway expression on hostile input fails with a
 * located `CDK_MAPPING_LIMIT` instead of holding a worker.
 *
 * How, in jsonata 2.x: every AST node goes through `evaluate()`, which calls the functions bound in the
 * expression's environment under `Symbol.for("jsonata.__evaluate_entry")` and `...__evaluate_exit`
 * (jsonata's own time-box pattern). Our entry hook reads the injected clock and fails past the time
 * box; the exit hook fails on strings and arrays over the size limits. Depth is jsonata's own `stack`
 * option (error D1011) and sequences its `sequence` option (D2015). jsonata's `timeout` option is not
 * used because it reads `Date.now()` and tests could not control it.
 *
 * What this cannot stop: a single built-in call that runs long without re-entering `evaluate` (a
 * catastrophic regular expression in `$match`). Evaluation also runs on the worker's thread, so the
 * time box bounds how long one document can hold it; it does not make that time available to others.
 */
import type { Clock } from "../core/clock.ts";

export interface JsonataLimits {
  /** Wall time one evaluation may take, by the injected clock. Default 1,000 ms. */
  readonly timeoutMs: number;
  /** Nesting of evaluation (recursion) before D1011. Default 200. */
  readonly maxDepth: number;
  /** Items in one sequence or array. Default 100,000. */
  readonly maxSequence: number;
  /** Characters in one string value produced. Default 1,000,000. */
  readonly maxStringLength: number;
  /** Nesting of the input document; deeper input is refused before evaluation. Default 64. */
  readonly maxInputDepth: number;
}

export const DEFAULT_JSONATA_LIMITS: JsonataLimits = Object.freeze({
  timeoutMs: 1_000,
  maxDepth: 200,
  maxSequence: 100_000,
  maxStringLength: 1_000_000,
  maxInputDepth: 64,
});

/** What a guard throws; shaped like jsonata's own errors so one handler reads both. */
export interface GuardViolation {
  readonly code: "TIMEBOX" | "STRING" | "ARRAY";
  readonly position: number | undefined;
  readonly message: string;
}

interface AstNode {
  position?: number;
}
interface Env {
  base?: object;
}

/**
 * The entry and exit hooks to bind into one compiled expression. The time box starts at the first
 * node an evaluation enters, keyed by that evaluation's base frame, so concurrent evaluations of one
 * cached expression each get their own.
 */
export function createGuardHooks(limits: JsonataLimits, clock: Clock) {
  const started = new WeakMap<object, number>();
  const entry = (expr: AstNode, _input: unknown, env: Env): void => {
    const now = clock.now();
    const base = env.base ?? env;
    const start = started.get(base);
    if (start === undefined) {
      started.set(base, now);
      return;
    }
    if (now - start > limits.timeoutMs) {
      throw violation("TIMEBOX", expr, `evaluation ran longer than its time box of ${limits.timeoutMs} ms`);
    }
  };
  const exit = (expr: AstNode, _input: unknown, _env: Env, result: unknown): void => {
    if (typeof result === "string" && result.length > limits.maxStringLength) {
      throw violation(
        "STRING",
        expr,
        `a string of ${result.length} characters exceeds ${limits.maxStringLength}`,
      );
    }
    if (Array.isArray(result) && result.length > limits.maxSequence) {
      throw violation("ARRAY", expr, `an array of ${result.length} items exceeds ${limits.maxSequence}`);
    }
  };
  return { entry, exit };
}

function violation(code: GuardViolation["code"], expr: AstNode, message: string): GuardViolation {
  return { code, position: expr.position, message };
}

/** jsonata codes that mean a limit was hit rather than a fault in the expression or the data. */
export const LIMIT_CODES: ReadonlySet<string> = new Set([
  "TIMEBOX",
  "STRING",
  "ARRAY",
  "D1011", // stack depth
  "D2014", // range larger than 10^7
  "D2015", // sequence option
]);
