/**
 * The told values a channel had before its current one, per SKU id: the last `TOLD_HISTORY` of them,
 * oldest first, for oversell trails (`PublicationPlanner.toldHistory`).
 *
 * Memory: a SKU's history is a ring of 8 slots, numbered in the order SKUs first needed one, its
 * quantities and times in float64 `Column`s at `ring * 8 + slot` and its length and oldest slot in
 * byte columns; an int32 column maps the SKU id to its ring. A full history costs 134 bytes (2 x 64
 * for the values, 2 for length and oldest, 4 for the ring number) instead of about 800 as an array
 * of objects. The rings are handed out densely rather than indexed by SKU id so that a catalogue where
 * few SKUs change pays 4 bytes for the others, not a ring each. A ring is never given back (SKUs are
 * never removed either).
 */
import { byteColumn, type Column, float64Column, int32Column } from "./sku-index.ts";

export interface ToldEntry {
  quantity: number;
  at: number;
}

/** Told values kept per (channel, SKU) besides the current one; older ones are dropped. */
export const TOLD_HISTORY = 8;

export class ToldHistory {
  /** Per SKU id: its ring's number plus one, 0 while it has none. */
  readonly #ring: Column<Int32Array> = int32Column();
  /** Per ring: how many slots hold a value (up to 8), and which of them is the oldest. */
  readonly #length: Column<Uint8Array> = byteColumn();
  readonly #oldest: Column<Uint8Array> = byteColumn();
  readonly #quantity: Column<Float64Array> = float64Column();
  readonly #at: Column<Float64Array> = float64Column();
  #rings = 0;

  /** Appends a value to the SKU's history, dropping its oldest when it holds 8. */
  push(id: number, quantity: number, at: number): void {
    let ring = this.#ring.get(id) - 1;
    if (ring < 0) {
      ring = this.#rings++;
      this.#ring.set(id, ring + 1);
    }
    const length = this.#length.get(ring);
    const oldest = this.#oldest.get(ring);
    let slot: number;
    if (length < TOLD_HISTORY) {
      slot = (oldest + length) % TOLD_HISTORY;
      this.#length.set(ring, length + 1);
    } else {
      slot = oldest;
      this.#oldest.set(ring, (oldest + 1) % TOLD_HISTORY);
    }
    this.#quantity.set(ring * TOLD_HISTORY + slot, quantity);
    this.#at.set(ring * TOLD_HISTORY + slot, at);
  }

  /** The SKU's history, oldest first (new objects; empty when it has none). */
  entries(id: number): ToldEntry[] {
    const ring = this.#ring.get(id) - 1;
    if (ring < 0) return [];
    const length = this.#length.get(ring);
    const oldest = this.#oldest.get(ring);
    const entries: ToldEntry[] = [];
    for (let i = 0; i < length; i++) {
      const index = ring * TOLD_HISTORY + ((oldest + i) % TOLD_HISTORY);
      entries.push({ quantity: this.#quantity.get(index), at: this.#at.get(index) });
    }
    return entries;
  }
}
