import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { ManualClock } from "../core/clock.ts";
import { CrossdockError, type StoredError } from "../core/errors.ts";
import { createSequentialIds } from "../core/ids.ts";
import { DEFAULT_RETRY_POLICY } from "../store/retry-policy.ts";
import { createSqliteStore } from "../store/sqlite/sqlite-store.ts";
import type { ClaimedJob, ClaimOptions, FailOutcome, JobInput, Store } from "../store/store.ts";
import type { JobHandler } from "./job-handler.ts";
import { createWorker, type WorkerOptions } from "./worker.ts";
import type { DroppedReason, WorkerMetrics } from "./worker-metrics.ts";

type Seen =
  | { kind: "completed"; job: ClaimedJob }
  | { kind: "failed"; job: ClaimedJob; outcome: FailOutcome; error: StoredError }
  | { kind: "dropped"; job: ClaimedJob; reason: DroppedReason };

/** Records what the worker reports through its metrics hooks and lets a test await a condition on it. */
function recorder() {
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
function observed(store: Store) {
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

async function setup(
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

function job(key: string, target = "wms", overrides: Partial<JobInput> = {}): JobInput {
  return { target, kind: `${target}.push`, idempotencyKey: key, payload: { key }, ...overrides };
}

test("a handler's result completes the job; the handler gets the key, the attempt and a live signal", async (t) => {
  const calls: { key: string; attempt: number; aborted: boolean }[] = [];
  const { store, worker, seen } = await setup(t, {
    handlers: {
      wms: async (_job, ctx) => {
        calls.push({ key: ctx.idempotencyKey, attempt: ctx.attempt, aborted: ctx.signal.aborted });
        return { result: { accepted: true } };
      },
    },
  });
  const [enqueued] = await store.jobs.enqueue([job("push:1")]);
  worker.start();
  assert.equal(worker.running, true);
  await seen.until("completed");
  const done = await store.jobs.get(enqueued!.id);
  assert.equal(done?.status, "done");
  assert.deepEqual(done?.result, { accepted: true });
  assert.deepEqual(calls, [{ key: "push:1", attempt: 1, aborted: false }]);
});

test("a transient failure is retried after the back-off, then succeeds", async (t) => {
  let calls = 0;
  const { store, clock, worker, seen } = await setup(t, {
    handlers: {
      wms: async () => {
        calls++;
        if (calls === 1) throw new CrossdockError("CDK_TARGET_UNAVAILABLE", "503", { retryAfterMs: 2_000 });
      },
    },
  });
  const [enqueued] = await store.jobs.enqueue([job("push:1")]);
  worker.start();
  await seen.until("failed");
  const failed = seen.seen[0];
  assert.equal(failed?.kind, "failed");
  assert.deepEqual(failed.kind === "failed" && failed.outcome, {
    outcome: "retry",
    runAt: clock.now() + 2_000,
    attempt: 1,
  });
  assert.equal(failed.kind === "failed" && failed.error.retryAfterMs, 2_000, "the partner's hint is kept");
  clock.advance(1_999);
  worker.wake();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(calls, 1, "not before Retry-After");
  clock.advance(1);
  worker.wake();
  await seen.until("completed");
  const done = await store.jobs.get(enqueued!.id);
  assert.equal(done?.status, "done");
  assert.equal(done?.attempts, 2);
  assert.equal(done?.errors[0]?.code, "CDK_TARGET_UNAVAILABLE");
});

test("an unclassified throw is a transient CDK_JOB_FAILED", async (t) => {
  const { store, worker, seen } = await setup(t, {
    handlers: {
      wms: async () => {
        throw new TypeError("cannot read properties of undefined");
      },
    },
  });
  await store.jobs.enqueue([job("push:1")]);
  worker.start();
  await seen.until("failed");
  const [failed] = seen.seen;
  assert.ok(failed?.kind === "failed");
  assert.equal(failed.error.code, "CDK_JOB_FAILED");
  assert.equal(failed.error.failureClass, "transient");
  assert.equal(failed.outcome.outcome, "retry");
});

test("a business error becomes an exception record for a person", async (t) => {
  const { store, worker, seen } = await setup(t, {
    handlers: {
      wms: async () => {
        throw new CrossdockError("CDK_TARGET_REJECTED", "422 unknown SKU", { details: { status: 422 } });
      },
    },
  });
  const [enqueued] = await store.jobs.enqueue([job("push:1")]);
  worker.start();
  await seen.until("failed");
  const [record] = await store.exceptions.list({ status: "open" });
  assert.equal(record?.jobId, enqueued!.id);
  assert.equal(record?.error.code, "CDK_TARGET_REJECTED");
  assert.deepEqual(record?.error.details, { status: 422 });
  assert.equal((await store.jobs.get(enqueued!.id))?.status, "exception");
});

test("a config error or a missing handler pauses the target and keeps the job", async (t) => {
  const { store, worker, seen } = await setup(t, {
    handlers: {
      wms: async () => {
        throw new CrossdockError("CDK_TARGET_AUTH", "401 bad token");
      },
    },
  });
  const [wms, orphan] = await store.jobs.enqueue([job("push:1"), job("ship:1", "carrier")]);
  worker.start();
  await seen.until("failed", 2);
  const outcomes = seen.seen.map((s) => (s.kind === "failed" ? [s.error.code, s.outcome] : s.kind));
  assert.deepEqual(
    outcomes.sort(),
    [
      ["CDK_JOB_HANDLER_MISSING", { outcome: "paused", target: "carrier" }],
      ["CDK_TARGET_AUTH", { outcome: "paused", target: "wms" }],
    ].sort(),
  );
  const paused = (await store.targets.list()).filter((s) => s.paused).map((s) => s.target);
  assert.deepEqual(paused.sort(), ["carrier", "wms"]);
  assert.equal((await store.jobs.get(wms!.id))?.status, "ready");
  assert.equal((await store.jobs.get(orphan!.id))?.status, "ready");
  assert.deepEqual(await store.exceptions.list(), []);
});

test("a target never runs more jobs at once than its budget, while other targets go on", async (t) => {
  let active = 0;
  let most = 0;
  const gates: PromiseWithResolvers<void>[] = [];
  const slow: JobHandler = async () => {
    active++;
    most = Math.max(most, active);
    const gate = Promise.withResolvers<void>();
    gates.push(gate);
    await gate.promise;
    active--;
  };
  const { store, worker, seen, view } = await setup(t, {
    handlers: { odoo: slow, wms: async () => {} },
    targets: { odoo: { concurrency: 2 } },
    concurrency: 10,
  });
  await store.jobs.enqueue([1, 2, 3, 4, 5].map((n) => job(`so:${n}`, "odoo")));
  await store.jobs.enqueue([1, 2, 3].map((n) => job(`push:${n}`, "wms")));
  worker.start();
  await seen.until("completed", 3);
  const claimsBefore = view.claims.length;
  while (view.claims.length < claimsBefore + 3) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(active, 2, "two odoo jobs run, the other three wait");
  assert.deepEqual(view.claims.at(-1)?.excludeTargets, ["odoo"], "a full target is left out of the claim");
  while (seen.count("completed") < 8) {
    gates.shift()?.resolve();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(most, 2);
  assert.equal((await store.jobs.list({ status: "done" })).length, 8);
});

test("a handler past its timeout is aborted and the attempt fails with CDK_JOB_TIMEOUT", async (t) => {
  let abortedWith: unknown;
  const { store, worker, seen } = await setup(t, {
    handlers: {
      wms: (_job, ctx) => {
        ctx.signal.addEventListener("abort", () => {
          abortedWith = ctx.signal.reason;
        });
        return new Promise(() => {}); // ignores its signal: the worker must not wait for it
      },
    },
    targets: { wms: { timeoutMs: 15 } },
  });
  const [enqueued] = await store.jobs.enqueue([job("push:1")]);
  worker.start();
  await seen.until("failed");
  assert.equal((abortedWith as CrossdockError).code, "CDK_JOB_TIMEOUT");
  const stored = await store.jobs.get(enqueued!.id);
  assert.equal(stored?.status, "ready");
  assert.equal(stored?.errors[0]?.code, "CDK_JOB_TIMEOUT");
  while (worker.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 1));
  assert.equal(worker.running, true, "the worker goes on after a hung handler");
});

test("the lease is extended while a long handler runs, so no other worker takes the job", async (t) => {
  const gate = Promise.withResolvers<void>();
  const { store, clock, worker, seen, view } = await setup(t, {
    handlers: { wms: () => gate.promise },
    leaseMs: 60, // extended every 20 ms of real time; expiry is judged on the manual clock
    concurrency: 1, // full while the job runs, so only w2 could take it
  });
  const [enqueued] = await store.jobs.enqueue([job("push:1")]);
  worker.start();
  const claimedAt = clock.now();
  while ((await store.jobs.get(enqueued!.id))?.status !== "running") {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  clock.advance(50);
  const expiry = await view.nextExtension();
  assert.equal(expiry, claimedAt + 110);
  clock.advance(30); // past the first lease's end, inside the extended one
  const stolen = await store.jobs.claim({ workerId: "w2", leaseMs: 60, limit: 1 });
  assert.deepEqual(stolen, []);
  gate.resolve();
  await seen.until("completed");
  assert.equal((await store.jobs.get(enqueued!.id))?.status, "done");
});

test("a job whose lease moved to another worker is dropped, not failed", async (t) => {
  const gate = Promise.withResolvers<void>();
  const { store, clock, worker, seen } = await setup(t, {
    handlers: { wms: () => gate.promise },
    concurrency: 1, // full while the job runs: it does not re-claim its own expired job
  });
  const [enqueued] = await store.jobs.enqueue([job("push:1")]);
  worker.start();
  while ((await store.jobs.get(enqueued!.id))?.status !== "running") {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  clock.advance(30_001); // the lease (30 s) ran out on the store's clock
  const [taken] = await store.jobs.claim({ workerId: "w2", leaseMs: 30_000, limit: 1 });
  assert.equal(taken?.attempt, 2);
  gate.resolve();
  await seen.until("dropped");
  assert.deepEqual(
    seen.seen.map((s) => s.kind === "dropped" && s.reason),
    ["lease-lost"],
  );
  const stored = await store.jobs.get(enqueued!.id);
  assert.equal(stored?.status, "running");
  assert.equal(stored?.leaseOwner, "w2");
  assert.deepEqual(stored?.errors, [], "the other worker's attempt is untouched");
});

test("a graceful stop stops claiming and waits for the jobs in flight", async (t) => {
  const gate = Promise.withResolvers<void>();
  const { store, worker, seen } = await setup(t, { handlers: { wms: () => gate.promise } });
  const [first] = await store.jobs.enqueue([job("push:1")]);
  worker.start();
  while ((await store.jobs.get(first!.id))?.status !== "running") {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  let stopped = false;
  const stopping = worker.stop({ graceful: true, timeoutMs: 5_000 }).then((r) => {
    stopped = true;
    return r;
  });
  assert.equal(worker.running, false);
  const [second] = await store.jobs.enqueue([job("push:2")]);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(stopped, false, "still waiting for the job in flight");
  gate.resolve();
  assert.deepEqual(await stopping, { abandoned: 0 });
  assert.equal(seen.count("completed"), 1);
  assert.equal((await store.jobs.get(first!.id))?.status, "done");
  assert.equal((await store.jobs.get(second!.id))?.status, "ready", "nothing is claimed after stop");
});

test("a stop past its deadline aborts what is left and leaves it to its lease", async (t) => {
  let aborted = false;
  const { store, worker } = await setup(t, {
    handlers: {
      wms: (_job, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener("abort", () => {
            aborted = true;
            reject(ctx.signal.reason);
          });
        }),
    },
  });
  const [enqueued] = await store.jobs.enqueue([job("push:1")]);
  worker.start();
  while ((await store.jobs.get(enqueued!.id))?.status !== "running") {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  assert.deepEqual(await worker.stop({ graceful: true, timeoutMs: 10 }), { abandoned: 1 });
  assert.equal(aborted, true);
  const stored = await store.jobs.get(enqueued!.id);
  assert.equal(stored?.status, "running", "no outcome is written for an abandoned job");
  assert.deepEqual(stored?.errors, []);
});

test("a handler's commit is written with the completion, and a throwing commit writes neither", async (t) => {
  const { store, worker, seen } = await setup(t, {
    handlers: {
      wms: async (job) => ({
        result: { pushed: true },
        async commit(tx) {
          await tx.enqueueJobs([
            {
              target: "mail",
              kind: "mail.send",
              idempotencyKey: `mail:${job.idempotencyKey}`,
              payload: null,
              runAt: Date.UTC(2030, 0, 1), // not due: this worker has no mail handler
            },
          ]);
          await tx.appendEvents([
            { stream: `push:${job.idempotencyKey}`, type: "stock.published", data: null },
          ]);
          if (job.idempotencyKey === "push:bad")
            throw new CrossdockError("CDK_TARGET_REJECTED", "rule refused");
        },
      }),
    },
  });
  const [good, bad] = await store.jobs.enqueue([job("push:good"), job("push:bad")]);
  worker.start();
  await seen.until("completed");
  await seen.until("failed");
  assert.equal((await store.jobs.get(good!.id))?.status, "done");
  assert.equal((await store.jobs.getByIdempotencyKey("mail:push:good"))?.status, "ready");
  assert.equal((await store.events.readStream("push:push:good")).length, 1);
  assert.equal(
    (await store.jobs.get(bad!.id))?.status,
    "exception",
    "not completed; failed with the commit's error",
  );
  assert.equal(await store.jobs.getByIdempotencyKey("mail:push:bad"), undefined);
  assert.deepEqual(await store.events.readStream("push:push:bad"), []);
});

test("wake() claims at once instead of finishing the idle wait", async (t) => {
  const { store, worker, seen, view } = await setup(t, {
    handlers: { wms: async () => {} },
    pollIntervalMs: 60_000,
  });
  worker.start();
  while (view.claims.length < 1) await new Promise((resolve) => setTimeout(resolve, 2));
  await store.jobs.enqueue([job("push:1")]);
  worker.wake();
  await seen.until("completed");
  assert.equal(seen.count("completed"), 1);
});
