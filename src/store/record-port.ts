/** Versioned business state records. Part of the Store port (`store.ts`). */
import type { JsonValue } from "./store.ts";

/** A piece of business state (an order's status, a cursor, a cache entry), versioned per key. */
export interface StoredRecord {
  kind: string;
  key: string;
  data: JsonValue;
  /** Starts at 1, +1 per write. */
  version: number;
  updatedAt: number;
}

/** What `RecordStore.list` takes. */
export interface RecordListOptions {
  /** Only keys that start with this text. */
  prefix?: string;
  /** Keyset paging: only keys after this one (pass the last key of the previous page). */
  afterKey?: string;
  /** Default 100, at most 1,000. */
  limit?: number;
}

/**
 * Reads of records outside a transaction (admin lists, caches). Keys are ordered by their code points
 * (SQLite's BINARY collation, PostgreSQL's "C"), the same on both adapters, so a page boundary never
 * depends on the database's locale. Writes stay in `StoreTx`, where they can be versioned.
 */
export interface RecordStore {
  get(kind: string, key: string): Promise<StoredRecord | undefined>;
  /** A page of one kind's records in key order. */
  list(kind: string, options?: RecordListOptions): Promise<StoredRecord[]>;
}

/**
 * Runs a versioned read-modify-write of records (`putRecord` with `expectedVersion`) again when another
 * writer got there first (`CDK_STORE_CONFLICT`), up to `attempts` tries in all; any other error, or the
 * last conflict, is thrown. A counter handing out numbers (X12 and EDIFACT control numbers) is the use.
 */
export async function retryOnConflict<T>(work: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || (error as { code?: string }).code !== "CDK_STORE_CONFLICT") throw error;
    }
  }
}
