import assert from "node:assert/strict";
import type { StoredError } from "../../core/errors.ts";
import type { Store } from "../store.ts";
import { claimOne, job, rejectsWithCode, type StoreContractOptions, storeTest } from "./contract-fixture.ts";

const business: StoredError = { code: "CDK_TEST_INVALID", message: "SKU unknown", failureClass: "business" };

/** Enqueues `key`, claims it and fails it into an exception; returns the exception id. */
async function failToException(store: Store, key: string, error = business, extra = {}): Promise<string> {
  await store.jobs.enqueue([job(key, extra)]);
  const claimed = await claimOne(store, { targets: [job(key, extra).target] });
  const outcome = await store.jobs.fail(claimed, error);
  assert.ok(outcome.outcome === "exception");
  return outcome.exceptionId;
}

export function exceptionContract(suite: StoreContractOptions): void {
  storeTest(
    suite,
    "retry puts the job back with the same key and attempts reset",
    async ({ store, clock }) => {
      const id = await failToException(store, "a");
      clock.advance(60_000);
      const requeued = await store.exceptions.retry(id, { by: "ana", reason: "SKU created in Odoo" });
      assert.equal(requeued.idempotencyKey, "a");
      assert.equal(requeued.status, "ready");
      assert.equal(requeued.attempts, 0);
      assert.deepEqual(requeued.errors, []);
      assert.equal(requeued.runAt, clock.now());
      const record = await store.exceptions.get(id);
      assert.equal(record?.status, "retried");
      assert.equal(record?.resolvedBy, "ana");
      assert.equal(record?.resolvedAt, clock.now());
      assert.equal(record?.reason, "SKU created in Odoo");
      assert.equal(record?.replayPayload, undefined);
      assert.deepEqual(await store.exceptions.countOpen(), []);
      const again = await claimOne(store);
      assert.equal(again.id, requeued.id);
      assert.equal(again.attempt, 1);
      await rejectsWithCode(store.exceptions.retry(id, { by: "ana" }), "CDK_EXCEPTION_NOT_OPEN");
      await rejectsWithCode(store.exceptions.retry("exc_missing", { by: "ana" }), "CDK_EXCEPTION_NOT_FOUND");
    },
  );

  storeTest(suite, "edit and replay keeps the original payload in the record", async ({ store }) => {
    const id = await failToException(store, "a", business, { payload: { sku: "X" } });
    const requeued = await store.exceptions.retry(id, { by: "ana", payload: { sku: "Y" } });
    assert.deepEqual(requeued.payload, { sku: "Y" });
    const record = await store.exceptions.get(id);
    assert.deepEqual(record?.payload, { sku: "X" });
    assert.deepEqual(record?.replayPayload, { sku: "Y" });
    assert.deepEqual((await claimOne(store)).payload, { sku: "Y" });
  });

  storeTest(
    suite,
    "failing again after a retry opens a new record; the old stays retried",
    async ({ store }) => {
      const firstId = await failToException(store, "a");
      await store.exceptions.retry(firstId, { by: "ana" });
      const outcome = await store.jobs.fail(await claimOne(store), { ...business, message: "still unknown" });
      assert.ok(outcome.outcome === "exception");
      assert.notEqual(outcome.exceptionId, firstId);
      assert.equal((await store.exceptions.get(firstId))?.status, "retried");
      const second = await store.exceptions.get(outcome.exceptionId);
      assert.equal(second?.status, "open");
      assert.equal(second?.error.message, "still unknown");
      assert.equal(second?.attempts, 1);
      const all = await store.exceptions.list();
      assert.deepEqual(
        all.map((r) => [r.id, r.status]),
        [
          [firstId, "retried"],
          [outcome.exceptionId, "open"],
        ],
      );
    },
  );

  storeTest(suite, "retry waits behind an unfinished job of the same key", async ({ store }) => {
    const id = await failToException(store, "a", business, { orderingKey: "SO1" });
    await store.jobs.enqueue([job("b", { orderingKey: "SO1" })]);
    const b = await claimOne(store);
    assert.equal(b.idempotencyKey, "b");
    const requeued = await store.exceptions.retry(id, { by: "ana" });
    assert.equal(requeued.status, "waiting");
    await store.jobs.complete(b);
    assert.equal((await claimOne(store)).idempotencyKey, "a");
  });

  storeTest(suite, "discard needs a reason and closes the record and its job", async ({ store, clock }) => {
    const id = await failToException(store, "a", business, { orderingKey: "SO1" });
    await assert.rejects(store.exceptions.discard(id, { by: "ana", reason: "" }));
    assert.equal((await store.exceptions.get(id))?.status, "open");
    clock.advance(10);
    await store.exceptions.discard(id, { by: "ana", reason: "order cancelled" });
    const record = await store.exceptions.get(id);
    assert.equal(record?.status, "discarded");
    assert.equal(record?.reason, "order cancelled");
    assert.equal(record?.resolvedBy, "ana");
    assert.equal(record?.resolvedAt, clock.now());
    const discardedJob = await store.jobs.get(record!.jobId);
    assert.equal(discardedJob?.status, "discarded");
    assert.equal(discardedJob?.idempotencyKey, "a");
    await rejectsWithCode(
      store.exceptions.discard(id, { by: "ana", reason: "again" }),
      "CDK_EXCEPTION_NOT_OPEN",
    );
    await rejectsWithCode(
      store.exceptions.discard("exc_missing", { by: "ana", reason: "x" }),
      "CDK_EXCEPTION_NOT_FOUND",
    );
    const [next] = await store.jobs.enqueue([job("b", { orderingKey: "SO1" })]);
    assert.equal(next?.status, "ready", "a discarded job does not block its key");
    const replayed = await store.jobs.replay(record!.jobId);
    assert.equal(replayed.status, "waiting");
    assert.equal(replayed.idempotencyKey, "a");
  });

  storeTest(suite, "replaying a job in exception resolves its open record", async ({ store }) => {
    const id = await failToException(store, "a");
    const record = await store.exceptions.get(id);
    const replayed = await store.jobs.replay(record!.jobId);
    assert.equal(replayed.status, "ready");
    assert.equal((await store.exceptions.get(id))?.status, "retried");
    assert.deepEqual(await store.exceptions.countOpen(), []);
  });

  storeTest(suite, "list filters by status, target and code and pages by id", async ({ store }) => {
    const a = await failToException(store, "a");
    const b = await failToException(store, "b", { ...business, code: "CDK_TEST_OTHER" }, { target: "shop" });
    const c = await failToException(store, "c");
    await store.exceptions.discard(c, { by: "ana", reason: "dup" });
    const ids = (records: { id: string }[]) => records.map((r) => r.id);
    assert.deepEqual(ids(await store.exceptions.list()), [a, b, c]);
    assert.deepEqual(ids(await store.exceptions.list({ status: "open" })), [a, b]);
    assert.deepEqual(ids(await store.exceptions.list({ target: "shop" })), [b]);
    assert.deepEqual(ids(await store.exceptions.list({ code: business.code })), [a, c]);
    assert.deepEqual(ids(await store.exceptions.list({ afterId: a, limit: 1 })), [b]);
    const open = (await store.exceptions.countOpen()).sort((x, y) => x.target.localeCompare(y.target));
    assert.deepEqual(open, [
      { target: "odoo", count: 1 },
      { target: "shop", count: 1 },
    ]);
  });
}
