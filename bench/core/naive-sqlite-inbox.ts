import { rmSync } from "node:fs";
import Database from "better-sqlite3";
import { systemClock } from "../../src/core/clock.ts";
import { createIdGenerator } from "../../src/core/ids.ts";
import type { AppendFn } from "./append-load.ts";
import { BENCH_HEADERS, benchMessage } from "./bench-message.ts";

/**
 * The naive design the inbox is measured against: one SQLite transaction per message (the message row
 * and its processing job), straight through better-sqlite3, with the same durability pragmas. Every call
 * is synchronous, so appends are serialised by the event loop itself and each one waits for its own
 * WAL sync; the loop is blocked while it does. `close` deletes the file.
 */
export interface NaiveInbox {
  append: AppendFn;
  close(): Promise<void>;
}

const SCHEMA = `
CREATE TABLE inbox (
  id TEXT PRIMARY KEY, source TEXT NOT NULL, connection TEXT NOT NULL, dedupe_key TEXT NOT NULL,
  body BLOB NOT NULL, headers TEXT NOT NULL, content_type TEXT, received_at INTEGER NOT NULL,
  trace TEXT, size INTEGER NOT NULL, UNIQUE (connection, dedupe_key)
);
CREATE TABLE jobs (
  id TEXT PRIMARY KEY, target TEXT NOT NULL, kind TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE,
  ordering_key TEXT, payload TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  run_at INTEGER NOT NULL, retry TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE INDEX jobs_claimable ON jobs (status, run_at);
`;

export function openNaiveSqliteInbox(options: {
  path: string;
  synchronous: "full" | "normal";
  runId: string;
}): NaiveInbox {
  const db = new Database(options.path);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${options.synchronous}`);
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  db.exec(SCHEMA);
  const ids = createIdGenerator(systemClock);
  const insertMessage = db.prepare(
    `INSERT INTO inbox (id, source, connection, dedupe_key, body, headers, content_type, received_at, size)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertJob = db.prepare(
    `INSERT INTO jobs (id, target, kind, idempotency_key, payload, status, run_at, retry, created_at, updated_at)
     VALUES (?, 'crossdock.inbox', 'inbox.process', ?, ?, 'ready', ?, ?, ?, ?)`,
  );
  const retry = JSON.stringify({ maximumAttempts: 10, initialIntervalMs: 1_000, backoffCoefficient: 2 });
  const appendTx = db.transaction((producer: number, seq: number) => {
    const message = benchMessage(options.runId, producer, seq);
    const id = ids.next("msg_");
    const now = Date.now();
    insertMessage.run(
      id,
      message.source,
      message.connection,
      message.dedupeKey,
      message.body,
      JSON.stringify(message.headers ?? BENCH_HEADERS),
      message.contentType,
      now,
      message.body.byteLength,
    );
    insertJob.run(ids.next("job_"), `inbox:${id}`, JSON.stringify({ messageId: id }), now, retry, now, now);
    return id;
  });
  return {
    append: async (producer, seq) => appendTx.immediate(producer, seq),
    async close() {
      db.close();
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${options.path}${suffix}`, { force: true });
    },
  };
}
