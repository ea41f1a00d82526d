/**
 * What the inventory tests share: a small landscape (Odoo warehouse WH, a 3PL warehouse TPL, two
 * channels) and helpers to build an engine and planner over it. Test support, kept out of `*.test.ts`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { ManualClock } from "../core/clock.ts";
import { createSequentialIds } from "../core/ids.ts";
import { createSqliteStore } from "../store/sqlite/sqlite-store.ts";
import type { Store } from "../store/store.ts";
import { createInventory, type Inventory } from "./inventory.ts";
import type { ChannelOptions, InventoryOptions } from "./inventory-config.ts";
import type { LevelInput } from "./stock-state.ts";

export const T0 = Date.UTC(2026, 0, 1);
export const MINUTE = 60_000;

/** Two sources (odoo 5 min SLA, tpl 1 h), warehouses WH (odoo) and TPL (tpl), channels web and b2b. */
export function testOptions(
  overrides: {
    web?: Partial<ChannelOptions>;
    b2b?: Partial<ChannelOptions>;
  } & Partial<InventoryOptions> = {},
): InventoryOptions {
  const { web, b2b, ...rest } = overrides;
  return {
    sources: { odoo: { slaMs: 5 * MINUTE }, tpl: { slaMs: 60 * MINUTE } },
    warehouses: { WH: { source: "odoo" }, TPL: { source: "tpl" } },
    channels: {
      web: { warehouses: ["WH", "TPL"], ...web },
      b2b: { warehouses: ["WH"], ...b2b },
    },
    ...rest,
  };
}

export function createTestInventory(options: InventoryOptions = testOptions()): Inventory {
  return createInventory(options);
}

/** A reading with defaults: odoo at WH, observed at T0. */
export function level(sku: string, onHand: string, extra: Partial<LevelInput> = {}): LevelInput {
  return { source: "odoo", warehouse: "WH", sku, onHand, observedAt: T0, ...extra };
}

/** A fresh SQLite store on `clock` in a temporary folder (the path is returned to reopen it). */
export async function openInventoryTestStore(
  t: TestContext,
  clock = new ManualClock(T0),
): Promise<{ store: Store; path: string; reopen(): Promise<Store> }> {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-inventory-"));
  const path = join(dir, "hub.db");
  const stores: Store[] = [];
  const open = async () => {
    const store = await createSqliteStore({ path, clock, ids: createSequentialIds(), synchronous: "normal" });
    await store.migrate();
    stores.push(store);
    return store;
  };
  t.after(async () => {
    for (const store of stores) await store.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });
  return { store: await open(), path, reopen: open };
}
