/** A fresh SQLite store on a manual clock for the Odoo change capture tests; removed after the test. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { ManualClock } from "../../src/core/clock.ts";
import { createSequentialIds } from "../../src/core/ids.ts";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.ts";
import type { Store, StoredEvent } from "../../src/store/store.ts";

export async function openTestStore(t: TestContext, clock = new ManualClock(Date.UTC(2026, 0, 1, 12))) {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-odoo-"));
  const path = join(dir, "hub.db");
  const ids = createSequentialIds();
  const open = async (): Promise<Store> => {
    const store = await createSqliteStore({ path, clock, ids, synchronous: "normal" });
    await store.migrate();
    return store;
  };
  let store = await open();
  t.after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    clock,
    get store() {
      return store;
    },
    /** Closes and reopens the store file: a process restart. */
    async reopen(): Promise<Store> {
      await store.close();
      store = await open();
      return store;
    },
    /** Every event in the log, in order. */
    async events(): Promise<StoredEvent[]> {
      await store.events.subscribe("test-all", { from: "beginning" });
      return store.events.poll("test-all", 1_000_000);
    },
  };
}
