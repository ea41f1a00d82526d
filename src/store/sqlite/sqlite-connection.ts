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
  /** The prepared statement for `sql`, prepared on first use and kept. */
  stmt(sql: string): SqliteStatement;
}

/**
 * One connection, used by one writer at a time. better-sqlite3 is synchronous, so a synchronous
 * operation can never interleave with another; the lock exists for `transaction(fn)` with an async
 * `fn`, which holds the connection across awaits. While it is held, every other operation, reads
 * included, queues behind it: a read must not see the open transaction's uncommitted rows.
 *
 * When the lock is free an operation runs at once, in the caller's turn, without a promise hop: that
 * keeps claim and complete cheap.
 */
export class SqliteConnection implements SqliteContext {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly config: Readonly<StoreConfig>;
  readonly defaultRetryJson: string;
  readonly db: SqliteDatabase;
  readonly #statements = new Map<string, SqliteStatement>();
  #locked = false;
  readonly #waiters: (() => void)[] = [];

  constructor(db: SqliteDatabase, clock: Clock, ids: IdGenerator, config: Readonly<StoreConfig>) {
    this.db = db;
    this.clock = clock;
    this.ids = ids;
    this.config = config;
    this.defaultRetryJson = JSON.stringify(config.defaultRetry);
  }

  stmt(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs a synchronous read outside any transaction, after the current holder of the lock. */
  read<T>(fn: () => T): Promise<T> {
    if (!this.#locked) return settle(fn);
    return this.#withLock(async () => fn());
  }

  /** Runs a synchronous write in its own `BEGIN IMMEDIATE` transaction. */
  write<T>(fn: () => T): Promise<T> {
    if (!this.#locked) return settle(() => this.#inTransaction(fn));
    return this.#withLock(async () => this.#inTransaction(fn));
  }

  /** Holds the connection for an async transaction: BEGIN IMMEDIATE, `fn`, COMMIT or ROLLBACK. */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.#withLock(async () => {
      this.stmt("BEGIN IMMEDIATE").run();
      let result: T;
      try {
        result = await fn();
      } catch (error) {
        this.#rollback();
        throw error;
      }
      this.#commit();
      return result;
    });
  }

  /** Waits for the current holder (and everyone queued before), then runs `fn` with the lock held. */
  async exclusive<T>(fn: () => T): Promise<T> {
    return this.#withLock(async () => fn());
  }

  #inTransaction<T>(fn: () => T): T {
    this.stmt("BEGIN IMMEDIATE").run();
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.#rollback();
      throw error;
    }
    this.#commit();
    return result;
  }

  #commit(): void {
    try {
      this.stmt("COMMIT").run();
    } catch (error) {
      this.#rollback();
      throw error;
    }
  }

  #rollback(): void {
    if (this.db.inTransaction) this.stmt("ROLLBACK").run();
  }

  async #withLock<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#locked) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    this.#locked = true;
    try {
      return await fn();
    } finally {
      const next = this.#waiters.shift();
      // Hand the lock straight to the next waiter so nobody can slip in between.
      if (next) next();
      else this.#locked = false;
    }
  }
}

function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}

export function closedError(): CrossdockError {
  return new CrossdockError("CDK_STORE_CLOSED", "The store has been closed");
}
