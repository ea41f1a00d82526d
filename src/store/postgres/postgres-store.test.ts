import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock } from "../../core/clock.ts";
import { createIdGenerator } from "../../core/ids.ts";
import { bytes, rejectsWithCode } from "../contract/contract-fixture.ts";
import { runStoreContract } from "../store.contract.ts";
import type { EventInput, JobInput } from "../store.ts";
import { POSTGRES_SCHEMA_VERSION } from "./postgres-migrations.ts";
import { createPostgresStore } from "./postgres-store.ts";
import { adminQuery, createContractFixture, pgTestStores, TEST_URL } from "./postgres-test-fixture.ts";

runStoreContract({ name: "postgres", create: createContractFixture });

const job = (key: string, extra: Partial<JobInput> = {}): JobInput => ({
  target: "odoo",
  kind: "odoo.create-sale-order",
  idempotencyKey: key,
  payload: { key },
  ...extra,
});

const ev = (stream: string, type: string): EventInput => ({ stream, type, data: null });

describe("PostgreSQL specifics", () => {
  test("several stores migrating a new schema at once apply it once", async () => {
    const stores = pgTestStores();
    try {
      const results = await Promise.all(Array.from({ length: 4 }, () => stores.open().migrate()));
      const applied = results.flatMap((r) => r.applied);
      assert.equal(applied.length, POSTGRES_SCHEMA_VERSION, "every migration applied exactly once");
      for (const r of results) assert.equal(r.to, POSTGRES_SCHEMA_VERSION);
      const { rows } = await adminQuery(`SELECT version FROM "${stores.schema}".crossdock_migrations`);
      assert.equal(rows.length, POSTGRES_SCHEMA_VERSION);
    } finally {
      await stores.cleanup();
    }
  });

  test("a schema migrated by newer code is refused", async () => {
    const stores = pgTestStores();
    try {
      await stores.open().migrate();
      await adminQuery(
        `INSERT INTO "${stores.schema}".crossdock_migrations (version, name, applied_at) VALUES (999, 'future', 0)`,
      );
      const error = await rejectsWithCode(stores.open().migrate(), "CDK_STORE_SCHEMA_TOO_NEW");
      assert.match(error.message, /999/);
    } finally {
      await stores.cleanup();
    }
  });

  test("an unreachable server is reported as unavailable, with the host and never the password", async () => {
    const clock = new ManualClock();
    const store = createPostgresStore({
      url: "postgres://crossdock:s3cr3t-pw@127.0.0.1:1/crossdock",
      clock,
      ids: createIdGenerator(clock),
      connectTimeoutMs: 2_000,
    });
    try {
      const error = await rejectsWithCode(store.migrate(), "CDK_STORE_UNAVAILABLE");
      assert.match(error.message, /127\.0\.0\.1:1/);
      assert.doesNotMatch(error.message, /s3cr3t/);
      assert.doesNotMatch(JSON.stringify(error), /s3cr3t/);
      await rejectsWithCode(store.jobs.claim({ workerId: "w", leaseMs: 1 }), "CDK_STORE_UNAVAILABLE");
      assert.equal(await store.ping(), false);
    } finally {
      await store.close();
    }
  });

  test("a schema name that is not a plain identifier is refused", () => {
    const clock = new ManualClock();
    assert.throws(
      () => createPostgresStore({ url: TEST_URL, schema: 'x"; DROP', clock, ids: createIdGenerator(clock) }),
      RangeError,
    );
  });

  test("without pipelining the same operations give the same results", async () => {
    const stores = pgTestStores();
    try {
      const store = stores.open({ pipeline: false });
      await store.migrate();
      await store.jobs.enqueue([job("a", { orderingKey: "K" }), job("b", { orderingKey: "K" })]);
      const [a] = await store.jobs.claim({ workerId: "w", leaseMs: 1_000 });
      await store.jobs.complete(a!);
      assert.equal((await store.jobs.getByIdempotencyKey("b"))?.status, "ready");
      const receipt = await store.inbox.append({
        source: "api",
        connection: "shop",
        dedupeKey: "1",
        body: bytes("{}"),
        orderingKey: "K",
      });
      assert.equal((await store.inbox.get(receipt.id))?.size, 2);
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.appendEvents([ev("s", "t")]);
          throw new Error("boom");
        }),
        /boom/,
      );
      assert.deepEqual(await store.events.readStream("s"), []);
    } finally {
      await stores.cleanup();
    }
  });

  test("a message PostgreSQL refuses fails alone; the rest of its batch is stored", async () => {
    const stores = pgTestStores();
    try {
      const store = stores.open();
      await store.migrate();
      const message = (i: number, headers: Record<string, string> = {}) => ({
        source: "webhook",
        connection: "shop",
        dedupeKey: `k${i}`,
        body: bytes("{}"),
        headers,
      });
      // A lone surrogate passes JSON.stringify but not jsonb.
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          store.inbox.append(message(i, i === 4 ? { "x-bad": "\ud800" } : {})),
        ),
      );
      assert.deepEqual(
        outcomes.map((o) => o.status),
        [...Array(4).fill("fulfilled"), "rejected", ...Array(5).fill("fulfilled")],
      );
      assert.equal((await store.inbox.list()).length, 9);
      const nul = await rejectsWithCode(
        store.inbox.append(message(11, { "x-nul": "a\u0000b" })),
        "CDK_INBOX_INVALID_MESSAGE",
      );
      assert.equal(nul.details?.field, "headers");
    } finally {
      await stores.cleanup();
    }
  });
});
