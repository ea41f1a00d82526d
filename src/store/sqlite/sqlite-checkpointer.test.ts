import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ManualClock } from "../../core/clock.ts";
import { createIdGenerator } from "../../core/ids.ts";
import { BackgroundCheckpointer } from "./sqlite-checkpointer.ts";
import { createSqliteStore } from "./sqlite-store.ts";

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "crossdock-checkpointer-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const MESSAGE = new Uint8Array(16 * 1024).fill(0x61);

test("background checkpoints keep the WAL small while the writer goes on; nothing is lost", async (t) => {
  const path = join(tempDir(t), "hub.db");
  const clock = new ManualClock();
  const open = async () => {
    const store = await createSqliteStore({
      path,
      clock,
      ids: createIdGenerator(clock),
      checkpoints: "background",
    });
    await store.migrate();
    return store;
  };
  let store = await open();
  // 2,000 messages of 16 KiB: about 8,000 WAL frames, 32 MiB, under both inline thresholds, so only
  // the background checkpointer can have copied them and let the WAL start again.
  for (let round = 0; round < 20; round++) {
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        store.inbox.append({
          source: "webhook",
          connection: "shop",
          dedupeKey: `r${round}-${i}`,
          body: MESSAGE,
        }),
      ),
    );
    await sleep(20);
  }
  const walBytes = statSync(`${path}-wal`).size;
  assert.ok(
    walBytes < 16 * 1024 * 1024,
    `the WAL restarted instead of growing to 32 MiB (${walBytes} bytes)`,
  );
  await store.close();
  assert.equal(existsSync(`${path}-wal`), false, "both connections closed: the last one removed the WAL");
  store = await open();
  const stored = await store.inbox.list({ limit: 5_000 });
  assert.equal(stored.length, 2_000);
  assert.ok(stored.every((m) => m.size === MESSAGE.byteLength));
  await store.close();
});

test("a checkpointer that cannot start reports it once and stops cleanly", async (t) => {
  const path = join(tempDir(t), "hub.db");
  const failures: Error[] = [];
  const checkpointer = new BackgroundCheckpointer({
    path,
    synchronous: "FULL",
    busyTimeoutMs: 100,
    driverPath: join(tempDir(t), "no-such-driver.cjs"),
    onFailure: (error) => failures.push(error),
  });
  for (let i = 0; i < 100 && failures.length === 0; i++) await sleep(20);
  assert.equal(failures.length, 1);
  assert.match(failures[0]!.message, /no-such-driver/);
  await checkpointer.stop();
});

test("an in-memory store ignores background checkpoints", async () => {
  const clock = new ManualClock();
  const store = await createSqliteStore({
    path: ":memory:",
    clock,
    ids: createIdGenerator(clock),
    checkpoints: "background",
  });
  await store.migrate();
  const receipt = await store.inbox.append({ source: "api", connection: "x", dedupeKey: "1", body: MESSAGE });
  assert.equal((await store.inbox.get(receipt.id))?.size, MESSAGE.byteLength);
  await store.close();
});
