/**
 * Rows as SQLite returns them (snake_case, JSON as text, NULL for absent) and their mapping to the
 * port's types. JSON is parsed only where the caller gets the value.
 */
import type { StoredError } from "../../core/errors.ts";
import { formatPosition, fromJsonOrUndefined } from "../codec.ts";
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

type Nullable<T> = T | null;

export interface JobRow {
  seq: number;
  id: string;
  target: string;
  kind: string;
  idempotency_key: string;
  ordering_key: Nullable<string>;
  payload: string;
  status: JobStatus;
  attempts: number;
  run_at: number;
  retry: string;
  trace: Nullable<string>;
  lease_owner: Nullable<string>;
  lease_token: Nullable<string>;
  lease_expires_at: Nullable<number>;
  errors: Nullable<string>;
  result: Nullable<string>;
  created_at: number;
  updated_at: number;
  finished_at: Nullable<number>;
}

const retryCache = new Map<string, RetryPolicy>();

/** Jobs share a handful of distinct policies; parse each once, hand out copies. */
function parseRetry(text: string): RetryPolicy {
  let policy = retryCache.get(text);
  if (policy === undefined) {
    policy = JSON.parse(text) as RetryPolicy;
    if (retryCache.size >= 256) retryCache.clear();
    retryCache.set(text, policy);
  }
  return { ...policy, nonRetryableCodes: [...policy.nonRetryableCodes] };
}

export function toJob(row: JobRow): JobRecord {
  return {
    id: row.id,
    target: row.target,
    kind: row.kind,
    idempotencyKey: row.idempotency_key,
    orderingKey: row.ordering_key ?? undefined,
    payload: JSON.parse(row.payload) as JsonValue,
    status: row.status,
    attempts: row.attempts,
    runAt: row.run_at,
    retry: parseRetry(row.retry),
    trace: fromJsonOrUndefined<TraceContext>(row.trace),
    leaseOwner: row.lease_owner ?? undefined,
    leaseExpiresAt: row.lease_expires_at ?? undefined,
    errors: fromJsonOrUndefined<JobAttemptError[]>(row.errors) ?? [],
    result: fromJsonOrUndefined(row.result),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at ?? undefined,
  };
}

export interface InboxRow {
  id: string;
  source: string;
  connection: string;
  dedupe_key: string;
  body: Buffer;
  headers: Nullable<string>;
  content_type: Nullable<string>;
  received_at: number;
  trace: Nullable<string>;
  size: number;
}

export function toInboxMessage(row: InboxRow): InboxMessage {
  return {
    id: row.id,
    source: row.source,
    connection: row.connection,
    dedupeKey: row.dedupe_key,
    body: row.body,
    headers: fromJsonOrUndefined<Record<string, string>>(row.headers) ?? {},
    contentType: row.content_type ?? undefined,
    receivedAt: row.received_at,
    trace: fromJsonOrUndefined<TraceContext>(row.trace),
    size: row.size,
  };
}

export interface EventRow {
  position: number;
  id: string;
  stream: string;
  stream_seq: number;
  type: string;
  data: string;
  trace: Nullable<string>;
  causation_id: Nullable<string>;
  created_at: number;
}

export function toEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    stream: row.stream,
    type: row.type,
    data: JSON.parse(row.data) as JsonValue,
    trace: fromJsonOrUndefined<TraceContext>(row.trace),
    causationId: row.causation_id ?? undefined,
    streamSeq: row.stream_seq,
    position: formatPosition(row.position),
    createdAt: row.created_at,
  };
}

export interface ExceptionRow {
  id: string;
  job_id: string;
  target: string;
  kind: string;
  idempotency_key: string;
  ordering_key: Nullable<string>;
  payload: string;
  error: string;
  attempts: number;
  errors: Nullable<string>;
  trace: Nullable<string>;
  status: ExceptionStatus;
  created_at: number;
  resolved_at: Nullable<number>;
  resolved_by: Nullable<string>;
  reason: Nullable<string>;
  replay_payload: Nullable<string>;
}

export function toException(row: ExceptionRow): ExceptionRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    target: row.target,
    kind: row.kind,
    idempotencyKey: row.idempotency_key,
    orderingKey: row.ordering_key ?? undefined,
    payload: JSON.parse(row.payload) as JsonValue,
    error: JSON.parse(row.error) as StoredError,
    attempts: row.attempts,
    errors: fromJsonOrUndefined<JobAttemptError[]>(row.errors) ?? [],
    trace: fromJsonOrUndefined<TraceContext>(row.trace),
    status: row.status,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at ?? undefined,
    resolvedBy: row.resolved_by ?? undefined,
    reason: row.reason ?? undefined,
    replayPayload: fromJsonOrUndefined(row.replay_payload),
  };
}

export interface RunRow {
  id: string;
  type: string;
  key: string;
  status: WorkflowStatus;
  input: string;
  output: Nullable<string>;
  error: Nullable<string>;
  trace: Nullable<string>;
  created_at: number;
  updated_at: number;
}

export function toRun(row: RunRow): WorkflowRun {
  return {
    id: row.id,
    type: row.type,
    key: row.key,
    status: row.status,
    input: JSON.parse(row.input) as JsonValue,
    output: fromJsonOrUndefined(row.output),
    error: fromJsonOrUndefined<StoredError>(row.error),
    trace: fromJsonOrUndefined<TraceContext>(row.trace),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface StepRow {
  run_id: string;
  step_id: string;
  status: StepStatus;
  output: Nullable<string>;
  compensation_input: Nullable<string>;
  error: Nullable<string>;
  seq: number;
  finished_at: number;
}

export function toStep(row: StepRow): StepRecord {
  return {
    runId: row.run_id,
    stepId: row.step_id,
    status: row.status,
    output: fromJsonOrUndefined(row.output),
    compensationInput: fromJsonOrUndefined(row.compensation_input),
    error: fromJsonOrUndefined<StoredError>(row.error),
    seq: row.seq,
    finishedAt: row.finished_at,
  };
}

export interface WaitRow {
  run_id: string;
  wait_id: string;
  event_type: string;
  stream: string;
  deadline: Nullable<number>;
  status: WaitStatus;
  event_position: Nullable<number>;
}

export function toWait(row: WaitRow, event: StoredEvent | undefined): EventWait {
  return {
    runId: row.run_id,
    waitId: row.wait_id,
    eventType: row.event_type,
    stream: row.stream,
    deadline: row.deadline ?? undefined,
    status: row.status,
    event,
  };
}

export interface ApprovalRow {
  id: string;
  run_id: string;
  step_id: string;
  title: string;
  details: string;
  status: ApprovalStatus;
  deadline: Nullable<number>;
  decided_by: Nullable<string>;
  comment: Nullable<string>;
  created_at: number;
  decided_at: Nullable<number>;
}

export function toApproval(row: ApprovalRow): Approval {
  return {
    id: row.id,
    runId: row.run_id,
    stepId: row.step_id,
    title: row.title,
    details: JSON.parse(row.details) as JsonValue,
    status: row.status,
    deadline: row.deadline ?? undefined,
    decidedBy: row.decided_by ?? undefined,
    comment: row.comment ?? undefined,
    createdAt: row.created_at,
    decidedAt: row.decided_at ?? undefined,
  };
}

export interface RecordRow {
  kind: string;
  key: string;
  data: string;
  version: number;
  updated_at: number;
}

export function toRecord(row: RecordRow): StoredRecord {
  return {
    kind: row.kind,
    key: row.key,
    data: JSON.parse(row.data) as JsonValue,
    version: row.version,
    updatedAt: row.updated_at,
  };
}
