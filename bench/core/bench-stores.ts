import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { systemClock } from "../../src/core/clock.ts";
import { createIdGenerator } from "../../src/core/ids.ts";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.ts";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.ts";
import type { Store, StoreConfig } from "../../src/store/store.ts";

/**
 * Fresh, migrated stores for one scenario each, and the clean-up that removes their data: a new SQLite
 * file in a temp directory, or a new PostgreSQL schema that is dropped afterwards. A scenario never
 * inherits the rows (and index size) of the one before it.
 */
export interface BenchStore {
  store: Store;
  /** Closes the store and deletes its data. */
  dispose(): Promise<void>;
}

export interface SqliteBenchOptions {
  dir: string;
  synchronous: "full" | "normal";
  config?: Partial<StoreConfig>;
}

/** A directory for this run's SQLite files, under the OS temp dir. */
export function makeRunDir(): string {
  return mkdtempSync(join(tmpdir(), "crossdock-bench-"));
}

export function removeRunDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

let fileCounter = 0;

export async function openSqliteBenchStore(options: SqliteBenchOptions): Promise<BenchStore> {
  const path = join(options.dir, `store-${++fileCounter}.db`);
  const store = await createSqliteStore({
    path,
    synchronous: options.synchronous,
    clock: systemClock,
    ids: createIdGenerator(systemClock),
    ...(options.config ? { config: options.config } : {}),
  });
  await store.migrate();
  return {
    store,
    async dispose() {
      await store.close();
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
    },
  };
}

/** A schema name unique to this process and call. */
export function freshSchemaName(prefix: string): string {
  return `${prefix}_${process.pid}_${++fileCounter}_${Math.floor(Math.random() * 1e6)}`;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export interface PostgresBenchOptions {
  url: string;
  poolSize: number;
  /** Open this many store instances (own pools) on the one schema: separate processes, in one. */
  instances?: number;
  config?: Partial<StoreConfig>;
}

export interface PostgresBenchStores {
  stores: Store[];
  schema: string;
  dispose(): Promise<void>;
}

export async function openPostgresBenchStores(options: PostgresBenchOptions): Promise<PostgresBenchStores> {
  const schema = freshSchemaName("cdk_bench");
  const stores: Store[] = [];
  try {
    for (let i = 0; i < (options.instances ?? 1); i++) {
      const store = await createPostgresStore({
        url: options.url,
        schema,
        poolSize: options.poolSize,
        clock: systemClock,
        ids: createIdGenerator(systemClock),
        ...(options.config ? { config: options.config } : {}),
      });
      stores.push(store);
      if (i === 0) await store.migrate();
    }
  } catch (error) {
    await Promise.allSettled(stores.map((s) => s.close()));
    await dropSchema(options.url, schema).catch(() => {});
    throw error;
  }
  return {
    stores,
    schema,
    async dispose() {
      await Promise.allSettled(stores.map((s) => s.close()));
      await dropSchema(options.url, schema);
    },
  };
}

export async function openPostgresBenchStore(
  options: Omit<PostgresBenchOptions, "instances">,
): Promise<BenchStore> {
  const opened = await openPostgresBenchStores(options);
  return { store: opened.stores[0]!, dispose: opened.dispose };
}
