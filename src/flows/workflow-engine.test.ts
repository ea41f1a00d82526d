import assert from "node:assert/strict";
import { test } from "node:test";
import { CrossdockError } from "../core/errors.ts";
import { WORKFLOW_TARGET } from "../store/store.ts";
import { defineWorkflow, StepResult } from "./workflow.ts";
import { openWorkflowFixture, outcomes, RETRY_DELAY_MS } from "./workflow-test-fixture.ts";

/** A tiny example workflow: three steps, the last one failing while `trouble` says so. */
export const SYNC_CUSTOMER = "sync-customer";
export const FETCH_CUSTOMER = "fetch-customer";
export const MAP_CUSTOMER = "map-customer";
export const PUSH_CUSTOMER = "push-customer";

function syncCustomer(trouble: { next: () => Error | undefined }) {
  const calls = { fetch: 0, map: 0, push: 0 };
  const workflow = defineWorkflow({
    type: SYNC_CUSTOMER,
    async run(ctx, input: { ref: string }) {
      const fetched = await ctx.step(FETCH_CUSTOMER, async (step) => {
        calls.fetch++;
        return { output: { ref: input.ref, key: step.idempotencyKey } };
      });
      const mapped = await ctx.step(MAP_CUSTOMER, async () => {
        calls.map++;
        return new StepResult({ name: `Customer ${fetched.ref}`, optional: undefined });
      });
      const pushed = await ctx.step(PUSH_CUSTOMER, async () => {
        calls.push++;
        const error = trouble.next();
        if (error) throw error;
        return new StepResult({ odooId: 42 }, { odooId: 42 });
      });
      return { fetched, mapped, pushed };
    },
  });
  return { workflow, calls };
}

const unavailable = () => new CrossdockError("CDK_TARGET_UNAVAILABLE", "odoo answered 503");

test("finished steps are checkpointed and not run again when a failed execution is retried", async (t) => {
  const failures = [unavailable()];
  const { workflow, calls } = syncCustomer({ next: () => failures.shift() });
  const f = await openWorkflowFixture(t, [workflow]);
  const { run } = await f.engine.start(f.store, SYNC_CUSTOMER, "C1", { ref: "C1" });

  assert.deepEqual(outcomes(await f.drain()), ["failed:retry:CDK_TARGET_UNAVAILABLE"]);
  assert.deepEqual(calls, { fetch: 1, map: 1, push: 1 });
  assert.deepEqual(
    (await f.store.workflows.steps(run.id)).map((s) => [s.stepId, s.status, s.seq]),
    [
      [FETCH_CUSTOMER, "completed", 1],
      [MAP_CUSTOMER, "completed", 2],
    ],
    "the step that failed transiently leaves no record",
  );
  assert.equal((await f.store.workflows.get(run.id))?.status, "running");

  f.clock.advance(RETRY_DELAY_MS);
  assert.deepEqual(outcomes(await f.drain()), ["completed"]);
  assert.deepEqual(calls, { fetch: 1, map: 1, push: 2 });
  const done = await f.store.workflows.get(run.id);
  assert.equal(done?.status, "completed");
  assert.deepEqual(done?.output, {
    fetched: { ref: "C1", key: "sync-customer:C1:fetch-customer" },
    mapped: { name: "Customer C1" },
    pushed: { odooId: 42 },
  });
  const [, , push] = await f.store.workflows.steps(run.id);
  assert.deepEqual(push?.compensationInput, { odooId: 42 }, "the compensation input is kept apart");
});

test("a process killed inside a step resumes after a restart without re-running earlier steps", async (t) => {
  const hang = new Promise<never>(() => {});
  let killed = false;
  const calls = { first: 0, second: 0 };
  const workflow = defineWorkflow({
    type: "two-steps",
    async run(ctx) {
      await ctx.step("first", async () => {
        calls.first++;
        return { output: 1 };
      });
      await ctx.step("second", async () => {
        calls.second++;
        if (!killed) {
          killed = true;
          await hang; // the process dies here
        }
        return { output: 2 };
      });
      return "done";
    },
  });
  const f = await openWorkflowFixture(t, [workflow]);
  const { run } = await f.engine.start(f.store, "two-steps", "K1", null);
  const [job] = await f.store.jobs.claim({
    workerId: "doomed",
    targets: [WORKFLOW_TARGET],
    limit: 1,
    leaseMs: 5_000,
  });
  void f.engine.handler(job!, {
    signal: new AbortController().signal,
    idempotencyKey: job!.idempotencyKey,
    attempt: job!.attempt,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  while (calls.second === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  await f.restart();
  f.clock.advance(5_001); // the dead process's lease runs out
  assert.deepEqual(outcomes(await f.drain()), ["completed"]);
  assert.deepEqual(calls, { first: 1, second: 2 });
  assert.equal((await f.store.workflows.get(run.id))?.output, "done");
});

test("starting is idempotent by key, inside a caller's transaction or on its own", async (t) => {
  const { workflow } = syncCustomer({ next: () => undefined });
  const f = await openWorkflowFixture(t, [workflow]);
  const first = await f.store.transaction(async (tx) => {
    await tx.appendEvents([{ stream: "customer:C1", type: "customer.changed", data: null }]);
    return f.engine.start(tx, SYNC_CUSTOMER, "C1", { ref: "C1" });
  });
  const again = await f.engine.start(f.store, SYNC_CUSTOMER, "C1", { ref: "other" });
  assert.equal(first.created, true);
  assert.equal(again.created, false);
  assert.equal(again.run.id, first.run.id);
  assert.deepEqual(again.run.input, { ref: "C1" });
  assert.deepEqual(outcomes(await f.drain()), ["completed"], "one execution for two starts");
  await assert.rejects(f.engine.start(f.store, "no-such-flow", "C1", null), {
    code: "CDK_WORKFLOW_UNKNOWN_TYPE",
  });
  assert.deepEqual(f.engine.types, [SYNC_CUSTOMER]);
});

test("reusing a step id is CDK_WORKFLOW_DUPLICATE_STEP: an exception record, the run left as it was", async (t) => {
  let secondRan = false;
  const workflow = defineWorkflow({
    type: "sloppy",
    async run(ctx) {
      await ctx.step("save", async () => ({ output: 1 }));
      try {
        await ctx.step("save", async () => {
          secondRan = true;
          return { output: 2 };
        });
      } catch {
        // Swallowing the error does not get the code past it.
      }
      return "finished anyway";
    },
  });
  const f = await openWorkflowFixture(t, [workflow]);
  const { run } = await f.engine.start(f.store, "sloppy", "S1", null);
  assert.deepEqual(outcomes(await f.drain()), ["failed:exception:CDK_WORKFLOW_DUPLICATE_STEP"]);
  assert.equal(secondRan, false);
  const [record] = await f.store.exceptions.list();
  assert.equal(record?.error.failureClass, "business", "one run's bug does not pause every workflow");
  assert.equal(record?.error.details?.failureClass, "config");
  assert.equal(record?.error.details?.runId, run.id);
  const stored = await f.store.workflows.get(run.id);
  assert.equal(stored?.status, "running");
  assert.equal(stored?.output, undefined);
});

test("a config error in a step waits for a fix as an exception; retrying it resumes the run", async (t) => {
  const failures: Error[] = [new CrossdockError("CDK_TARGET_AUTH", "odoo refused the API key")];
  const { workflow, calls } = syncCustomer({ next: () => failures.shift() });
  const f = await openWorkflowFixture(t, [workflow]);
  const { run } = await f.engine.start(f.store, SYNC_CUSTOMER, "C1", { ref: "C1" });
  assert.deepEqual(outcomes(await f.drain()), ["failed:exception:CDK_TARGET_AUTH"]);
  assert.equal((await f.store.workflows.get(run.id))?.status, "running", "nothing is compensated");
  assert.deepEqual(await f.store.targets.list(), [], "the workflow target is not paused");
  const [record] = await f.store.exceptions.list({ status: "open" });
  await f.store.exceptions.retry(record!.id, { by: "ops", reason: "key rotated" });
  assert.deepEqual(outcomes(await f.drain()), ["completed"]);
  assert.deepEqual(calls, { fetch: 1, map: 1, push: 2 });
});

test("a step output that is not JSON is refused before it is stored", async (t) => {
  const workflow = defineWorkflow({
    type: "dated",
    async run(ctx) {
      return ctx.step("stamp", async () => ({ output: { at: new Date(0) } }));
    },
  });
  const f = await openWorkflowFixture(t, [workflow]);
  const { run } = await f.engine.start(f.store, "dated", "D1", null);
  assert.deepEqual(outcomes(await f.drain()), ["failed:exception:CDK_WORKFLOW_STEP_FAILED"]);
  const [record] = await f.store.exceptions.list();
  assert.equal(record?.error.details?.at, "$.at");
  assert.deepEqual(await f.store.workflows.steps(run.id), []);
});

test("a run of a type this process does not know pauses the workflow target", async (t) => {
  const f = await openWorkflowFixture(t, []);
  await f.store.transaction((tx) =>
    tx.startWorkflow({ type: "from-a-newer-version", key: "X", input: null }),
  );
  assert.deepEqual(outcomes(await f.drain()), ["failed:paused:CDK_WORKFLOW_UNKNOWN_TYPE"]);
  const [state] = await f.store.targets.list();
  assert.equal(state?.target, WORKFLOW_TARGET);
  assert.equal(state?.paused, true);
});
