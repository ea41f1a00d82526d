import pg from "pg";
import { systemClock } from "../../src/core/clock.ts";
import { createIdGenerator } from "../../src/core/ids.ts";
import { benchMessage } from "./bench-message.ts";
import type { NaiveInbox } from "./naive-sqlite-inbox.ts";

const SCHEMA = `
CREATE TABLE inbox (
  id text PRIMARY KEY, source text NOT NULL, connection text NOT NULL, dedupe_key text NOT NULL,
  body bytea NOT NULL, headers jsonb NOT NULL, content_type text, received_at bigint NOT NULL,
  trace jsonb, size integer NOT NULL, UNIQUE (connection, dedupe_key)
);
CREATE TABLE jobs (
  id text PRIMARY KEY, target text NOT NULL, kind text NOT NULL, idempotency_key text NOT NULL UNIQUE,
  ordering_key text, payload jsonb NOT NULL, status text NOT NULL, attempts integer NOT NULL DEFAULT 0,
  run_at bigint NOT NULL, due_at bigint NOT NULL, retry jsonb NOT NULL, created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX jobs_claimable ON jobs (due_at, id) WHERE status IN ('ready', 'running');
CREATE INDEX jobs_status_target ON jobs (status, target);
`;

/**
 * The naive design on PostgreSQL: one transaction per message on a `pg` pool, the message row and its
 * processing job written by one statement (a data-modifying CTE in autocommit: one round trip and one
 * commit per message, the cheapest form of the naive design). Concurrency is the pool's; PostgreSQL's
 * own WAL flush already lets concurrent commits share an fsync.
 */
export async function openNaivePostgresInbox(options: {
  url: string;
  schema: string;
  poolSize: number;
  runId: string;
}): Promise<NaiveInbox> {
  const admin = new pg.Client({ connectionString: options.url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${options.schema}`);
    await admin.query(`SET search_path TO ${options.schema}`);
    await admin.query(SCHEMA);
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    options: `-c search_path=${options.schema}`,
  });
  const ids = createIdGenerator(systemClock);
  const retry = JSON.stringify({ maximumAttempts: 10, initialIntervalMs: 1_000, backoffCoefficient: 2 });
  const text = `
WITH message AS (
  INSERT INTO inbox (id, source, connection, dedupe_key, body, headers, content_type, received_at, size)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
  RETURNING id
)
INSERT INTO jobs (id, target, kind, idempotency_key, payload, status, run_at, due_at, retry, created_at, updated_at)
SELECT $10, 'crossdock.inbox', 'inbox.process', 'inbox:' || message.id, jsonb_build_object('messageId', message.id),
       'ready', $8, $8, $11, $8, $8
FROM message`;
  return {
    async append(producer, seq) {
      const message = benchMessage(options.runId, producer, seq);
      const id = ids.next("msg_");
      await pool.query({
        name: "naive-append",
        text,
        values: [
          id,
          message.source,
          message.connection,
          message.dedupeKey,
          Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength),
          JSON.stringify(message.headers),
          message.contentType,
          Date.now(),
          message.body.byteLength,
          ids.next("job_"),
          retry,
        ],
      });
      return id;
    },
    async close() {
      await pool.end();
    },
  };
}
