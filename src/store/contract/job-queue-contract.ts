import assert from "node:assert/strict";
import { DEFAULT_RETRY_POLICY, resolveRetryPolicy } from "../retry-policy.ts";
import {
  claim,
  claimOne,
  job,
  rejectsWithCode,
  type StoreContractOptions,
  storeTest,
  TRACE,
} from "./contract-fixture.ts";

const keys = (jobs: { idempotencyKey: string }[]) => jobs.map((j) => j.idempotencyKey);

export function jobQueueContract(suite: StoreContractOptions): void {
  storeTest(
    suite,
    "enqueue creates ready jobs and dedupes on the idempotency key",
    async ({ store, clock }) => {
      const [a, b, aAgain] = await store.jobs.enqueue([
        job("a", { trace: TRACE, retry: { maximumAttempts: 3 } }),
        job("b", { runAt: clock.now() + 5_000 }),
        job("a", { payload: "ignored" }),
      ]);
      assert.match(a!.id, /^job_/);
      assert.deepEqual(a, { id: a!.id, idempotencyKey: "a", duplicate: false, status: "ready" });
      assert.equal(b!.status, "ready");
      assert.deepEqual(aAgain, { ...a, duplicate: true });
      assert.deepEqual((await store.jobs.enqueue([job("a")]))[0], { ...a, duplicate: true });
      const stored = await store.jobs.get(a!.id);
      assert.deepEqual(stored, {
        id: a!.id,
        target: "odoo",
        kind: "odoo.create-sale-order",
        idempotencyKey: "a",
        orderingKey: undefined,
        payload: { key: "a" },
        status: "ready",
        attempts: 0,
        runAt: clock.now(),
        retry: resolveRetryPolicy({ maximumAttempts: 3 }, DEFAULT_RETRY_POLICY),
        trace: TRACE,
        leaseOwner: undefined,
        leaseExpiresAt: undefined,
        errors: [],
        result: undefined,
        createdAt: clock.now(),
        updatedAt: clock.now(),
        finishedAt: undefined,
      });
      assert.deepEqual(await store.jobs.getByIdempotencyKey("a"), stored);
      assert.equal((await store.jobs.get(b!.id))?.runAt, clock.now() + 5_000);
      assert.equal(await store.jobs.get("job_missing"), undefined);
      assert.equal(await store.jobs.getByIdempotencyKey("missing"), undefined);
    },
  );

  storeTest(
    suite,
    "the store's default retry policy applies to jobs that set none",
    async ({ store }) => {
      const [r] = await store.jobs.enqueue([job("a")]);
      assert.equal((await store.jobs.get(r!.id))?.retry.maximumAttempts, 2);
      const [s] = await store.jobs.enqueue([job("b", { retry: { maximumAttempts: 7 } })]);
      const retry = (await store.jobs.get(s!.id))?.retry;
      assert.equal(retry?.maximumAttempts, 7);
      assert.equal(retry?.initialIntervalMs, 50);
    },
    { config: { defaultRetry: { ...DEFAULT_RETRY_POLICY, maximumAttempts: 2, initialIntervalMs: 50 } } },
  );

  storeTest(suite, "claim takes due jobs, oldest runAt first, and leases them", async ({ store, clock }) => {
    const now = clock.now();
    await store.jobs.enqueue([
      job("late", { runAt: now - 1_000 }),
      job("later", { runAt: now }),
      job("earliest", { runAt: now - 5_000 }),
      job("future", { runAt: now + 1 }),
    ]);
    const claimed = await claim(store, { workerId: "w1", leaseMs: 10_000, limit: 2 });
    assert.deepEqual(keys(claimed), ["earliest", "late"]);
    const [first] = claimed;
    assert.equal(first!.status, "running");
    assert.equal(first!.attempt, 1);
    assert.equal(first!.attempts, 1);
    assert.equal(first!.leaseOwner, "w1");
    assert.equal(first!.leaseExpiresAt, now + 10_000);
    assert.equal(typeof first!.leaseToken, "string");
    assert.notEqual(first!.leaseToken, claimed[1]!.leaseToken);
    assert.deepEqual(first!.payload, { key: "earliest" });
    const stored = await store.jobs.get(first!.id);
    assert.equal(stored?.status, "running");
    assert.equal(stored?.leaseOwner, "w1");
    assert.deepEqual(keys(await claim(store)), ["later"], "leased and future jobs are not claimed");
    assert.deepEqual(await claim(store), []);
    clock.advance(1);
    assert.deepEqual(keys(await claim(store)), ["future"]);
  });

  storeTest(suite, "claim honours targets, excludeTargets and paused targets", async ({ store, clock }) => {
    const now = clock.now();
    await store.jobs.enqueue([
      job("o1", { target: "odoo", runAt: now - 4 }),
      job("s1", { target: "shop", runAt: now - 3 }),
      job("c1", { target: "carrier", runAt: now - 2 }),
      job("o2", { target: "odoo", runAt: now - 1 }),
    ]);
    assert.deepEqual(keys(await claim(store, { targets: ["shop", "carrier"], limit: 1 })), ["s1"]);
    assert.deepEqual(keys(await claim(store, { excludeTargets: ["odoo"] })), ["c1"]);
    await store.targets.pause("odoo", { code: "CDK_X", message: "bad key", failureClass: "config" });
    assert.deepEqual(await claim(store), []);
    assert.deepEqual(await claim(store, { targets: ["odoo"] }), []);
    await store.targets.resume("odoo");
    assert.deepEqual(keys(await claim(store)), ["o1", "o2"]);
    const [state] = await store.targets.list();
    assert.equal(state?.target, "odoo");
    assert.equal(state?.paused, false);
  });

  storeTest(suite, "pause and resume are listed per target", async ({ store, clock }) => {
    const reason = { code: "CDK_X", message: "401 from Odoo", failureClass: "config" as const };
    await store.targets.pause("odoo", reason);
    assert.deepEqual(await store.targets.list(), [
      { target: "odoo", paused: true, reason, pausedAt: clock.now() },
    ]);
    await store.targets.resume("odoo");
    await store.targets.resume("never-paused");
    const listed = await store.targets.list();
    assert.deepEqual(
      listed.map((t) => [t.target, t.paused]),
      [["odoo", false]],
    );
  });

  storeTest(
    suite,
    "an update never runs before its create on the same ordering key",
    async ({ store, clock }) => {
      const [create, update] = await store.jobs.enqueue([
        job("create", { orderingKey: "SO1", runAt: clock.now() + 10_000 }),
        job("update", { orderingKey: "SO1" }),
      ]);
      assert.equal(create!.status, "ready");
      assert.equal(update!.status, "waiting");
      assert.deepEqual(await claim(store), [], "the update waits although it is due");
      clock.advance(10_000);
      const claimed = await claim(store);
      assert.deepEqual(keys(claimed), ["create"]);
      await store.jobs.complete(claimed[0]!);
      assert.equal((await store.jobs.get(update!.id))?.status, "ready");
      assert.deepEqual(keys(await claim(store)), ["update"]);
    },
  );

  storeTest(suite, "a key is blocked while its head runs and released when it ends", async ({ store }) => {
    await store.jobs.enqueue([
      job("a1", { orderingKey: "A" }),
      job("a2", { orderingKey: "A" }),
      job("a3", { orderingKey: "A" }),
      job("b1", { orderingKey: "B" }),
      job("b1-other-target", { orderingKey: "B", target: "shop" }),
    ]);
    const first = await claim(store);
    assert.deepEqual(keys(first).sort(), ["a1", "b1", "b1-other-target"]);
    assert.deepEqual(await claim(store), []);
    const a1 = first.find((j) => j.idempotencyKey === "a1")!;
    const outcome = await store.jobs.fail(a1, {
      code: "CDK_X",
      message: "rejected",
      failureClass: "business",
    });
    assert.equal(outcome.outcome, "exception");
    const a2 = await claimOne(store);
    assert.equal(a2.idempotencyKey, "a2");
    assert.equal((await store.jobs.getByIdempotencyKey("a3"))?.status, "waiting");
    await store.jobs.complete(a2);
    assert.equal((await claimOne(store)).idempotencyKey, "a3");
    const [later] = await store.jobs.enqueue([job("a4", { orderingKey: "A" })]);
    assert.equal(later!.status, "waiting", "waits behind a running job");
  });

  storeTest(
    suite,
    "an expired lease can be claimed by another worker; the first loses it",
    async ({ store, clock }) => {
      await store.jobs.enqueue([job("a")]);
      const first = await claimOne(store, { workerId: "w1", leaseMs: 1_000 });
      clock.advance(1_000);
      assert.deepEqual(await claim(store, { workerId: "w2" }), [], "not before the lease has expired");
      clock.advance(1);
      const second = await claimOne(store, { workerId: "w2", leaseMs: 1_000 });
      assert.equal(second.id, first.id);
      assert.equal(second.attempt, 2);
      assert.equal(second.leaseOwner, "w2");
      assert.notEqual(second.leaseToken, first.leaseToken);
      await rejectsWithCode(store.jobs.complete(first), "CDK_JOB_LEASE_LOST");
      await rejectsWithCode(store.jobs.extendLease(first, 1_000), "CDK_JOB_LEASE_LOST");
      await rejectsWithCode(
        store.jobs.fail(first, { code: "CDK_X", message: "x", failureClass: "transient" }),
        "CDK_JOB_LEASE_LOST",
      );
      await rejectsWithCode(
        store.transaction((tx) => tx.completeJob(first)),
        "CDK_JOB_LEASE_LOST",
      );
      await store.jobs.complete(second, { ok: true });
      const done = await store.jobs.get(first.id);
      assert.equal(done?.status, "done");
      assert.deepEqual(done?.result, { ok: true });
      await rejectsWithCode(store.jobs.complete(second), "CDK_JOB_LEASE_LOST");
    },
  );

  storeTest(suite, "extendLease pushes the expiry so nobody else claims it", async ({ store, clock }) => {
    await store.jobs.enqueue([job("a")]);
    const claimed = await claimOne(store, { leaseMs: 1_000 });
    clock.advance(900);
    assert.equal(await store.jobs.extendLease(claimed, 5_000), clock.now() + 5_000);
    clock.advance(1_000);
    assert.deepEqual(await claim(store, { workerId: "w2" }), []);
    assert.equal((await store.jobs.get(claimed.id))?.leaseExpiresAt, clock.now() - 1_000 + 5_000);
    await store.jobs.complete(claimed);
  });

  storeTest(suite, "complete records the result and clears the lease", async ({ store, clock }) => {
    await store.jobs.enqueue([job("a")]);
    const claimed = await claimOne(store);
    clock.advance(250);
    await store.jobs.complete(claimed, { saleOrderId: 42 });
    const done = await store.jobs.get(claimed.id);
    assert.equal(done?.status, "done");
    assert.deepEqual(done?.result, { saleOrderId: 42 });
    assert.equal(done?.finishedAt, clock.now());
    assert.equal(done?.updatedAt, clock.now());
    assert.equal(done?.leaseOwner, undefined);
    assert.equal(done?.leaseExpiresAt, undefined);
    assert.equal(done?.attempts, 1);
  });

  storeTest(suite, "depth counts jobs per target with the oldest age", async ({ store, clock }) => {
    // Distinct runAt values: claim order between equal runAt values is not part of the contract.
    await store.jobs.enqueue([
      job("o1", { orderingKey: "K", runAt: clock.now() - 2 }),
      job("o2", { orderingKey: "K" }),
      job("o3", { runAt: clock.now() - 1 }),
      job("s1", { target: "shop" }),
    ]);
    clock.advance(5_000);
    await store.jobs.enqueue([job("s2", { target: "shop" })]);
    const running = await claimOne(store, { targets: ["odoo"] });
    await store.jobs.fail(await claimOne(store, { targets: ["odoo"] }), {
      code: "CDK_X",
      message: "no",
      failureClass: "business",
    });
    assert.ok(running);
    const depth = (await store.jobs.depth()).sort((a, b) => a.target.localeCompare(b.target));
    assert.deepEqual(depth, [
      { target: "odoo", waiting: 1, ready: 0, running: 1, exception: 1, oldestAgeMs: 5_000 },
      { target: "shop", waiting: 0, ready: 2, running: 0, exception: 0, oldestAgeMs: 5_000 },
    ]);
  });

  storeTest(suite, "list filters by target and status and pages in enqueue order", async ({ store }) => {
    const results = await store.jobs.enqueue([
      job("a"),
      job("b", { target: "shop" }),
      job("c"),
      job("d", { orderingKey: "K" }),
      job("e", { orderingKey: "K" }),
    ]);
    assert.deepEqual(keys(await store.jobs.list()), ["a", "b", "c", "d", "e"]);
    assert.deepEqual(keys(await store.jobs.list({ target: "odoo", limit: 2 })), ["a", "c"]);
    assert.deepEqual(keys(await store.jobs.list({ status: "waiting" })), ["e"]);
    assert.deepEqual(keys(await store.jobs.list({ afterId: results[1]!.id, limit: 2 })), ["c", "d"]);
  });

  storeTest(suite, "replay re-runs a finished job with the same key", async ({ store }) => {
    await store.jobs.enqueue([job("a", { orderingKey: "K" })]);
    const first = await claimOne(store);
    await store.jobs.complete(first, { id: 1 });
    const replayed = await store.jobs.replay(first.id, { payload: { key: "a", fixed: true } });
    assert.equal(replayed.id, first.id);
    assert.equal(replayed.idempotencyKey, "a");
    assert.equal(replayed.status, "ready");
    assert.equal(replayed.attempts, 0);
    assert.deepEqual(replayed.payload, { key: "a", fixed: true });
    assert.equal(replayed.finishedAt, undefined);
    const again = await claimOne(store);
    assert.equal(again.attempt, 1);
    assert.deepEqual(again.payload, { key: "a", fixed: true });
    await rejectsWithCode(store.jobs.replay(again.id), "CDK_JOB_NOT_FOUND");
    await rejectsWithCode(store.jobs.replay("job_missing"), "CDK_JOB_NOT_FOUND");
    await store.jobs.enqueue([job("b", { orderingKey: "K" })]);
    await store.jobs.complete(again);
    const b = await claimOne(store);
    assert.equal(b.idempotencyKey, "b");
    const behind = await store.jobs.replay(first.id);
    assert.equal(behind.status, "waiting", "waits behind the running job of its key");
    assert.deepEqual(behind.payload, { key: "a", fixed: true }, "keeps the last payload");
    await store.jobs.complete(b);
    assert.equal((await claimOne(store)).idempotencyKey, "a");
  });
}
