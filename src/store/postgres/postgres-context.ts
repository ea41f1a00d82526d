import type { Clock } from "../../core/clock.ts";
import type { IdGenerator } from "../../core/ids.ts";
import type { StoreConfig } from "../store.ts";
import type { PgDatabase, PgQueryable } from "./postgres-database.ts";

/** What every part of the PostgreSQL adapter works with: the pool, time, ids and resolved settings. */
export interface PgStoreContext {
  readonly db: PgDatabase;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly config: Readonly<StoreConfig>;
  /** Runs a write in a transaction of its own, commit-batched with concurrent ones (`WriteBatcher`). */
  write<T>(fn: (q: PgQueryable) => Promise<T>): Promise<T>;
}
