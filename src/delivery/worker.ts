/**
 * The delivery worker: claims due jobs from the store and runs the handler registered for each job's
 * target, within a total and a per-target concurrency budget.
 *
 * The loop claims again at once while it finds work, and waits `pollIntervalMs` when the queue is empty
 * (or the store did not answer); `wake()` cuts the wait short, e.g. after an inbox append in the same
 * process. Lease extension, timeouts, outcome recording and error classification live in
 * `createJobRunner`; a failing handler never stops the loop.
 *
 * Left out on purpose: rate limits and circuit breakers (per-target policies wrap the handler), and
 * claiming only some targets (run one worker per role with its own `handlers`; a job whose target has no
 * handler pauses that target with `CDK_JOB_HANDLER_MISSING`, so do not point two workers with different
 * handler sets at one store).
 *
 * @example
 * const worker = createWorker({
 *   store, clock: systemClock, workerId: "hub-1",
 *   handlers: { wms: deliveryHandler(wmsTarget), [WORKFLOW_TARGET]: engine.handler },
 *   targets: { wms: { concurrency: 4, timeoutMs: 30_000 } },
 *   concurrency: 32, leaseMs: 30_000, pollIntervalMs: 500,
 * });
 * worker.start();
 * // ... on SIGTERM:
 * await worker.stop({ graceful: true, timeoutMs: 20_000 });
 */
import type { Clock } from "../core/clock.ts";
import type { Store } from "../store/store.ts";
import { createConcurrencyBudget } from "./concurrency-budget.ts";
import type { JobHandler } from "./job-handler.ts";
import { createJobRunner, type JobRunResult } from "./job-runner.ts";
import { type StructuredLogger, silentLogger } from "./structured-logger.ts";
import type { WorkerMetrics } from "./worker-metrics.ts";

/** Settings of one target, from `targets.<name>` in crossdock.yaml. */
export interface TargetOptions {
  /** Jobs of this target running at once in this worker. Default: the worker's `targetConcurrency`. */
  concurrency?: number;
  /** The handler's time budget per attempt, ms; past it the attempt fails with `CDK_JOB_TIMEOUT`. */
  timeoutMs?: number;
}

export interface WorkerOptions {
  store: Store;
  clock: Clock;
  logger?: StructuredLogger;
  /** Names this worker in leases; unique per process. */
  workerId: string;
  /** Handler per target name; a key ending in `*` serves every target with that prefix (`webhook:*`). */
  handlers: Readonly<Record<string, JobHandler>>;
  targets?: Readonly<Record<string, TargetOptions>>;
  /** Jobs in flight across all targets, at least 1. */
  concurrency: number;
  /** Per-target budget for targets without their own. Default: `concurrency`. */
  targetConcurrency?: number;
  /** Handler timeout for targets without their own, ms. Default 300,000 (5 minutes). */
  timeoutMs?: number;
  /** Lease per claim, ms; extended every third of it while the handler runs. */
  leaseMs: number;
  /** Wait between claims when the queue is empty, ms. */
  pollIntervalMs: number;
  metrics?: WorkerMetrics;
}

export interface WorkerStopOptions {
  /** Wait for jobs in flight (default true); false aborts them at once. */
  graceful?: boolean;
  /** How long a graceful stop waits before aborting what is left, ms. Default 30,000. */
  timeoutMs?: number;
}

export interface Worker {
  /** Starts the claim loop; a second call does nothing. */
  start(): void;
  /** Claims at once instead of finishing the idle wait. */
  wake(): void;
  /**
   * Stops claiming, then waits for the jobs in flight (graceful) or aborts them. Aborted jobs are left
   * to their lease (`abandoned`): no outcome is written for them, and they run again after it expires.
   */
  stop(options?: WorkerStopOptions): Promise<{ abandoned: number }>;
  readonly inFlight: number;
  /** True from `start()` until `stop()` is called (readiness). */
  readonly running: boolean;
}

const DEFAULT_TIMEOUT_MS = 300_000;

export function createWorker(options: WorkerOptions): Worker {
  const logger = options.logger ?? silentLogger;
  const defaultPerTarget = options.targetConcurrency ?? options.concurrency;
  if (!(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
    throw new RangeError("worker concurrency must be an integer >= 1");
  }
  if (!(Number.isInteger(defaultPerTarget) && defaultPerTarget >= 1)) {
    throw new RangeError("worker targetConcurrency must be an integer >= 1");
  }
  const targets = options.targets ?? {};
  const perTarget = new Map<string, number>();
  for (const [name, target] of Object.entries(targets)) {
    if (target.concurrency !== undefined) perTarget.set(name, target.concurrency);
  }
  const budget = createConcurrencyBudget({ total: options.concurrency, perTarget, defaultPerTarget });
  const runner = createJobRunner({
    store: options.store,
    clock: options.clock,
    logger,
    handlers: new Map(Object.entries(options.handlers)),
    leaseMs: options.leaseMs,
    timeoutFor: (target) => targets[target]?.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });

  const inFlight = new Set<Promise<JobRunResult>>();
  const abort = new AbortController();
  let loop: Promise<void> | undefined;
  let stopping = false;
  let kicked = false;
  let wakeNap: (() => void) | undefined;

  function kick(): void {
    if (wakeNap) wakeNap();
    else kicked = true;
  }

  /** Waits `ms` (or until kicked, for `undefined`); a kick that came while busy ends it at once. */
  function nap(ms: number | undefined): Promise<void> {
    if (kicked) {
      kicked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      function done() {
        if (timer) clearTimeout(timer);
        wakeNap = undefined;
        resolve();
      }
      wakeNap = done;
    });
  }

  function launch(job: Parameters<typeof runner.run>[0]): void {
    budget.acquire(job.target);
    const running: Promise<JobRunResult> = runner
      .run(job, abort.signal)
      .catch((error: unknown): JobRunResult => {
        logger.error({ jobId: job.id, err: error }, "job runner failed unexpectedly");
        return { status: "dropped", reason: "store-error" };
      })
      .finally(() => {
        budget.release(job.target);
        inFlight.delete(running);
        kick();
      });
    inFlight.add(running);
  }

  async function claimLoop(): Promise<void> {
    while (!stopping) {
      // A store answers the completions of one commit together, but their releases reach the budget
      // over many microtask turns; one macrotask turn lets them all land, so the claim takes the whole
      // free room at once instead of a few jobs now and the rest in later claims (each a store write).
      if (budget.inFlight > 0) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (stopping) break;
      }
      const plan = budget.plan();
      if (plan.limit === 0) {
        await nap(undefined);
        continue;
      }
      let claimed: Awaited<ReturnType<Store["jobs"]["claim"]>>;
      try {
        claimed = await options.store.jobs.claim({
          workerId: options.workerId,
          leaseMs: options.leaseMs,
          limit: plan.limit,
          ...(plan.excludeTargets.length > 0 ? { excludeTargets: plan.excludeTargets } : {}),
        });
      } catch (error) {
        logger.error(
          { err: error, workerId: options.workerId },
          "claim failed; retrying after the poll interval",
        );
        await nap(options.pollIntervalMs);
        continue;
      }
      // Jobs claimed during a stop still run: they are leased to us now.
      for (const job of claimed) launch(job);
      if (claimed.length === 0) await nap(options.pollIntervalMs);
    }
  }

  return {
    start() {
      if (loop || stopping) return;
      logger.info({ workerId: options.workerId }, "worker started");
      loop = claimLoop();
    },
    wake: kick,
    async stop(stopOptions = {}) {
      stopping = true;
      kick();
      await loop;
      const graceful = stopOptions.graceful ?? true;
      if (graceful && inFlight.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, stopOptions.timeoutMs ?? 30_000);
        });
        await Promise.race([Promise.allSettled([...inFlight]), deadline]);
        clearTimeout(timer);
      }
      abort.abort();
      const results = await Promise.all([...inFlight]);
      const abandoned = results.filter((r) => r.status === "dropped" && r.reason === "abandoned").length;
      logger.info({ workerId: options.workerId, abandoned }, "worker stopped");
      return { abandoned };
    },
    get inFlight() {
      return inFlight.size;
    },
    get running() {
      return loop !== undefined && !stopping;
    },
  };
}
