/**
 * The PostgreSQL adapter of the `Store` port, for scale-out: many processes share one database. Jobs
 * are claimed with `FOR UPDATE SKIP LOCKED`, ordering keys and event streams are serialised with
 * transaction-scoped advisory locks, and the event log is read only below the oldest open transaction
 * so that no reader ever skips an event that commits late.
 *
 * @example
 * ```ts
 * const store = createPostgresStore({ url: "postgres://crossdock@db/crossdock", clock, ids });
 * await store.migrate();
 * ```
 */
import type { Clock } from "../../core/clock.ts";
import type { IdGenerator } from "../../core/ids.ts";
import type { MigrationResult, Store, StoreConfig, StoreStatus, StoreTx, WorkflowStatus } from "../store.ts";
import { resolveStoreConfig } from "../store-config.ts";
import type { PgStoreContext } from "./postgres-context.ts";
import { PgDatabase, type PgPool } from "./postgres-database.ts";
import { eventWriterLock } from "./postgres-event-horizon.ts";
import { PostgresEventLog } from "./postgres-events.ts";
import { PostgresExceptionStore, PostgresTargetStore } from "./postgres-exceptions.ts";
import { PostgresInbox } from "./postgres-inbox.ts";
import { PostgresJobQueue } from "./postgres-jobs.ts";
import { migratePostgres, schemaVersion } from "./postgres-migrations.ts";
import { PostgresTx } from "./postgres-tx.ts";
import { PostgresWorkflowStore } from "./postgres-workflows.ts";
import { WriteBatcher } from "./postgres-write-batcher.ts";

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`; only host and port ever appear in messages. */
  url: string;
  /** Schema that holds the store's tables (created by `migrate`). Default `public`. */
  schema?: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** Give up connecting after this long (`CDK_STORE_UNAVAILABLE`). Default 10,000 ms. */
  connectTimeoutMs?: number;
  /** Pipeline each transaction's statements (pg's pipeline mode). Default true. */
  pipeline?: boolean;
  clock: Clock;
  ids: IdGenerator;
  config?: Partial<StoreConfig>;
  /** A pool to use instead of creating one (tests, poolers); the store ends it on `close`. */
  pool?: PgPool;
}

/** Creates the store; no connection is made until the first call (usually `migrate`). */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  return new PostgresStore(options);
}

export class PostgresStore implements Store {
  readonly dialect = "postgres" as const;
  readonly inbox: PostgresInbox;
  readonly events: PostgresEventLog;
  readonly jobs: PostgresJobQueue;
  readonly targets: PostgresTargetStore;
  readonly exceptions: PostgresExceptionStore;
  readonly workflows: PostgresWorkflowStore;
  readonly #ctx: PgStoreContext;
  readonly #writes: WriteBatcher;
  #closing: Promise<void> | undefined;

  constructor(options: PostgresStoreOptions) {
    const poolSize = options.poolSize ?? 10;
    const db = new PgDatabase(
      {
        url: options.url,
        schema: options.schema ?? "public",
        poolSize,
        connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
        pipeline: options.pipeline ?? true,
      },
      options.pool,
    );
    const flushes = Math.max(1, Math.min(4, Math.floor(poolSize / 2)));
    const writes = new WriteBatcher(db, {
      maxBatchSize: 64,
      maxConcurrentFlushes: flushes,
      first: eventWriterLock(db.schema),
    });
    this.#writes = writes;
    this.#ctx = {
      db,
      clock: options.clock,
      ids: options.ids,
      config: resolveStoreConfig(options.config),
      write: (fn) => writes.run(fn),
    };
    // A few batches in flight keep the pool busy without starving claims and other writes.
    this.inbox = new PostgresInbox(this.#ctx, flushes);
    this.events = new PostgresEventLog(this.#ctx);
    this.jobs = new PostgresJobQueue(this.#ctx);
    this.targets = new PostgresTargetStore(this.#ctx);
    this.exceptions = new PostgresExceptionStore(this.#ctx);
    this.workflows = new PostgresWorkflowStore(this.#ctx);
  }

  /** The schema this store works in. */
  get schema(): string {
    return this.#ctx.db.schema;
  }

  migrate(): Promise<MigrationResult> {
    return migratePostgres(this.#ctx.db, this.#ctx.clock.now());
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.#ctx.write(async (q) => {
      const tx = new PostgresTx(q, this.#ctx);
      try {
        return await fn(tx);
      } finally {
        tx.end();
      }
    });
  }

  async status(): Promise<StoreStatus> {
    const { db } = this.#ctx;
    const [version, [counts], workflows, queue] = await Promise.all([
      schemaVersion(db),
      db.query(
        `SELECT (SELECT count(*) FROM inbox) AS inbox, (SELECT count(*) FROM events) AS events,
           (SELECT count(*) FROM exceptions WHERE status = 'open') AS open_exceptions,
           (SELECT coalesce(array_agg(target ORDER BY target), '{}') FROM targets WHERE paused) AS paused`,
      ),
      db.query("SELECT status, count(*) AS count FROM workflow_runs GROUP BY status ORDER BY status"),
      this.jobs.depth(),
    ]);
    return {
      dialect: "postgres",
      schemaVersion: version,
      inboxMessages: counts?.inbox as number,
      events: counts?.events as number,
      queue,
      openExceptions: counts?.open_exceptions as number,
      pausedTargets: counts?.paused as string[],
      workflows: workflows.map((w) => ({ status: w.status as WorkflowStatus, count: w.count as number })),
    };
  }

  async ping(): Promise<boolean> {
    this.#ctx.db.assertOpen();
    try {
      await this.#ctx.db.query("SELECT 1");
      return true;
    } catch {
      return false;
    }
  }

  /** Lets queued inbox appends commit, then ends the pool. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all([this.inbox.drain(true), this.#writes.drain(true)]);
      await this.#ctx.db.close();
    })();
    return this.#closing;
  }
}
