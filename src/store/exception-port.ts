/** Exception records: failures waiting for a person. Part of the Store port (`store.ts`). */
import type { StoredError } from "../core/errors.ts";
import type { JobAttemptError, JobRecord } from "./job-queue-port.ts";
import type { JsonValue, TraceContext } from "./store.ts";

export type ExceptionStatus = "open" | "retried" | "discarded";

export interface ExceptionRecord {
  id: string;
  jobId: string;
  target: string;
  kind: string;
  idempotencyKey: string;
  orderingKey: string | undefined;
  /** The job's payload when it failed. */
  payload: JsonValue;
  error: StoredError;
  attempts: number;
  errors: JobAttemptError[];
  trace: TraceContext | undefined;
  status: ExceptionStatus;
  createdAt: number;
  resolvedAt: number | undefined;
  resolvedBy: string | undefined;
  /** Why it was discarded, or a note on the retry. */
  reason: string | undefined;
  /** The edited payload it was replayed with, when edited. */
  replayPayload: JsonValue | undefined;
}

export interface ExceptionFilter {
  status?: ExceptionStatus;
  target?: string;
  code?: string;
  limit?: number;
  /** Keyset paging: records created after this id. */
  afterId?: string;
}

export interface ExceptionStore {
  list(filter?: ExceptionFilter): Promise<ExceptionRecord[]>;
  get(id: string): Promise<ExceptionRecord | undefined>;
  /** Count of open records per target. */
  countOpen(): Promise<{ target: string; count: number }[]>;
  /**
   * Puts the job back in the queue with its original idempotency key and attempts reset; with
   * `payload`, edited-and-replayed (the original stays in this record). Throws `CDK_EXCEPTION_NOT_FOUND`
   * or `CDK_EXCEPTION_NOT_OPEN`.
   */
  retry(id: string, options: { by: string; payload?: JsonValue; reason?: string }): Promise<JobRecord>;
  /** Closes the record and its job for good; a reason is required. */
  discard(id: string, options: { by: string; reason: string }): Promise<void>;
}
