/**
 * One model of the master data cache: its records by id and its lookup indexes, kept in step as
 * records change or leave. Used by `master-data-cache.ts`.
 */
import { WriteDateCursor } from "./change-cursor.ts";
import type { OdooRecord } from "./change-poller.ts";
import type { OdooDialect } from "./odoo-dialect.ts";

/** How one model is read and indexed. `toEntry` returns undefined for records that leave the cache. */
export interface TableSpec<E extends { id: number }> {
  model: string;
  fields(dialect: OdooDialect): string[];
  domain: unknown[];
  toEntry(record: OdooRecord, dialect: OdooDialect): E | undefined;
  keys: Record<string, (entry: E) => string | null>;
  optional?: boolean;
  sweep?: boolean;
}

/**
 * One model's entries by id plus its key indexes. An index maps a key to one id, or to the ids that
 * share it (Odoo does not enforce unique codes or emails); a lookup then answers the lowest id.
 */
export class Table<E extends { id: number }> {
  readonly spec: TableSpec<E>;
  readonly byId = new Map<number, E>();
  readonly #indexes = new Map<string, Map<string, number | number[]>>();
  cursor = new WriteDateCursor();
  unavailable = false;

  constructor(spec: TableSpec<E>) {
    this.spec = spec;
    for (const name of Object.keys(spec.keys)) this.#indexes.set(name, new Map());
  }

  reset(): void {
    this.byId.clear();
    for (const index of this.#indexes.values()) index.clear();
    this.cursor = new WriteDateCursor();
  }

  ids(): number[] {
    return [...this.byId.keys()];
  }

  lookup(index: string, key: string): E | undefined {
    const hit = this.#indexes.get(index)?.get(key);
    if (hit === undefined) return undefined;
    return this.byId.get(typeof hit === "number" ? hit : Math.min(...hit));
  }

  apply(record: OdooRecord, dialect: OdooDialect): "upserted" | "removed" | "ignored" {
    const entry = this.spec.toEntry(record, dialect);
    const had = this.byId.has(record.id);
    this.remove(record.id);
    if (entry === undefined) return had ? "removed" : "ignored";
    this.byId.set(entry.id, entry);
    for (const [name, keyOf] of Object.entries(this.spec.keys)) {
      const key = keyOf(entry);
      if (key === null || key === "") continue;
      const index = this.#indexes.get(name)!;
      const existing = index.get(key);
      if (existing === undefined) index.set(key, entry.id);
      else if (typeof existing === "number") index.set(key, [existing, entry.id]);
      else existing.push(entry.id);
    }
    return "upserted";
  }

  remove(id: number): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    this.byId.delete(id);
    for (const [name, keyOf] of Object.entries(this.spec.keys)) {
      const key = keyOf(entry);
      if (key === null || key === "") continue;
      const index = this.#indexes.get(name)!;
      const existing = index.get(key);
      if (existing === id) index.delete(key);
      else if (Array.isArray(existing)) {
        const rest = existing.filter((other) => other !== id);
        index.set(key, rest.length === 1 ? rest[0]! : rest);
      }
    }
  }
}
