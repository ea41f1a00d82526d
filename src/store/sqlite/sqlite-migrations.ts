/**
 * The SQLite schema, as numbered migrations. Released migrations are never edited: a change is a new
 * migration with the next number. Each one runs in its own transaction and is recorded in
 * `crossdock_migrations`, so a crash mid-way leaves the store at the previous version.
 *
 * Conventions: `seq INTEGER PRIMARY KEY` (the rowid) gives arrival order independent of the id
 * generator; JSON is TEXT, raw bodies are BLOBs, times are integer milliseconds. Partial indexes keep
 * the hot queue paths (claim, per-key ordering, lease expiry) proportional to the live jobs only.
 */
import { CrossdockError } from "../../core/errors.ts";
import type { MigrationResult } from "../store.ts";
import type { SqliteDatabase } from "./sqlite-driver.ts";

export interface SqliteMigration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: "0001-inbox-events-jobs",
    sql: `
      CREATE TABLE inbox (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL,
        connection TEXT NOT NULL,
        dedupe_key TEXT NOT NULL,
        body BLOB NOT NULL,
        headers TEXT,
        content_type TEXT,
        received_at INTEGER NOT NULL,
        trace TEXT,
        size INTEGER NOT NULL,
        UNIQUE (connection, dedupe_key)
      );

      CREATE TABLE events (
        position INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        stream TEXT NOT NULL,
        stream_seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        data TEXT NOT NULL,
        trace TEXT,
        causation_id TEXT,
        created_at INTEGER NOT NULL,
        UNIQUE (stream, stream_seq)
      );
      CREATE INDEX events_by_type ON events (type, position);

      CREATE TABLE subscriptions (
        name TEXT PRIMARY KEY,
        types TEXT,
        stream_prefix TEXT,
        cursor INTEGER,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE jobs (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        target TEXT NOT NULL,
        kind TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        ordering_key TEXT,
        payload TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        run_at INTEGER NOT NULL,
        retry TEXT NOT NULL,
        trace TEXT,
        lease_owner TEXT,
        lease_token TEXT,
        lease_expires_at INTEGER,
        errors TEXT,
        result TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        finished_at INTEGER
      );
      CREATE INDEX jobs_ready ON jobs (run_at, seq) WHERE status = 'ready';
      CREATE INDEX jobs_leased ON jobs (lease_expires_at) WHERE status = 'running';
      CREATE INDEX jobs_by_key ON jobs (target, ordering_key, status, seq)
        WHERE ordering_key IS NOT NULL AND status IN ('waiting', 'ready', 'running');
      CREATE INDEX jobs_open ON jobs (target, status, created_at)
        WHERE status IN ('waiting', 'ready', 'running', 'exception');

      CREATE TABLE targets (
        target TEXT PRIMARY KEY,
        paused INTEGER NOT NULL,
        reason TEXT,
        paused_at INTEGER
      );

      CREATE TABLE exceptions (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        job_id TEXT NOT NULL REFERENCES jobs (id),
        target TEXT NOT NULL,
        kind TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        ordering_key TEXT,
        payload TEXT NOT NULL,
        error TEXT NOT NULL,
        code TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        errors TEXT,
        trace TEXT,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        resolved_at INTEGER,
        resolved_by TEXT,
        reason TEXT,
        replay_payload TEXT
      );
      CREATE INDEX exceptions_open ON exceptions (target) WHERE status = 'open';
      CREATE INDEX exceptions_by_job ON exceptions (job_id);

      CREATE TABLE records (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        data TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (kind, key)
      );
    `,
  },
  {
    version: 2,
    name: "0002-workflows",
    sql: `
      CREATE TABLE workflow_runs (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        key TEXT NOT NULL,
        status TEXT NOT NULL,
        input TEXT NOT NULL,
        output TEXT,
        error TEXT,
        trace TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (type, key)
      );
      CREATE INDEX workflow_runs_by_status ON workflow_runs (status);

      CREATE TABLE workflow_steps (
        run_id TEXT NOT NULL REFERENCES workflow_runs (id),
        step_id TEXT NOT NULL,
        status TEXT NOT NULL,
        output TEXT,
        compensation_input TEXT,
        error TEXT,
        seq INTEGER NOT NULL,
        finished_at INTEGER NOT NULL,
        PRIMARY KEY (run_id, step_id)
      );

      CREATE TABLE workflow_waits (
        run_id TEXT NOT NULL REFERENCES workflow_runs (id),
        wait_id TEXT NOT NULL,
        event_type TEXT NOT NULL,
        stream TEXT NOT NULL,
        deadline INTEGER,
        status TEXT NOT NULL,
        event_position INTEGER REFERENCES events (position),
        created_at INTEGER NOT NULL,
        PRIMARY KEY (run_id, wait_id)
      );
      CREATE INDEX workflow_waits_open ON workflow_waits (event_type, stream) WHERE status = 'open';

      CREATE TABLE approvals (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        run_id TEXT NOT NULL REFERENCES workflow_runs (id),
        step_id TEXT NOT NULL,
        title TEXT NOT NULL,
        details TEXT NOT NULL,
        status TEXT NOT NULL,
        deadline INTEGER,
        decided_by TEXT,
        comment TEXT,
        created_at INTEGER NOT NULL,
        decided_at INTEGER,
        UNIQUE (run_id, step_id)
      );
      CREATE INDEX approvals_pending ON approvals (seq) WHERE status = 'pending';
    `,
  },
  {
    version: 3,
    name: "0003-audit-log",
    sql: `
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        resource TEXT,
        outcome TEXT NOT NULL,
        status INTEGER,
        details TEXT,
        trace TEXT
      );
      CREATE INDEX audit_log_by_at ON audit_log (at);
      CREATE INDEX audit_log_by_actor ON audit_log (actor, seq);
    `,
  },
  {
    // Inbox messages get their processing jobs lazily, in bulk, off the append's commit: the cursor is
    // the last inbox seq that has its job. Messages stored before this migration already have theirs.
    version: 4,
    name: "0004-inbox-job-cursor",
    sql: `
      ALTER TABLE inbox ADD COLUMN ordering_key TEXT;
      CREATE TABLE inbox_job_cursor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL
      );
      INSERT INTO inbox_job_cursor (id, seq) SELECT 1, coalesce(max(seq), 0) FROM inbox;
    `,
  },
];

/** The highest schema version this code knows. */
export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS.at(-1)!.version;

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS crossdock_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`;

/** The highest applied version; 0 for a new file. Reads without creating anything. */
export function currentSchemaVersion(db: SqliteDatabase): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'crossdock_migrations'")
    .get();
  if (!table) return 0;
  const row = db.prepare("SELECT max(version) AS version FROM crossdock_migrations").get() as {
    version: number | null;
  };
  return row.version ?? 0;
}

/**
 * Applies the pending migrations, each in its own transaction. Must run while nothing else uses the
 * connection (the store holds its write lock). Throws `CDK_STORE_SCHEMA_TOO_NEW` before touching
 * anything if the file was migrated by newer code.
 */
export function migrateSqlite(
  db: SqliteDatabase,
  path: string,
  now: number,
  migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS,
): MigrationResult {
  const from = currentSchemaVersion(db);
  const known = migrations.at(-1)?.version ?? 0;
  if (from > known) {
    throw new CrossdockError(
      "CDK_STORE_SCHEMA_TOO_NEW",
      `The store ${path} has schema version ${from}, but this Crossdock knows only up to ${known}; ` +
        "upgrade Crossdock (the store was left untouched)",
      { details: { path, found: from, supported: known } },
    );
  }
  const applied: string[] = [];
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(CREATE_MIGRATIONS_TABLE);
      db.exec(migration.sql);
      db.prepare("INSERT INTO crossdock_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        migration.version,
        migration.name,
        now,
      );
      db.exec("COMMIT");
    } catch (error) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw error;
    }
    applied.push(migration.name);
  }
  return { from, to: Math.max(from, known), applied };
}
