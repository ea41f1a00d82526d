/**
 * The Store port: the one durable place where Crossdock keeps what it received, what happened, and what
 * is left to do. Two adapters implement it: `SqliteStore` (embedded default, one process, WAL) and
 * `PostgresStore` (scale-out, many processes, `FOR UPDATE SKIP LOCKED`). One contract suite
 * (`store.contract.ts`) runs against both; anything it does not test is not part of the contract.
 *
 * The rule that makes the hub safe is the **transactional outbox**: a state change, the events it causes
 * and the jobs those create are written in one transaction (`Store.transaction`). Nothing here ever
 * writes half of that.
 *
 * Times are milliseconds since the epoch, read from the injected `Clock`. Payloads, event data and
 * results are JSON values; raw message bodies are bytes. Ids are strings.
 */
import type { StoredError } from "../core/errors.ts";
import type { RetryPolicy } from "./retry-policy.ts";

/** W3C trace context carried from the sender through every record it causes. */
export interface TraceContext {
  traceparent: string;
  tracestate?: string;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

// ---------------------------------------------------------------------------------------------------
// Inbox
// ---------------------------------------------------------------------------------------------------

/** The job target that processes inbox messages. Every new inbox message gets one job on it. */
export const INBOX_TARGET = "crossdock.inbox";
/** The job kind of the processing job that `Inbox.append` enqueues. */
export const INBOX_PROCESS_KIND = "inbox.process";

export interface InboxMessageInput {
  /** How it arrived: `webhook`, `api`, `sftp`, `poll`, `broker`, `schedule`. */
  source: string;
  /** The configured connection name it arrived on. */
  connection: string;
  /**
   * The source's own id for this message (Shopify's webhook id, the `Idempotency-Key` header, the EDI
   * control number, the file hash). Unique per connection: a second append with the same
   * (connection, dedupeKey) stores nothing and returns the first receipt.
   */
  dedupeKey: string;
  body: Uint8Array;
  /** Header names lower-cased. Secrets (authorization, signatures) are the caller's to strip. */
  headers?: Record<string, string>;
  contentType?: string;
  /** Default: the store's clock. */
  receivedAt?: number;
  trace?: TraceContext;
  /** Ordering key for the processing job, when the source already knows the business key. */
  orderingKey?: string;
}

export interface InboxReceipt {
  id: string;
  connection: string;
  dedupeKey: string;
  receivedAt: number;
  /** True when this append found an earlier message with the same key; `id` is that message's. */
  duplicate: boolean;
}

export interface InboxMessage {
  id: string;
  source: string;
  connection: string;
  dedupeKey: string;
  body: Uint8Array;
  headers: Record<string, string>;
  contentType: string | undefined;
  receivedAt: number;
  trace: TraceContext | undefined;
  size: number;
}

export interface InboxListFilter {
  connection?: string;
  /** Only messages received at or after this time. */
  since?: number;
  /** Keyset paging: messages with an id greater than this one. */
  afterId?: string;
  limit?: number;
}

export interface Inbox {
  /**
   * Appends a received message durably and answers only after its commit. Concurrent appends are
   * group-committed: they share one transaction, and each caller is answered after that commit. A new
   * message also gets its processing job (`INBOX_TARGET`, `INBOX_PROCESS_KIND`, idempotency key
   * `inbox:<id>`, payload `{ messageId }`) in the same transaction.
   *
   * Throws `CDK_INBOX_MESSAGE_TOO_LARGE` over `maxMessageBytes`, `CDK_INBOX_INVALID_MESSAGE` when a
   * field is missing, `CDK_INBOX_OVERLOADED` (with `retryAfterMs`) when more appends are waiting than
   * `maxPendingAppends`: memory stays bounded and the sender is told to come back.
   */
  append(message: InboxMessageInput): Promise<InboxReceipt>;
  get(id: string): Promise<InboxMessage | undefined>;
  /** Messages in id order (which is arrival order), bodies included. */
  list(filter?: InboxListFilter): Promise<InboxMessage[]>;
}

// ---------------------------------------------------------------------------------------------------
// Event log
// ---------------------------------------------------------------------------------------------------

export interface EventInput {
  /** The stream the event belongs to, e.g. `order:SO123`; events of one stream are totally ordered. */
  stream: string;
  /** A stable event name, e.g. `order.received`. */
  type: string;
  data: JsonValue;
  trace?: TraceContext;
  /** Id of the message, job or event that caused this one. */
  causationId?: string;
}

export interface StoredEvent {
  id: string;
  stream: string;
  type: string;
  data: JsonValue;
  trace: TraceContext | undefined;
  causationId: string | undefined;
  /** 1-based position inside its stream, without gaps. */
  streamSeq: number;
  /**
   * Opaque, totally ordered position in the whole log; subscriptions store it as their cursor. A reader
   * never sees position P before every event with a smaller position is committed (on PostgreSQL the
   * adapter reads only below the oldest open transaction, so a late commit is never skipped).
   */
  position: string;
  createdAt: number;
}

export interface SubscriptionOptions {
  /** Only these event types (default: all). */
  types?: string[];
  /** Only streams that start with this prefix, e.g. `order:` (default: all). */
  streamPrefix?: string;
  /** Where a new subscription starts: `beginning` (default) or `end` (only events appended later). */
  from?: "beginning" | "end";
}

export interface SubscriptionInfo {
  name: string;
  types: string[] | undefined;
  streamPrefix: string | undefined;
  cursor: string | undefined;
  updatedAt: number;
}

export interface EventLog {
  /** Appends in one transaction of its own; see `StoreTx.appendEvents` to append with other writes. */
  append(events: EventInput[]): Promise<StoredEvent[]>;
  /** A stream's events in order, starting after `afterSeq` (default 0). */
  readStream(stream: string, options?: { afterSeq?: number; limit?: number }): Promise<StoredEvent[]>;
  /** Creates the subscription if it does not exist; an existing one keeps its cursor and filter. */
  subscribe(name: string, options?: SubscriptionOptions): Promise<void>;
  /** The next events after the subscription's cursor that match its filter. Does not move the cursor. */
  poll(name: string, limit?: number): Promise<StoredEvent[]>;
  /** Moves the durable cursor to `position` (an event's `position`). Never moves it backwards. */
  ack(name: string, position: string): Promise<void>;
  subscriptions(): Promise<SubscriptionInfo[]>;
}

// ---------------------------------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------------------------------

/**
 * - `waiting`: another unfinished job with the same (target, orderingKey) came first; it becomes
 *   `ready` when that one finishes (done, exception or discarded).
 * - `ready`: claimable from `runAt` on.
 * - `running`: claimed under a lease; back to `ready` when the lease expires (crash).
 * - `done`, `exception`, `discarded`: finished. `exception` has an open exception record.
 */
export type JobStatus = "waiting" | "ready" | "running" | "done" | "exception" | "discarded";

export interface JobInput {
  /** Who is called: a connection name or a built-in target such as `crossdock.inbox`. */
  target: string;
  /** What is done, e.g. `odoo.create-sale-order`. */
  kind: string;
  /**
   * Stable across retries and replays: (flow, source id, target, step). Unique in the store: enqueueing
   * an existing key creates nothing and returns the existing job (`duplicate`).
   */
  idempotencyKey: string;
  payload: JsonValue;
  /** At most one job per (target, orderingKey) runs at a time, in enqueue order. */
  orderingKey?: string;
  /** Not before this time (default: now). */
  runAt?: number;
  /** Merged over the store's default retry policy. */
  retry?: Partial<RetryPolicy>;
  trace?: TraceContext;
}

export interface EnqueueResult {
  id: string;
  idempotencyKey: string;
  duplicate: boolean;
  status: JobStatus;
}

export interface JobAttemptError extends StoredError {
  attempt: number;
  at: number;
}

export interface JobRecord {
  id: string;
  target: string;
  kind: string;
  idempotencyKey: string;
  orderingKey: string | undefined;
  payload: JsonValue;
  status: JobStatus;
  /** Attempts started so far (a claim starts one). */
  attempts: number;
  runAt: number;
  retry: RetryPolicy;
  trace: TraceContext | undefined;
  leaseOwner: string | undefined;
  leaseExpiresAt: number | undefined;
  /** The most recent attempt errors, newest last (bounded, at most 10). */
  errors: JobAttemptError[];
  result: JsonValue | undefined;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | undefined;
}

/** A job a worker holds. `leaseToken` proves ownership when completing or failing it. */
export interface ClaimedJob extends JobRecord {
  status: "running";
  leaseToken: string;
  leaseExpiresAt: number;
  /** This attempt's number, 1-based (= `attempts` after the claim). */
  attempt: number;
}

export interface ClaimOptions {
  workerId: string;
  /** Only these targets (default: any). Paused targets are never claimed. */
  targets?: string[];
  /** Not these targets, e.g. ones whose concurrency budget is used up. */
  excludeTargets?: string[];
  limit?: number;
  leaseMs: number;
}

export type FailOutcome =
  | { outcome: "retry"; runAt: number; attempt: number }
  | { outcome: "exception"; exceptionId: string }
  | { outcome: "paused"; target: string };

export interface QueueDepth {
  target: string;
  waiting: number;
  ready: number;
  running: number;
  exception: number;
  /** Age of the oldest ready or waiting job, ms (0 when none). */
  oldestAgeMs: number;
}

export interface JobQueue {
  /** Enqueues in one transaction of its own; see `StoreTx.enqueueJobs` for the outbox form. */
  enqueue(jobs: JobInput[]): Promise<EnqueueResult[]>;
  /**
   * Claims up to `limit` due jobs, oldest `runAt` first, and leases them to `workerId` for `leaseMs`.
   * Running jobs whose lease has expired are claimable again (their attempt counts).
   */
  claim(options: ClaimOptions): Promise<ClaimedJob[]>;
  /** Throws `CDK_JOB_LEASE_LOST` if the lease is no longer this claim's. */
  extendLease(job: ClaimedJob, leaseMs: number): Promise<number>;
  /** Marks the job done (throws `CDK_JOB_LEASE_LOST` as above). Use `StoreTx.completeJob` to add writes. */
  complete(job: ClaimedJob, result?: JsonValue): Promise<void>;
  /**
   * Records a failed attempt and decides what happens next from the error's `failureClass` and the
   * job's retry policy: `transient` retries with back-off until `maximumAttempts`; `business`, a code in
   * `nonRetryableCodes`, or exhausted attempts make an exception record; `config` pauses the target and
   * returns the job to `ready` without counting the attempt.
   */
  fail(job: ClaimedJob, error: StoredError): Promise<FailOutcome>;
  get(id: string): Promise<JobRecord | undefined>;
  getByIdempotencyKey(key: string): Promise<JobRecord | undefined>;
  list(filter?: {
    target?: string;
    status?: JobStatus;
    limit?: number;
    afterId?: string;
  }): Promise<JobRecord[]>;
  depth(): Promise<QueueDepth[]>;
  /**
   * Replays a finished job (done or discarded) with the same idempotency key: it becomes ready (or
   * waiting behind its ordering key) with attempts reset. The target sees the same key again, so an
   * effect that already happened is not repeated. Returns the job.
   */
  replay(id: string, options?: { payload?: JsonValue }): Promise<JobRecord>;
}

// ---------------------------------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------------------------------

export interface TargetState {
  target: string;
  paused: boolean;
  reason: StoredError | undefined;
  pausedAt: number | undefined;
}

export interface TargetStore {
  pause(target: string, reason: StoredError): Promise<void>;
  resume(target: string): Promise<void>;
  /** Targets that have been paused at least once (paused or resumed since). */
  list(): Promise<TargetState[]>;
}

// ---------------------------------------------------------------------------------------------------
// Exceptions
// ---------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------
// Workflows
// ---------------------------------------------------------------------------------------------------

/** The job target on which workflow runs execute (ordering key = run id: one execution at a time). */
export const WORKFLOW_TARGET = "crossdock.workflow";
export const WORKFLOW_RUN_KIND = "workflow.run";

export type WorkflowStatus = "running" | "waiting" | "completed" | "failed" | "compensated";

export interface WorkflowRun {
  id: string;
  type: string;
  /** Business key, unique per type (e.g. the order reference): starting twice returns the first run. */
  key: string;
  status: WorkflowStatus;
  input: JsonValue;
  output: JsonValue | undefined;
  error: StoredError | undefined;
  trace: TraceContext | undefined;
  createdAt: number;
  updatedAt: number;
}

export type StepStatus = "completed" | "failed" | "compensated";

export interface StepRecord {
  runId: string;
  /** Stable id chosen by the workflow's code, e.g. `create-sale-order`. */
  stepId: string;
  status: StepStatus;
  output: JsonValue | undefined;
  /** The smallest input the step's compensation needs. */
  compensationInput: JsonValue | undefined;
  error: StoredError | undefined;
  /** Completion order inside the run (1, 2, ...); compensation walks it backwards. */
  seq: number;
  finishedAt: number;
}

export type WaitStatus = "open" | "resolved" | "timed_out";

/** A workflow waiting for an event: resolved by the first matching event appended after it. */
export interface EventWait {
  runId: string;
  waitId: string;
  eventType: string;
  stream: string;
  deadline: number | undefined;
  status: WaitStatus;
  /** The matching event, once resolved. */
  event: StoredEvent | undefined;
}

export type ApprovalStatus = "pending" | "approved" | "rejected";

export interface Approval {
  id: string;
  runId: string;
  stepId: string;
  title: string;
  details: JsonValue;
  status: ApprovalStatus;
  deadline: number | undefined;
  decidedBy: string | undefined;
  comment: string | undefined;
  createdAt: number;
  decidedAt: number | undefined;
}

export interface WorkflowStore {
  get(id: string): Promise<WorkflowRun | undefined>;
  getByKey(type: string, key: string): Promise<WorkflowRun | undefined>;
  list(filter?: { type?: string; status?: WorkflowStatus; limit?: number }): Promise<WorkflowRun[]>;
  /** The run's step records in completion order. */
  steps(runId: string): Promise<StepRecord[]>;
  getWait(runId: string, waitId: string): Promise<EventWait | undefined>;
  getApproval(id: string): Promise<Approval | undefined>;
  listApprovals(filter?: { status?: ApprovalStatus; runId?: string }): Promise<Approval[]>;
  /**
   * Records a person's decision and, in the same transaction, enqueues the run's resume job. Throws
   * `CDK_APPROVAL_NOT_FOUND` if there is no pending approval with this id.
   */
  decideApproval(
    id: string,
    decision: { approved: boolean; by: string; comment?: string },
  ): Promise<Approval>;
}

// ---------------------------------------------------------------------------------------------------
// Records (state)
// ---------------------------------------------------------------------------------------------------

/** A piece of business state (an order's status, a cursor, a cache entry), versioned per key. */
export interface StoredRecord {
  kind: string;
  key: string;
  data: JsonValue;
  /** Starts at 1, +1 per write. */
  version: number;
  updatedAt: number;
}

/** What `RecordStore.list` takes. */
export interface RecordListOptions {
  /** Only keys that start with this text. */
  prefix?: string;
  /** Keyset paging: only keys after this one (pass the last key of the previous page). */
  afterKey?: string;
  /** Default 100, at most 1,000. */
  limit?: number;
}

/**
 * Reads of records outside a transaction (admin lists, caches). Keys are ordered by their code points
 * (SQLite's BINARY collation, PostgreSQL's "C"), the same on both adapters, so a page boundary never
 * depends on the database's locale. Writes stay in `StoreTx`, where they can be versioned.
 */
export interface RecordStore {
  get(kind: string, key: string): Promise<StoredRecord | undefined>;
  /** A page of one kind's records in key order. */
  list(kind: string, options?: RecordListOptions): Promise<StoredRecord[]>;
}

// ---------------------------------------------------------------------------------------------------
// Audit log
// ---------------------------------------------------------------------------------------------------

export type AuditOutcome = "ok" | "denied" | "error";

/**
 * One thing someone did, or tried to do: an API call, an admin change. Append-only. Never holds a
 * secret: callers record key ids, not keys. Limits (checked before anything is queued, so one bad
 * entry never fails a batch): `actor` and `action` 1-200 characters, `resource` up to 1,000,
 * `details` up to 8 KiB as JSON, no NUL characters, at most 1,000 entries per call. Violations throw
 * `CDK_AUDIT_INVALID` with `details.index` and `details.field`.
 */
export interface AuditEntryInput {
  /** Default: a new `aud_` id. */
  id?: string;
  /** When it happened. Default: the store's clock. */
  at?: number;
  /** Who: an identity id (`idn_...`), `anonymous`, `cli:<user>`. */
  actor: string;
  /** What: e.g. `POST /api/v1/orders` (route pattern, not the URL) or `identity.create`. */
  action: string;
  /** On what, e.g. an identity id or an order reference. */
  resource?: string;
  outcome: AuditOutcome;
  /** The HTTP status, for calls. */
  status?: number;
  details?: JsonValue;
  trace?: TraceContext;
}

export interface AuditEntry {
  id: string;
  at: number;
  actor: string;
  action: string;
  resource: string | undefined;
  outcome: AuditOutcome;
  status: number | undefined;
  details: JsonValue | undefined;
  trace: TraceContext | undefined;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  /** Only entries at or after this time (`at`). */
  since?: number;
  /** Only entries before this time (`at`). */
  until?: number;
  /** Keyset paging: entries appended after this one. */
  afterId?: string;
  /** Default 100, at most 1,000. */
  limit?: number;
  /**
   * Take the newest `limit` matching entries instead of the oldest (what `audit ls` shows by
   * default). The result is still in append order, newest last.
   */
  latest?: boolean;
}

export interface AuditLog {
  /**
   * Appends durably and resolves after the commit. Concurrent calls are group-committed (one
   * transaction for many callers), so a busy gateway costs one commit per batch, not per request.
   * Throws `CDK_AUDIT_INVALID` (see `AuditEntryInput`), or `CDK_INBOX_OVERLOADED` when more calls are
   * waiting than the store's `maxPendingAppends`.
   */
  append(entries: AuditEntryInput[]): Promise<AuditEntry[]>;
  /** Entries in append order, newest last. */
  list(filter?: AuditFilter): Promise<AuditEntry[]>;
}

// ---------------------------------------------------------------------------------------------------
// Transactions and the store
// ---------------------------------------------------------------------------------------------------

/**
 * Writes that commit together. Everything done through one `StoreTx` is atomic: that is the
 * transactional outbox. A `StoreTx` must not be used after its callback's promise settles.
 */
export interface StoreTx {
  appendEvents(events: EventInput[]): Promise<StoredEvent[]>;
  enqueueJobs(jobs: JobInput[]): Promise<EnqueueResult[]>;
  /** Completes a claimed job (`CDK_JOB_LEASE_LOST` if its lease moved on). */
  completeJob(job: ClaimedJob, result?: JsonValue): Promise<void>;
  /** Moves a subscription's cursor (consume-and-produce atomically). */
  ackSubscription(name: string, position: string): Promise<void>;
  getRecord(kind: string, key: string): Promise<StoredRecord | undefined>;
  /**
   * Writes a record. With `expectedVersion`, writes only if the current version matches (0 = must not
   * exist) and otherwise throws `CDK_STORE_CONFLICT`.
   */
  putRecord(
    kind: string,
    key: string,
    data: JsonValue,
    options?: { expectedVersion?: number },
  ): Promise<StoredRecord>;
  /**
   * Deletes a record. With `expectedVersion`, only if the current version matches (otherwise
   * `CDK_STORE_CONFLICT`). Returns false when there was nothing to delete.
   */
  deleteRecord(kind: string, key: string, options?: { expectedVersion?: number }): Promise<boolean>;
  /** Appends audit entries that commit (or roll back) with the rest of the transaction. */
  appendAudit(entries: AuditEntryInput[]): Promise<AuditEntry[]>;

  /**
   * Starts a workflow run (status `running`) and enqueues its first execution job. Idempotent on
   * (type, key): an existing run is returned with `created: false` and nothing is enqueued.
   */
  startWorkflow(input: {
    type: string;
    key: string;
    input: JsonValue;
    trace?: TraceContext;
  }): Promise<{ run: WorkflowRun; created: boolean }>;
  updateWorkflow(
    runId: string,
    patch: { status?: WorkflowStatus; output?: JsonValue; error?: StoredError | null },
  ): Promise<void>;
  /** Upserts a step record by (runId, stepId); `seq` is assigned on first insert. */
  saveStep(record: Omit<StepRecord, "seq" | "finishedAt">): Promise<StepRecord>;
  /**
   * Registers an event wait. If `deadline` is set, a resume job runs at the deadline. Any event with the
   * same type and stream appended later (by any transaction) resolves the wait and enqueues a resume job
   * in that same transaction. Idempotent on (runId, waitId).
   */
  addEventWait(input: {
    runId: string;
    waitId: string;
    eventType: string;
    stream: string;
    deadline?: number;
  }): Promise<EventWait>;
  /** Marks an open wait timed out (the engine does this when it resumes past the deadline). */
  timeoutEventWait(runId: string, waitId: string): Promise<void>;
  /** Creates a pending approval (idempotent on (runId, stepId)); with a deadline a resume job runs then. */
  createApproval(input: {
    runId: string;
    stepId: string;
    title: string;
    details: JsonValue;
    deadline?: number;
  }): Promise<Approval>;
}

export interface StoreStatus {
  dialect: "sqlite" | "postgres";
  /** Highest applied migration. */
  schemaVersion: number;
  inboxMessages: number;
  events: number;
  queue: QueueDepth[];
  openExceptions: number;
  pausedTargets: string[];
  workflows: { status: WorkflowStatus; count: number }[];
}

export interface MigrationResult {
  from: number;
  to: number;
  applied: string[];
}

export interface Store {
  readonly dialect: "sqlite" | "postgres";
  readonly inbox: Inbox;
  readonly events: EventLog;
  readonly jobs: JobQueue;
  readonly targets: TargetStore;
  readonly exceptions: ExceptionStore;
  readonly workflows: WorkflowStore;
  readonly records: RecordStore;
  readonly audit: AuditLog;
  /** Brings the schema up to date. Throws `CDK_STORE_SCHEMA_TOO_NEW` if the store is ahead of this code. */
  migrate(): Promise<MigrationResult>;
  /**
   * Runs `fn` in one transaction; commits if it resolves, rolls back if it throws. On SQLite,
   * transactions are serialised (one writer); keep `fn` short and free of network calls.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  status(): Promise<StoreStatus>;
  /** True when the store answers a trivial query (readiness). */
  ping(): Promise<boolean>;
  /** Waits for pending group commits, then closes. Later calls throw `CDK_STORE_CLOSED`. */
  close(): Promise<void>;
}

/** Settings shared by both adapters (resolved from `store:` in crossdock.yaml). */
export interface StoreConfig {
  /** Largest accepted inbox body, bytes. Default 5 MiB. */
  maxMessageBytes: number;
  /** Appends waiting for a group commit before `CDK_INBOX_OVERLOADED`. Default 10,000. */
  maxPendingAppends: number;
  /** Largest group commit, messages. Default 512. */
  maxBatchSize: number;
  /** Retry policy for jobs that do not set their own. */
  defaultRetry: RetryPolicy;
}
