/**
 * Delta publication: what each channel was last told per SKU, and the SKUs whose number now differs.
 *
 * - `plan(channel, now)` refreshes the engine and returns the pending SKUs (latest number wins: ten
 *   changes of one SKU between two passes send one update), chunked by the channel's batch size.
 * - `confirm(channel, sent, at)` records what the channel accepted. Only then is it "told": an update
 *   that failed stays pending and goes again in the next plan, with the number current then.
 * - `republish(channel?)` makes every SKU pending again (on demand, and on a schedule as a safety
 *   net against a channel edited by hand).
 *
 * The last told numbers are also the `hold` policy's memory, and their recent history is the trail an
 * oversell check shows (`toldAt`). Persisting them is `inventory-persistence.ts`' job: `pendingToldChanges`
 * says which to write.
 */
import type { AvailabilityEngine } from "./availability-engine.ts";

export interface StockUpdate {
  sku: string;
  quantity: number;
}

export interface PublicationPlan {
  channel: string;
  /** Updates in the channel's batch size; empty when nothing changed. */
  batches: StockUpdate[][];
  total: number;
}

export interface ToldEntry {
  quantity: number;
  at: number;
}

/** Told values kept per (channel, SKU) for oversell trails; older ones are dropped. */
const HISTORY = 8;

export class PublicationPlanner {
  readonly engine: AvailabilityEngine;
  #told = new Map<string, Map<string, ToldEntry>>();
  #history = new Map<string, Map<string, ToldEntry[]>>();
  #pending = new Map<string, Map<string, number>>();
  #toldChanges = new Map<string, Set<string>>();

  constructor(engine: AvailabilityEngine) {
    this.engine = engine;
    for (const channel of engine.config.channels.keys()) {
      this.#told.set(channel, new Map());
      this.#history.set(channel, new Map());
      this.#pending.set(channel, new Map());
      this.#toldChanges.set(channel, new Set());
    }
    engine.setToldLookup((channel, sku) => this.#told.get(channel)?.get(sku)?.quantity);
  }

  /** Pulls the engine's changes into the pending sets; `plan` calls it. */
  refresh(now: number): void {
    for (const [channel, changes] of this.engine.refresh(now)) {
      const told = this.#told.get(channel) as Map<string, ToldEntry>;
      const pending = this.#pending.get(channel) as Map<string, number>;
      for (const change of changes) {
        if (told.get(change.sku)?.quantity === change.quantity) pending.delete(change.sku);
        else pending.set(change.sku, change.quantity);
      }
    }
  }

  /** The updates `channel` needs now. Does not mark anything told. */
  plan(channel: string, now: number): PublicationPlan {
    this.refresh(now);
    const pending = this.#pending.get(channel);
    const size = this.engine.channel(channel)?.batchSize ?? 100;
    const batches: StockUpdate[][] = [];
    let batch: StockUpdate[] = [];
    for (const [sku, quantity] of pending ?? []) {
      batch.push({ sku, quantity });
      if (batch.length === size) {
        batches.push(batch);
        batch = [];
      }
    }
    if (batch.length > 0) batches.push(batch);
    return { channel, batches, total: pending?.size ?? 0 };
  }

  /** Records what `channel` accepted at `at`. */
  confirm(channel: string, sent: readonly StockUpdate[], at: number): void {
    const told = this.#told.get(channel);
    const pending = this.#pending.get(channel);
    const history = this.#history.get(channel);
    if (!told || !pending || !history) return;
    const changes = this.#toldChanges.get(channel) as Set<string>;
    for (const { sku, quantity } of sent) {
      const previous = told.get(sku);
      told.set(sku, { quantity, at });
      // The history holds the told values before the current one, created on the first replacement.
      if (previous) {
        const trail = history.get(sku) ?? [];
        trail.push(previous);
        if (trail.length > HISTORY) trail.shift();
        history.set(sku, trail);
      }
      if (pending.get(sku) === quantity) pending.delete(sku);
      changes.add(sku);
      // Under `hold`, the number depends on what was told: let the engine look again.
      this.engine.toldChanged(channel, sku);
    }
  }

  /** Makes every SKU pending on `channel` (or all channels), whatever they were told. */
  republish(now: number, channel?: string): void {
    this.refresh(now);
    for (const [name, pending] of this.#pending) {
      if (channel !== undefined && name !== channel) continue;
      for (const sku of this.engine.skus()) pending.set(sku, this.engine.current(name, sku) ?? 0);
    }
  }

  /** What `channel` was last told for `sku`. */
  told(channel: string, sku: string): ToldEntry | undefined {
    return this.#told.get(channel)?.get(sku);
  }

  /** The recent told values, oldest first (since this process started, plus the persisted last one). */
  toldHistory(channel: string, sku: string): readonly ToldEntry[] {
    const last = this.#told.get(channel)?.get(sku);
    return [...(this.#history.get(channel)?.get(sku) ?? []), ...(last ? [last] : [])];
  }

  /** The number `channel` had been told for `sku` at `at` (the last confirmation not after it). */
  toldAt(channel: string, sku: string, at: number): ToldEntry | undefined {
    const trail = this.toldHistory(channel, sku);
    for (let i = trail.length - 1; i >= 0; i--) if ((trail[i] as ToldEntry).at <= at) return trail[i];
    return undefined;
  }

  /** Number of SKUs waiting to be sent to `channel`. */
  pendingCount(channel: string): number {
    return this.#pending.get(channel)?.size ?? 0;
  }

  /** Restores a persisted told value (startup); not a change to persist again. */
  restoreTold(channel: string, sku: string, entry: ToldEntry): void {
    this.#told.get(channel)?.set(sku, entry);
  }

  /** Persistence: per channel, the SKUs told and not yet known to be stored (a copy). */
  pendingToldChanges(): Map<string, Set<string>> {
    return new Map([...this.#toldChanges].map(([c, skus]) => [c, new Set(skus)]));
  }

  /** Persistence: these were committed. */
  clearToldChanges(changes: Map<string, Set<string>>): void {
    for (const [channel, skus] of changes)
      for (const sku of skus) this.#toldChanges.get(channel)?.delete(sku);
  }
}
