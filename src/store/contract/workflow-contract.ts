import assert from "node:assert/strict";
import { type Store, WORKFLOW_RUN_KIND, WORKFLOW_TARGET, type WorkflowRun } from "../store.ts";
import {
  claim,
  claimOne,
  rejectsWithCode,
  type StoreContractOptions,
  storeTest,
  TRACE,
} from "./contract-fixture.ts";

/** Starts a run and completes its start job, as the engine would before it waits for something. */
async function startAndPark(
  store: Store,
  park: (run: WorkflowRun, tx: Parameters<Parameters<Store["transaction"]>[0]>[0]) => Promise<unknown>,
): Promise<WorkflowRun> {
  const { run } = await store.transaction((tx) =>
    tx.startWorkflow({ type: "o2c", key: "SO1", input: { so: 1 } }),
  );
  const startJob = await claimOne(store, { targets: [WORKFLOW_TARGET] });
  await store.transaction(async (tx) => {
    await park(run, tx);
    await tx.updateWorkflow(run.id, { status: "waiting" });
    await tx.completeJob(startJob);
  });
  return run;
}

export function workflowContract(suite: StoreContractOptions): void {
  storeTest(
    suite,
    "startWorkflow is idempotent on (type, key) and enqueues the first run",
    async ({ store, clock }) => {
      const { run, created } = await store.transaction((tx) =>
        tx.startWorkflow({ type: "o2c", key: "SO1", input: { so: 1 }, trace: TRACE }),
      );
      assert.equal(created, true);
      assert.match(run.id, /^wf_/);
      assert.deepEqual(run, {
        id: run.id,
        type: "o2c",
        key: "SO1",
        status: "running",
        input: { so: 1 },
        output: undefined,
        error: undefined,
        trace: TRACE,
        createdAt: clock.now(),
        updatedAt: clock.now(),
      });
      const startJob = await store.jobs.getByIdempotencyKey(`workflow:${run.id}:start`);
      assert.equal(startJob?.target, WORKFLOW_TARGET);
      assert.equal(startJob?.kind, WORKFLOW_RUN_KIND);
      assert.equal(startJob?.orderingKey, run.id);
      assert.deepEqual(startJob?.payload, { runId: run.id });
      assert.equal(startJob?.status, "ready");
      const again = await store.transaction((tx) =>
        tx.startWorkflow({ type: "o2c", key: "SO1", input: { so: 2 } }),
      );
      assert.deepEqual(again, { run, created: false });
      const other = await store.transaction((tx) =>
        tx.startWorkflow({ type: "p2p", key: "SO1", input: null }),
      );
      assert.equal(other.created, true);
      assert.equal((await store.jobs.list({ target: WORKFLOW_TARGET })).length, 2);
      assert.deepEqual(await store.workflows.get(run.id), run);
      assert.deepEqual(await store.workflows.getByKey("o2c", "SO1"), run);
      assert.equal(await store.workflows.getByKey("o2c", "SO9"), undefined);
      assert.deepEqual(
        (await store.workflows.list({ type: "p2p" })).map((r) => r.id),
        [other.run.id],
      );
    },
  );

  storeTest(suite, "updateWorkflow patches status, output and error", async ({ store, clock }) => {
    const { run } = await store.transaction((tx) =>
      tx.startWorkflow({ type: "o2c", key: "SO1", input: null }),
    );
    clock.advance(10);
    const error = { code: "CDK_WORKFLOW_STEP_FAILED", message: "x", failureClass: "business" as const };
    await store.transaction((tx) => tx.updateWorkflow(run.id, { status: "failed", error }));
    let stored = await store.workflows.get(run.id);
    assert.equal(stored?.status, "failed");
    assert.deepEqual(stored?.error, error);
    assert.equal(stored?.updatedAt, clock.now());
    await store.transaction((tx) =>
      tx.updateWorkflow(run.id, { status: "completed", output: { ok: 1 }, error: null }),
    );
    stored = await store.workflows.get(run.id);
    assert.equal(stored?.status, "completed");
    assert.deepEqual(stored?.output, { ok: 1 });
    assert.equal(stored?.error, undefined);
    assert.deepEqual(
      (await store.workflows.list({ status: "completed" })).map((r) => r.id),
      [run.id],
    );
    await rejectsWithCode(
      store.transaction((tx) => tx.updateWorkflow("wf_missing", { status: "failed" })),
      "CDK_WORKFLOW_NOT_FOUND",
    );
  });

  storeTest(suite, "saveStep upserts and keeps the first completion order", async ({ store, clock }) => {
    const { run } = await store.transaction((tx) =>
      tx.startWorkflow({ type: "o2c", key: "SO1", input: null }),
    );
    const base = { runId: run.id, output: undefined, compensationInput: undefined, error: undefined };
    const a = await store.transaction((tx) =>
      tx.saveStep({
        ...base,
        stepId: "create-sale-order",
        status: "completed",
        output: { id: 7 },
        compensationInput: { id: 7 },
      }),
    );
    assert.deepEqual(a, {
      runId: run.id,
      stepId: "create-sale-order",
      status: "completed",
      output: { id: 7 },
      compensationInput: { id: 7 },
      error: undefined,
      seq: 1,
      finishedAt: clock.now(),
    });
    await store.transaction((tx) => tx.saveStep({ ...base, stepId: "reserve-stock", status: "completed" }));
    clock.advance(5);
    const compensated = await store.transaction((tx) =>
      tx.saveStep({
        ...base,
        stepId: "create-sale-order",
        status: "compensated",
        compensationInput: { id: 7 },
      }),
    );
    assert.equal(compensated.seq, 1);
    assert.equal(compensated.finishedAt, clock.now());
    const steps = await store.workflows.steps(run.id);
    assert.deepEqual(
      steps.map((s) => [s.stepId, s.seq, s.status]),
      [
        ["create-sale-order", 1, "compensated"],
        ["reserve-stock", 2, "completed"],
      ],
    );
  });

  storeTest(
    suite,
    "an event wait is resolved by the next matching event, which resumes the run",
    async ({ store }) => {
      const run = await startAndPark(store, (r, tx) =>
        tx.addEventWait({ runId: r.id, waitId: "paid", eventType: "payment.received", stream: "order:SO1" }),
      );
      const again = await store.transaction((tx) =>
        tx.addEventWait({
          runId: run.id,
          waitId: "paid",
          eventType: "payment.received",
          stream: "order:SO1",
        }),
      );
      assert.deepEqual(again, {
        runId: run.id,
        waitId: "paid",
        eventType: "payment.received",
        stream: "order:SO1",
        deadline: undefined,
        status: "open",
        event: undefined,
      });
      await store.events.append([
        { stream: "order:SO2", type: "payment.received", data: null },
        { stream: "order:SO1", type: "order.shipped", data: null },
      ]);
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.appendEvents([
            { stream: "order:SO1", type: "payment.received", data: { rolledBack: true } },
          ]);
          throw new Error("rollback");
        }),
      );
      assert.equal((await store.workflows.getWait(run.id, "paid"))?.status, "open");
      assert.deepEqual(await claim(store), []);
      const [paid] = await store.events.append([
        { stream: "order:SO1", type: "payment.received", data: { eur: 5 } },
      ]);
      const wait = await store.workflows.getWait(run.id, "paid");
      assert.equal(wait?.status, "resolved");
      assert.deepEqual(wait?.event, paid);
      const resume = await claimOne(store);
      assert.equal(resume.idempotencyKey, `workflow:${run.id}:event:paid`);
      assert.equal(resume.target, WORKFLOW_TARGET);
      assert.equal(resume.kind, WORKFLOW_RUN_KIND);
      assert.equal(resume.orderingKey, run.id);
      assert.deepEqual(resume.payload, { runId: run.id });
      await store.events.append([{ stream: "order:SO1", type: "payment.received", data: null }]);
      assert.deepEqual((await store.workflows.getWait(run.id, "paid"))?.event, paid, "the first match wins");
      assert.equal(await store.workflows.getWait(run.id, "other"), undefined);
    },
  );

  storeTest(
    suite,
    "a wait with since is resolved at once by a matching event appended before it, the earliest one",
    async ({ store, clock }) => {
      const since = clock.now();
      const [before] = await store.events.append([
        { stream: "order:SO1", type: "shipment.dispatched", data: { n: 1 } },
      ]);
      await store.events.append([{ stream: "order:SO1", type: "shipment.dispatched", data: { n: 2 } }]);
      const run = await startAndPark(store, async (r, tx) => {
        await tx.addEventWait({
          runId: r.id,
          waitId: "shipped",
          eventType: "shipment.dispatched",
          stream: "order:SO1",
          deadline: clock.now() + 60_000,
          since,
        });
        // The same earlier event does not count for a wait without `since`, nor one with a later `since`.
        await tx.addEventWait({
          runId: r.id,
          waitId: "plain",
          eventType: "shipment.dispatched",
          stream: "order:SO1",
        });
        await tx.addEventWait({
          runId: r.id,
          waitId: "later",
          eventType: "shipment.dispatched",
          stream: "order:SO1",
          since: since + 1_000_000,
        });
      });
      const wait = await store.workflows.getWait(run.id, "shipped");
      assert.equal(wait?.status, "resolved");
      assert.deepEqual(wait?.event, before);
      assert.equal((await store.workflows.getWait(run.id, "plain"))?.status, "open");

      assert.equal((await store.workflows.getWait(run.id, "later"))?.status, "open");
      const resume = await claimOne(store);
      assert.equal(resume.idempotencyKey, `workflow:${run.id}:event:shipped`);
      const timer = await store.jobs.getByIdempotencyKey(`workflow:${run.id}:timeout:shipped`);
      assert.notEqual(timer?.status, "ready", "the deadline job no longer waits to run");
      // Successive waits take successive events: after the first, the second.
      await store.transaction((tx) =>
        tx.addEventWait({
          runId: run.id,
          waitId: "second",
          eventType: "shipment.dispatched",
          stream: "order:SO1",
          since,
          afterPosition: before?.position as string,
        }),
      );
      const second = await store.workflows.getWait(run.id, "second");
      assert.equal((second?.event?.data as { n: number } | undefined)?.n, 2);
    },
  );

  storeTest(
    suite,
    "a wait closed before its deadline (the other branch answered) takes its deadline job with it",
    async ({ store, clock }) => {
      const deadline = clock.now() + 60_000;
      const run = await startAndPark(store, async (r, tx) => {
        await tx.addEventWait({
          runId: r.id,
          waitId: "shipped",
          eventType: "shipment.dispatched",
          stream: "order:SO1",
          deadline,
        });
      });
      await store.transaction((tx) => tx.timeoutEventWait(run.id, "shipped"));
      const timer = await store.jobs.getByIdempotencyKey(`workflow:${run.id}:timeout:shipped`);
      assert.equal(timer?.status, "done", "cancelled, not left to fire at the deadline");
      clock.set(deadline);
      assert.deepEqual(await claim(store), []);
      assert.equal((await store.workflows.getWait(run.id, "shipped"))?.status, "timed_out");
    },
  );

  storeTest(
    suite,
    "a wait with a deadline resumes the run then, unless an event comes first",
    async ({ store, clock }) => {
      const deadline = clock.now() + 60_000;
      const run = await startAndPark(store, async (r, tx) => {
        await tx.addEventWait({
          runId: r.id,
          waitId: "shipped",
          eventType: "shipment.dispatched",
          stream: "order:SO1",
          deadline,
        });
        await tx.addEventWait({
          runId: r.id,
          waitId: "paid",
          eventType: "payment.received",
          stream: "order:SO1",
          deadline,
        });
      });
      const timer = await store.jobs.getByIdempotencyKey(`workflow:${run.id}:timeout:shipped`);
      assert.equal(timer?.runAt, deadline);
      assert.equal(timer?.orderingKey, run.id);
      assert.deepEqual(await claim(store), []);
      await store.events.append([{ stream: "order:SO1", type: "payment.received", data: null }]);
      const resume = await claimOne(store);
      assert.equal(
        resume.idempotencyKey,
        `workflow:${run.id}:event:paid`,
        "resumes now, not at the deadline",
      );
      const paidTimer = await store.jobs.getByIdempotencyKey(`workflow:${run.id}:timeout:paid`);
      assert.equal(paidTimer?.status, "done", "the resolved wait's timer is cancelled");
      await store.jobs.complete(resume);
      clock.set(deadline);
      const timeout = await claimOne(store);
      assert.equal(timeout.idempotencyKey, `workflow:${run.id}:timeout:shipped`);
      await store.transaction(async (tx) => {
        await tx.timeoutEventWait(run.id, "shipped");
        await tx.completeJob(timeout);
      });
      assert.equal((await store.workflows.getWait(run.id, "shipped"))?.status, "timed_out");
      await store.events.append([{ stream: "order:SO1", type: "shipment.dispatched", data: null }]);
      assert.equal((await store.workflows.getWait(run.id, "shipped"))?.status, "timed_out");
      assert.deepEqual(await claim(store), [], "a timed-out wait does not resume the run again");
    },
  );

  storeTest(
    suite,
    "approvals are idempotent per step and a decision resumes the run",
    async ({ store, clock }) => {
      const deadline = clock.now() + 3_600_000;
      let approvalId = "";
      const run = await startAndPark(store, async (r, tx) => {
        const approval = await tx.createApproval({
          runId: r.id,
          stepId: "approve-credit",
          title: "Credit limit exceeded",
          details: { limit: 1_000, total: 1_500 },
          deadline,
        });
        approvalId = approval.id;
        assert.deepEqual(approval, {
          id: approval.id,
          runId: r.id,
          stepId: "approve-credit",
          title: "Credit limit exceeded",
          details: { limit: 1_000, total: 1_500 },
          status: "pending",
          deadline,
          decidedBy: undefined,
          comment: undefined,
          createdAt: clock.now(),
          decidedAt: undefined,
        });
      });
      assert.match(approvalId, /^apr_/);
      const again = await store.transaction((tx) =>
        tx.createApproval({ runId: run.id, stepId: "approve-credit", title: "other", details: null }),
      );
      assert.equal(again.id, approvalId);
      assert.equal(again.title, "Credit limit exceeded");
      const timer = await store.jobs.getByIdempotencyKey(`workflow:${run.id}:approval-timeout:${approvalId}`);
      assert.equal(timer?.runAt, deadline);
      assert.deepEqual(
        (await store.workflows.listApprovals({ status: "pending" })).map((a) => a.id),
        [approvalId],
      );
      clock.advance(1_000);
      const decided = await store.workflows.decideApproval(approvalId, {
        approved: true,
        by: "ana",
        comment: "ok",
      });
      assert.equal(decided.status, "approved");
      assert.equal(decided.decidedBy, "ana");
      assert.equal(decided.comment, "ok");
      assert.equal(decided.decidedAt, clock.now());
      assert.deepEqual(await store.workflows.getApproval(approvalId), decided);
      const resume = await claimOne(store);
      assert.equal(resume.idempotencyKey, `workflow:${run.id}:approval:${approvalId}`);
      assert.equal(resume.orderingKey, run.id);
      assert.deepEqual(resume.payload, { runId: run.id });
      assert.equal((await store.jobs.get(timer!.id))?.status, "done", "the deadline job is cancelled");
      await rejectsWithCode(
        store.workflows.decideApproval(approvalId, { approved: false, by: "bo" }),
        "CDK_APPROVAL_NOT_FOUND",
      );
      await rejectsWithCode(
        store.workflows.decideApproval("apr_missing", { approved: true, by: "bo" }),
        "CDK_APPROVAL_NOT_FOUND",
      );
      const rejected = await store.transaction((tx) =>
        tx.createApproval({ runId: run.id, stepId: "approve-discount", title: "Discount", details: null }),
      );
      const no = await store.workflows.decideApproval(rejected.id, { approved: false, by: "bo" });
      assert.equal(no.status, "rejected");
      assert.equal(no.comment, undefined);
      assert.deepEqual(
        (await store.workflows.listApprovals({ runId: run.id })).map((a) => [a.stepId, a.status]),
        [
          ["approve-credit", "approved"],
          ["approve-discount", "rejected"],
        ],
      );
      assert.deepEqual(await store.workflows.listApprovals({ status: "pending" }), []);
    },
  );
}
