/**
 * The inventory in the store, as versioned records, so a restart neither re-sends every number nor
 * forgets one that was told:
 *
 * | kind                 | key                    | data                                            |
 * |----------------------|------------------------|-------------------------------------------------|
 * | `inventory.config`   | `current`              | the `InventoryOptions` (read by the CLI)         |
 * | `inventory.sku`      | SKU                    | `{ levels: LevelInput[] }`                      |
 * | `inventory.order`    | order key              | the soft reservation, kit lines already expanded |
 * | `inventory.source`   | source                 | `{ heartbeat }`                                 |
 * | `inventory.told`     | `<channel>/<bucket>`   | `{ [sku]: [quantity, at] }`, 256 buckets/channel |
 *
 * Told numbers are grouped in hash buckets so a confirmation of 1,000 SKUs writes at most 256
 * records, not 1,000, and a restart reads 256 records per channel instead of one per SKU.
 *
 * `writeInventoryChanges` writes what changed inside the caller's transaction and returns a `commit`
 * to call once it committed: only then are the changes forgotten, so a rolled-back transaction leaves
 * them pending for the next write. Kinds and keys are stored: never rename them.
 */
import type { JsonValue, Store, StoreTx } from "../store/store.ts";
import { createInventory, type Inventory } from "./inventory.ts";
import type { InventoryOptions } from "./inventory-config.ts";
import { toUnits, unitsToText } from "./stock-quantity.ts";
import type { LevelInput, SoftReservation } from "./stock-state.ts";

export const INVENTORY_KINDS = Object.freeze({
  config: "inventory.config",
  sku: "inventory.sku",
  order: "inventory.order",
  source: "inventory.source",
  told: "inventory.told",
});

const BUCKETS = 256;

/** The told bucket of a SKU (FNV-1a of its UTF-16 code units). */
export function toldBucket(sku: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < sku.length; i++) hash = Math.imul(hash ^ sku.charCodeAt(i), 0x01000193);
  return ((hash >>> 0) % BUCKETS).toString(16).padStart(2, "0");
}

type StoredReservation = Omit<SoftReservation, "lines"> & {
  lines: { sku: string; quantity: string; warehouse?: string }[];
};

/** Stores the options the inventory runs with (the CLI reads them). */
export async function saveInventoryOptions(tx: StoreTx, options: InventoryOptions): Promise<void> {
  await tx.putRecord(INVENTORY_KINDS.config, "current", options as unknown as JsonValue);
}

/** Writes every input and told number that changed; call `commit()` after the transaction committed. */
export async function writeInventoryChanges(
  tx: StoreTx,
  inventory: Inventory,
): Promise<{ commit(): void; written: number }> {
  const { state, planner } = inventory;
  const changes = state.pendingChanges();
  const told = planner.pendingToldChanges();
  let written = 0;
  for (const sku of changes.skus) {
    const levels = (state.levels.get(sku) ?? []).map((l) => l.input);
    await tx.putRecord(INVENTORY_KINDS.sku, sku, { levels } as unknown as JsonValue);
    written++;
  }
  for (const order of changes.orders) {
    const r = state.reservations.get(order);
    if (!r) await tx.deleteRecord(INVENTORY_KINDS.order, order);
    else {
      const stored: StoredReservation = {
        ...r,
        lines: r.lines.map((l) => ({
          sku: l.sku,
          quantity: unitsToText(l.units),
          ...(l.warehouse === undefined ? {} : { warehouse: l.warehouse }),
        })),
      };
      await tx.putRecord(INVENTORY_KINDS.order, order, stored as unknown as JsonValue);
    }
    written++;
  }
  for (const source of changes.sources) {
    await tx.putRecord(INVENTORY_KINDS.source, source, { heartbeat: state.heartbeats.get(source) ?? null });
    written++;
  }
  for (const [channel, skus] of told) {
    const buckets = new Map<string, string[]>();
    for (const sku of skus) buckets.set(toldBucket(sku), [...(buckets.get(toldBucket(sku)) ?? []), sku]);
    for (const [bucket, members] of buckets) {
      const key = `${channel}/${bucket}`;
      const data = {
        ...((await tx.getRecord(INVENTORY_KINDS.told, key))?.data as
          | Record<string, [number, number]>
          | undefined),
      };
      for (const sku of members) {
        const entry = planner.told(channel, sku);
        if (entry) data[sku] = [entry.quantity, entry.at];
      }
      await tx.putRecord(INVENTORY_KINDS.told, key, data);
      written++;
    }
  }
  return {
    written,
    commit() {
      state.clearChanges(changes);
      planner.clearToldChanges(told);
    },
  };
}

/** Writes the changes in a transaction of their own. */
export async function persistInventory(store: Store, inventory: Inventory): Promise<number> {
  const result = await store.transaction((tx) => writeInventoryChanges(tx, inventory));
  result.commit();
  return result.written;
}

async function* all(store: Store, kind: string) {
  let afterKey: string | undefined;
  for (;;) {
    const page = await store.records.list(kind, {
      limit: 1_000,
      ...(afterKey === undefined ? {} : { afterKey }),
    });
    yield* page;
    if (page.length < 1_000) return;
    afterKey = page.at(-1)?.key;
  }
}

/** The stored options, if an inventory was ever configured. */
export async function readInventoryOptions(store: Store): Promise<InventoryOptions | undefined> {
  return (await store.records.get(INVENTORY_KINDS.config, "current"))?.data as InventoryOptions | undefined;
}

/**
 * Rebuilds the inventory from the store: with `options` (the running configuration) or the stored
 * ones. `undefined` when there are neither. Inputs of sources, warehouses or channels no longer
 * configured are loaded all the same and simply not counted.
 */
export async function loadInventory(
  store: Store,
  options?: InventoryOptions,
): Promise<Inventory | undefined> {
  const resolved = options ?? (await readInventoryOptions(store));
  if (!resolved) return undefined;
  const inventory = createInventory(resolved);
  const { state, planner } = inventory;
  for await (const record of all(store, INVENTORY_KINDS.sku)) {
    for (const level of (record.data as unknown as { levels: LevelInput[] }).levels) state.applyLevel(level);
  }
  for await (const record of all(store, INVENTORY_KINDS.order)) {
    const r = record.data as unknown as StoredReservation;
    const lines = r.lines.map((l) => ({
      sku: l.sku,
      units: toUnits(l.quantity, "demand") ?? 0n,
      ...(l.warehouse === undefined ? {} : { warehouse: l.warehouse }),
    }));
    state.restoreReservation({ ...r, lines });
  }
  for await (const record of all(store, INVENTORY_KINDS.source)) {
    const heartbeat = (record.data as { heartbeat: number | null }).heartbeat;
    if (heartbeat !== null) state.setHeartbeat(record.key, heartbeat);
  }
  for await (const record of all(store, INVENTORY_KINDS.told)) {
    const channel = record.key.slice(0, record.key.lastIndexOf("/"));
    for (const [sku, [quantity, at]] of Object.entries(record.data as Record<string, [number, number]>)) {
      planner.restoreTold(channel, sku, { quantity, at });
    }
  }
  state.clearChanges(state.pendingChanges());
  return inventory;
}
