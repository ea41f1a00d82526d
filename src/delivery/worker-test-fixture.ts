/**
 * What the worker's tests share: a fresh SQLite store on a manual clock, a worker over it whose
 * metrics hooks are recorded (so a test awaits "completed twice" instead of sleeping), and a view of
 * the store that sees every claim and lease extension. Test support, kept out of the `*.test.ts` files.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { ManualClock } from "../core/clock.ts";
import type { StoredError } from "../core/errors.ts";
import { createSequentialIds } from "../core/ids.ts";
import { DEFAULT_RETRY_POLICY } from "../store/retry-policy.ts";
import { createSqliteStore } from "../store/sqlite/sqlite-store.ts";
import type { ClaimedJob, ClaimOptions, FailOutcome, JobInput, Store } from "../store/store.ts";
import { createWorker, type WorkerOptions } from "./worker.ts";
import type { DroppedReason, WorkerMetrics } from "./worker-metrics.ts";

export type Seen =
  | { kind: "completed"; job: ClaimedJob }
  | { kind: "failed"; job: ClaimedJob; outcome: FailOutcome; error: StoredError }
  | { kind: "dropped"; job: ClaimedJob; reason: DroppedReason };

/** Records what the worker reports through its metrics hooks and lets a test await a condition on it. */
export function recorder() {
  const seen: Seen[] = [];
  const waiters: { ready: () => boolean; resolve: () => void }[] = [];
  const push = (entry: Seen) => {
    seen.push(entry);
    for (const waiter of [...waiters]) {
      if (waiter.ready()) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const metrics: WorkerMetrics = {
    onCompleted: (job) => push({ kind: "completed", job }),
    onFailed: (job, outcome, error) => push({ kind: "failed", job, outcome, error }),
    onDropped: (job, reason) => push({ kind: "dropped", job, reason }),
  };
  const count = (kind: Seen["kind"]) => seen.filter((s) => s.kind === kind).length;
  return {
    seen,
    metrics,
    count,
    /** Resolves once `kind` has been reported `n` times in total. */
    until(kind: Seen["kind"], n = 1): Promise<void> {
      const ready = () => count(kind) >= n;
      if (ready()) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ ready, resolve }));
    },
  };
}

/** The store, wrapped so a test sees every claim and lease extension the worker makes. */
export function observed(store: Store) {
  const claims: ClaimOptions[] = [];
  const extensions: PromiseWithResolvers<number>[] = [Promise.withResolvers<number>()];
  const jobs = new Proxy(store.jobs, {
    get(target, property, receiver) {
      if (property === "claim") {
        return (options: ClaimOptions) => {
          claims.push(options);
          return target.claim(options);
        };
      }
      if (property === "extendLease") {
        return async (job: ClaimedJob, leaseMs: number) => {
          const expiry = await target.extendLease(job, leaseMs);
          extensions.at(-1)!.resolve(expiry);
          extensions.push(Promise.withResolvers<number>());
          return expiry;
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const wrapped = new Proxy(store, {
    get(target, property) {
      if (property === "jobs") return jobs;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store: wrapped, claims, nextExtension: () => extensions.at(-1)!.promise };
}

export async function setup(
  t: TestContext,
  overrides: Partial<WorkerOptions> & { handlers: WorkerOptions["handlers"] },
) {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-worker-"));
  const clock = new ManualClock();
  const store = await createSqliteStore({
    path: join(dir, "hub.db"),
    clock,
    ids: createSequentialIds(),
    config: {
      defaultRetry: { ...DEFAULT_RETRY_POLICY, initialIntervalMs: 1_000, jitter: 0, maximumAttempts: 3 },
    },
  });
  await store.migrate();
  const seen = recorder();
  const view = observed(store);
  const worker = createWorker({
    store: view.store,
    clock,
    workerId: "w1",
    concurrency: 4,
    leaseMs: 30_000,
    pollIntervalMs: 5,
    metrics: seen.metrics,
    ...overrides,
  });
  t.after(async () => {
    await worker.stop({ graceful: false });
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { store, clock, worker, seen, view };
}

export function job(key: string, target = "wms", overrides: Partial<JobInput> = {}): JobInput {
  return { target, kind: `${target}.push`, idempotencyKey: key, payload: { key }, ...overrides };
}

/** Lets real timers and the worker's loop run for a moment. */
export const tick = (ms = 2) => new Promise((resolve) => setTimeout(resolve, ms));
