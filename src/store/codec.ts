/**
 * Small encoding helpers shared by the store adapters, so that what is stored and what callers get
 * back has the same shape on SQLite and PostgreSQL.
 */
import type { StoredError } from "../core/errors.ts";
import {
  type JobAttemptError,
  type JobInput,
  type JsonValue,
  type TraceContext,
  WORKFLOW_RUN_KIND,
  WORKFLOW_TARGET,
} from "./store.ts";

/** How many attempt errors a job keeps (`JobRecord.errors`). */
export const MAX_JOB_ERRORS = 10;

const POSITION_DIGITS = 20;

/**
 * Renders a global event sequence number as an opaque position. Zero-padded to 20 digits (enough for
 * any signed 64-bit value) so that positions compare correctly as plain strings, too.
 */
export function formatPosition(seq: number | bigint): string {
  return String(seq).padStart(POSITION_DIGITS, "0");
}

/** The inverse of `formatPosition`; throws `RangeError` on anything that is not a position. */
export function parsePosition(position: string): number {
  if (typeof position !== "string" || !/^\d{1,20}$/.test(position)) {
    throw new RangeError(`Not an event position: ${JSON.stringify(position)}`);
  }
  const value = Number(position);
  if (!Number.isSafeInteger(value)) throw new RangeError(`Event position out of range: ${position}`);
  return value;
}

/** JSON text for a value that may be absent; absent stays absent (SQL NULL). */
export function toJsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** Parses stored JSON text; NULL becomes `undefined`. The common empty shapes skip the parser. */
export function fromJsonOrUndefined<T = JsonValue>(text: string | null | undefined): T | undefined {
  if (text === null || text === undefined) return undefined;
  if (text === "[]") return [] as T;
  if (text === "{}") return {} as T;
  return JSON.parse(text) as T;
}

/** Trace context as stored: NULL when there is none. */
export function traceToJson(trace: TraceContext | undefined): string | null {
  return trace === undefined ? null : JSON.stringify(trace);
}

/**
 * The storable fields of an error and nothing else: a `CrossdockError` instance passed as a
 * `StoredError` would otherwise drag its stack and `retryable` flag into the store.
 */
export function toStoredErrorShape(error: StoredError): StoredError {
  return {
    code: error.code,
    message: error.message,
    failureClass: error.failureClass,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    ...(error.details === undefined ? {} : { details: error.details }),
  };
}

/** Appends an attempt error and keeps only the newest `MAX_JOB_ERRORS`. */
export function appendAttemptError(
  errors: JobAttemptError[],
  error: StoredError,
  attempt: number,
  at: number,
): JobAttemptError[] {
  const next = [...errors, { ...error, attempt, at }];
  return next.length > MAX_JOB_ERRORS ? next.slice(next.length - MAX_JOB_ERRORS) : next;
}

/** Idempotency keys of the jobs the store enqueues by itself; stored, so never change them. */
export const jobKeys = {
  inbox: (messageId: string) => `inbox:${messageId}`,
  workflowStart: (runId: string) => `workflow:${runId}:start`,
  workflowEvent: (runId: string, waitId: string) => `workflow:${runId}:event:${waitId}`,
  workflowTimeout: (runId: string, waitId: string) => `workflow:${runId}:timeout:${waitId}`,
  approval: (runId: string, approvalId: string) => `workflow:${runId}:approval:${approvalId}`,
  approvalTimeout: (runId: string, approvalId: string) => `workflow:${runId}:approval-timeout:${approvalId}`,
} as const;

/**
 * A job that executes (or resumes) a workflow run: on `WORKFLOW_TARGET` with the run id as ordering
 * key, so one run never executes twice at the same time.
 */
export function workflowRunJob(
  runId: string,
  idempotencyKey: string,
  options: { runAt?: number; trace?: TraceContext } = {},
): JobInput {
  return {
    target: WORKFLOW_TARGET,
    kind: WORKFLOW_RUN_KIND,
    idempotencyKey,
    payload: { runId },
    orderingKey: runId,
    ...(options.runAt === undefined ? {} : { runAt: options.runAt }),
    ...(options.trace === undefined ? {} : { trace: options.trace }),
  };
}
