import assert from "node:assert/strict";
import { test } from "node:test";
import type { CrossdockError } from "../core/errors.ts";
import type { JobHandler } from "./job-handler.ts";
import { job, setup, tick } from "./worker-test-fixture.ts";

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
  while (view.claims.length < claimsBefore + 3) await tick(5);
  assert.equal(active, 2, "two odoo jobs run, the other three wait");
  assert.deepEqual(view.claims.at(-1)?.excludeTargets, ["odoo"], "a full target is left out of the claim");
  while (seen.count("completed") < 8) {
    gates.shift()?.resolve();
    await tick(5);
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
  while (worker.inFlight > 0) await tick(1);
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
    await tick(2);
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
    await tick(2);
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
    await tick(2);
  }
  let stopped = false;
  const stopping = worker.stop({ graceful: true, timeoutMs: 5_000 }).then((r) => {
    stopped = true;
    return r;
  });
  assert.equal(worker.running, false);
  const [second] = await store.jobs.enqueue([job("push:2")]);
  await tick(20);
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
    await tick(2);
  }
  assert.deepEqual(await worker.stop({ graceful: true, timeoutMs: 10 }), { abandoned: 1 });
  assert.equal(aborted, true);
  const stored = await store.jobs.get(enqueued!.id);
  assert.equal(stored?.status, "running", "no outcome is written for an abandoned job");
  assert.deepEqual(stored?.errors, []);
});
