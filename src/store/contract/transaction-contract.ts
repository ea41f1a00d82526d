import assert from "node:assert/strict";
import type { StoreTx } from "../store.ts";
import {
  bytes,
  claimOne,
  job,
  rejectsWithCode,
  type StoreContractOptions,
  storeTest,
} from "./contract-fixture.ts";

export function transactionContract(suite: StoreContractOptions): void {
  storeTest(
    suite,
    "an outbox transaction commits state, events, jobs and completion together",
    async ({ store, clock }) => {
      await store.jobs.enqueue([job("incoming")]);
      const claimed = await claimOne(store);
      const result = await store.transaction(async (tx) => {
        const record = await tx.putRecord("order", "SO1", { status: "confirmed" });
        const events = await tx.appendEvents([
          { stream: "order:SO1", type: "order.confirmed", data: { id: 1 } },
        ]);
        const jobs = await tx.enqueueJobs([job("deliver:SO1", { target: "shop" })]);
        await tx.completeJob(claimed, { ok: true });
        return { record, events, jobs };
      });
      assert.deepEqual(result.record, {
        kind: "order",
        key: "SO1",
        data: { status: "confirmed" },
        version: 1,
        updatedAt: clock.now(),
      });
      assert.deepEqual(await store.events.readStream("order:SO1"), result.events);
      assert.equal((await store.jobs.get(result.jobs[0]!.id))?.status, "ready");
      assert.equal((await store.jobs.get(claimed.id))?.status, "done");
      const read = await store.transaction((tx) => tx.getRecord("order", "SO1"));
      assert.deepEqual(read, result.record);
    },
  );

  storeTest(
    suite,
    "an error in the transaction rolls back state, events, jobs and completion",
    async ({ store }) => {
      await store.jobs.enqueue([job("incoming")]);
      const claimed = await claimOne(store);
      await store.transaction((tx) => tx.putRecord("order", "SO1", { status: "received" }));
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.putRecord("order", "SO1", { status: "confirmed" });
          await tx.putRecord("order", "SO2", { status: "new" });
          await tx.appendEvents([{ stream: "order:SO1", type: "order.confirmed", data: null }]);
          await tx.enqueueJobs([job("deliver:SO1")]);
          await tx.completeJob(claimed);
          await tx.startWorkflow({ type: "o2c", key: "SO1", input: null });
          throw new Error("mapping failed");
        }),
        /mapping failed/,
      );
      const after = await store.transaction(async (tx) => [
        await tx.getRecord("order", "SO1"),
        await tx.getRecord("order", "SO2"),
      ]);
      assert.deepEqual(after[0]?.data, { status: "received" });
      assert.equal(after[0]?.version, 1);
      assert.equal(after[1], undefined);
      assert.deepEqual(await store.events.readStream("order:SO1"), []);
      assert.equal(await store.jobs.getByIdempotencyKey("deliver:SO1"), undefined);
      assert.equal(await store.workflows.getByKey("o2c", "SO1"), undefined);
      assert.equal((await store.jobs.get(claimed.id))?.status, "running");
      await store.jobs.complete(claimed);
      const [again] = await store.events.append([
        { stream: "order:SO1", type: "order.confirmed", data: null },
      ]);
      assert.equal(again?.streamSeq, 1, "a rolled-back event leaves no gap");
    },
  );

  storeTest(
    suite,
    "records are versioned and optimistic writes detect conflicts",
    async ({ store, clock }) => {
      const v1 = await store.transaction((tx) =>
        tx.putRecord("cursor", "odoo", { at: 1 }, { expectedVersion: 0 }),
      );
      assert.equal(v1.version, 1);
      await rejectsWithCode(
        store.transaction((tx) => tx.putRecord("cursor", "odoo", { at: 2 }, { expectedVersion: 0 })),
        "CDK_STORE_CONFLICT",
      );
      clock.advance(5);
      const v2 = await store.transaction((tx) =>
        tx.putRecord("cursor", "odoo", { at: 2 }, { expectedVersion: 1 }),
      );
      assert.deepEqual(v2, {
        kind: "cursor",
        key: "odoo",
        data: { at: 2 },
        version: 2,
        updatedAt: clock.now(),
      });
      await rejectsWithCode(
        store.transaction((tx) => tx.putRecord("cursor", "odoo", { at: 3 }, { expectedVersion: 1 })),
        "CDK_STORE_CONFLICT",
      );
      await rejectsWithCode(
        store.transaction((tx) => tx.putRecord("cursor", "new", { at: 3 }, { expectedVersion: 4 })),
        "CDK_STORE_CONFLICT",
      );
      const v3 = await store.transaction((tx) => tx.putRecord("cursor", "odoo", { at: 3 }));
      assert.equal(v3.version, 3);
      const other = await store.transaction((tx) => tx.getRecord("cursor", "new"));
      assert.equal(other, undefined);
    },
  );

  storeTest(suite, "a transaction handle cannot be used after its callback settles", async ({ store }) => {
    let leaked: StoreTx | undefined;
    await store.transaction(async (tx) => {
      leaked = tx;
    });
    await assert.rejects(leaked!.enqueueJobs([job("late")]));
    assert.equal(await store.jobs.getByIdempotencyKey("late"), undefined);
  });

  storeTest(suite, "migrate is idempotent and status reports the store", async ({ store, clock }) => {
    const again = await store.migrate();
    assert.equal(again.from, again.to);
    assert.deepEqual(again.applied, []);
    assert.equal(await store.ping(), true);
    await store.inbox.append({ source: "api", connection: "shop", dedupeKey: "1", body: bytes("{}") });
    await store.events.append([{ stream: "s", type: "t", data: null }]);
    await store.jobs.enqueue([job("a"), job("b", { target: "shop" })]);
    await store.jobs.fail(await claimOne(store, { targets: ["shop"] }), {
      code: "CDK_X",
      message: "no",
      failureClass: "business",
    });
    await store.targets.pause("carrier", { code: "CDK_Y", message: "auth", failureClass: "config" });
    await store.transaction((tx) => tx.startWorkflow({ type: "o2c", key: "SO1", input: null }));
    clock.advance(100);
    const status = await store.status();
    assert.equal(status.dialect, store.dialect);
    assert.ok(status.schemaVersion >= 1);
    assert.equal(status.schemaVersion, again.to);
    assert.equal(status.inboxMessages, 1);
    assert.equal(status.events, 1);
    assert.equal(status.openExceptions, 1);
    assert.deepEqual(status.pausedTargets, ["carrier"]);
    assert.deepEqual(status.workflows, [{ status: "running", count: 1 }]);
    const byTarget = Object.fromEntries(status.queue.map((d) => [d.target, d]));
    assert.equal(byTarget["crossdock.inbox"]?.ready, 1);
    assert.equal(byTarget.odoo?.ready, 1);
    assert.equal(byTarget.shop?.exception, 1);
    assert.equal(byTarget["crossdock.workflow"]?.ready, 1);
  });

  storeTest(suite, "close waits for pending appends, then every call is refused", async (fixture) => {
    const { store } = fixture;
    const pending = store.inbox.append({
      source: "api",
      connection: "shop",
      dedupeKey: "1",
      body: bytes("{}"),
    });
    await store.close();
    const receipt = await pending;
    assert.equal(receipt.duplicate, false);
    await store.close();
    await rejectsWithCode(
      store.inbox.append({ source: "api", connection: "shop", dedupeKey: "2", body: bytes("{}") }),
      "CDK_STORE_CLOSED",
    );
    await rejectsWithCode(store.jobs.enqueue([job("a")]), "CDK_STORE_CLOSED");
    await rejectsWithCode(store.jobs.claim({ workerId: "w", leaseMs: 1 }), "CDK_STORE_CLOSED");
    await rejectsWithCode(store.events.append([{ stream: "s", type: "t", data: null }]), "CDK_STORE_CLOSED");
    await rejectsWithCode(store.inbox.get(receipt.id), "CDK_STORE_CLOSED");
    await rejectsWithCode(
      store.transaction(async () => undefined),
      "CDK_STORE_CLOSED",
    );
    await rejectsWithCode(store.status(), "CDK_STORE_CLOSED");
    if (!fixture.reopen) return;
    const reopened = await fixture.reopen();
    assert.equal((await reopened.inbox.get(receipt.id))?.dedupeKey, "1", "the drained append was committed");
  });

  storeTest(suite, "everything committed survives a restart", async (fixture) => {
    if (!fixture.reopen) return;
    const { store } = fixture;
    const receipt = await store.inbox.append({
      source: "api",
      connection: "shop",
      dedupeKey: "1",
      body: bytes("x"),
    });
    const [event] = await store.events.append([{ stream: "s", type: "t", data: { n: 1 } }]);
    await store.jobs.enqueue([job("a", { orderingKey: "K" }), job("b", { orderingKey: "K" })]);
    await store.transaction((tx) => tx.putRecord("order", "SO1", { n: 1 }));
    const reopened = await fixture.reopen();
    assert.equal((await reopened.inbox.get(receipt.id))?.dedupeKey, "1");
    assert.deepEqual(await reopened.events.readStream("s"), [event]);
    assert.equal(
      (await reopened.inbox.append({ source: "api", connection: "shop", dedupeKey: "1", body: bytes("x") }))
        .duplicate,
      true,
    );
    assert.equal((await reopened.jobs.getByIdempotencyKey("b"))?.status, "waiting");
    assert.equal((await reopened.transaction((tx) => tx.getRecord("order", "SO1")))?.version, 1);
    assert.deepEqual((await reopened.migrate()).applied, []);
  });
}
