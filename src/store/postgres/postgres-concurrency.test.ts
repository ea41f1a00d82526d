import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pg from "pg";
import { bytes, rejectsWithCode } from "../contract/contract-fixture.ts";
import type { ClaimedJob, EventInput, JobInput } from "../store.ts";
import type { PostgresStore } from "./postgres-store.ts";
import { adminQuery, pgTestStores, TEST_URL } from "./postgres-test-fixture.ts";

const job = (key: string, extra: Partial<JobInput> = {}): JobInput => ({
  target: "odoo",
  kind: "odoo.create-sale-order",
  idempotencyKey: key,
  payload: { key },
  ...extra,
});

const ev = (stream: string, type: string): EventInput => ({ stream, type, data: null });

/** A promise and the function that resolves it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Claims and completes until a claim comes back empty; `onClaim` sees every claimed job. */
async function drain(store: PostgresStore, workerId: string, onClaim: (job: ClaimedJob) => void) {
  for (;;) {
    const claimed = await store.jobs.claim({ workerId, leaseMs: 60_000, limit: 5 });
    if (claimed.length === 0) return;
    for (const job of claimed) {
      onClaim(job);
      await store.jobs.complete(job);
    }
  }
}

describe("PostgreSQL store under concurrency (several pools, one schema)", () => {
  test("several stores claiming from 1,000 jobs never claim one twice", async () => {
    const stores = pgTestStores();
    try {
      const instances = Array.from({ length: 4 }, () => stores.open({ poolSize: 4 }));
      await instances[0]!.migrate();
      await instances[0]!.jobs.enqueue(Array.from({ length: 1_000 }, (_, i) => job(`j${i}`)));
      const claims = new Map<string, number>();
      const workers = instances.flatMap((store, s) =>
        Array.from({ length: 3 }, (_, w) =>
          drain(store, `w${s}.${w}`, (j) => claims.set(j.id, (claims.get(j.id) ?? 0) + 1)),
        ),
      );
      await Promise.all(workers);
      assert.equal(claims.size, 1_000);
      assert.deepEqual(new Set(claims.values()), new Set([1]), "each job claimed exactly once");
      const [counts] = (
        await adminQuery(
          `SELECT count(*) FILTER (WHERE status = 'done')::int AS done, count(*)::int AS total,
             max(attempts) AS attempts FROM "${stores.schema}".jobs`,
        )
      ).rows;
      assert.deepEqual(counts, { done: 1_000, total: 1_000, attempts: 1 });
    } finally {
      await stores.cleanup();
    }
  });

  test("ordering keys hold across two claimers", async () => {
    const stores = pgTestStores();
    try {
      const [a, b] = [stores.open({ poolSize: 4 }), stores.open({ poolSize: 4 })];
      await a.migrate();
      const keys = Array.from({ length: 20 }, (_, k) => `SO${k}`);
      // Enqueued in several batches and from both stores, interleaving the keys.
      for (let n = 0; n < 10; n++) {
        await (n % 2 ? a : b).jobs.enqueue(keys.map((k) => job(`${k}:${n}`, { orderingKey: k })));
      }
      const running = new Set<string>();
      const order = new Map<string, number[]>();
      const worker = async (store: PostgresStore, id: string) => {
        for (;;) {
          const claimed = await store.jobs.claim({ workerId: id, leaseMs: 60_000, limit: 3 });
          if (claimed.length === 0) return;
          await Promise.all(
            claimed.map(async (j) => {
              const key = j.orderingKey!;
              assert.ok(!running.has(key), `two jobs of ${key} run at once`);
              running.add(key);
              order.set(key, [...(order.get(key) ?? []), Number(j.idempotencyKey.split(":")[1])]);
              await new Promise((resolve) => setImmediate(resolve));
              running.delete(key);
              await store.jobs.complete(j);
            }),
          );
        }
      };
      // A claimer can find nothing while the head of every key is running elsewhere: run until done.
      for (let round = 0; round < 50 && [...order.values()].flat().length < 200; round++) {
        await Promise.all([worker(a, "a1"), worker(a, "a2"), worker(b, "b1"), worker(b, "b2")]);
      }
      for (const k of keys) assert.deepEqual(order.get(k), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], `order of ${k}`);
    } finally {
      await stores.cleanup();
    }
  });

  test("an event that commits late is not skipped by a reader", async () => {
    const stores = pgTestStores();
    const appended = gate();
    const release = gate();
    let held: Promise<unknown> = Promise.resolve();
    try {
      const store = stores.open();
      await store.migrate();
      await store.events.subscribe("all");
      // The held transaction writes before it appends, so it has a transaction id from the start.
      const late = store.transaction(async (tx) => {
        await tx.putRecord("order", "SO1", { n: 1 });
        const [event] = await tx.appendEvents([ev("order:SO1", "late")]);
        appended.open();
        await release.promise;
        return event!;
      });
      held = late.catch(() => {});
      await appended.promise;
      const [early] = await store.events.append([ev("order:SO2", "early")]);
      assert.deepEqual(await store.events.poll("all"), [], "nothing past the open transaction's events");
      assert.deepEqual(await store.events.readStream("order:SO2"), [early], "the stream itself is readable");
      release.open();
      const lateEvent = await late;
      const polled = await store.events.poll("all");
      assert.deepEqual(
        polled.map((e) => e.type),
        ["late", "early"],
      );
      assert.ok(lateEvent.position < early!.position, "positions sort as strings, in log order");
    } finally {
      release.open();
      await held;
      await stores.cleanup();
    }
  });

  test("transactions that append no events here do not hold readers back", async () => {
    const stores = pgTestStores();
    const other = pgTestStores();
    const client = new pg.Client({ connectionString: TEST_URL });
    try {
      const store = stores.open();
      const busy = other.open();
      await Promise.all([store.migrate(), busy.migrate()]);
      await store.events.subscribe("all");
      await busy.jobs.enqueue([job("held")]);
      await client.connect();
      await client.query("BEGIN");
      await client.query(`UPDATE "${other.schema}".jobs SET attempts = 1`);
      await store.events.append([ev("s", "visible")]);
      assert.deepEqual(
        (await store.events.poll("all")).map((e) => e.type),
        ["visible"],
      );
      await client.query("ROLLBACK");
    } finally {
      await client.end();
      await stores.cleanup();
      await other.cleanup();
    }
  });

  test("a resume job is promoted before the run's timers when its execution ends", async () => {
    const stores = pgTestStores();
    try {
      const store = stores.open();
      await store.migrate();
      const deadline = stores.clock.now() + 60_000;
      const { run } = await store.transaction((tx) =>
        tx.startWorkflow({ type: "o2c", key: "SO1", input: null }),
      );
      const [start] = await store.jobs.claim({ workerId: "w", leaseMs: 60_000 });
      await store.transaction(async (tx) => {
        for (const [waitId, eventType] of [
          ["shipped", "shipment.dispatched"],
          ["paid", "payment.received"],
        ] as const) {
          await tx.addEventWait({ runId: run.id, waitId, eventType, stream: "order:SO1", deadline });
        }
      });
      // The event arrives while the run's start execution is still running.
      await store.events.append([ev("order:SO1", "payment.received")]);
      await store.jobs.complete(start!);
      const [next] = await store.jobs.claim({ workerId: "w", leaseMs: 60_000 });
      assert.equal(next?.idempotencyKey, `workflow:${run.id}:event:paid`);
      assert.equal((await store.jobs.getByIdempotencyKey(`workflow:${run.id}:timeout:paid`))?.status, "done");
      assert.equal(
        (await store.jobs.getByIdempotencyKey(`workflow:${run.id}:timeout:shipped`))?.status,
        "waiting",
      );
    } finally {
      await stores.cleanup();
    }
  });

  test("concurrent transactions share commits, yet each commits or rolls back alone", async () => {
    const stores = pgTestStores();
    try {
      const store = stores.open();
      await store.migrate();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) =>
          store.transaction(async (tx) => {
            await tx.putRecord("order", `SO${i}`, { i });
            await tx.enqueueJobs([job(`deliver:${i}`)]);
            // A failing statement (jsonb refuses NUL) aborts only this caller's savepoint.
            if (i % 10 === 3) await tx.putRecord("bad", `SO${i}`, { s: "\u0000" });
            if (i % 10 === 7) throw new Error(`handler ${i} failed`);
            return i;
          }),
        ),
      );
      const failed = outcomes.flatMap((o, i) => (o.status === "rejected" ? [i] : []));
      assert.deepEqual(failed, [3, 7, 13, 17, 23, 27]);
      for (let i = 0; i < 30; i++) {
        const stored = await store.jobs.getByIdempotencyKey(`deliver:${i}`);
        assert.equal(stored !== undefined, !failed.includes(i), `job of transaction ${i}`);
      }
      const records = await adminQuery(`SELECT count(*)::int AS n FROM "${stores.schema}".records`);
      assert.equal(records.rows[0].n, 24);
      await rejectsWithCode(
        store.transaction(() => store.transaction(async () => 1)),
        "CDK_INTERNAL",
      );
    } finally {
      await stores.cleanup();
    }
  });

  test("inbox appends racing on the same keys from two stores store each key once", async () => {
    const stores = pgTestStores();
    try {
      const [a, b] = [stores.open(), stores.open()];
      await a.migrate();
      const message = (i: number) => ({
        source: "webhook",
        connection: "shop",
        dedupeKey: `k${i}`,
        body: bytes(`{"i":${i}}`),
      });
      const [fromA, fromB] = await Promise.all([
        Promise.all(Array.from({ length: 300 }, (_, i) => a.inbox.append(message(i)))),
        Promise.all(Array.from({ length: 300 }, (_, i) => b.inbox.append(message(i)))),
      ]);
      for (let i = 0; i < 300; i++) {
        assert.equal(fromA[i]!.id, fromB[i]!.id, `k${i} has one id`);
        assert.equal(Number(fromA[i]!.duplicate) + Number(fromB[i]!.duplicate), 1, `k${i} stored once`);
      }
      assert.equal((await a.inbox.list({ limit: 1_000 })).length, 300);
      assert.equal((await a.jobs.list({ limit: 1_000 })).length, 300);
    } finally {
      await stores.cleanup();
    }
  });

  test("enqueue and finish racing on one ordering key never strand a waiting job", async () => {
    const stores = pgTestStores();
    try {
      const [a, b] = [stores.open({ poolSize: 4 }), stores.open({ poolSize: 4 })];
      await a.migrate();
      for (let round = 0; round < 40; round++) {
        const target = `t${round}`;
        await a.jobs.enqueue([job(`head${round}`, { target, orderingKey: "K" })]);
        const [head] = await a.jobs.claim({ workerId: "w", leaseMs: 60_000, targets: [target] });
        // The next job is enqueued while the head completes on another store.
        const [, [next]] = await Promise.all([
          b.jobs.complete(head!),
          a.jobs.enqueue([job(`next${round}`, { target, orderingKey: "K" })]),
        ]);
        const stored = await a.jobs.get(next!.id);
        assert.equal(stored?.status, "ready", `round ${round}: the next job is not stranded`);
      }
    } finally {
      await stores.cleanup();
    }
  });
});
