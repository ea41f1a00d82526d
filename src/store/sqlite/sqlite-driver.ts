/**
 * The few methods of better-sqlite3 the adapter calls, and the one function that opens a database file
 * safely. Nothing else in `sqlite/` imports the driver, so it could be swapped (e.g. for `node:sqlite`)
 * by rewriting this file alone.
 */
import { closeSync, openSync, readSync } from "node:fs";
import Database from "better-sqlite3";
import { CrossdockError } from "../../core/errors.ts";

export interface SqliteRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface SqliteStatement {
  run(...params: unknown[]): SqliteRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): unknown;
  readonly inTransaction: boolean;
}

export interface OpenSqliteOptions {
  synchronous: "full" | "normal";
  busyTimeoutMs: number;
}

/**
 * Opens (or creates) the database at `path`, checks it with `PRAGMA quick_check`, then sets WAL mode,
 * the synchronous level and foreign keys. A file that is not a SQLite database, or a damaged one, is
 * reported as `CDK_STORE_CORRUPT` naming the file and what was found; it is never written to. The
 * quick check reads the whole file, so opening a large store takes a moment: the price of refusing
 * to run on a damaged one.
 */
export function openSqliteDatabase(path: string, options: OpenSqliteOptions): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(path, { timeout: options.busyTimeoutMs }) as unknown as SqliteDatabase;
  } catch (error) {
    throw describeOpenError(path, error);
  }
  try {
    const rows = db.pragma("quick_check") as { quick_check: string }[];
    const problems = rows.map((row) => row.quick_check).filter((text) => text !== "ok");
    if (problems.length > 0) {
      throw new CrossdockError(
        "CDK_STORE_CORRUPT",
        `The store file ${path} is damaged: ${problems.slice(0, 3).join("; ")}. It was left untouched; ` +
          "restore it from a backup or move it aside",
        { details: { path, problems: problems.slice(0, 20) } },
      );
    }
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`);
    db.pragma("foreign_keys = ON");
    // A bigger page cache and fewer, larger checkpoints: hot index pages are then copied to the main
    // file once per checkpoint instead of once per 4 MiB of WAL, which is most of a commit's cost.
    db.pragma("cache_size = -32768");
    db.pragma(`wal_autocheckpoint = ${INLINE_WAL_CHECKPOINT_FRAMES}`);
    db.pragma("journal_size_limit = 67108864");
    return db;
  } catch (error) {
    db.close();
    throw describeOpenError(path, error);
  }
}

/** Frames (pages) in the WAL after which a commit checkpoints it inline (about 40 MiB at 4 KiB pages). */
export const INLINE_WAL_CHECKPOINT_FRAMES = 10_000;

/** True for the driver's error codes that mean "the file is damaged or not a database". */
export function isCorruptionError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT"));
}

function describeOpenError(path: string, error: unknown): Error {
  if (error instanceof CrossdockError) return error;
  if (isCorruptionError(error)) {
    const found = describeHeader(path);
    const reason = (error as Error).message;
    return new CrossdockError(
      "CDK_STORE_CORRUPT",
      `The store file ${path} is not a usable SQLite database (${reason}; found ${found}). ` +
        "It was left untouched; point store.url at the right file or restore a backup",
      { cause: error, details: { path, sqliteCode: (error as { code: string }).code, found } },
    );
  }
  return new CrossdockError(
    "CDK_STORE_UNAVAILABLE",
    `The store file ${path} cannot be opened: ${(error as Error)?.message ?? String(error)}`,
    { cause: error, details: { path } },
  );
}

/** The first bytes of the file, printable, so the user sees what is there instead of a store. */
function describeHeader(path: string): string {
  try {
    const fd = openSync(path, "r");
    try {
      const head = Buffer.alloc(16);
      const read = readSync(fd, head, 0, head.length, 0);
      const text = head.subarray(0, read).toString("latin1");
      const printable = /^[\x20-\x7e]*\0?$/.test(text);
      return printable
        ? `a header of ${JSON.stringify(text.replace(/\0$/, ""))}`
        : `a header of bytes ${head.subarray(0, read).toString("hex")}`;
    } finally {
      closeSync(fd);
    }
  } catch {
    return "an unreadable file";
  }
}
