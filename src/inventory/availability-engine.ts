/**
 * The incremental availability index: the current number per (channel, SKU), recomputed only where an
 * input changed.
 *
 * What marks a (channel, SKU) dirty: a reading of the SKU at a warehouse the channel serves, a soft
 * reservation of it (all channels), the same for any component of a kit (the kit is dirty too), and
 * time: `refresh(now)` first ticks every reading's staleness "stage" (how many of the distinct SLAs
 * that channels apply to its source its age has passed) and marks the SKU dirty when the stage moves,
 * so a source crossing any channel's SLA, or a heartbeat bringing it back, is seen without a full
 * recompute. Every recomputation reads `now`, so a number is never computed from a stale judgement.
 *
 * Memory: per channel, the current numbers are a float64 `Column` indexed by the SKU's dense id
 * (`StockState.skuIndex`; NaN: never computed), the stale marks a byte per SKU and the dirty SKUs an
 * `IdSet` (a byte per SKU, plus the marked ids in marking order while dirty, so recomputation and
 * hence publication order are those of the `Set` it replaced). About 10 bytes per (channel, SKU)
 * instead of a map entry per number and per mark.
 */
import { type AvailabilityExplanation, computeAvailability, explainAvailability } from "./availability.ts";
import type { ChannelConfig, InventoryConfig } from "./inventory-config.ts";
import { byteColumn, type Column, float64Column, IdSet, type SkuIndex } from "./sku-index.ts";
import type { LevelState, StockState } from "./stock-state.ts";

/** Told of each (channel, SKU) whose number changed at a `refresh` (channel by its position in the config). */
export type AvailabilityListener = (channel: number, sku: number, quantity: number, stale: boolean) => void;

/** The last number told to a channel (by position) for a SKU (by id), if any. */
export type ToldLookup = (channel: number, sku: number) => number | undefined;

interface ChannelIndex {
  readonly name: string;
  readonly config: ChannelConfig;
  /** Per SKU id, the number last computed; NaN when never computed. */
  readonly current: Column<Float64Array>;
  /** Per SKU id, 1 when its last number was computed from a stale reading. */
  readonly stale: Column<Uint8Array>;
  readonly dirty: IdSet;
}

export class AvailabilityEngine {
  readonly state: StockState;
  readonly config: InventoryConfig;
  readonly skuIndex: SkuIndex;
  readonly #channels: ChannelIndex[] = [];
  readonly #position = new Map<string, number>();
  #thresholds = new Map<string, number[]>();
  #staged = new Map<string, Set<LevelState>>();
  /** Per source: no reading moves to a higher stage before this time (unset: scan at the next tick). */
  #deadline = new Map<string, number>();
  #seenHeartbeat = new Map<string, number>();
  #told: ToldLookup = () => undefined;

  constructor(state: StockState) {
    this.state = state;
    this.config = state.config;
    this.skuIndex = state.skuIndex;
    for (const [name, config] of this.config.channels) {
      this.#position.set(name, this.#channels.length);
      this.#channels.push({
        name,
        config,
        current: float64Column(Number.NaN),
        stale: byteColumn(),
        dirty: new IdSet({ deletable: false }),
      });
    }
    for (const source of this.config.sourceSla.keys()) {
      const slas = [...this.config.channels.values()].map((c) => this.config.slaMs(c, source));
      this.#thresholds.set(
        source,
        [...new Set(slas)].sort((a, b) => a - b),
      );
    }
    state.listen((sku, warehouse, level) => {
      if (level) this.#newLevel(level);
      this.#affected(sku, warehouse);
    });
    this.markAll();
  }

  /** Where the `hold` policy reads the last told number (the publication planner). */
  setToldLookup(lookup: ToldLookup): void {
    this.#told = lookup;
  }

  channel(name: string): ChannelConfig | undefined {
    return this.config.channels.get(name);
  }

  /** The channel's position in the configuration (the index the listener and the told lookup use). */
  channelPosition(name: string): number | undefined {
    return this.#position.get(name);
  }

  /** Channel names in configuration order. */
  channelNames(): string[] {
    return this.#channels.map((c) => c.name);
  }

  /** Every SKU the engine can publish: those with readings or reservations, and every kit. */
  skus(): Set<string> {
    return new Set([
      ...this.state.levels.keys(),
      ...this.state.ordersBySku.keys(),
      ...this.config.kits.keys(),
    ]);
  }

  /** The number last computed for (channel, SKU), if any. */
  current(channel: string, sku: string): number | undefined {
    const position = this.#position.get(channel);
    const id = this.skuIndex.find(sku);
    return position === undefined || id === undefined ? undefined : this.currentById(position, id);
  }

  /** `current` by channel position and SKU id. */
  currentById(channel: number, id: number): number | undefined {
    const value = this.#channels[channel]?.current.get(id);
    return value === undefined || Number.isNaN(value) ? undefined : value;
  }

  markDirty(channel: string, sku: string): void {
    const c = this.#channels[this.#position.get(channel) ?? -1];
    if (c) c.dirty.add(this.skuIndex.id(sku));
  }

  /** A new told number matters only to a stale SKU under `hold`: recompute just those. */
  toldChanged(channel: string, sku: string): void {
    const position = this.#position.get(channel);
    const id = this.skuIndex.find(sku);
    if (position !== undefined && id !== undefined) this.toldChangedById(position, id);
  }

  /** `toldChanged` by channel position and SKU id. */
  toldChangedById(channel: number, id: number): void {
    const c = this.#channels[channel];
    if (c && c.stale.get(id) === 1 && c.config.freshness === "hold") c.dirty.add(id);
  }

  /** Marks every SKU dirty (on one channel, or all): the next refresh recomputes everything. */
  markAll(channel?: string): void {
    // The order of `skus()` without building it: an id already marked keeps its place.
    const sources = [this.state.levels.keys(), this.state.ordersBySku.keys(), this.config.kits.keys()];
    const marked = this.#channels.filter((c) => channel === undefined || c.name === channel);
    for (const keys of sources)
      for (const sku of keys) {
        const id = this.skuIndex.id(sku);
        for (const c of marked) c.dirty.add(id);
      }
  }

  /**
   * Ticks staleness, recomputes what is dirty and tells `changed` of each (channel, SKU) whose number
   * changed (or was computed for the first time), channel by channel in configuration order.
   */
  refresh(now: number, changed: AvailabilityListener = () => {}): void {
    this.#tick(now);
    for (let position = 0; position < this.#channels.length; position++) {
      const c = this.#channels[position] as ChannelIndex;
      const { dirty, config } = c;
      for (let i = 0; i < dirty.entries; i++) {
        const id = dirty.entry(i);
        if (id < 0) continue;
        const sku = this.skuIndex.sku(id);
        const result = computeAvailability(this.state, config, sku, now, this.#told(position, id));
        c.stale.set(id, result.stale ? 1 : 0);
        if (c.current.get(id) !== result.quantity) {
          c.current.set(id, result.quantity);
          changed(position, id, result.quantity, result.stale);
        }
      }
      dirty.clear();
    }
  }

  /** Every term of the calculation for (SKU, channel) at `now`. */
  explain(sku: string, channel: string, now: number): AvailabilityExplanation | undefined {
    const config = this.config.channels.get(channel);
    const position = this.#position.get(channel);
    const id = this.skuIndex.find(sku);
    const told = position === undefined || id === undefined ? undefined : this.#told(position, id);
    return config && explainAvailability(this.state, config, sku, now, told);
  }

  #affected(sku: string, warehouse: string | undefined): void {
    const kits = this.config.kitsOf.get(sku);
    const id = this.skuIndex.id(sku);
    const kitIds = kits?.map((kit) => this.skuIndex.id(kit));
    for (const c of this.#channels) {
      if (warehouse !== undefined && !c.config.warehouses.has(warehouse)) continue;
      c.dirty.add(id);
      if (kitIds) for (const kit of kitIds) c.dirty.add(kit);
    }
  }

  #newLevel(level: LevelState): void {
    const source = level.input.source;
    const deadline = this.#deadline.get(source);
    const first = this.#thresholds.get(source)?.[0];
    if (deadline === undefined || first === undefined) return;
    const freshAt = Math.max(level.input.observedAt, this.state.heartbeats.get(source) ?? -Infinity);
    if (freshAt + first < deadline) this.#deadline.set(source, freshAt + first);
  }

  #tick(now: number): void {
    for (const [source, levels] of this.state.bySource) {
      const thresholds = this.#thresholds.get(source);
      if (!thresholds || thresholds.length === 0) continue;
      const staged = this.#staged.get(source) ?? new Set<LevelState>();
      this.#staged.set(source, staged);
      const heartbeat = this.state.heartbeats.get(source) ?? -Infinity;
      if (this.#seenHeartbeat.get(source) !== heartbeat) {
        this.#seenHeartbeat.set(source, heartbeat);
        this.#deadline.delete(source);
      }
      // A fresh heartbeat makes every reading of the source fresh: only the staged ones can move.
      const beatFresh = now - heartbeat <= (thresholds[0] as number);
      if (beatFresh) this.#deadline.delete(source);
      else if (now <= (this.#deadline.get(source) ?? -Infinity)) continue;
      let deadline = Infinity;
      for (const level of beatFresh ? [...staged] : levels) {
        if (!level.live) {
          staged.delete(level);
          continue;
        }
        const freshAt = Math.max(level.input.observedAt, heartbeat);
        const age = now - freshAt;
        let stage = 0;
        while (stage < thresholds.length && age > (thresholds[stage] as number)) stage++;
        if (stage < thresholds.length) deadline = Math.min(deadline, freshAt + (thresholds[stage] as number));
        if (stage === level.stage) continue;
        level.stage = stage;
        if (stage === 0) staged.delete(level);
        else staged.add(level);
        this.#affected(level.input.sku, level.input.warehouse);
      }
      if (!beatFresh) this.#deadline.set(source, deadline);
    }
  }
}
