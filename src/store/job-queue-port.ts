/** Jobs: deliveries and other work, claimed with a lease, retried, ordered per key. Part of the Store port (`store.ts`). */
import type { StoredError } from "../core/errors.ts";
import type { RetryPolicy } from "./retry-policy.ts";
import type { JsonValue, TraceContext } from "./store.ts";

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
