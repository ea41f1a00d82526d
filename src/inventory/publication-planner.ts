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
 *
 * Memory: per channel, the told numbers and their times are two float64 `Column`s indexed by the SKU's
 * dense id with a byte per SKU saying whether it was told; the pending SKUs (with their number) and
 * the unsaved ones are `IdSet`s, in the order a `Map`/`Set` would keep them. The told values before
 * the current one, up to 8, are a `ToldHistory` (rings in typed arrays; nothing for a SKU told once).
 */
import type { AvailabilityEngine } from "./availability-engine.ts";
import { byteColumn, type Column, float64Column, IdSet } from "./sku-index.ts";
import { type ToldEntry, ToldHistory } from "./told-history.ts";

export type { ToldEntry } from "./told-history.ts";

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

interface ChannelTold {
  readonly name: string;
  /** Per SKU id: 1 when told (then `quantity` and `at` hold the last confirmation). */
  readonly told: Column<Uint8Array>;
  readonly quantity: Column<Float64Array>;
  readonly at: Column<Float64Array>;
  /** Told values before the current one, per SKU id; started on the first replacement. */
  readonly history: ToldHistory;
  /** SKU ids to send, in the order they became pending (as a `Map` would keep them)... */
  readonly pending: IdSet;
  /** ... and, per SKU id, the number to send. */
  readonly pendingQuantity: Column<Float64Array>;
  /** Told and not yet known to be stored. */
  readonly unsaved: IdSet;
}

export class PublicationPlanner {
  readonly engine: AvailabilityEngine;
  readonly #channels: ChannelTold[] = [];

  constructor(engine: AvailabilityEngine) {
    this.engine = engine;
    for (const name of engine.channelNames()) {
      this.#channels.push({
        name,
        told: byteColumn(),
        quantity: float64Column(),
        at: float64Column(),
        history: new ToldHistory(),
        pending: new IdSet(),
        pendingQuantity: float64Column(),
        unsaved: new IdSet(),
      });
    }
    engine.setToldLookup((channel, id) => {
      const c = this.#channels[channel];
      return c && c.told.get(id) === 1 ? c.quantity.get(id) : undefined;
    });
  }

  /** Pulls the engine's changes into the pending sets; `plan` calls it. */
  refresh(now: number): void {
    this.engine.refresh(now, (channel, id, quantity) => {
      const c = this.#channels[channel] as ChannelTold;
      if (c.told.get(id) === 1 && c.quantity.get(id) === quantity) c.pending.delete(id);
      else this.#setPending(c, id, quantity);
    });
  }

  /** The updates `channel` needs now. Does not mark anything told. */
  plan(channel: string, now: number): PublicationPlan {
    this.refresh(now);
    const c = this.#channel(channel);
    const size = this.engine.channel(channel)?.batchSize ?? 100;
    const batches: StockUpdate[][] = [];
    let batch: StockUpdate[] = [];
    for (const id of c?.pending ?? []) {
      batch.push({ sku: this.engine.skuIndex.sku(id), quantity: c?.pendingQuantity.get(id) as number });
      if (batch.length === size) {
        batches.push(batch);
        batch = [];
      }
    }
    if (batch.length > 0) batches.push(batch);
    return { channel, batches, total: c?.pending.size ?? 0 };
  }

  /** Records what `channel` accepted at `at`. */
  confirm(channel: string, sent: readonly StockUpdate[], at: number): void {
    const position = this.engine.channelPosition(channel);
    const c = this.#channel(channel);
    if (position === undefined || !c) return;
    for (const { sku, quantity } of sent) {
      const id = this.engine.skuIndex.id(sku);
      // The history holds the told values before the current one, created on the first replacement.
      if (c.told.get(id) === 1) c.history.push(id, c.quantity.get(id), c.at.get(id));
      c.told.set(id, 1);
      c.quantity.set(id, quantity);
      c.at.set(id, at);
      if (c.pending.has(id) && c.pendingQuantity.get(id) === quantity) c.pending.delete(id);
      c.unsaved.add(id);
      // Under `hold`, the number depends on what was told: let the engine look again.
      this.engine.toldChangedById(position, id);
    }
  }

  /** Makes every SKU pending on `channel` (or all channels), whatever they were told. */
  republish(now: number, channel?: string): void {
    this.refresh(now);
    const skus = this.engine.skus();
    for (const [position, c] of this.#channels.entries()) {
      if (channel !== undefined && c.name !== channel) continue;
      for (const sku of skus) {
        const id = this.engine.skuIndex.id(sku);
        this.#setPending(c, id, this.engine.currentById(position, id) ?? 0);
      }
    }
  }

  /** What `channel` was last told for `sku`. */
  told(channel: string, sku: string): ToldEntry | undefined {
    const c = this.#channel(channel);
    const id = this.engine.skuIndex.find(sku);
    return c && id !== undefined ? this.#entry(c, id) : undefined;
  }

  /** The recent told values, oldest first (since this process started, plus the persisted last one). */
  toldHistory(channel: string, sku: string): readonly ToldEntry[] {
    const c = this.#channel(channel);
    const id = this.engine.skuIndex.find(sku);
    if (!c || id === undefined) return [];
    const last = this.#entry(c, id);
    const trail = c.history.entries(id);
    if (last) trail.push(last);
    return trail;
  }

  /** The number `channel` had been told for `sku` at `at` (the last confirmation not after it). */
  toldAt(channel: string, sku: string, at: number): ToldEntry | undefined {
    const trail = this.toldHistory(channel, sku);
    for (let i = trail.length - 1; i >= 0; i--) if ((trail[i] as ToldEntry).at <= at) return trail[i];
    return undefined;
  }

  /** Number of SKUs waiting to be sent to `channel`. */
  pendingCount(channel: string): number {
    return this.#channel(channel)?.pending.size ?? 0;
  }

  /** Restores a persisted told value (startup); not a change to persist again. */
  restoreTold(channel: string, sku: string, entry: ToldEntry): void {
    const c = this.#channel(channel);
    if (!c) return;
    const id = this.engine.skuIndex.id(sku);
    c.told.set(id, 1);
    c.quantity.set(id, entry.quantity);
    c.at.set(id, entry.at);
  }

  /** Persistence: per channel, the SKUs told and not yet known to be stored (a copy). */
  pendingToldChanges(): Map<string, Set<string>> {
    const index = this.engine.skuIndex;
    return new Map(this.#channels.map((c) => [c.name, new Set([...c.unsaved].map((id) => index.sku(id)))]));
  }

  /** Persistence: these were committed. */
  clearToldChanges(changes: Map<string, Set<string>>): void {
    const index = this.engine.skuIndex;
    for (const [channel, skus] of changes) {
      const unsaved = this.#channel(channel)?.unsaved;
      for (const sku of skus) {
        const id = index.find(sku);
        if (id !== undefined) unsaved?.delete(id);
      }
    }
  }

  #channel(name: string): ChannelTold | undefined {
    return this.#channels[this.engine.channelPosition(name) ?? -1];
  }

  #setPending(c: ChannelTold, id: number, quantity: number): void {
    c.pending.add(id);
    c.pendingQuantity.set(id, quantity);
  }

  #entry(c: ChannelTold, id: number): ToldEntry | undefined {
    return c.told.get(id) === 1 ? { quantity: c.quantity.get(id), at: c.at.get(id) } : undefined;
  }
}
