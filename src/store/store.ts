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

// The port by area, each in its own file, re-exported here so that adapters and callers import one module.
export * from "./audit-port.ts";
export * from "./event-log-port.ts";
export * from "./exception-port.ts";
export * from "./inbox-port.ts";
export * from "./job-queue-port.ts";
export * from "./record-port.ts";
export * from "./target-port.ts";
export * from "./workflow-port.ts";

import type { AuditEntry, AuditEntryInput, AuditLog } from "./audit-port.ts";
import type { EventInput, EventLog, StoredEvent } from "./event-log-port.ts";
import type { ExceptionStore } from "./exception-port.ts";
import type { Inbox } from "./inbox-port.ts";
import type { ClaimedJob, EnqueueResult, JobInput, JobQueue, QueueDepth } from "./job-queue-port.ts";
import type { RecordStore, StoredRecord } from "./record-port.ts";
import type { TargetStore } from "./target-port.ts";
import type {
  Approval,
  EventWait,
  StepRecord,
  WorkflowRun,
  WorkflowStatus,
  WorkflowStore,
} from "./workflow-port.ts";

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
   * in that same transaction. With `since`, an event of that type already in the stream, appended at or
   * after `since`, resolves it at once instead (the earliest such event): a wait registered after the
   * thing it waits for has already happened does not miss it. `afterPosition` (with `since`) skips
   * events up to that position, so successive waits on one stream take successive events.
   * Idempotent on (runId, waitId).
   */
  addEventWait(input: {
    runId: string;
    waitId: string;
    eventType: string;
    stream: string;
    deadline?: number;
    since?: number;
    afterPosition?: string;
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
