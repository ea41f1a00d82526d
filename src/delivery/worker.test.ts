import assert from "node:assert/strict";
import { test } from "node:test";
import { CrossdockError } from "../core/errors.ts";
import { job, setup, tick } from "./worker-test-fixture.ts";

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
  await tick(20);
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
  while (view.claims.length < 1) await tick(2);
  await store.jobs.enqueue([job("push:1")]);
  worker.wake();
  await seen.until("completed");
  assert.equal(seen.count("completed"), 1);
});

test("a prefix handler serves targets created at run time; an exact name and a longer prefix win", async (t) => {
  const served: string[] = [];
  const { store, worker, seen } = await setup(t, {
    handlers: {
      "webhook:*": async (j) => {
        served.push(`prefix:${j.target}`);
      },
      "webhook:vip-*": async (j) => {
        served.push(`longer:${j.target}`);
      },
      "webhook:exact": async (j) => {
        served.push(`exact:${j.target}`);
      },
    },
  });
  await store.jobs.enqueue([
    job("a", "webhook:sub_1"),
    job("b", "webhook:vip-2"),
    job("c", "webhook:exact"),
    job("d", "webhooks"),
  ]);
  worker.start();
  await seen.until("completed", 3);
  await seen.until("failed", 1);
  assert.deepEqual(served.sort(), ["exact:webhook:exact", "longer:webhook:vip-2", "prefix:webhook:sub_1"]);
  const failed = seen.seen.find((s) => s.kind === "failed");
  assert.equal(failed?.kind === "failed" && failed.error.code, "CDK_JOB_HANDLER_MISSING", "no prefix match");
});
