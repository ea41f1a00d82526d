/**
 * Dense integer ids for SKUs, so the state, the engine and the planner keep their per-(channel, SKU)
 * numbers in typed arrays indexed by id (`Column`) instead of a map entry (and often an object) per
 * pair: at 100,000 SKUs x 5 channels, tens of bytes per pair instead of about a hundred, and almost
 * nothing for the garbage collector to trace.
 *
 * An id is given the first time a SKU is seen and never reused or forgotten (SKUs are not removed
 * from the engine either). `IdSet` is the matching set: a byte per id, plus the members in the order
 * they were added, so iteration follows insertion order exactly as a `Set<string>` would.
 */

export class SkuIndex {
  readonly #ids = new Map<string, number>();
  readonly #skus: string[] = [];

  /** The SKU's id, given now if it has none. */
  id(sku: string): number {
    let id = this.#ids.get(sku);
    if (id === undefined) {
      id = this.#skus.length;
      this.#ids.set(sku, id);
      this.#skus.push(sku);
    }
    return id;
  }

  /** The SKU's id if it has one (a lookup never gives ids). */
  find(sku: string): number | undefined {
    return this.#ids.get(sku);
  }

  sku(id: number): string {
    return this.#skus[id] as string;
  }

  /** Ids given so far: every id is below it. */
  get size(): number {
    return this.#skus.length;
  }
}

type TypedArray = Float64Array | Int32Array | Uint8Array;

const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;

/**
 * A number per id, in typed-array chunks of 4,096 allocated on the first write to them: growing
 * copies nothing and leaves no garbage, and the slack is at most one chunk. Unwritten ids read `fill`.
 */
export class Column<T extends TypedArray> {
  readonly #chunks: (T | undefined)[] = [];
  readonly #create: (length: number) => T;
  readonly #fill: number;

  constructor(create: (length: number) => T, fill = 0) {
    this.#create = create;
    this.#fill = fill;
  }

  get(id: number): number {
    const chunk = this.#chunks[id >>> CHUNK_BITS];
    return chunk === undefined ? this.#fill : (chunk[id & (CHUNK - 1)] as number);
  }

  set(id: number, value: number): void {
    let chunk = this.#chunks[id >>> CHUNK_BITS];
    if (chunk === undefined) {
      while (this.#chunks.length < id >>> CHUNK_BITS) this.#chunks.push(undefined);
      chunk = this.#create(CHUNK);
      if (this.#fill !== 0) chunk.fill(this.#fill);
      this.#chunks[id >>> CHUNK_BITS] = chunk;
    }
    chunk[id & (CHUNK - 1)] = value;
  }

  /** Drops the chunks from `id` on (they read `fill` again). */
  truncate(id: number): void {
    this.#chunks.length = Math.min(this.#chunks.length, Math.ceil(id / CHUNK));
  }
}

export const float64Column = (fill = 0) => new Column((n) => new Float64Array(n), fill);
export const int32Column = (fill = 0) => new Column((n) => new Int32Array(n), fill);
export const byteColumn = () => new Column((n) => new Uint8Array(n));

/**
 * A set of ids iterated in insertion order, with the semantics of a `Set<number>`: re-adding a member
 * keeps its place, deleting and adding again moves it to the end. A byte per id says whether it is a
 * member; a set that deletes keeps, per id, where its entry is, and deletions leave a hole in the
 * order, squeezed out once there are more holes than members.
 */
export class IdSet {
  readonly #member = byteColumn();
  readonly #slot: Column<Int32Array> | undefined;
  readonly #order = int32Column();
  #used = 0;
  #size = 0;

  /** `deletable: false`: a set only ever cleared as a whole (no per-id position kept). */
  constructor(options: { deletable: boolean } = { deletable: true }) {
    this.#slot = options.deletable ? int32Column() : undefined;
  }

  get size(): number {
    return this.#size;
  }

  has(id: number): boolean {
    return this.#member.get(id) === 1;
  }

  /** Adds `id`; false when it was already a member. */
  add(id: number): boolean {
    if (this.#member.get(id) === 1) return false;
    if (this.#used - this.#size > this.#size && this.#used >= CHUNK) this.#squeeze();
    this.#member.set(id, 1);
    this.#slot?.set(id, this.#used);
    this.#order.set(this.#used++, id);
    this.#size++;
    return true;
  }

  /** Removes `id`; false when it was not a member. */
  delete(id: number): boolean {
    if (!this.has(id)) return false;
    if (!this.#slot) throw new Error("IdSet: delete on a set created without deletable");
    this.#member.set(id, 0);
    this.#order.set(this.#slot.get(id), -1);
    this.#size--;
    if (this.#size === 0) this.#reset();
    return true;
  }

  /** Empties the set. */
  clear(): void {
    for (let i = 0; i < this.#used; i++) {
      const id = this.#order.get(i);
      if (id >= 0) this.#member.set(id, 0);
    }
    this.#size = 0;
    this.#reset();
  }

  /**
   * Entries in insertion order, holes included: `entry(i)` for `0 <= i < entries` is an id, or -1
   * where a member was deleted. For hot loops; members added meanwhile are seen, do not delete.
   */
  get entries(): number {
    return this.#used;
  }

  entry(index: number): number {
    return this.#order.get(index);
  }

  /** The members in insertion order. Adding during iteration is seen; do not delete during it. */
  *[Symbol.iterator](): IterableIterator<number> {
    for (let i = 0; i < this.#used; i++) {
      const id = this.#order.get(i);
      if (id >= 0) yield id;
    }
  }

  #reset(): void {
    this.#used = 0;
    this.#order.truncate(CHUNK);
  }

  #squeeze(): void {
    let kept = 0;
    for (let i = 0; i < this.#used; i++) {
      const id = this.#order.get(i);
      if (id < 0) continue;
      this.#slot?.set(id, kept);
      this.#order.set(kept++, id);
    }
    this.#used = kept;
    this.#order.truncate(kept);
  }
}
