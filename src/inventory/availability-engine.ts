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
 */
import { type AvailabilityExplanation, computeAvailability, explainAvailability } from "./availability.ts";
import type { ChannelConfig, InventoryConfig } from "./inventory-config.ts";
import type { LevelState, StockState } from "./stock-state.ts";

/** A (channel, SKU) whose number changed at the last `refresh`. */
export interface AvailabilityChange {
  sku: string;
  quantity: number;
  stale: boolean;
}

export type ToldLookup = (channel: string, sku: string) => number | undefined;

export class AvailabilityEngine {
  readonly state: StockState;
  readonly config: InventoryConfig;
  #current = new Map<string, Map<string, number>>();
  #dirty = new Map<string, Set<string>>();
  #thresholds = new Map<string, number[]>();
  #staged = new Map<string, Set<LevelState>>();
  /** Per channel, the SKUs whose last number was computed from a stale reading. */
  #stale = new Map<string, Set<string>>();
  /** Per source: no reading moves to a higher stage before this time (unset: scan at the next tick). */
  #deadline = new Map<string, number>();
  #seenHeartbeat = new Map<string, number>();
  #told: ToldLookup = () => undefined;

  constructor(state: StockState) {
    this.state = state;
    this.config = state.config;
    for (const channel of this.config.channels.keys()) {
      this.#current.set(channel, new Map());
      this.#dirty.set(channel, new Set());
      this.#stale.set(channel, new Set());
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
    return this.#current.get(channel)?.get(sku);
  }

  markDirty(channel: string, sku: string): void {
    this.#dirty.get(channel)?.add(sku);
  }

  /** A new told number matters only to a stale SKU under `hold`: recompute just those. */
  toldChanged(channel: string, sku: string): void {
    if (this.#stale.get(channel)?.has(sku) && this.config.channels.get(channel)?.freshness === "hold")
      this.markDirty(channel, sku);
  }

  /** Marks every SKU dirty (on one channel, or all): the next refresh recomputes everything. */
  markAll(channel?: string): void {
    const skus = this.skus();
    for (const [name, set] of this.#dirty)
      if (channel === undefined || name === channel) for (const sku of skus) set.add(sku);
  }

  /**
   * Ticks staleness, recomputes what is dirty and returns, per channel, the SKUs whose number changed
   * (or was computed for the first time).
   */
  refresh(now: number): Map<string, AvailabilityChange[]> {
    this.#tick(now);
    const out = new Map<string, AvailabilityChange[]>();
    for (const [name, dirty] of this.#dirty) {
      const channel = this.config.channels.get(name) as ChannelConfig;
      const current = this.#current.get(name) as Map<string, number>;
      const stale = this.#stale.get(name) as Set<string>;
      const changes: AvailabilityChange[] = [];
      for (const sku of dirty) {
        const result = computeAvailability(this.state, channel, sku, now, this.#told(name, sku));
        if (result.stale) stale.add(sku);
        else stale.delete(sku);
        if (current.get(sku) !== result.quantity) {
          current.set(sku, result.quantity);
          changes.push({ sku, quantity: result.quantity, stale: result.stale });
        }
      }
      dirty.clear();
      out.set(name, changes);
    }
    return out;
  }

  /** Every term of the calculation for (SKU, channel) at `now`. */
  explain(sku: string, channel: string, now: number): AvailabilityExplanation | undefined {
    const config = this.config.channels.get(channel);
    return config && explainAvailability(this.state, config, sku, now, this.#told(channel, sku));
  }

  #affected(sku: string, warehouse: string | undefined): void {
    const kits = this.config.kitsOf.get(sku);
    for (const [name, dirty] of this.#dirty) {
      if (warehouse !== undefined && !this.config.channels.get(name)?.warehouses.has(warehouse)) continue;
      dirty.add(sku);
      if (kits) for (const kit of kits) dirty.add(kit);
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
        if (!levels.has(level)) {
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
