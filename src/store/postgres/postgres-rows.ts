/**
 * Rows to port types. The pool returns int8 as numbers and JSON as text (see `postgres-database.ts`),
 * so SQL NULL becomes `undefined` and a stored JSON `null` stays `null`.
 */
import type { StoredError } from "../../core/errors.ts";
import { fromJsonOrUndefined } from "../codec.ts";
import type { RetryPolicy } from "../retry-policy.ts";
import type {
  Approval,
  ApprovalStatus,
  EventWait,
  ExceptionRecord,
  ExceptionStatus,
  InboxMessage,
  JobAttemptError,
  JobRecord,
  JobStatus,
  JsonValue,
  StepRecord,
  StepStatus,
  StoredEvent,
  StoredRecord,
  TraceContext,
  WaitStatus,
  WorkflowRun,
  WorkflowStatus,
} from "../store.ts";
import type { Row } from "./postgres-database.ts";

const text = (row: Row, column: string): string => row[column] as string;
const int = (row: Row, column: string): number => row[column] as number;
const optText = (row: Row, column: string): string | undefined => (row[column] as string | null) ?? undefined;
const optInt = (row: Row, column: string): number | undefined => (row[column] as number | null) ?? undefined;
const json = <T = JsonValue>(row: Row, column: string): T => JSON.parse(row[column] as string) as T;
const optJson = <T = JsonValue>(row: Row, column: string): T | undefined =>
  fromJsonOrUndefined<T>(row[column] as string | null);

const POSITION = /^(\d{20})-(\d{20})$/;

/**
 * An event's global position: its transaction id (xid8) and its sequence number, each zero-padded to
 * 20 digits so that positions also sort correctly as plain strings.
 */
export function encodePosition(txId: string | number, seq: number): string {
  return `${String(txId).padStart(20, "0")}-${String(seq).padStart(20, "0")}`;
}

/** The inverse of `encodePosition` as SQL parameters (xid8 as text); throws `RangeError` otherwise. */
export function decodePosition(position: string): { txId: string; seq: number } {
  const match = typeof position === "string" ? POSITION.exec(position) : null;
  if (!match) throw new RangeError(`Not an event position of this store: ${JSON.stringify(position)}`);
  return { txId: BigInt(match[1] as string).toString(), seq: Number(match[2]) };
}

/** Columns `toInboxMessage` reads. */
export const INBOX_COLUMNS =
  "id, source, connection, dedupe_key, body, headers, content_type, received_at, trace, size";

/** A row as the port's type. */
export function toInboxMessage(row: Row): InboxMessage {
  const body = row.body as Uint8Array;
  return {
    id: text(row, "id"),
    source: text(row, "source"),
    connection: text(row, "connection"),
    dedupeKey: text(row, "dedupe_key"),
    // A plain Uint8Array copy: callers compare bodies, and a pooled Buffer is not one.
    body: new Uint8Array(body),
    headers: json<Record<string, string>>(row, "headers"),
    contentType: optText(row, "content_type"),
    receivedAt: int(row, "received_at"),
    trace: optJson<TraceContext>(row, "trace"),
    size: int(row, "size"),
  };
}

/** Columns `toStoredEvent` reads (the transaction id as text: xid8 has no JS type). */
export const EVENT_COLUMNS =
  "tx_id::text AS tx_id, seq, id, stream, stream_seq, type, data, trace, causation_id, created_at";

/** A row as the port's type. */
export function toStoredEvent(row: Row): StoredEvent {
  return {
    id: text(row, "id"),
    stream: text(row, "stream"),
    type: text(row, "type"),
    data: json(row, "data"),
    trace: optJson<TraceContext>(row, "trace"),
    causationId: optText(row, "causation_id"),
    streamSeq: int(row, "stream_seq"),
    position: encodePosition(text(row, "tx_id"), int(row, "seq")),
    createdAt: int(row, "created_at"),
  };
}

/** Columns `toJobRecord` reads; never the lease token, which only a claim returns. */
export const JOB_COLUMNS =
  "id, target, kind, idempotency_key, ordering_key, payload, status, attempts, run_at, retry, trace, " +
  "lease_owner, lease_expires_at, errors, result, created_at, updated_at, finished_at";

/** A row as the port's type. */
export function toJobRecord(row: Row): JobRecord {
  return {
    id: text(row, "id"),
    target: text(row, "target"),
    kind: text(row, "kind"),
    idempotencyKey: text(row, "idempotency_key"),
    orderingKey: optText(row, "ordering_key"),
    payload: json(row, "payload"),
    status: text(row, "status") as JobStatus,
    attempts: int(row, "attempts"),
    runAt: int(row, "run_at"),
    retry: json<RetryPolicy>(row, "retry"),
    trace: optJson<TraceContext>(row, "trace"),
    leaseOwner: optText(row, "lease_owner"),
    leaseExpiresAt: optInt(row, "lease_expires_at"),
    errors: json<JobAttemptError[]>(row, "errors"),
    result: optJson(row, "result"),
    createdAt: int(row, "created_at"),
    updatedAt: int(row, "updated_at"),
    finishedAt: optInt(row, "finished_at"),
  };
}

/** Columns `toExceptionRecord` reads. */
export const EXCEPTION_COLUMNS =
  "id, job_id, target, kind, idempotency_key, ordering_key, payload, error, attempts, errors, trace, " +
  "status, created_at, resolved_at, resolved_by, reason, replay_payload";

/** A row as the port's type. */
export function toExceptionRecord(row: Row): ExceptionRecord {
  return {
    id: text(row, "id"),
    jobId: text(row, "job_id"),
    target: text(row, "target"),
    kind: text(row, "kind"),
    idempotencyKey: text(row, "idempotency_key"),
    orderingKey: optText(row, "ordering_key"),
    payload: json(row, "payload"),
    error: json<StoredError>(row, "error"),
    attempts: int(row, "attempts"),
    errors: json<JobAttemptError[]>(row, "errors"),
    trace: optJson<TraceContext>(row, "trace"),
    status: text(row, "status") as ExceptionStatus,
    createdAt: int(row, "created_at"),
    resolvedAt: optInt(row, "resolved_at"),
    resolvedBy: optText(row, "resolved_by"),
    reason: optText(row, "reason"),
    replayPayload: optJson(row, "replay_payload"),
  };
}

/** Columns `toWorkflowRun` reads. */
export const RUN_COLUMNS = "id, type, key, status, input, output, error, trace, created_at, updated_at";

/** A row as the port's type. */
export function toWorkflowRun(row: Row): WorkflowRun {
  return {
    id: text(row, "id"),
    type: text(row, "type"),
    key: text(row, "key"),
    status: text(row, "status") as WorkflowStatus,
    input: json(row, "input"),
    output: optJson(row, "output"),
    error: optJson<StoredError>(row, "error"),
    trace: optJson<TraceContext>(row, "trace"),
    createdAt: int(row, "created_at"),
    updatedAt: int(row, "updated_at"),
  };
}

/** Columns `toStepRecord` reads. */
export const STEP_COLUMNS = "run_id, step_id, status, output, compensation_input, error, seq, finished_at";

/** A row as the port's type. */
export function toStepRecord(row: Row): StepRecord {
  return {
    runId: text(row, "run_id"),
    stepId: text(row, "step_id"),
    status: text(row, "status") as StepStatus,
    output: optJson(row, "output"),
    compensationInput: optJson(row, "compensation_input"),
    error: optJson<StoredError>(row, "error"),
    seq: int(row, "seq"),
    finishedAt: int(row, "finished_at"),
  };
}

/** Wait columns (prefixed `w.`) plus the resolving event's, joined as `e` (all NULL while open). */
export const WAIT_COLUMNS =
  "w.run_id, w.wait_id, w.event_type, w.stream AS wait_stream, w.deadline, w.status, " +
  "e.tx_id::text AS tx_id, e.seq, e.id, e.stream, e.stream_seq, e.type, e.data, e.trace, e.causation_id, e.created_at";

/** A wait row joined with its resolving event (if any). */
export function toEventWait(row: Row): EventWait {
  return {
    runId: text(row, "run_id"),
    waitId: text(row, "wait_id"),
    eventType: text(row, "event_type"),
    stream: text(row, "wait_stream"),
    deadline: optInt(row, "deadline"),
    status: text(row, "status") as WaitStatus,
    event: row.id === null || row.id === undefined ? undefined : toStoredEvent(row),
  };
}

/** Columns `toApproval` reads. */
export const APPROVAL_COLUMNS =
  "id, run_id, step_id, title, details, status, deadline, decided_by, comment, created_at, decided_at";

/** A row as the port's type. */
export function toApproval(row: Row): Approval {
  return {
    id: text(row, "id"),
    runId: text(row, "run_id"),
    stepId: text(row, "step_id"),
    title: text(row, "title"),
    details: json(row, "details"),
    status: text(row, "status") as ApprovalStatus,
    deadline: optInt(row, "deadline"),
    decidedBy: optText(row, "decided_by"),
    comment: optText(row, "comment"),
    createdAt: int(row, "created_at"),
    decidedAt: optInt(row, "decided_at"),
  };
}

/** A row as the port's type. */
export function toStoredRecord(row: Row): StoredRecord {
  return {
    kind: text(row, "kind"),
    key: text(row, "key"),
    data: json(row, "data"),
    version: int(row, "version"),
    updatedAt: int(row, "updated_at"),
  };
}
