import { AsyncLocalStorage } from "node:async_hooks";
import { CrossdockError } from "../../core/errors.ts";
import { GroupCommitter } from "../group-commit.ts";
import { type PgDatabase, type PgQueryable, type Statement, toStoreError } from "./postgres-database.ts";

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Write {
  fn: (q: PgQueryable) => Promise<unknown>;
}

/** Batch limits of a `WriteBatcher`. */
export interface WriteBatcherOptions {
  maxBatchSize: number;
  maxConcurrentFlushes: number;
  /** Runs right after each batch's BEGIN (the event writers' lock). */
  first: Statement;
}

/**
 * Commit batching for writes: every `transaction(fn)` and standalone write (complete, fail, enqueue,
 * event append) runs in its own SAVEPOINT inside a shared transaction, and each caller is answered
 * only after the COMMIT that holds its work. Under load one commit (one WAL flush) covers many jobs,
 * which is what bounds jobs/s on PostgreSQL; a batch of one skips the savepoint.
 *
 * Semantics are those of one transaction per caller, run one after the other: a caller sees the work
 * before it in its batch, and its failure rolls back its savepoint only. If the whole transaction
 * fails (a lost connection, a failed COMMIT), every caller of the batch gets the error and nothing of
 * the batch is stored. Locks a caller takes are held until its batch commits, and a slow callback
 * delays every caller behind it in its batch: keep `transaction(fn)` short and free of network calls.
 */
export class WriteBatcher {
  readonly #db: PgDatabase;
  readonly #committer: GroupCommitter<Write, Outcome>;
  readonly #first: Statement;
  /** Marks code running inside a batched write, to refuse a nested one that would wait for it forever. */
  readonly #inside = new AsyncLocalStorage<boolean>();

  constructor(db: PgDatabase, options: WriteBatcherOptions) {
    this.#db = db;
    this.#first = options.first;
    this.#committer = new GroupCommitter<Write, Outcome>({
      flush: (writes) => this.#flush(writes),
      maxBatchSize: options.maxBatchSize,
      // Callers wait for their own answer, so the queue is bounded by them; no back-pressure here.
      maxPending: Number.MAX_SAFE_INTEGER,
      maxConcurrentFlushes: options.maxConcurrentFlushes,
    });
  }

  async run<T>(fn: (q: PgQueryable) => Promise<T>): Promise<T> {
    if (this.#inside.getStore()) {
      throw new CrossdockError(
        "CDK_INTERNAL",
        "A store write was called inside store.transaction(fn); use the transaction handle instead",
      );
    }
    this.#db.assertOpen();
    const outcome = await this.#committer.submit({ fn }).catch((error: unknown) => {
      // The committer's own refusal speaks of messages; this is any write.
      throw error instanceof CrossdockError && error.code === "CDK_STORE_CLOSED"
        ? new CrossdockError("CDK_STORE_CLOSED", "The PostgreSQL store is closing; nothing was written", {
            cause: error,
          })
        : error;
    });
    if (!outcome.ok) throw outcome.error;
    return outcome.value as T;
  }

  /** Waits for queued writes to commit; with `close`, refuses new ones. */
  drain(close: boolean): Promise<void> {
    return this.#committer.drain(close);
  }

  async #flush(writes: Write[]): Promise<Outcome[]> {
    if (writes.length === 1) {
      // Alone: its own transaction, no savepoint; a failure rolls everything back and reaches the caller.
      const value = await this.#db.transaction(
        (q) => this.#inside.run(true, () => writes[0]!.fn(q)),
        this.#first,
      );
      return [{ ok: true, value }];
    }
    return this.#db.transaction(async (q) => {
      const outcomes: Outcome[] = [];
      for (const write of writes) {
        // Not awaited on their own: with pipelining they travel with the write's statements.
        const savepoint = q.query("SAVEPOINT write");
        savepoint.catch(() => {});
        try {
          const value = await this.#inside.run(true, () => write.fn(q));
          await savepoint;
          void q.query("RELEASE SAVEPOINT write").catch(() => {});
          outcomes.push({ ok: true, value });
        } catch (error) {
          await q.query("ROLLBACK TO SAVEPOINT write");
          void q.query("RELEASE SAVEPOINT write").catch(() => {});
          outcomes.push({ ok: false, error: toStoreError(error, this.#db.host) });
        }
      }
      return outcomes;
    }, this.#first);
  }
}
