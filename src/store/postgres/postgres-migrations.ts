import { CrossdockError } from "../../core/errors.ts";
import type { MigrationResult } from "../store.ts";
import type { PgDatabase } from "./postgres-database.ts";

/** One numbered schema change. Released migrations are never edited; a change is a new one. */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Design notes for the schema:
 * - Times are epoch milliseconds (`bigint`) from the injected clock, never `now()`, so tests control time.
 * - `jobs.due_at` is when a job can next be claimed: `run_at` while ready, the lease expiry while running.
 *   One partial index on it serves both "due" and "lease expired" claims in `run_at` order.
 * - `seq` columns keep arrival order for lists and keyset paging: ids are only roughly time-ordered.
 * - `jobs.order_seq` is the order inside an ordering key; a replayed job takes a new one (goes last).
 * - `events` are keyed by (`tx_id`, `seq`): readers stay below the oldest open transaction, so an event
 *   whose transaction commits late is never skipped.
 */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
CREATE TABLE inbox (
  id text PRIMARY KEY,
  seq bigserial NOT NULL UNIQUE,
  source text NOT NULL,
  connection text NOT NULL,
  dedupe_key text NOT NULL,
  body bytea NOT NULL,
  headers jsonb NOT NULL,
  content_type text,
  received_at bigint NOT NULL,
  trace jsonb,
  size integer NOT NULL,
  UNIQUE (connection, dedupe_key)
);

CREATE TABLE events (
  tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  seq bigserial NOT NULL,
  id text NOT NULL,
  stream text NOT NULL,
  stream_seq integer NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  trace jsonb,
  causation_id text,
  created_at bigint NOT NULL,
  PRIMARY KEY (tx_id, seq),
  UNIQUE (stream, stream_seq)
);

CREATE TABLE subscriptions (
  name text PRIMARY KEY,
  types text[],
  stream_prefix text,
  cursor_tx xid8,
  cursor_seq bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);

CREATE SEQUENCE job_order_seq;

CREATE TABLE jobs (
  id text PRIMARY KEY,
  seq bigserial NOT NULL UNIQUE,
  target text NOT NULL,
  kind text NOT NULL,
  idempotency_key text NOT NULL UNIQUE,
  ordering_key text,
  payload jsonb NOT NULL,
  status text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  run_at bigint NOT NULL,
  due_at bigint NOT NULL,
  retry jsonb NOT NULL,
  trace jsonb,
  lease_owner text,
  lease_token text,
  lease_expires_at bigint,
  errors jsonb NOT NULL DEFAULT '[]',
  result jsonb,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  finished_at bigint,
  order_seq bigint NOT NULL DEFAULT nextval('job_order_seq')
);
CREATE INDEX jobs_claimable ON jobs (due_at, id) WHERE status IN ('ready', 'running');
CREATE INDEX jobs_ordering ON jobs (target, ordering_key, order_seq)
  WHERE ordering_key IS NOT NULL AND status IN ('waiting', 'ready', 'running');
CREATE INDEX jobs_status_target ON jobs (status, target);

CREATE TABLE targets (
  target text PRIMARY KEY,
  paused boolean NOT NULL,
  reason jsonb,
  paused_at bigint,
  updated_at bigint NOT NULL
);

CREATE TABLE exceptions (
  id text PRIMARY KEY,
  seq bigserial NOT NULL UNIQUE,
  job_id text NOT NULL,
  target text NOT NULL,
  kind text NOT NULL,
  idempotency_key text NOT NULL,
  ordering_key text,
  payload jsonb NOT NULL,
  error jsonb NOT NULL,
  attempts integer NOT NULL,
  errors jsonb NOT NULL,
  trace jsonb,
  status text NOT NULL,
  created_at bigint NOT NULL,
  resolved_at bigint,
  resolved_by text,
  reason text,
  replay_payload jsonb
);
CREATE INDEX exceptions_open ON exceptions (target) WHERE status = 'open';
CREATE INDEX exceptions_job ON exceptions (job_id);

CREATE TABLE workflow_runs (
  id text PRIMARY KEY,
  seq bigserial NOT NULL UNIQUE,
  type text NOT NULL,
  key text NOT NULL,
  status text NOT NULL,
  input jsonb NOT NULL,
  output jsonb,
  error jsonb,
  trace jsonb,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  UNIQUE (type, key)
);
CREATE INDEX workflow_runs_status ON workflow_runs (status);

CREATE TABLE workflow_steps (
  run_id text NOT NULL,
  step_id text NOT NULL,
  status text NOT NULL,
  output jsonb,
  compensation_input jsonb,
  error jsonb,
  seq integer NOT NULL,
  finished_at bigint NOT NULL,
  PRIMARY KEY (run_id, step_id)
);

CREATE TABLE event_waits (
  run_id text NOT NULL,
  wait_id text NOT NULL,
  event_type text NOT NULL,
  stream text NOT NULL,
  deadline bigint,
  status text NOT NULL,
  event_tx xid8,
  event_seq bigint,
  created_at bigint NOT NULL,
  resolved_at bigint,
  PRIMARY KEY (run_id, wait_id)
);
CREATE INDEX event_waits_open ON event_waits (event_type, stream) WHERE status = 'open';

CREATE TABLE approvals (
  id text PRIMARY KEY,
  seq bigserial NOT NULL UNIQUE,
  run_id text NOT NULL,
  step_id text NOT NULL,
  title text NOT NULL,
  details jsonb NOT NULL,
  status text NOT NULL,
  deadline bigint,
  decided_by text,
  comment text,
  created_at bigint NOT NULL,
  decided_at bigint,
  UNIQUE (run_id, step_id)
);
CREATE INDEX approvals_status ON approvals (status);

CREATE TABLE records (
  kind text NOT NULL,
  key text NOT NULL,
  data jsonb NOT NULL,
  version integer NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (kind, key)
);
`,
  },
  {
    version: 2,
    name: "audit-log",
    // Record keys are listed in code point order whatever the database's locale (as on SQLite): the
    // "C" index serves those lists. The audit log is append-only; seq gives append order.
    sql: `
CREATE INDEX records_by_key_c ON records (kind, key COLLATE "C");

CREATE TABLE audit_log (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  at bigint NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  resource text,
  outcome text NOT NULL,
  status integer,
  details jsonb,
  trace jsonb
);
CREATE INDEX audit_log_by_at ON audit_log (at);
CREATE INDEX audit_log_by_actor ON audit_log (actor, seq);
`,
  },
];

/** Highest migration this code knows. */
export const POSTGRES_SCHEMA_VERSION = Math.max(...POSTGRES_MIGRATIONS.map((m) => m.version));

/**
 * Brings `db.schema` up to date in one transaction. A transaction-scoped advisory lock (keyed by the
 * schema name) makes processes that start together wait for each other; the loser then finds nothing
 * left to do. Throws `CDK_STORE_SCHEMA_TOO_NEW` if the schema was migrated by newer code.
 */
export async function migratePostgres(
  db: PgDatabase,
  now: number,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<MigrationResult> {
  const latest = Math.max(0, ...migrations.map((m) => m.version));
  return db.transaction(async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('crossdock.migrate:' || $1::text))", [
      db.schema,
    ]);
    // The schema name was checked to be a plain identifier, so it can be part of DDL.
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${db.schema}"`);
    await client.query(`CREATE TABLE IF NOT EXISTS "${db.schema}".crossdock_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at bigint NOT NULL
    )`);
    const { rows } = await client.query(
      `SELECT coalesce(max(version), 0) AS version FROM "${db.schema}".crossdock_migrations`,
    );
    const from = Number(rows[0]?.version ?? 0);
    if (from > latest) {
      throw new CrossdockError(
        "CDK_STORE_SCHEMA_TOO_NEW",
        `Schema "${db.schema}" is at version ${from} but this Crossdock knows only up to ${latest}; upgrade Crossdock`,
        { details: { schemaVersion: from, supported: latest } },
      );
    }
    const applied: string[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= from) continue;
      await client.query(migration.sql);
      await client.query(
        `INSERT INTO "${db.schema}".crossdock_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
        [migration.version, migration.name, now],
      );
      applied.push(`${String(migration.version).padStart(4, "0")}-${migration.name}`);
    }
    return { from, to: Math.max(from, latest), applied };
  });
}

/** Highest applied migration, 0 for a schema that was never migrated. */
export async function schemaVersion(db: PgDatabase): Promise<number> {
  const [present] = await db.query("SELECT to_regclass('crossdock_migrations') IS NOT NULL AS present");
  if (present?.present !== true) return 0;
  const rows = await db.query("SELECT coalesce(max(version), 0) AS version FROM crossdock_migrations");
  return Number(rows[0]?.version ?? 0);
}
