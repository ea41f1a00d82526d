import { systemClock } from "../../src/core/clock.ts";
import { createWorker, type Worker } from "../../src/delivery/worker.ts";
import type { JobInput, Store } from "../../src/store/store.ts";
import { sleep } from "../lib/bench-output.ts";

export const BENCH_TARGET = "bench-noop";
const ENQUEUE_BATCH = 1_000;

/**
 * How the queue is drained:
 * - `worker`: the real `createWorker` with a no-op handler (claim loop, budgets, job runner, one
 *   `store.transaction` per completed job), one instance per store given;
 * - `raw`: a bare loop on the port, claim a batch then `jobs.complete` each job (concurrently);
 * - `raw-batched`: the same, but the whole batch completed in one `store.transaction`, which shows what
 *   per-job commits cost.
 */
export type DrainMode = "worker" | "raw" | "raw-batched";

export interface JobDrainOptions {
  /** One store per worker instance (on SQLite the same store, repeated: one process, one writer). */
  stores: Store[];
  jobs: number;
  /** Spread the jobs over this many ordering keys (round robin); `undefined` for no ordering key. */
  orderingKeys: number | undefined;
  mode: DrainMode;
  /** Worker concurrency, or the raw loop's claim batch size. */
  concurrency: number;
  timeoutMs: number;
  runId: string;
}

export interface JobDrainResult {
  mode: DrainMode;
  instances: number;
  orderingKeys: number | undefined;
  jobs: number;
  enqueueSeconds: number;
  enqueuedPerSecond: number;
  completed: number;
  seconds: number;
  jobsPerSecond: number;
  /** False when the drain hit its timeout; `jobsPerSecond` then covers what was done in time. */
  finished: boolean;
  failed: number;
  dropped: number;
  /** Unfinished jobs of the bench target left in the store afterwards (0 when all went well). */
  left: number;
}

export async function enqueueBenchJobs(store: Store, options: JobDrainOptions): Promise<number> {
  const started = performance.now();
  for (let from = 0; from < options.jobs; from += ENQUEUE_BATCH) {
    const batch: JobInput[] = [];
    for (let i = from; i < Math.min(from + ENQUEUE_BATCH, options.jobs); i++) {
      batch.push({
        target: BENCH_TARGET,
        kind: "bench.noop",
        idempotencyKey: `${options.runId}:${i}`,
        payload: { n: i },
        ...(options.orderingKeys ? { orderingKey: `sku-${i % options.orderingKeys}` } : {}),
      });
    }
    await store.jobs.enqueue(batch);
  }
  return (performance.now() - started) / 1_000;
}

/** Enqueues `jobs`, then measures the time until all of them are recorded done. */
export async function runJobDrain(options: JobDrainOptions): Promise<JobDrainResult> {
  const enqueueSeconds = await enqueueBenchJobs(options.stores[0]!, options);
  const counts = { completed: 0, failed: 0, dropped: 0 };
  let allDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const onCompleted = (n: number) => {
    counts.completed += n;
    if (counts.completed >= options.jobs) allDone();
  };
  const started = performance.now();
  let stop: () => Promise<void>;
  if (options.mode === "worker") {
    stop = startWorkers(options, counts, onCompleted);
  } else {
    stop = startRawLoop(options, counts, onCompleted);
  }
  const timedOut = await Promise.race([done.then(() => false), sleep(options.timeoutMs).then(() => true)]);
  const seconds = (performance.now() - started) / 1_000;
  const completed = counts.completed;
  await stop();
  const depth = await options.stores[0]!.jobs.depth();
  const mine = depth.find((d) => d.target === BENCH_TARGET);
  return {
    mode: options.mode,
    instances: options.stores.length,
    orderingKeys: options.orderingKeys,
    jobs: options.jobs,
    enqueueSeconds,
    enqueuedPerSecond: options.jobs / enqueueSeconds,
    completed,
    seconds,
    jobsPerSecond: completed / seconds,
    finished: !timedOut,
    failed: counts.failed,
    dropped: counts.dropped,
    left: mine ? mine.waiting + mine.ready + mine.running : 0,
  };
}

function startWorkers(
  options: JobDrainOptions,
  counts: { failed: number; dropped: number },
  onCompleted: (n: number) => void,
): () => Promise<void> {
  const workers: Worker[] = options.stores.map((store, i) =>
    createWorker({
      store,
      clock: systemClock,
      workerId: `bench-worker-${i}`,
      handlers: { [BENCH_TARGET]: async () => {} },
      concurrency: options.concurrency,
      leaseMs: 60_000,
      pollIntervalMs: 100,
      metrics: {
        onCompleted: () => onCompleted(1),
        onFailed: () => {
          counts.failed += 1;
        },
        onDropped: () => {
          counts.dropped += 1;
        },
      },
    }),
  );
  for (const worker of workers) worker.start();
  return async () => {
    await Promise.all(workers.map((w) => w.stop({ graceful: true, timeoutMs: 10_000 })));
  };
}

function startRawLoop(
  options: JobDrainOptions,
  counts: { completed: number },
  onCompleted: (n: number) => void,
): () => Promise<void> {
  let stopping = false;
  const loops = options.stores.map(async (store, i) => {
    while (!stopping && counts.completed < options.jobs) {
      const claimed = await store.jobs.claim({
        workerId: `bench-raw-${i}`,
        leaseMs: 60_000,
        limit: options.concurrency,
      });
      if (claimed.length === 0) {
        // Everything due is in flight elsewhere (or waiting behind its ordering key): look again soon.
        await sleep(1);
        continue;
      }
      if (options.mode === "raw-batched") {
        await store.transaction(async (tx) => {
          for (const job of claimed) await tx.completeJob(job);
        });
      } else {
        await Promise.all(claimed.map((job) => store.jobs.complete(job)));
      }
      onCompleted(claimed.length);
    }
  });
  return async () => {
    stopping = true;
    await Promise.all(loops);
  };
}
