import assert from "node:assert/strict";
import { test } from "node:test";
import type { CrossdockError } from "../core/errors.ts";
import { createWorker } from "../delivery/worker.ts";
import { WORKFLOW_TARGET } from "../store/store.ts";
import { defineWorkflow, StepResult } from "./workflow.ts";
import { openWorkflowFixture, outcomes } from "./workflow-test-fixture.ts";

const HOUR = 3_600_000;

/** A tiny order-to-cash: create the order, wait for its shipment (a day at most), invoice it. */
export const ORDER_TO_CASH = "order-to-cash";
export const CREATE_SALE_ORDER = "create-sale-order";
export const SHIPMENT = "shipment";
export const INVOICE = "invoice";
export const SHIPMENT_DISPATCHED = "shipment.dispatched";

const orderToCash = defineWorkflow({
  type: ORDER_TO_CASH,
  async run(ctx, input: { ref: string }) {
    const so = await ctx.step(CREATE_SALE_ORDER, async () => new StepResult({ id: 42 }, { id: 42 }));
    try {
      const shipped = await ctx.waitForEvent(SHIPMENT, {
        type: SHIPMENT_DISPATCHED,
        stream: `order:${input.ref}`,
        timeoutMs: 24 * HOUR,
      });
      const invoice = await ctx.step(INVOICE, async () => ({ output: { for: shipped.data } }));
      return { so: so.id, invoice };
    } catch (error) {
      if ((error as CrossdockError).code !== "CDK_WORKFLOW_WAIT_TIMEOUT") throw error;
      return { so: so.id, late: true };
    }
  },
});

test("a run waits for an event and resumes when a matching event is appended", async (t) => {
  const f = await openWorkflowFixture(t, [orderToCash]);
  const { run } = await f.engine.start(f.store, ORDER_TO_CASH, "SO1", { ref: "SO1" });
  assert.deepEqual(outcomes(await f.drain()), ["completed"]);
  assert.equal((await f.store.workflows.get(run.id))?.status, "waiting");
  const wait = await f.store.workflows.getWait(run.id, SHIPMENT);
  assert.equal(wait?.status, "open");
  assert.equal(wait?.deadline, f.clock.now() + 24 * HOUR);

  await f.store.events.append([
    { stream: "order:SO2", type: SHIPMENT_DISPATCHED, data: { tracking: "other" } },
    { stream: "order:SO1", type: "order.confirmed", data: null },
  ]);
  assert.deepEqual(await f.drain(), [], "other streams and types do not resume it");
  await f.store.events.append([
    { stream: "order:SO1", type: SHIPMENT_DISPATCHED, data: { tracking: "1Z9" } },
  ]);
  assert.deepEqual(outcomes(await f.drain()), ["completed"]);
  const done = await f.store.workflows.get(run.id);
  assert.equal(done?.status, "completed");
  assert.deepEqual(done?.output, { so: 42, invoice: { for: { tracking: "1Z9" } } });

  f.clock.advance(24 * HOUR);
  assert.deepEqual(await f.drain(), [], "the deadline job was cancelled with the wait");
});

test("past the deadline the wait times out and the workflow takes its other path", async (t) => {
  const f = await openWorkflowFixture(t, [orderToCash]);
  const { run } = await f.engine.start(f.store, ORDER_TO_CASH, "SO1", { ref: "SO1" });
  await f.drain();
  f.clock.advance(24 * HOUR - 1);
  assert.deepEqual(await f.drain(), [], "not before the deadline");
  f.clock.advance(1);
  assert.deepEqual(outcomes(await f.drain()), ["completed"]);
  assert.equal((await f.store.workflows.getWait(run.id, SHIPMENT))?.status, "timed_out");
  assert.deepEqual((await f.store.workflows.get(run.id))?.output, { so: 42, late: true });
  await f.store.events.append([{ stream: "order:SO1", type: SHIPMENT_DISPATCHED, data: null }]);
  assert.deepEqual(await f.drain(), [], "a late event changes nothing");
});

export const CREDIT_CHECK = "credit-check";
export const CREDIT_APPROVAL = "credit-approval";

const creditCheck = defineWorkflow({
  type: CREDIT_CHECK,
  async run(ctx, input: { total: number }) {
    const hold = await ctx.step("hold-order", async () => new StepResult("held", "SO1"), {
      compensate: async () => {},
    });
    const decision = await ctx.waitForApproval(CREDIT_APPROVAL, {
      title: "Over credit limit",
      details: { total: input.total, limit: 1_000 },
      timeoutMs: 8 * HOUR,
    });
    return { hold, ...decision, comment: decision.comment ?? null };
  },
});

async function parkedOnApproval(t: Parameters<typeof openWorkflowFixture>[0]) {
  const f = await openWorkflowFixture(t, [creditCheck]);
  const { run } = await f.engine.start(f.store, CREDIT_CHECK, "SO1", { total: 1_500 });
  assert.deepEqual(outcomes(await f.drain()), ["completed"]);
  const [approval] = await f.store.workflows.listApprovals({ runId: run.id });
  assert.equal(approval?.status, "pending");
  assert.equal(approval?.title, "Over credit limit");
  assert.deepEqual(approval?.details, { total: 1_500, limit: 1_000 });
  assert.equal(approval?.deadline, f.clock.now() + 8 * HOUR);
  assert.equal((await f.store.workflows.get(run.id))?.status, "waiting");
  return { f, run, approval: approval! };
}

test("an approval resumes the run with the decision", async (t) => {
  const { f, run, approval } = await parkedOnApproval(t);
  await f.store.workflows.decideApproval(approval.id, {
    approved: true,
    by: "ana",
    comment: "known customer",
  });
  assert.deepEqual(outcomes(await f.drain()), ["completed"]);
  const done = await f.store.workflows.get(run.id);
  assert.equal(done?.status, "completed");
  assert.deepEqual(done?.output, { hold: "held", approved: true, by: "ana", comment: "known customer" });
});

test("a rejection is an answer, not an error: the workflow decides what it means", async (t) => {
  const { f, run, approval } = await parkedOnApproval(t);
  await f.store.workflows.decideApproval(approval.id, { approved: false, by: "bo" });
  assert.deepEqual(outcomes(await f.drain()), ["completed"]);
  assert.deepEqual((await f.store.workflows.get(run.id))?.output, {
    hold: "held",
    approved: false,
    by: "bo",
    comment: null,
  });
});

test("no decision by the deadline times out; a decision made later does not change the outcome", async (t) => {
  const { f, run, approval } = await parkedOnApproval(t);
  f.clock.advance(8 * HOUR);
  assert.deepEqual(outcomes(await f.drain()), ["completed"]);
  const failed = await f.store.workflows.get(run.id);
  assert.equal(failed?.status, "compensated", "the uncaught timeout failed the workflow");
  assert.equal(failed?.error?.code, "CDK_WORKFLOW_WAIT_TIMEOUT");
  assert.equal(
    (await f.store.workflows.steps(run.id)).find((s) => s.stepId === "hold-order")?.status,
    "compensated",
  );

  await f.store.workflows.decideApproval(approval.id, { approved: true, by: "late" });
  assert.deepEqual(outcomes(await f.drain()), ["completed"], "the resume finds the run finished");
  assert.equal((await f.store.workflows.get(run.id))?.status, "compensated");
});

test("the worker runs workflows end to end: start, wait, event, completion", async (t) => {
  const f = await openWorkflowFixture(t, [orderToCash]);
  const worker = createWorker({
    store: f.store,
    clock: f.clock,
    workerId: "w1",
    handlers: { [WORKFLOW_TARGET]: f.engine.handler },
    concurrency: 2,
    leaseMs: 30_000,
    pollIntervalMs: 2,
  });
  worker.start();
  t.after(() => worker.stop({ graceful: false }));
  const { run } = await f.engine.start(f.store, ORDER_TO_CASH, "SO7", { ref: "SO7" });
  const settled = async (status: string) => {
    while ((await f.store.workflows.get(run.id))?.status !== status) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };
  await settled("waiting");
  await f.store.events.append([{ stream: "order:SO7", type: SHIPMENT_DISPATCHED, data: { tracking: "7" } }]);
  worker.wake();
  await settled("completed");
  assert.deepEqual((await f.store.workflows.get(run.id))?.output, {
    so: 42,
    invoice: { for: { tracking: "7" } },
  });
});

test("a wait with since: run-start sees an answer that came back before the run reached it", async (t) => {
  // A fast partner: the step that asks for the shipment gets it appended before the wait is registered.
  let store: { events: { append: (e: unknown[]) => Promise<unknown> } } | undefined;
  const fast = defineWorkflow({
    type: "fast-partner",
    async run(ctx, input: { ref: string }) {
      await ctx.step("release", async () => {
        await store?.events.append([
          { stream: `order:${input.ref}`, type: SHIPMENT_DISPATCHED, data: { tracking: "FAST" } },
        ]);
        return { output: { released: true } };
      });
      const shipped = await ctx.waitForEvent(SHIPMENT, {
        type: SHIPMENT_DISPATCHED,
        stream: `order:${input.ref}`,
        timeoutMs: HOUR,
        since: "run-start",
      });
      return { tracking: (shipped.data as { tracking: string }).tracking };
    },
  });
  const f = await openWorkflowFixture(t, [fast]);
  store = f.store as unknown as typeof store;
  const { run } = await f.engine.start(f.store, "fast-partner", "SO9", { ref: "SO9" });
  await f.drain();
  await f.drain();
  const done = await f.store.workflows.get(run.id);
  assert.equal(done?.status, "completed");
  assert.deepEqual(done?.output, { tracking: "FAST" });
});

/** Ships or is cancelled, whichever comes first: a wait on two event types. */
const shipOrCancel = defineWorkflow({
  type: "ship-or-cancel",
  async run(ctx, input: { ref: string }) {
    try {
      const first = await ctx.waitForEvent("shipment-or-cancel", {
        type: [SHIPMENT_DISPATCHED, "order.cancelled"],
        stream: `order:${input.ref}`,
        timeoutMs: HOUR,
        since: "run-start",
      });
      const done = await ctx.step("act", async () => ({ output: first.type }));
      return { took: done };
    } catch (error) {
      if ((error as CrossdockError).code !== "CDK_WORKFLOW_WAIT_TIMEOUT") throw error;
      return { took: "timeout" };
    }
  },
});

test("a wait on several types takes the first that comes and keeps that choice on replay", async (t) => {
  const f = await openWorkflowFixture(t, [shipOrCancel]);
  const { run } = await f.engine.start(f.store, "ship-or-cancel", "SO1", { ref: "SO1" });
  await f.drain();
  assert.equal((await f.store.workflows.getWait(run.id, "shipment-or-cancel"))?.status, "open");
  assert.equal(
    (await f.store.workflows.getWait(run.id, "shipment-or-cancel|order.cancelled"))?.status,
    "open",
  );
  assert.equal(
    (await f.store.workflows.getWait(run.id, "shipment-or-cancel|order.cancelled"))?.deadline,
    undefined,
    "only the first type's wait carries the deadline",
  );
  await f.store.events.append([{ stream: "order:SO1", type: "order.cancelled", data: { why: "customer" } }]);
  assert.deepEqual(outcomes(await f.drain()), ["completed"]);
  assert.deepEqual((await f.store.workflows.get(run.id))?.output, { took: "order.cancelled" });
  assert.equal(
    (await f.store.workflows.getWait(run.id, "shipment-or-cancel"))?.status,
    "timed_out",
    "the other type's wait is closed with the choice",
  );
  const queued = (await f.store.status()).queue.reduce((n, q) => n + q.ready + q.waiting, 0);
  assert.equal(queued, 0, "and its deadline job with it: nothing is left to fire later");
  await f.store.events.append([{ stream: "order:SO1", type: SHIPMENT_DISPATCHED, data: null }]);
  f.clock.advance(HOUR);
  await f.drain();
  assert.deepEqual((await f.store.workflows.get(run.id))?.output, { took: "order.cancelled" });
});

test("a wait on several types sees an answer that came before it was reached, and times out", async (t) => {
  const f = await openWorkflowFixture(t, [shipOrCancel]);
  const early = await f.engine.start(f.store, "ship-or-cancel", "SO1", { ref: "SO1" });
  await f.store.events.append([{ stream: "order:SO1", type: SHIPMENT_DISPATCHED, data: null }]);
  await f.drain();
  assert.deepEqual((await f.store.workflows.get(early.run.id))?.output, { took: SHIPMENT_DISPATCHED });

  const late = await f.engine.start(f.store, "ship-or-cancel", "SO2", { ref: "SO2" });
  await f.drain();
  f.clock.advance(HOUR);
  await f.drain();
  assert.deepEqual((await f.store.workflows.get(late.run.id))?.output, { took: "timeout" });
  await f.store.events.append([{ stream: "order:SO2", type: "order.cancelled", data: null }]);
  await f.drain();
  assert.deepEqual((await f.store.workflows.get(late.run.id))?.output, { took: "timeout" }, "recorded");
});
