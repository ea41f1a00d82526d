/**
 * The engine's inputs: stock readings per (source, warehouse, SKU, part), soft reservations per order
 * and each source's heartbeat. No I/O and no policy: it records facts, tells its listener which SKUs
 * changed (the engine's incremental index) and remembers what to persist.
 *
 * A reading is absolute (what the source counted at `observedAt`), so applying one twice is harmless
 * and an older reading never replaces a newer one. `part` separates readings that add up inside one
 * warehouse (Odoo quants of several locations or lots); a 3PL's 846 has one part per warehouse.
 *
 * A soft reservation is an order the hub accepted that Odoo has not confirmed yet: its lines take
 * from every channel's pool. After Odoo confirms it, Odoo's own `reserved` carries it, but only from
 * the next reading on: so a confirmed line is released when its SKU gets a reading (or its source a
 * heartbeat) at or after the confirmation, never before. A cancellation releases it at once.
 * Kit lines are reserved as their components.
 */
import type { InventoryConfig } from "./inventory-config.ts";
import { IdSet, SkuIndex } from "./sku-index.ts";
import { ONE, toUnits } from "./stock-quantity.ts";

/** One reading as the sources give it (decimal strings in the reading's unit). */
export interface LevelInput {
  source: string;
  warehouse: string;
  sku: string;
  /** Sub-key inside the warehouse (quant id, location); readings of all parts add up. Default "". */
  part?: string;
  onHand: string;
  /** Default "0". */
  reserved?: string;
  /** What the source says may be sold; when given, the supply is min(available, onHand - reserved). */
  available?: string;
  uom?: string;
  /** Expected receipts, shown in explanations; not counted (see docs/stock.md). */
  incoming?: string;
  incomingDate?: string;
  /** When the source counted it, ms. */
  observedAt: number;
}

/**
 * A reading in base units, with the engine's staleness bookkeeping. Its key is (source, warehouse,
 * part) of `input`; no key string is kept (a string per reading cost more than the comparison).
 */
export interface LevelState {
  readonly input: LevelInput;
  /** Base units; 0 when the unit is unknown (`usable` false). */
  readonly supply: bigint;
  readonly usable: boolean;
  /** How many distinct SLA thresholds its age has passed at the last tick (the engine's). */
  stage: number;
  /** False once a newer reading of the same key replaced it (it stays in `bySource` until compacted). */
  live: boolean;
}

const sameKey = (a: LevelInput, b: LevelInput) =>
  a.source === b.source && a.warehouse === b.warehouse && (a.part ?? "") === (b.part ?? "");

export interface ReservationLine {
  sku: string;
  units: bigint;
  warehouse?: string;
}

export interface SoftReservation {
  order: string;
  channel: string;
  receivedAt: number;
  lines: ReservationLine[];
  /** Set when Odoo confirmed it; lines still count until a later reading of their SKU. */
  confirmedAt?: number;
}

/** What changed and is not stored yet: the persistence layer writes these. */
export interface StateChanges {
  skus: Set<string>;
  orders: Set<string>;
  sources: Set<string>;
}

/** Told of a changed SKU; `warehouse` when only one is concerned, `level` when a reading changed. */
export type SkuListener = (sku: string, warehouse: string | undefined, level?: LevelState) => void;

/**
 * Per SKU, its current readings (arrays of exact size: they are copied on a new key). A slot per SKU
 * id rather than a second map keyed by SKU; `keys()` follows the order SKUs got their first reading,
 * as a `Map`'s would.
 */
export class LevelIndex {
  readonly #index: SkuIndex;
  readonly #lists: (LevelState[] | undefined)[] = [];
  readonly #order = new IdSet({ deletable: false });

  constructor(index: SkuIndex) {
    this.#index = index;
  }

  get size(): number {
    return this.#order.size;
  }

  get(sku: string): LevelState[] | undefined {
    const id = this.#index.find(sku);
    return id === undefined ? undefined : this.#lists[id];
  }

  has(sku: string): boolean {
    return this.get(sku) !== undefined;
  }

  *keys(): IterableIterator<string> {
    for (const id of this.#order) yield this.#index.sku(id);
  }

  set(sku: string, levels: LevelState[]): void {
    const id = this.#index.id(sku);
    while (this.#lists.length < id) this.#lists.push(undefined);
    if (this.#lists[id] === undefined) this.#order.add(id);
    this.#lists[id] = levels;
  }
}

export class StockState {
  readonly config: InventoryConfig;
  /** Dense ids of every SKU the state, the engine and the planner index (shared by all three). */
  readonly skuIndex = new SkuIndex();
  readonly levels = new LevelIndex(this.skuIndex);
  /** Per source, its readings; replaced ones (`live` false) are dropped when they are half. */
  readonly bySource = new Map<string, LevelState[]>();
  readonly #replaced = new Map<string, number>();
  readonly heartbeats = new Map<string, number>();
  readonly reservations = new Map<string, SoftReservation>();
  readonly ordersBySku = new Map<string, Set<string>>();
  /** What changed and is not stored yet; the SKUs by id (a byte and an entry each, not a string set). */
  #changes = { orders: new Set<string>(), sources: new Set<string>() };
  readonly #changedSkus = new IdSet();
  #listeners: SkuListener[] = [];

  constructor(config: InventoryConfig) {
    this.config = config;
  }

  /** Called with each SKU whose inputs changed (and the warehouse, when only one is concerned). */
  listen(listener: SkuListener): void {
    this.#listeners.push(listener);
  }

  /** Applies a reading; false when an equal or newer reading of the same key is already held. */
  applyLevel(input: LevelInput): boolean {
    const known = this.levels.get(input.sku);
    const index = known ? known.findIndex((l) => sameKey(l.input, input)) : -1;
    const old = known && index >= 0 ? known[index] : undefined;
    if (old && old.input.observedAt > input.observedAt) return false;
    const factor = this.config.uomFactor(input.sku, input.uom);
    const scale = (text: string | undefined, fallback: bigint, r: "supply" | "demand") => {
      const units = text === undefined ? fallback : (toUnits(text, r) ?? (r === "supply" ? 0n : fallback));
      return factor === undefined ? 0n : (units * factor) / ONE;
    };
    let supply = scale(input.onHand, 0n, "supply") - scale(input.reserved, 0n, "demand");
    if (input.available !== undefined) {
      const available = scale(input.available, 0n, "supply");
      if (available < supply) supply = available;
    }
    const level: LevelState = { input, supply, usable: factor !== undefined, stage: 0, live: true };
    if (known && old) {
      known[index] = level;
      this.#retire(old);
    } else this.levels.set(input.sku, known ? known.concat([level]) : [level]);
    const list = this.bySource.get(input.source);
    if (list) list.push(level);
    else this.bySource.set(input.source, [level]);
    this.#changedSkus.add(this.skuIndex.id(input.sku));
    this.#releaseConfirmed(input.sku, input.observedAt);
    // A SKU seen for the first time is new to every channel, not only those serving the warehouse.
    this.#notify(input.sku, known ? input.warehouse : undefined, level);
    return true;
  }

  /** The source was complete and current at `at` (a poll that read to the end); never moves back. */
  setHeartbeat(source: string, at: number): void {
    if ((this.heartbeats.get(source) ?? -Infinity) >= at) return;
    this.heartbeats.set(source, at);
    this.#changes.sources.add(source);
    for (const reservation of [...this.reservations.values()]) {
      if (reservation.confirmedAt === undefined || reservation.confirmedAt > at) continue;
      for (const line of reservation.lines) {
        const served = this.levels.get(line.sku)?.some((l) => l.input.source === source);
        if (served) this.#releaseConfirmed(line.sku, at);
      }
    }
  }

  /** Holds `lines` for `order` (replacing what it held: an updated order). Kits become components. */
  reserve(
    order: string,
    channel: string,
    at: number,
    lines: { sku: string; quantity: string; warehouse?: string }[],
  ): void {
    const expanded: ReservationLine[] = [];
    for (const line of lines) {
      const units = toUnits(line.quantity, "demand") ?? 0n;
      const parts = this.config.kits.get(line.sku);
      const extra = line.warehouse === undefined ? {} : { warehouse: line.warehouse };
      if (!parts) expanded.push({ sku: line.sku, units, ...extra });
      else for (const p of parts) expanded.push({ sku: p.sku, units: (units * p.units) / ONE, ...extra });
    }
    const previous = this.reservations.get(order);
    if (previous?.confirmedAt !== undefined) return;
    this.#drop(order);
    const reservation: SoftReservation = {
      order,
      channel,
      receivedAt: previous?.receivedAt ?? at,
      lines: expanded,
    };
    this.reservations.set(order, reservation);
    for (const line of expanded) this.#index(line.sku, order, true);
    this.#changes.orders.add(order);
    for (const sku of new Set(expanded.map((l) => l.sku))) this.#notify(sku, undefined);
  }

  /** Odoo confirmed the order: its lines go when their SKU's next reading shows Odoo's reservation. */
  confirm(order: string, at: number): void {
    const reservation = this.reservations.get(order);
    if (!reservation || reservation.confirmedAt !== undefined) return;
    reservation.confirmedAt = at;
    this.#changes.orders.add(order);
  }

  /** Releases the whole order at once (cancelled). */
  release(order: string): void {
    const reservation = this.reservations.get(order);
    if (!reservation) return;
    this.#drop(order);
    this.#changes.orders.add(order);
    for (const sku of new Set(reservation.lines.map((l) => l.sku))) this.#notify(sku, undefined);
  }

  /** Persistence: what changed and is not yet known to be stored (a copy). */
  pendingChanges(): StateChanges {
    const c = this.#changes;
    const skus = new Set<string>();
    for (const id of this.#changedSkus) skus.add(this.skuIndex.sku(id));
    return { skus, orders: new Set(c.orders), sources: new Set(c.sources) };
  }

  /** Persistence: `changes` were committed. Keys changed again since stay pending only if re-added. */
  clearChanges(changes: StateChanges): void {
    for (const sku of changes.skus) {
      const id = this.skuIndex.find(sku);
      if (id !== undefined) this.#changedSkus.delete(id);
    }
    for (const order of changes.orders) this.#changes.orders.delete(order);
    for (const source of changes.sources) this.#changes.sources.delete(source);
  }

  /** Restores a stored reservation as it was (lines already expanded); not a change to persist. */
  restoreReservation(reservation: SoftReservation): void {
    this.reservations.set(reservation.order, reservation);
    for (const line of reservation.lines) this.#index(line.sku, reservation.order, true);
    for (const sku of new Set(reservation.lines.map((l) => l.sku))) this.#notify(sku, undefined);
  }

  #releaseConfirmed(sku: string, readingAt: number): void {
    for (const order of [...(this.ordersBySku.get(sku) ?? [])]) {
      const reservation = this.reservations.get(order);
      if (reservation?.confirmedAt === undefined || reservation.confirmedAt > readingAt) continue;
      reservation.lines = reservation.lines.filter((l) => l.sku !== sku);
      this.#index(sku, order, false);
      if (reservation.lines.length === 0) this.reservations.delete(order);
      this.#changes.orders.add(order);
      this.#notify(sku, undefined);
    }
  }

  /** Marks a replaced reading; compacts its source's list once half of it is replaced. */
  #retire(level: LevelState): void {
    level.live = false;
    const source = level.input.source;
    const list = this.bySource.get(source);
    if (!list) return;
    const replaced = (this.#replaced.get(source) ?? 0) + 1;
    if (replaced * 2 < list.length) {
      this.#replaced.set(source, replaced);
      return;
    }
    this.bySource.set(
      source,
      list.filter((l) => l.live),
    );
    this.#replaced.set(source, 0);
  }

  #drop(order: string): void {
    const reservation = this.reservations.get(order);
    if (!reservation) return;
    this.reservations.delete(order);
    for (const line of reservation.lines) this.#index(line.sku, order, false);
  }

  #index(sku: string, order: string, add: boolean): void {
    const set = this.ordersBySku.get(sku) ?? new Set<string>();
    if (add) set.add(order);
    else set.delete(order);
    if (set.size === 0) this.ordersBySku.delete(sku);
    else this.ordersBySku.set(sku, set);
  }

  #notify(sku: string, warehouse: string | undefined, level?: LevelState): void {
    for (const listener of this.#listeners) listener(sku, warehouse, level);
  }
}
