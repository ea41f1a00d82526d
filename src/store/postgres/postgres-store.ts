/**
 * The PostgreSQL adapter of the `Store` port, for scale-out: many processes share one database.
 *
 * - Jobs are claimed with `FOR UPDATE SKIP LOCKED` on a partial index of due jobs; ordering keys and
 *   event streams are serialised with transaction-scoped advisory locks scoped to the schema.
 * - Writes are commit-batched (`WriteBatcher`, each caller in its own savepoint) and inbox appends
 *   group-committed; each batch is one pipelined transaction, so one WAL flush covers many callers.
 * - The event log is read below a horizon no late-committing event can fall under
 *   (`postgres-event-horizon.ts`), so subscriptions never skip an event.
 * - Everything lives in one schema (`schema`, default `public`), set as `search_path` on every pooled
 *   connection; `migrate` creates it.
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
import { PostgresAuditLog } from "./postgres-audit.ts";
import type { PgStoreContext } from "./postgres-context.ts";
import { PgDatabase } from "./postgres-database.ts";
import { eventWriterLock } from "./postgres-event-horizon.ts";
import { PostgresEventLog } from "./postgres-events.ts";
import { PostgresExceptionStore, PostgresTargetStore } from "./postgres-exceptions.ts";
import { PostgresInbox } from "./postgres-inbox.ts";
import { PostgresJobQueue } from "./postgres-jobs.ts";
import { migratePostgres, schemaVersion } from "./postgres-migrations.ts";
import { PostgresRecordStore } from "./postgres-records.ts";
import { PostgresTx } from "./postgres-tx.ts";
import { PostgresWorkflowStore } from "./postgres-workflows.ts";
import { WriteBatcher } from "./postgres-write-batcher.ts";

/** What `createPostgresStore` takes; only `url`, `clock` and `ids` are required. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`; only host and port ever appear in messages. */
  url: string;
  /** Schema that holds the store's tables (created by `migrate`). Default `public`. */
  schema?: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** Give up connecting after this long (`CDK_STORE_UNAVAILABLE`). Default 10,000 ms. */
  connectTimeoutMs?: number;
  /**
   * Send a transaction's statements without waiting for each answer (pg's pipeline mode): most writes
   * then take one round trip. Default true. `false` is for poolers that cannot pipeline; it is slower
   * and makes pg 8 print a deprecation warning (queued queries on one client).
   */
  pipeline?: boolean;
  clock: Clock;
  ids: IdGenerator;
  config?: Partial<StoreConfig>;
}

/** Creates the store; no connection is made until the first call (usually `migrate`). */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  return new PostgresStore(options);
}

/** See the module comment. Create with `createPostgresStore`, then call `migrate`. */
export class PostgresStore implements Store {
  readonly dialect = "postgres" as const;
  readonly inbox: PostgresInbox;
  readonly events: PostgresEventLog;
  readonly jobs: PostgresJobQueue;
  readonly targets: PostgresTargetStore;
  readonly exceptions: PostgresExceptionStore;
  readonly workflows: PostgresWorkflowStore;
  readonly records: PostgresRecordStore;
  readonly audit: PostgresAuditLog;
  readonly #ctx: PgStoreContext;
  readonly #writes: WriteBatcher;
  #closing: Promise<void> | undefined;

  constructor(options: PostgresStoreOptions) {
    const poolSize = options.poolSize ?? 10;
    const db = new PgDatabase({
      url: options.url,
      schema: options.schema ?? "public",
      poolSize,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      pipeline: options.pipeline ?? true,
    });
    const flushes = Math.max(1, Math.min(4, Math.floor(poolSize / 2)));
    const writes = new WriteBatcher(db, {
      // Callers of a batch run one after another; 64 keeps the last one's wait short.
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
    this.records = new PostgresRecordStore(this.#ctx);
    this.audit = new PostgresAuditLog(this.#ctx, flushes);
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
      await Promise.all([this.inbox.drain(true), this.audit.drain(true), this.#writes.drain(true)]);
      await this.#ctx.db.close();
    })();
    return this.#closing;
  }
}
