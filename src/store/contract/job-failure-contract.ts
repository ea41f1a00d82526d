import assert from "node:assert/strict";
import type { StoredError } from "../../core/errors.ts";
import { claim, claimOne, job, type StoreContractOptions, storeTest, TRACE } from "./contract-fixture.ts";

const transient: StoredError = {
  code: "CDK_TEST_TIMEOUT",
  message: "partner timed out",
  failureClass: "transient",
};
const business: StoredError = { code: "CDK_TEST_INVALID", message: "SKU unknown", failureClass: "business" };
const config: StoredError = { code: "CDK_TEST_AUTH", message: "401 Unauthorized", failureClass: "config" };

/** Exact back-off: 1 s, 2 s, 4 s ... without jitter. */
const retry = { initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 60_000, jitter: 0 };

export function jobFailureContract(suite: StoreContractOptions): void {
  storeTest(suite, "a transient failure retries with exponential back-off", async ({ store, clock }) => {
    await store.jobs.enqueue([job("a", { retry: { ...retry, maximumAttempts: 5 } })]);
    const first = await claimOne(store);
    const t1 = clock.now();
    assert.deepEqual(await store.jobs.fail(first, transient), {
      outcome: "retry",
      runAt: t1 + 1_000,
      attempt: 1,
    });
    const waiting = await store.jobs.get(first.id);
    assert.equal(waiting?.status, "ready");
    assert.equal(waiting?.runAt, t1 + 1_000);
    assert.equal(waiting?.leaseOwner, undefined);
    assert.deepEqual(waiting?.errors, [{ ...transient, attempt: 1, at: t1 }]);
    clock.advance(999);
    assert.deepEqual(await claim(store), [], "not before its back-off");
    clock.advance(1);
    const second = await claimOne(store);
    assert.equal(second.attempt, 2);
    const t2 = clock.now();
    assert.deepEqual(await store.jobs.fail(second, transient), {
      outcome: "retry",
      runAt: t2 + 2_000,
      attempt: 2,
    });
    clock.advance(2_000);
    const third = await claimOne(store);
    const withHint = { ...transient, retryAfterMs: 30_000 };
    const outcome = await store.jobs.fail(third, withHint);
    assert.deepEqual(
      outcome,
      { outcome: "retry", runAt: clock.now() + 30_000, attempt: 3 },
      "Retry-After is a floor",
    );
    const stored = await store.jobs.get(first.id);
    assert.deepEqual(
      stored?.errors.map((e) => e.attempt),
      [1, 2, 3],
    );
    assert.equal(stored?.errors[2]?.retryAfterMs, 30_000);
  });

  storeTest(suite, "exhausted attempts end in an exception record", async ({ store, clock }) => {
    await store.jobs.enqueue([job("a", { retry: { ...retry, maximumAttempts: 2 }, trace: TRACE })]);
    await store.jobs.fail(await claimOne(store), transient);
    clock.advance(1_000);
    const last = await claimOne(store);
    const outcome = await store.jobs.fail(last, transient);
    assert.equal(outcome.outcome, "exception");
    assert.ok(outcome.outcome === "exception");
    assert.match(outcome.exceptionId, /^exc_/);
    const record = await store.exceptions.get(outcome.exceptionId);
    assert.equal(record?.jobId, last.id);
    assert.equal(record?.attempts, 2);
    assert.deepEqual(record?.error, transient);
    assert.deepEqual(
      record?.errors.map((e) => e.attempt),
      [1, 2],
    );
    assert.deepEqual(record?.trace, TRACE);
    const stored = await store.jobs.get(last.id);
    assert.equal(stored?.status, "exception");
    assert.equal(stored?.finishedAt, clock.now());
  });

  storeTest(suite, "a business failure makes an exception record at once", async ({ store, clock }) => {
    await store.jobs.enqueue([
      job("a", { orderingKey: "SO1", payload: { sku: "X" }, kind: "odoo.confirm", target: "odoo" }),
    ]);
    const claimed = await claimOne(store);
    const outcome = await store.jobs.fail(claimed, business);
    assert.ok(outcome.outcome === "exception");
    const record = await store.exceptions.get(outcome.exceptionId);
    assert.deepEqual(record, {
      id: outcome.exceptionId,
      jobId: claimed.id,
      target: "odoo",
      kind: "odoo.confirm",
      idempotencyKey: "a",
      orderingKey: "SO1",
      payload: { sku: "X" },
      error: business,
      attempts: 1,
      errors: [{ ...business, attempt: 1, at: clock.now() }],
      trace: undefined,
      status: "open",
      createdAt: clock.now(),
      resolvedAt: undefined,
      resolvedBy: undefined,
      reason: undefined,
      replayPayload: undefined,
    });
    assert.deepEqual(await store.exceptions.countOpen(), [{ target: "odoo", count: 1 }]);
  });

  storeTest(suite, "a non-retryable code is an exception even when transient", async ({ store }) => {
    await store.jobs.enqueue([job("a", { retry: { nonRetryableCodes: [transient.code] } })]);
    const outcome = await store.jobs.fail(await claimOne(store), transient);
    assert.equal(outcome.outcome, "exception");
  });

  storeTest(suite, "a job keeps only its ten most recent attempt errors", async ({ store, clock }) => {
    await store.jobs.enqueue([
      job("a", { retry: { ...retry, maximumAttempts: 0, maximumIntervalMs: 1_000 } }),
    ]);
    for (let i = 0; i < 12; i++) {
      const outcome = await store.jobs.fail(await claimOne(store), transient);
      assert.equal(outcome.outcome, "retry");
      clock.advance(1_000);
    }
    const stored = await store.jobs.getByIdempotencyKey("a");
    assert.equal(stored?.attempts, 12);
    assert.deepEqual(
      stored?.errors.map((e) => e.attempt),
      [3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    );
  });

  storeTest(
    suite,
    "a config failure pauses the target and does not count the attempt",
    async ({ store, clock }) => {
      await store.jobs.enqueue([
        job("a", { target: "odoo" }),
        job("s", { target: "shop", runAt: clock.now() + 1 }),
      ]);
      const claimed = await claimOne(store, { targets: ["odoo"] });
      const outcome = await store.jobs.fail(claimed, config);
      assert.deepEqual(outcome, { outcome: "paused", target: "odoo" });
      const stored = await store.jobs.get(claimed.id);
      assert.equal(stored?.status, "ready");
      assert.equal(stored?.attempts, 0);
      assert.equal(stored?.leaseOwner, undefined);
      assert.deepEqual(await store.targets.list(), [
        { target: "odoo", paused: true, reason: config, pausedAt: clock.now() },
      ]);
      clock.advance(1);
      const others = await claim(store);
      assert.deepEqual(
        others.map((j) => j.idempotencyKey),
        ["s"],
        "other targets keep running",
      );
      await store.targets.resume("odoo");
      const again = await claimOne(store);
      assert.equal(again.id, claimed.id);
      assert.equal(again.attempt, 1);
      assert.deepEqual(await store.exceptions.list(), []);
    },
  );
}
