import { AsyncLocalStorage } from "node:async_hooks";
import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import type { IdGenerator } from "../../core/ids.ts";
import type { StoreConfig } from "../store.ts";
import type { SqliteDatabase, SqliteStatement } from "./sqlite-driver.ts";

/** What the synchronous SQL operations of the adapter need: cached statements, time, ids, settings. */
export interface SqliteContext {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly config: Readonly<StoreConfig>;
  /** `config.defaultRetry` as stored, computed once: most jobs use it. */
  readonly defaultRetryJson: string;
  /**
   * The operation's time: when the caller called, not when its queued turn came, so that an operation
   * means the same thing under a manual clock whatever the queue did. Inside `transaction(fn)`, the
   * clock at each `tx` call.
   */
  now(): number;
  /** The prepared statement for `sql`, prepared on first use and kept. */
  stmt(sql: string): SqliteStatement;
}

type OpKind = "read" | "write" | "transaction" | "exclusive";

interface Op {
  kind: OpKind;
  at: number;
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Settled {
  op: Op;
  ok: boolean;
  value: unknown;
}

/** A batch stops growing here, so that answers are not held back for long under a steady stream. */
const MAX_BATCH_OPS = 1_000;
const MAX_BATCH_MS = 20;

/**
 * One connection, one writer, and commit batching. Every write (a synchronous operation or an async
 * `transaction(fn)`) runs in its own SAVEPOINT inside a shared `BEGIN IMMEDIATE ... COMMIT`: the
 * operations queued while a batch runs, including those queued while an async `fn` awaits, join it,
 * and each caller is answered only after the COMMIT that holds its work. One fsync then covers many
 * callers, which is what makes per-job completion durable and fast with `synchronous = FULL`.
 *
 * Semantics are those of one serial transaction per caller: each runs alone, in queue order, sees
 * the work before it, and a failure rolls back its savepoint only. If SQLite abandons the whole
 * transaction (an I/O error, a failed COMMIT), every caller of the batch gets the error and nothing
 * of it is stored. Reads queue like writes while a batch runs (they must not report rows whose COMMIT
 * may still fail) and run at once when the connection is idle.
 */
export class SqliteConnection implements SqliteContext {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly config: Readonly<StoreConfig>;
  readonly defaultRetryJson: string;
  readonly db: SqliteDatabase;
  readonly #statements = new Map<string, SqliteStatement>();
  readonly #queue: Op[] = [];
  #running = false;
  #scheduled = false;
  #at: number | undefined;
  /** Marks code running inside a `transaction(fn)`, to refuse calls that would wait for it forever. */
  readonly #inside = new AsyncLocalStorage<{ active: boolean }>();

  constructor(db: SqliteDatabase, clock: Clock, ids: IdGenerator, config: Readonly<StoreConfig>) {
    this.db = db;
    this.clock = clock;
    this.ids = ids;
    this.config = config;
    this.defaultRetryJson = JSON.stringify(config.defaultRetry);
  }

  now(): number {
    return this.#at ?? this.clock.now();
  }

  stmt(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** The error for a call made from inside `transaction(fn)`, which would deadlock; else undefined. */
  reentrancyError(): CrossdockError | undefined {
    return this.#inside.getStore()?.active ? reentrantCall() : undefined;
  }

  /** A synchronous read: at once when idle, otherwise after the queued work, answered after its commit. */
  read<T>(fn: () => T): Promise<T> {
    if (this.#inside.getStore()?.active) return Promise.reject(reentrantCall());
    if (!this.#running && this.#queue.length === 0) {
      try {
        return Promise.resolve(fn());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.#enqueue("read", fn);
  }

  /** A synchronous write, atomic on its own, committed with its batch. */
  write<T>(fn: () => T): Promise<T> {
    return this.#enqueue("write", fn);
  }

  /** An async unit of work holding the connection until `fn` settles; rolled back alone if it throws. */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.#enqueue("transaction", fn);
  }

  /** Runs `fn` outside any transaction once everything queued before it is committed (migrate, close). */
  exclusive<T>(fn: () => T): Promise<T> {
    return this.#enqueue("exclusive", fn);
  }

  #enqueue<T>(kind: OpKind, fn: () => unknown): Promise<T> {
    if (this.#inside.getStore()?.active) return Promise.reject(reentrantCall());
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({
        kind,
        at: this.clock.now(),
        fn,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#running || this.#scheduled || this.#queue.length === 0) return;
    this.#scheduled = true;
    // setImmediate lets everything queued in this turn of the event loop join the batch.
    setImmediate(() => {
      this.#scheduled = false;
      void this.#runBatch();
    });
  }

  async #runBatch(): Promise<void> {
    this.#running = true;
    try {
      const first = this.#queue[0];
      if (first?.kind === "exclusive") {
        this.#queue.shift();
        settleOne(first, first.fn);
      } else if (first !== undefined) {
        await this.#batch();
      }
    } finally {
      this.#running = false;
      this.#schedule();
    }
  }

  #runAt(op: Op): Settled {
    this.#at = op.at;
    try {
      return run(op, op.fn);
    } finally {
      this.#at = undefined;
    }
  }

  async #runInside(fn: () => unknown): Promise<unknown> {
    const frame = { active: true };
    try {
      return await this.#inside.run(frame, fn);
    } finally {
      frame.active = false;
    }
  }

  async #batch(): Promise<void> {
    try {
      this.stmt("BEGIN IMMEDIATE").run();
    } catch (error) {
      // Typically SQLITE_BUSY: another process held the file's write lock past busy_timeout.
      for (const op of this.#queue.splice(0)) op.reject(batchFailed(error));
      return;
    }
    const settled: Settled[] = [];
    const started = performance.now();
    let aborted: unknown;
    while (this.#queue.length > 0 && this.#queue[0]!.kind !== "exclusive") {
      if (settled.length >= MAX_BATCH_OPS || performance.now() - started > MAX_BATCH_MS) break;
      const op = this.#queue.shift()!;
      if (op.kind === "read") {
        settled.push(this.#runAt(op));
        continue;
      }
      this.stmt("SAVEPOINT op").run();
      let outcome: Settled;
      if (op.kind === "transaction") {
        try {
          outcome = { op, ok: true, value: await this.#runInside(op.fn) };
        } catch (error) {
          outcome = { op, ok: false, value: error };
        }
      } else {
        outcome = this.#runAt(op);
      }
      settled.push(outcome);
      if (!this.db.inTransaction) {
        aborted = outcome.ok ? new Error("SQLite ended the transaction unexpectedly") : outcome.value;
        break;
      }
      if (!outcome.ok) this.stmt("ROLLBACK TO op").run();
      this.stmt("RELEASE op").run();
    }
    if (aborted === undefined) {
      try {
        this.stmt("COMMIT").run();
      } catch (error) {
        aborted = error;
        if (this.db.inTransaction) this.stmt("ROLLBACK").run();
      }
    }
    for (const { op, ok, value } of settled) {
      if (aborted !== undefined) op.reject(ok ? batchFailed(aborted) : value);
      else if (ok) op.resolve(value);
      else op.reject(value);
    }
  }
}

function reentrantCall(): CrossdockError {
  return new CrossdockError(
    "CDK_INTERNAL",
    "A store method was called inside store.transaction(fn): it would wait for that transaction forever. " +
      "Use the transaction's tx handle instead",
  );
}

function run(op: Op, fn: () => unknown): Settled {
  try {
    return { op, ok: true, value: fn() };
  } catch (error) {
    return { op, ok: false, value: error };
  }
}

function settleOne(op: Op, fn: () => unknown): void {
  const outcome = run(op, fn);
  if (outcome.ok) op.resolve(outcome.value);
  else op.reject(outcome.value);
}

function batchFailed(cause: unknown): CrossdockError {
  return new CrossdockError(
    "CDK_STORE_UNAVAILABLE",
    `The store could not commit: ${(cause as Error)?.message ?? String(cause)}; nothing of this operation was stored`,
    { cause },
  );
}

export function closedError(): CrossdockError {
  return new CrossdockError("CDK_STORE_CLOSED", "The store has been closed");
}
