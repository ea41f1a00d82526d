/**
 * Runs one claimed job to its recorded outcome: calls the target's handler with an abort signal, keeps
 * the lease alive while it runs, enforces the target's timeout, then completes the job (with the
 * handler's outbox `commit` in the same transaction) or fails it with a classified error. The worker
 * loop uses it for every job; tests and tools can call it on a job they claimed themselves.
 *
 * It never throws: every path ends in a `JobRunResult`, so one bad handler cannot stop a worker.
 */
import type { Clock } from "../core/clock.ts";
import { CrossdockError, isCrossdockError, type StoredError, toStoredError } from "../core/errors.ts";
import type { ClaimedJob, FailOutcome, Store } from "../store/store.ts";
import type { JobContext, JobHandler, JobOutcome } from "./job-handler.ts";
import { bindLogger, type StructuredLogger } from "./structured-logger.ts";
import type { DroppedReason, WorkerMetrics } from "./worker-metrics.ts";

export type JobRunResult =
  | { status: "completed" }
  | { status: "failed"; outcome: FailOutcome; error: StoredError }
  | { status: "dropped"; reason: DroppedReason };

export interface JobRunnerOptions {
  store: Store;
  clock: Clock;
  logger: StructuredLogger;
  /**
   * Handler per target name. A key ending in `*` is a prefix handler (`webhook:*` serves
   * `webhook:sub_1`, `webhook:sub_2`, ...) for targets created at run time; an exact name wins over a
   * prefix, and a longer prefix over a shorter one.
   */
  handlers: ReadonlyMap<string, JobHandler>;
  /** Lease length; the lease is extended every third of it while the handler runs. */
  leaseMs: number;
  /** The handler's time budget for a target; `undefined` for none. */
  timeoutFor: (target: string) => number | undefined;
  metrics?: WorkerMetrics;
}

export interface JobRunner {
  /**
   * Runs `job`. When `stop` aborts, the handler's signal is aborted too and the job is given up without
   * a store write (`dropped`, `abandoned`): its lease expires and it is claimed again, which is safe
   * because the handler may still be finishing its call with the same idempotency key.
   */
  run(job: ClaimedJob, stop?: AbortSignal): Promise<JobRunResult>;
}

class Abandoned extends Error {}

/** Finds the handler for a target: exact name first, then the longest matching `prefix*` key. */
export function handlerLookup(
  handlers: ReadonlyMap<string, JobHandler>,
): (target: string) => JobHandler | undefined {
  const prefixes = [...handlers.keys()]
    .filter((key) => key.endsWith("*"))
    .map((key) => ({ prefix: key.slice(0, -1), handler: handlers.get(key) as JobHandler }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  return (target) =>
    handlers.get(target) ?? prefixes.find((entry) => target.startsWith(entry.prefix))?.handler;
}

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { store, clock, metrics } = options;
  const handlerFor = handlerLookup(options.handlers);

  function hook(name: keyof WorkerMetrics, call: () => void): void {
    try {
      call();
    } catch (error) {
      options.logger.warn({ hook: name, err: error }, "worker metrics hook threw");
    }
  }

  async function recordFailure(
    job: ClaimedJob,
    error: StoredError,
    started: number,
    log: StructuredLogger,
  ): Promise<JobRunResult> {
    try {
      const outcome = await store.jobs.fail(job, error);
      log.warn({ code: error.code, failureClass: error.failureClass, outcome }, error.message);
      hook("onFailed", () => metrics?.onFailed?.(job, outcome, error, clock.now() - started));
      return { status: "failed", outcome, error };
    } catch (failError) {
      return drop(job, failError, log);
    }
  }

  function drop(job: ClaimedJob, error: unknown, log: StructuredLogger): JobRunResult {
    // Another worker owns the job now (or will once the lease expires); failing it would steal its attempt.
    const reason: DroppedReason =
      isCrossdockError(error) && error.code === "CDK_JOB_LEASE_LOST" ? "lease-lost" : "store-error";
    log[reason === "lease-lost" ? "info" : "error"]({ reason, err: error }, "job outcome not recorded");
    hook("onDropped", () => metrics?.onDropped?.(job, reason));
    return { status: "dropped", reason };
  }

  return {
    async run(job, stop) {
      const started = clock.now();
      const log = bindLogger(options.logger, {
        jobId: job.id,
        target: job.target,
        kind: job.kind,
        attempt: job.attempt,
      });
      hook("onClaimed", () => metrics?.onClaimed?.(job));

      const handler = handlerFor(job.target);
      if (!handler) {
        const missing = new CrossdockError("CDK_JOB_HANDLER_MISSING", `no handler for target ${job.target}`);
        return recordFailure(job, missing.toJSON(), started, log);
      }

      const controller = new AbortController();
      const timers = watchJob(job, controller, options, log);
      const onStop = () => controller.abort(new Abandoned("worker stopped"));
      if (stop?.aborted) onStop();
      stop?.addEventListener("abort", onStop, { once: true });

      let outcome: JobOutcome | undefined;
      let thrown: unknown;
      let threw = false;
      try {
        const context: JobContext = {
          signal: controller.signal,
          idempotencyKey: job.idempotencyKey,
          attempt: job.attempt,
          logger: log,
        };
        // A handler that returns nothing (`async () => {}`) completes the job without a result.
        outcome = (await untilAborted(handler(job, context), controller.signal)) as JobOutcome | undefined;
      } catch (error) {
        threw = true;
        thrown = error;
      } finally {
        timers.clear();
        stop?.removeEventListener("abort", onStop);
      }

      if (timers.leaseLost) return drop(job, timers.leaseLost, log);
      if (threw) {
        const reason = controller.signal.aborted ? controller.signal.reason : thrown;
        if (reason instanceof Abandoned) {
          log.warn({}, "job abandoned at stop; its lease will expire");
          hook("onDropped", () => metrics?.onDropped?.(job, "abandoned"));
          return { status: "dropped", reason: "abandoned" };
        }
        return recordFailure(job, toStoredError(reason), started, log);
      }

      try {
        await store.transaction(async (tx) => {
          await tx.completeJob(job, outcome?.result);
          if (outcome?.commit) await outcome.commit(tx);
        });
      } catch (error) {
        if (isCrossdockError(error) && error.code === "CDK_JOB_LEASE_LOST") return drop(job, error, log);
        // The commit (or the store) refused: nothing was written, so the attempt failed.
        return recordFailure(job, toStoredError(error), started, log);
      }
      const durationMs = clock.now() - started;
      log.debug({ durationMs }, "job completed");
      hook("onCompleted", () => metrics?.onCompleted?.(job, durationMs));
      return { status: "completed" };
    },
  };
}

/** Lease extension and timeout for one running job, on real timers (they pace work, not business time). */
function watchJob(
  job: ClaimedJob,
  controller: AbortController,
  options: JobRunnerOptions,
  log: StructuredLogger,
) {
  const state = { leaseLost: undefined as unknown, clear: () => {} };
  let extending = false;
  const extend = async () => {
    if (extending || controller.signal.aborted) return;
    extending = true;
    try {
      await options.store.jobs.extendLease(job, options.leaseMs);
    } catch (error) {
      if (isCrossdockError(error) && error.code === "CDK_JOB_LEASE_LOST") {
        state.leaseLost = error;
        controller.abort(error);
      } else {
        // A store hiccup: the lease is still ours until it expires; the next tick tries again.
        log.warn({ err: error }, "lease extension failed");
      }
    } finally {
      extending = false;
    }
  };
  const interval = setInterval(extend, Math.max(1, Math.floor(options.leaseMs / 3)));
  const timeoutMs = options.timeoutFor(job.target);
  const timeout =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          controller.abort(
            new CrossdockError("CDK_JOB_TIMEOUT", `handler for ${job.target} ran over ${timeoutMs} ms`),
          );
        }, timeoutMs);
  state.clear = () => {
    clearInterval(interval);
    if (timeout) clearTimeout(timeout);
  };
  return state;
}

/**
 * Settles with the handler, or rejects with the signal's reason as soon as it aborts: a handler that
 * ignores its signal cannot hold the job (or the worker's stop) hostage.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
