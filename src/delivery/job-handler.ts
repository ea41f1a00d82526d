/**
 * What a worker calls for each claimed job: a `JobHandler` registered per target.
 *
 * A handler does the work (calls the target with `ctx.idempotencyKey`) and either returns, which
 * completes the job, or throws, which fails the attempt. Throw a `CrossdockError` to say how the failure
 * is treated (its class, code and `retryAfterMs` are kept); anything else counts as a transient
 * `CDK_JOB_FAILED`. Expected "nothing to do" outcomes are returns, not throws.
 */
import type { DeliveryTarget } from "../connectors/connector.ts";
import type { ClaimedJob, JsonValue, StoreTx } from "../store/store.ts";
import type { StructuredLogger } from "./structured-logger.ts";

/** What a handler gets besides the job itself. */
export interface JobContext {
  /**
   * Aborted when the target's `timeoutMs` passes, when the lease is lost to another worker, or when the
   * worker stops without grace. Pass it to every network call; `signal.reason` says which.
   */
  readonly signal: AbortSignal;
  /** The job's stable key: send it to the target so a retry or replay has no second effect. */
  readonly idempotencyKey: string;
  /** This attempt's number, 1-based. */
  readonly attempt: number;
  /** Bound to the job (`jobId`, `target`, `kind`, `attempt`). */
  readonly logger: StructuredLogger;
}

/**
 * What a handler may return. `result` is stored on the job. `commit` runs inside the same store
 * transaction that completes the job, so follow-up work (events, jobs, workflow state) is written if and
 * only if the job is recorded done: the transactional outbox. Keep `commit` short and free of network
 * calls (on SQLite it holds the single writer). If `commit` throws, nothing is written and the attempt
 * fails with the thrown error.
 */
export interface JobOutcome {
  result?: JsonValue;
  commit?: (tx: StoreTx) => Promise<void>;
}

// biome-ignore lint/suspicious/noConfusingVoidType: lets a handler be a plain `async () => {}`.
export type JobHandler = (job: ClaimedJob, ctx: JobContext) => Promise<JobOutcome | undefined | void>;

/**
 * Adapts a connector's `DeliveryTarget` to a handler: the target's answer becomes the job's result and
 * its classified errors pass through unchanged.
 */
export function deliveryHandler(target: DeliveryTarget): JobHandler {
  return async (job, ctx) => {
    const result = await target.deliver(job, { signal: ctx.signal, attempt: ctx.attempt });
    return result === undefined ? {} : { result };
  };
}
