import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import { ManualClock } from "../../core/clock.ts";
import { createIdGenerator } from "../../core/ids.ts";
import { bytes, claimOne, job, rejectsWithCode } from "../contract/contract-fixture.ts";
import { resolveRetryPolicy } from "../retry-policy.ts";
import { runStoreContract } from "../store.contract.ts";
import { resolveStoreConfig } from "../store-config.ts";
import { SQLITE_MIGRATIONS } from "./sqlite-migrations.ts";
import { createSqliteStore, type SqliteStore, type SqliteStoreOptions } from "./sqlite-store.ts";

/** A temp directory per test, removed afterwards; ids are real ULIDs (random within a millisecond). */
function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "crossdock-sqlite-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function openStore(path: string, clock: ManualClock, extra: Partial<SqliteStoreOptions> = {}) {
  const store = await createSqliteStore({ path, clock, ids: createIdGenerator(clock), ...extra });
  await store.migrate();
  return store;
}

runStoreContract({
  name: "sqlite",
  async create(options) {
    const temp = tempDir();
    const path = join(temp.dir, "store.db");
    const clock = new ManualClock();
    let current: SqliteStore = await openStore(path, clock, { config: options?.config });
    return {
      store: current,
      clock,
      async reopen() {
        await current.close();
        current = await openStore(path, clock, { config: options?.config });
        return current;
      },
      async cleanup() {
        await current.close();
        temp.remove();
      },
    };
  },
});

describe("SqliteStore (SQLite specific)", () => {
  async function expectCorrupt(path: string) {
    const before = readFileSync(path);
    const clock = new ManualClock();
    const error = await rejectsWithCode(
      createSqliteStore({ path, clock, ids: createIdGenerator(clock) }),
      "CDK_STORE_CORRUPT",
    );
    assert.ok(error.message.includes(path), `names the file: ${error.message}`);
    assert.equal(error.details?.path, path);
    assert.deepEqual(readFileSync(path), before, "the file is left exactly as it was");
    return error;
  }

  test("a file of random bytes is reported as corrupt and left untouched", async () => {
    const temp = tempDir();
    try {
      const path = join(temp.dir, "random.db");
      writeFileSync(path, Buffer.from(Array.from({ length: 8_192 }, (_, i) => (i * 7919 + 13) % 251)));
      const error = await expectCorrupt(path);
      assert.match(error.message, /not a usable SQLite database/);
    } finally {
      temp.remove();
    }
  });

  test("a file with a garbage header names what was found", async () => {
    const temp = tempDir();
    try {
      const path = join(temp.dir, "notes.db");
      writeFileSync(path, "order export 2026-01-01\nSO1;SO2;SO3\n".repeat(20));
      const error = await expectCorrupt(path);
      assert.match(error.message, /order export/);
      const fake = join(temp.dir, "fake.db");
      const header = Buffer.alloc(4_096, 0xab);
      header.write("SQLite format 3\0", 0, "latin1");
      writeFileSync(fake, header);
      await expectCorrupt(fake);
    } finally {
      temp.remove();
    }
  });

  test("a truncated store is reported as corrupt and left untouched", async () => {
    const temp = tempDir();
    try {
      const path = join(temp.dir, "store.db");
      const clock = new ManualClock();
      const store = await openStore(path, clock);
      for (let i = 0; i < 20; i++) {
        await Promise.all(
          Array.from({ length: 50 }, (_, j) =>
            store.inbox.append({
              source: "api",
              connection: "shop",
              dedupeKey: `${i}-${j}`,
              body: new Uint8Array(400),
            }),
          ),
        );
      }
      await store.close();
      const size = readFileSync(path).length;
      assert.ok(size > 100_000, "the store holds enough pages to cut");
      truncateSync(path, Math.floor(size / 2));
      const error = await expectCorrupt(path);
      assert.match(error.message, /SQLite format 3/);
    } finally {
      temp.remove();
    }
  });

  test("a store migrated by newer code is refused and not touched", async () => {
    const temp = tempDir();
    try {
      const path = join(temp.dir, "store.db");
      const clock = new ManualClock();
      const store = await openStore(path, clock);
      const { to } = await store.migrate();
      await store.close();
      const raw = new Database(path);
      raw
        .prepare("INSERT INTO crossdock_migrations (version, name, applied_at) VALUES (?, ?, ?)")
        .run(to + 1, "future", 0);
      raw.close();
      const newer = await createSqliteStore({ path, clock, ids: createIdGenerator(clock) });
      try {
        const error = await rejectsWithCode(newer.migrate(), "CDK_STORE_SCHEMA_TOO_NEW");
        assert.deepEqual(error.details, { path, found: to + 1, supported: to });
        assert.equal((await newer.status()).schemaVersion, to + 1);
      } finally {
        await newer.close();
      }
    } finally {
      temp.remove();
    }
  });

  test("a new file is migrated from 0 to the latest version", async () => {
    const temp = tempDir();
    try {
      const clock = new ManualClock();
      const store = await createSqliteStore({
        path: join(temp.dir, "new.db"),
        clock,
        ids: createIdGenerator(clock),
      });
      const result = await store.migrate();
      assert.equal(result.from, 0);
      assert.deepEqual(result.applied, [
        "0001-inbox-events-jobs",
        "0002-workflows",
        "0003-audit-log",
        "0004-inbox-job-cursor",
      ]);
      assert.equal(result.to, 4);
      await store.close();
    } finally {
      temp.remove();
    }
  });

  test("messages whose jobs were written before 0004 get no second job; a crash before the jobs loses none", async () => {
    const temp = tempDir();
    try {
      const path = join(temp.dir, "old.db");
      const clock = new ManualClock();
      const ids = createIdGenerator(clock);
      // A store at version 3, whose appends wrote their jobs themselves.
      const old = await createSqliteStore({ path, clock, ids });
      await old.close();
      const retry = JSON.stringify(resolveRetryPolicy({}, resolveStoreConfig(undefined).defaultRetry));
      const db = new Database(path);
      db.exec(
        SQLITE_MIGRATIONS.slice(0, 3)
          .map((m) => m.sql)
          .join("\n"),
      );
      db.exec(`CREATE TABLE crossdock_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
        INSERT INTO crossdock_migrations VALUES (1, '0001-inbox-events-jobs', 0), (2, '0002-workflows', 0), (3, '0003-audit-log', 0);
        INSERT INTO inbox (id, source, connection, dedupe_key, body, received_at, size)
          VALUES ('msg_old', 'webhook', 'shop', 'old-1', x'7b7d', 0, 2);
        INSERT INTO jobs (id, target, kind, idempotency_key, payload, status, run_at, retry, created_at, updated_at)
          VALUES ('job_old', 'crossdock.inbox', 'inbox.process', 'inbox:msg_old', '{"messageId":"msg_old"}', 'done', 0, '${retry}', 0, 0);`);
      db.close();
      let store = await openStore(path, clock);
      const receipt = await store.inbox.append({
        source: "webhook",
        connection: "shop",
        dedupeKey: "new-1",
        body: bytes("{}"),
      });
      // Killed before any claim: the message is there, its job not yet.
      await store.close();
      store = await openStore(path, clock);
      assert.equal(await store.inbox.createPendingJobs(), 1, "only the new message gets a job");
      const jobs = await store.jobs.list({ target: "crossdock.inbox" });
      assert.deepEqual(
        jobs.map((j) => j.idempotencyKey).sort(),
        [`inbox:${receipt.id}`, "inbox:msg_old"].sort(),
      );
      await store.close();
    } finally {
      temp.remove();
    }
  });

  test("WAL, synchronous level and foreign keys are applied", async () => {
    const temp = tempDir();
    try {
      const clock = new ManualClock();
      const full = await openStore(join(temp.dir, "full.db"), clock);
      assert.deepEqual(await full.settings(), { journalMode: "wal", synchronous: "full", foreignKeys: true });
      await full.close();
      const normal = await openStore(join(temp.dir, "normal.db"), clock, { synchronous: "normal" });
      assert.equal((await normal.settings()).synchronous, "normal");
      await normal.close();
    } finally {
      temp.remove();
    }
  });

  test("async transactions are serialised: other work waits, reads never see uncommitted rows", async () => {
    const temp = tempDir();
    try {
      const clock = new ManualClock();
      const store = await openStore(join(temp.dir, "store.db"), clock);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = store.transaction(async (tx) => {
        await tx.putRecord("counter", "c", { n: 1 });
        await tx.appendEvents([{ stream: "s", type: "t", data: null }]);
        await gate;
        throw new Error("rolled back");
      });
      const readDuringTx = store.events.readStream("s");
      const second = store.transaction(async (tx) => {
        const current = await tx.getRecord("counter", "c");
        return tx.putRecord("counter", "c", { n: 10 }, { expectedVersion: current?.version ?? 0 });
      });
      const append = store.inbox.append({ source: "api", connection: "c", dedupeKey: "1", body: bytes("x") });
      release();
      await assert.rejects(first, /rolled back/);
      assert.deepEqual(
        await readDuringTx,
        [],
        "the read waited and saw nothing of the rolled-back transaction",
      );
      assert.equal((await second).version, 1);
      assert.equal((await append).duplicate, false);
      await store.close();
    } finally {
      temp.remove();
    }
  });

  test("concurrent transactions share one commit but each rolls back alone", async () => {
    const temp = tempDir();
    try {
      const clock = new ManualClock();
      const store = await openStore(join(temp.dir, "store.db"), clock);
      const results = await Promise.allSettled([
        store.transaction((tx) => tx.putRecord("r", "a", 1)),
        store.transaction(async (tx) => {
          await tx.putRecord("r", "b", 1);
          await tx.enqueueJobs([job("from-b")]);
          throw new Error("b fails");
        }),
        store.jobs.enqueue([job("plain")]),
        store.transaction((tx) => tx.putRecord("r", "c", 1)),
        store.inbox.append({ source: "api", connection: "c", dedupeKey: "1", body: bytes("x") }),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ["fulfilled", "rejected", "fulfilled", "fulfilled", "fulfilled"],
      );
      const records = await store.transaction(async (tx) =>
        Promise.all(["a", "b", "c"].map((key) => tx.getRecord("r", key))),
      );
      assert.deepEqual(
        records.map((r) => r?.version),
        [1, undefined, 1],
      );
      assert.equal(await store.jobs.getByIdempotencyKey("from-b"), undefined);
      assert.equal((await store.jobs.getByIdempotencyKey("plain"))?.status, "ready");
      await store.close();
    } finally {
      temp.remove();
    }
  });

  test("a store call inside transaction(fn) is refused instead of waiting forever", async () => {
    const temp = tempDir();
    try {
      const clock = new ManualClock();
      const store = await openStore(join(temp.dir, "store.db"), clock);
      await rejectsWithCode(
        store.transaction(async (tx) => {
          await tx.putRecord("r", "a", 1);
          return store.jobs.get("job_x");
        }),
        "CDK_INTERNAL",
      );
      await rejectsWithCode(
        store.transaction(() =>
          store.inbox.append({ source: "api", connection: "c", dedupeKey: "1", body: bytes("x") }),
        ),
        "CDK_INTERNAL",
      );
      assert.equal(await store.transaction((tx) => tx.getRecord("r", "a")), undefined, "rolled back");
      assert.deepEqual(await store.inbox.list(), [], "nothing appended");
      await store.close();
    } finally {
      temp.remove();
    }
  });

  test("close waits for an open transaction to commit", async () => {
    const temp = tempDir();
    try {
      const clock = new ManualClock();
      const path = join(temp.dir, "store.db");
      const store = await openStore(path, clock);
      const gate = Promise.withResolvers<void>();
      const open = store.transaction(async (tx) => {
        await gate.promise;
        return tx.putRecord("r", "a", { late: true });
      });
      await new Promise((resolve) => setImmediate(resolve));
      const closing = store.close();
      gate.resolve();
      await closing;
      assert.equal((await open).version, 1);
      const reopened = await openStore(path, clock);
      assert.deepEqual((await reopened.transaction((tx) => tx.getRecord("r", "a")))?.data, { late: true });
      await reopened.close();
    } finally {
      temp.remove();
    }
  });

  test("a write lock held by another process is reported as unavailable, then the store recovers", async () => {
    const temp = tempDir();
    try {
      const clock = new ManualClock();
      const path = join(temp.dir, "store.db");
      const store = await openStore(path, clock, { busyTimeoutMs: 20 });
      const other = new Database(path);
      other.exec("BEGIN IMMEDIATE");
      await rejectsWithCode(store.jobs.enqueue([job("a")]), "CDK_STORE_UNAVAILABLE");
      other.exec("ROLLBACK");
      other.close();
      assert.equal((await store.jobs.enqueue([job("a")]))[0]?.duplicate, false);
      await store.close();
    } finally {
      temp.remove();
    }
  });

  test("claim uses the partial ready index", async () => {
    const temp = tempDir();
    try {
      const clock = new ManualClock();
      const path = join(temp.dir, "store.db");
      const store = await openStore(path, clock);
      await store.jobs.enqueue([job("a"), job("b", { orderingKey: "K" })]);
      await store.jobs.complete(await claimOne(store));
      await store.close();
      const raw = new Database(path, { readonly: true });
      const plan = (sql: string) =>
        (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(0, 10) as { detail: string }[])
          .map((r) => r.detail)
          .join(" | ");
      assert.match(
        plan("SELECT seq FROM jobs WHERE status = 'ready' AND run_at <= ? ORDER BY run_at, seq LIMIT ?"),
        /USING (COVERING )?INDEX jobs_ready/,
      );
      raw.close();
    } finally {
      temp.remove();
    }
  });
});
