/**
 * `SqliteStore`: the embedded `Store` adapter. One process, one connection to one SQLite file in WAL
 * mode. better-sqlite3 is synchronous, so each operation is a few prepared statements; operations
 * queue on the connection and are committed in batches (`SqliteConnection`): each one in its own
 * savepoint, one `COMMIT` and one fsync for the batch, every caller answered after that commit. An
 * async `transaction(fn)` holds the connection until `fn` settles and everything else waits for it.
 * Inbox appends are grouped once more by `GroupCommitter`, which bounds the memory they use.
 *
 * ```ts
 * const store = await createSqliteStore({ path: "crossdock.db", clock: systemClock, ids });
 * await store.migrate();
 * ```
 *
 * Inside `transaction(fn)`, use only the `tx` handle: a call to the store's own methods from `fn`
 * would wait for the transaction that is waiting for it, so it is refused with `CDK_INTERNAL`.
 */
import type { Clock } from "../../core/clock.ts";
import type { IdGenerator } from "../../core/ids.ts";
import { GroupCommitter } from "../group-commit.ts";
import { validateAuditEntries, validateInboxMessage } from "../input-validation.ts";
import type {
  AuditEntry,
  AuditEntryInput,
  AuditLog,
  EventLog,
  ExceptionStore,
  Inbox,
  InboxMessageInput,
  InboxReceipt,
  JobQueue,
  MigrationResult,
  RecordStore,
  Store,
  StoreConfig,
  StoreStatus,
  StoreTx,
  TargetStore,
  WorkflowStatus,
  WorkflowStore,
} from "../store.ts";
import { resolveStoreConfig } from "../store-config.ts";
import { type AuditInsertResult, insertAuditAlone, listAudit, type PendingAudit } from "./sqlite-audit.ts";
import { BackgroundCheckpointer } from "./sqlite-checkpointer.ts";
import { closedError, SqliteConnection, type SqliteContext } from "./sqlite-connection.ts";
import { INLINE_WAL_CHECKPOINT_FRAMES, openSqliteDatabase } from "./sqlite-driver.ts";
import { getWait } from "./sqlite-event-waits.ts";
import { ack, appendEvents, listSubscriptions, poll, readStream, subscribe } from "./sqlite-events.ts";
import {
  countOpenExceptions,
  discardException,
  getException,
  listExceptions,
  retryException,
} from "./sqlite-exceptions.ts";
import {
  appendInboxBatch,
  createPendingInboxJobs,
  getInboxMessage,
  listInbox,
  PENDING_JOBS_BATCH,
  type PendingAppend,
  withPendingInboxJobs,
} from "./sqlite-inbox.ts";
import { failJob } from "./sqlite-job-failure.ts";
import {
  claimJobs,
  completeJob,
  enqueueJobs,
  extendLease,
  getJob,
  getJobByKey,
  listJobs,
  queueDepth,
  replayJob,
} from "./sqlite-jobs.ts";
import { currentSchemaVersion, migrateSqlite } from "./sqlite-migrations.ts";
import { listRecords } from "./sqlite-records.ts";
import { listTargets, pausedTargetNames, pauseTarget, resumeTarget } from "./sqlite-targets.ts";
import { createSqliteTx, getRecord } from "./sqlite-tx.ts";
import {
  decideApproval,
  getApproval,
  getRun,
  getRunByKey,
  listApprovals,
  listRuns,
  listSteps,
} from "./sqlite-workflows.ts";

export interface SqliteStoreOptions {
  /** The database file; created if missing. */
  path: string;
  clock: Clock;
  ids: IdGenerator;
  config?: Partial<StoreConfig>;
  /**
   * `full` (default): a commit is on disk before the caller is answered, even across a power cut.
   * `normal`: survives a process crash but may lose the last commits on power loss; faster.
   */
  synchronous?: "full" | "normal";
  /** How long to wait for another process's lock on the file (e.g. a CLI reading it). Default 5,000 ms. */
  busyTimeoutMs?: number;
  /**
   * `inline` (default): the commit that passes 10,000 WAL frames copies them into the database file, a
   * stall of every caller. `background`: a worker thread with its own connection does it while the
   * writer goes on (`sqlite-checkpointer.ts`); for long-running processes. Ignored for `:memory:`.
   */
  checkpoints?: "inline" | "background";
  /** Told when the background checkpointer stops working and the writer has taken checkpoints back. */
  onCheckpointerFailure?(error: Error): void;
}

/** The safety bound on the WAL while the background checkpointer runs: the writer checkpoints past it. */
const BACKGROUND_WAL_LIMIT_FRAMES = 40_000;

/** Opens (creating if needed) the store file; call `migrate()` before use. Throws `CDK_STORE_CORRUPT`. */
export async function createSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  return new SqliteStore(options);
}

type Bound<F> = F extends (ctx: SqliteContext, ...args: infer A) => infer R
  ? (...args: A) => Promise<R>
  : never;

export class SqliteStore implements Store {
  readonly dialect = "sqlite" as const;
  readonly path: string;
  readonly inbox: Inbox;
  readonly events: EventLog;
  readonly jobs: JobQueue;
  readonly targets: TargetStore;
  readonly exceptions: ExceptionStore;
  readonly workflows: WorkflowStore;
  readonly records: RecordStore;
  readonly audit: AuditLog;
  readonly #conn: SqliteConnection;
  readonly #checkpointer: BackgroundCheckpointer | undefined;
  readonly #appends: GroupCommitter<PendingAppend, InboxReceipt>;
  readonly #auditAppends: GroupCommitter<{ items: PendingAudit[]; at: number }, AuditInsertResult>;
  #closing: Promise<void> | undefined;

  constructor(options: SqliteStoreOptions) {
    const config = resolveStoreConfig(options.config);
    this.path = options.path;
    const db = openSqliteDatabase(options.path, {
      synchronous: options.synchronous ?? "full",
      busyTimeoutMs: options.busyTimeoutMs ?? 5_000,
    });
    if ((options.checkpoints ?? "inline") === "background" && options.path !== ":memory:") {
      // The writer still checkpoints if the WAL passes 40,000 frames (about 160 MiB): the bound when
      // the worker cannot keep up. While it does, the WAL restarts long before that.
      db.pragma(`wal_autocheckpoint = ${BACKGROUND_WAL_LIMIT_FRAMES}`);
      this.#checkpointer = new BackgroundCheckpointer({
        path: options.path,
        busyTimeoutMs: options.busyTimeoutMs ?? 5_000,
        synchronous: options.synchronous === "normal" ? "NORMAL" : "FULL",
        onFailure: (error) => {
          if (this.#closing) return;
          db.pragma(`wal_autocheckpoint = ${INLINE_WAL_CHECKPOINT_FRAMES}`);
          options.onCheckpointerFailure?.(error);
        },
      });
    }
    const conn = new SqliteConnection(db, options.clock, options.ids, config);
    this.#conn = conn;
    this.#appends = new GroupCommitter({
      flush: (batch) => conn.write(() => appendInboxBatch(conn, batch)),
      maxBatchSize: config.maxBatchSize,
      maxPending: config.maxPendingAppends,
      maxConcurrentFlushes: 1,
    });
    this.#auditAppends = new GroupCommitter({
      flush: (batch) => conn.write(() => batch.map(({ items, at }) => insertAuditAlone(conn, items, at))),
      maxBatchSize: config.maxBatchSize,
      maxPending: config.maxPendingAppends,
      maxConcurrentFlushes: 1,
    });
    const read = <F extends (ctx: SqliteContext, ...args: never[]) => unknown>(fn: F) =>
      ((...args: never[]) => this.#read(() => fn(conn, ...args))) as Bound<F>;
    const write = <F extends (ctx: SqliteContext, ...args: never[]) => unknown>(fn: F) =>
      ((...args: never[]) => this.#write(() => fn(conn, ...args))) as Bound<F>;

    this.inbox = {
      append: (message) => this.#append(message),
      createPendingJobs: write(createPendingInboxJobs),
      get: read(getInboxMessage),
      list: read(listInbox),
    };
    this.events = {
      append: write(appendEvents),
      readStream: read(readStream),
      subscribe: write(subscribe),
      poll: read(poll),
      ack: write(ack),
      subscriptions: read(listSubscriptions),
    };
    this.jobs = {
      enqueue: write(enqueueJobs),
      // Messages appended since the last claim get their processing jobs first, in bulk.
      claim: (options) =>
        this.#write(() => {
          createPendingInboxJobs(conn, Math.max(PENDING_JOBS_BATCH, options.limit ?? 1));
          return claimJobs(conn, options);
        }),
      extendLease: write(extendLease),
      complete: write(completeJob),
      fail: (job, error) => this.#write(() => failJob(conn, job, error)),
      get: read(getJob),
      getByIdempotencyKey: read(getJobByKey),
      list: read(listJobs),
      depth: () => this.#read(() => withPendingInboxJobs(conn, queueDepth(conn))),
      replay: (id, options) => this.#write(() => replayJob(conn, id, options?.payload)),
    };
    this.targets = {
      pause: (target, reason) => this.#write(() => pauseTarget(conn, target, reason, conn.now())),
      resume: write(resumeTarget),
      list: read(listTargets),
    };
    this.exceptions = {
      list: read(listExceptions),
      get: read(getException),
      countOpen: read(countOpenExceptions),
      retry: write(retryException),
      discard: write(discardException),
    };
    this.workflows = {
      get: read(getRun),
      getByKey: read(getRunByKey),
      list: read(listRuns),
      steps: read(listSteps),
      getWait: read(getWait),
      getApproval: read(getApproval),
      listApprovals: read(listApprovals),
      decideApproval: write(decideApproval),
    };
    this.records = { get: read(getRecord), list: read(listRecords) };
    this.audit = {
      append: (entries) => this.#appendAudit(entries),
      list: read(listAudit),
    };
  }

  migrate(): Promise<MigrationResult> {
    if (this.#closing) return Promise.reject(closedError());
    return this.#conn.exclusive(() => migrateSqlite(this.#conn.db, this.path, this.#conn.now()));
  }

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.#closing) throw closedError();
    return this.#conn.transaction(async () => {
      const { tx, end } = createSqliteTx(this.#conn);
      try {
        return await fn(tx);
      } finally {
        end();
      }
    });
  }

  status(): Promise<StoreStatus> {
    const conn = this.#conn;
    return this.#read(() => {
      const count = (sql: string) => (conn.stmt(sql).get() as { n: number }).n;
      return {
        dialect: this.dialect,
        schemaVersion: currentSchemaVersion(conn.db),
        inboxMessages: count("SELECT count(*) AS n FROM inbox"),
        events: count("SELECT count(*) AS n FROM events"),
        queue: withPendingInboxJobs(conn, queueDepth(conn)),
        openExceptions: count("SELECT count(*) AS n FROM exceptions WHERE status = 'open'"),
        pausedTargets: pausedTargetNames(conn),
        workflows: conn
          .stmt("SELECT status, count(*) AS count FROM workflow_runs GROUP BY status ORDER BY status")
          .all() as { status: WorkflowStatus; count: number }[],
      };
    });
  }

  ping(): Promise<boolean> {
    return this.#read(() => this.#conn.stmt("SELECT 1 AS ok").get() !== undefined);
  }

  /** Current connection settings, for diagnostics and tests. */
  settings(): Promise<{
    journalMode: string;
    synchronous: "full" | "normal" | "off" | "extra";
    foreignKeys: boolean;
  }> {
    return this.#read(() => {
      const db = this.#conn.db;
      const level = db.pragma("synchronous", { simple: true }) as number;
      return {
        journalMode: db.pragma("journal_mode", { simple: true }) as string,
        synchronous: (["off", "normal", "full", "extra"] as const)[level] ?? "full",
        foreignKeys: db.pragma("foreign_keys", { simple: true }) === 1,
      };
    });
  }

  /** Idempotent: answers pending appends, lets a running transaction finish, then closes the file. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all([this.#appends.drain(true), this.#auditAppends.drain(true)]);
      await this.#checkpointer?.stop();
      await this.#conn.exclusive(() => this.#conn.db.close());
    })();
    return this.#closing;
  }

  #append(message: InboxMessageInput): Promise<InboxReceipt> {
    if (this.#closing) return Promise.reject(closedError());
    const reentrant = this.#conn.reentrancyError();
    if (reentrant) return Promise.reject(reentrant);
    try {
      validateInboxMessage(message, this.#conn.config);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#appends.submit({ message, receivedAt: message.receivedAt ?? this.#conn.now() });
  }

  #appendAudit(entries: AuditEntryInput[]): Promise<AuditEntry[]> {
    if (this.#closing) return Promise.reject(closedError());
    const reentrant = this.#conn.reentrancyError();
    if (reentrant) return Promise.reject(reentrant);
    try {
      const details = validateAuditEntries(entries);
      if (entries.length === 0) return Promise.resolve([]);
      const items = entries.map((entry, i) => ({ entry, details: details[i] ?? null }));
      return this.#auditAppends.submit({ items, at: this.#conn.now() }).then((outcome) => {
        if (!outcome.ok) throw outcome.error;
        return outcome.entries;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #read<T>(fn: () => T): Promise<T> {
    return this.#closing ? Promise.reject(closedError()) : this.#conn.read(fn);
  }

  #write<T>(fn: () => T): Promise<T> {
    return this.#closing ? Promise.reject(closedError()) : this.#conn.write(fn);
  }
}
