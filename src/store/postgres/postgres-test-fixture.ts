/**
 * Test plumbing for the PostgreSQL adapter: every test works in a schema of its own on the real server,
 * created by `migrate` and dropped afterwards, so tests never see each other's rows.
 */
import pg from "pg";
import { ManualClock } from "../../core/clock.ts";
import { createIdGenerator } from "../../core/ids.ts";
import type { StoreFixture, StoreFixtureOptions } from "../store.contract.ts";
import type { StoreConfig } from "../store.ts";
import { createPostgresStore, type PostgresStore } from "./postgres-store.ts";

/** The server the tests use (CI starts PostgreSQL on the default port with trust auth). */
export const TEST_URL = process.env.CROSSDOCK_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

let counter = 0;

export function freshSchema(): string {
  return `cdk_test_${process.pid}_${++counter}_${Math.floor(Math.random() * 1e9)}`;
}

/** Runs `sql` on a connection of its own (outside any store's pool). */
export async function adminQuery(sql: string, values?: unknown[]): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: TEST_URL });
  await client.connect();
  try {
    return await client.query(sql, values);
  } finally {
    await client.end();
  }
}

export function dropSchema(schema: string): Promise<unknown> {
  return adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

export interface PgTestStores {
  schema: string;
  clock: ManualClock;
  /** Opens one more store (own pool) on the schema, sharing the clock. */
  open(options?: { config?: Partial<StoreConfig>; poolSize?: number; pipeline?: boolean }): PostgresStore;
  /** Closes every store opened here and drops the schema. */
  cleanup(): Promise<void>;
}

export function pgTestStores(clock = new ManualClock()): PgTestStores {
  const schema = freshSchema();
  const stores: PostgresStore[] = [];
  return {
    schema,
    clock,
    open(options = {}) {
      const store = createPostgresStore({
        url: TEST_URL,
        schema,
        clock,
        ids: createIdGenerator(clock),
        ...options,
      });
      stores.push(store);
      return store;
    },
    async cleanup() {
      await Promise.all(stores.map((s) => s.close()));
      await dropSchema(schema);
    },
  };
}

/** The contract suite's fixture: a migrated store in a fresh schema, reopenable on the same schema. */
export async function createContractFixture(options: StoreFixtureOptions = {}): Promise<StoreFixture> {
  const stores = pgTestStores();
  const open = async () => {
    const store = stores.open(options.config ? { config: options.config } : {});
    await store.migrate();
    return store;
  };
  let current = await open();
  return {
    get store() {
      return current;
    },
    clock: stores.clock,
    cleanup: () => stores.cleanup(),
    async reopen() {
      await current.close();
      current = await open();
      return current;
    },
  };
}
