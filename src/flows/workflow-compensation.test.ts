import assert from "node:assert/strict";
import { test } from "node:test";
import { CrossdockError } from "../core/errors.ts";
import { defineWorkflow, StepResult } from "./workflow.ts";
import { openWorkflowFixture, outcomes, RETRY_DELAY_MS } from "./workflow-test-fixture.ts";

export const BOOK_ORDER = "book-order";
const STEPS = ["reserve-stock", "create-sale-order", "charge-card"] as const;
export const CONFIRM_ORDER = "confirm-order";

/**
 * Three steps that each leave an effect to undo, then a fourth that fails with `failure`. `undo` may
 * throw to simulate a compensation that fails; every attempt is logged in `log`.
 */
function bookOrder(options: { failure: () => Error; undo?: (stepId: string) => void }) {
  const log: string[] = [];
  const workflow = defineWorkflow({
    type: BOOK_ORDER,
    async run(ctx, input: { ref: string }) {
      for (const stepId of STEPS) {
        await ctx.step(stepId, async () => new StepResult({ done: stepId }, { ref: input.ref, stepId }), {
          async compensate(compensation, cc) {
            log.push(`undo ${compensation.stepId} ${cc.idempotencyKey}`);
            options.undo?.(compensation.stepId);
          },
        });
      }
      await ctx.step(CONFIRM_ORDER, async () => {
        throw options.failure();
      });
      return "confirmed";
    },
  });
  return { workflow, log };
}

const rejected = () => new CrossdockError("CDK_TARGET_REJECTED", "the carrier refused the address");

test("a business failure undoes the completed steps in reverse order and the run ends compensated", async (t) => {
  const { workflow, log } = bookOrder({ failure: rejected });
  const f = await openWorkflowFixture(t, [workflow]);
  const { run } = await f.engine.start(f.store, BOOK_ORDER, "SO1", { ref: "SO1" });
  assert.deepEqual(outcomes(await f.drain()), ["completed"], "the job completes: the failure is the run's");
  assert.deepEqual(log, [
    "undo charge-card book-order:SO1:charge-card:compensate",
    "undo create-sale-order book-order:SO1:create-sale-order:compensate",
    "undo reserve-stock book-order:SO1:reserve-stock:compensate",
  ]);
  const stored = await f.store.workflows.get(run.id);
  assert.equal(stored?.status, "compensated");
  assert.equal(stored?.error?.code, "CDK_WORKFLOW_STEP_FAILED");
  assert.deepEqual(stored?.error?.details?.error, {
    code: "CDK_TARGET_REJECTED",
    message: "the carrier refused the address",
    failureClass: "business",
  });
  assert.deepEqual(
    (await f.store.workflows.steps(run.id)).map((s) => [s.stepId, s.status]),
    [
      ["reserve-stock", "compensated"],
      ["create-sale-order", "compensated"],
      ["charge-card", "compensated"],
      [CONFIRM_ORDER, "failed"],
    ],
  );
  assert.deepEqual(await f.store.exceptions.list(), []);
});

test("an interrupted compensation resumes where it stopped and undoes each step only once", async (t) => {
  let flaky = 1;
  const { workflow, log } = bookOrder({
    failure: rejected,
    undo: (stepId) => {
      if (stepId === "create-sale-order" && flaky-- > 0) {
        throw new CrossdockError("CDK_TARGET_UNAVAILABLE", "odoo answered 502");
      }
    },
  });
  const f = await openWorkflowFixture(t, [workflow]);
  const { run } = await f.engine.start(f.store, BOOK_ORDER, "SO1", { ref: "SO1" });
  assert.deepEqual(outcomes(await f.drain()), ["failed:retry:CDK_TARGET_UNAVAILABLE"]);
  const midway = await f.store.workflows.get(run.id);
  assert.equal(midway?.status, "running");
  assert.equal(midway?.error?.code, "CDK_WORKFLOW_STEP_FAILED", "the failure is recorded before undoing");
  f.clock.advance(RETRY_DELAY_MS);
  assert.deepEqual(outcomes(await f.drain()), ["completed"]);
  assert.deepEqual(
    log.map((line) => line.split(" ")[1]),
    ["charge-card", "create-sale-order", "create-sale-order", "reserve-stock"],
    "charge-card is not undone twice; create-sale-order is retried",
  );
  assert.equal((await f.store.workflows.get(run.id))?.status, "compensated");
});

test("a compensation that fails for good leaves the run failed and asks a person; a retry finishes it", async (t) => {
  let broken = true;
  const { workflow, log } = bookOrder({
    failure: rejected,
    undo: (stepId) => {
      if (stepId === "create-sale-order" && broken) {
        throw new CrossdockError("CDK_TARGET_REJECTED", "sale order is already delivered");
      }
    },
  });
  const f = await openWorkflowFixture(t, [workflow]);
  const { run } = await f.engine.start(f.store, BOOK_ORDER, "SO1", { ref: "SO1" });
  assert.deepEqual(outcomes(await f.drain()), ["failed:exception:CDK_WORKFLOW_STEP_FAILED"]);
  const failed = await f.store.workflows.get(run.id);
  assert.equal(failed?.status, "failed");
  assert.equal(failed?.error?.code, "CDK_WORKFLOW_STEP_FAILED", "the workflow's own failure is kept");
  const compensation = failed?.error?.details?.compensation as { stepId: string; error: { message: string } };
  assert.equal(compensation.stepId, "create-sale-order");
  assert.equal(compensation.error.message, "sale order is already delivered", "and so is the compensation's");
  const steps = await f.store.workflows.steps(run.id);
  assert.equal(steps.find((s) => s.stepId === "create-sale-order")?.error?.code, "CDK_TARGET_REJECTED");
  assert.equal(steps.find((s) => s.stepId === "reserve-stock")?.status, "completed", "not undone yet");

  const [record] = await f.store.exceptions.list({ status: "open" });
  assert.equal(record?.error.details?.stepId, "create-sale-order");
  broken = false;
  await f.store.exceptions.retry(record!.id, { by: "ops", reason: "cancelled the delivery by hand" });
  assert.deepEqual(outcomes(await f.drain()), ["completed"]);
  assert.deepEqual(
    log.map((line) => line.split(" ")[1]),
    ["charge-card", "create-sale-order", "create-sale-order", "reserve-stock"],
  );
  const done = await f.store.workflows.get(run.id);
  assert.equal(done?.status, "compensated");
  assert.equal(done?.error?.details?.compensation, undefined, "the resolved compensation error is dropped");
});

test("a transient failure on the execution's last attempt fails the workflow", async (t) => {
  const { workflow, log } = bookOrder({
    failure: () => new CrossdockError("CDK_TARGET_UNAVAILABLE", "carrier down"),
  });
  const f = await openWorkflowFixture(t, [workflow], { maximumAttempts: 2 });
  const { run } = await f.engine.start(f.store, BOOK_ORDER, "SO1", { ref: "SO1" });
  assert.deepEqual(outcomes(await f.drain()), ["failed:retry:CDK_TARGET_UNAVAILABLE"]);
  f.clock.advance(RETRY_DELAY_MS);
  assert.deepEqual(outcomes(await f.drain()), ["completed"]);
  assert.equal(log.length, 3);
  const stored = await f.store.workflows.get(run.id);
  assert.equal(stored?.status, "compensated");
  assert.deepEqual(stored?.error?.details?.error, {
    code: "CDK_TARGET_UNAVAILABLE",
    message: "carrier down",
    failureClass: "transient",
  });
});

test("a workflow may catch a step failure and take another path; nothing is undone", async (t) => {
  const workflow = defineWorkflow({
    type: "fallback",
    async run(ctx) {
      await ctx.step("reserve", async () => new StepResult("r1", "r1"), {
        compensate: async () => assert.fail("not compensated"),
      });
      try {
        await ctx.step("express", async () => {
          throw rejected();
        });
        return "express";
      } catch (error) {
        assert.equal((error as CrossdockError).code, "CDK_WORKFLOW_STEP_FAILED");
        return ctx.step("standard", async () => ({ output: "standard" }));
      }
    },
  });
  const f = await openWorkflowFixture(t, [workflow]);
  const { run } = await f.engine.start(f.store, "fallback", "F1", null);
  assert.deepEqual(outcomes(await f.drain()), ["completed"]);
  const stored = await f.store.workflows.get(run.id);
  assert.equal(stored?.status, "completed");
  assert.equal(stored?.output, "standard");
});

test("a parallel step that finishes after its sibling failed is still compensated", async (t) => {
  const undone: string[] = [];
  const workflow = defineWorkflow({
    type: "parallel",
    async run(ctx) {
      await Promise.all([
        ctx.step(
          "slow-reserve",
          async () => {
            await new Promise((resolve) => setTimeout(resolve, 10));
            return new StepResult("reserved", "R1");
          },
          { compensate: async (id) => void undone.push(id) },
        ),
        ctx.step("fast-fail", async () => {
          throw rejected();
        }),
      ]);
      return "never";
    },
  });
  const f = await openWorkflowFixture(t, [workflow]);
  const { run } = await f.engine.start(f.store, "parallel", "P1", null);
  assert.deepEqual(outcomes(await f.drain()), ["completed"]);
  assert.deepEqual(undone, ["R1"]);
  assert.equal((await f.store.workflows.get(run.id))?.status, "compensated");
});
