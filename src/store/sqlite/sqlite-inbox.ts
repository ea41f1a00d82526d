/**
 * Inbox SQL: one group-committed batch of appends, the processing jobs made from them, and reads.
 *
 * An append stores only the message row. Its processing job is made later, in bulk, by
 * `createPendingInboxJobs` (which every claim runs first): the rows past `inbox_job_cursor` are the
 * messages still without one. The single SQLite writer commits seqs in order, so no row is skipped, and a
 * job and the cursor move in one transaction, so none is made twice. This keeps the five B-trees of a
 * job row out of the commit a webhook sender waits for.
 */
import { fromJsonOrUndefined, jobKeys, traceToJson } from "../codec.ts";
import {
  INBOX_PROCESS_KIND,
  INBOX_TARGET,
  type InboxListFilter,
  type InboxMessage,
  type InboxMessageInput,
  type InboxReceipt,
  type QueueDepth,
  type TraceContext,
} from "../store.ts";
import type { SqliteContext } from "./sqlite-connection.ts";
import { enqueueJob, insertReadyJob } from "./sqlite-jobs.ts";
import { type InboxRow, toInboxMessage } from "./sqlite-rows.ts";

/** An append waiting for its group commit; `receivedAt` is taken when the caller appended. */
export interface PendingAppend {
  message: InboxMessageInput;
  receivedAt: number;
}

const INSERT_MESSAGE = `INSERT INTO inbox (id, source, connection, dedupe_key, body, headers, content_type,
  received_at, trace, size, ordering_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (connection, dedupe_key) DO NOTHING`;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Writes a batch (validated beforehand) in the caller's transaction. A message whose key is already
 * stored, earlier or in this same batch, is answered with the first receipt and stores nothing.
 */
export function appendInboxBatch(ctx: SqliteContext, batch: PendingAppend[]): InboxReceipt[] {
  const insert = ctx.stmt(INSERT_MESSAGE);
  return batch.map(({ message, receivedAt }) => {
    const id = ctx.ids.next("msg_");
    const headers = message.headers;
    const info = insert.run(
      id,
      message.source,
      message.connection,
      message.dedupeKey,
      asBuffer(message.body),
      headers === undefined || Object.keys(headers).length === 0 ? null : JSON.stringify(headers),
      message.contentType ?? null,
      receivedAt,
      traceToJson(message.trace),
      message.body.byteLength,
      message.orderingKey ?? null,
    );
    if (info.changes === 0) {
      const first = ctx
        .stmt("SELECT id, received_at FROM inbox WHERE connection = ? AND dedupe_key = ?")
        .get(message.connection, message.dedupeKey) as { id: string; received_at: number };
      return {
        id: first.id,
        connection: message.connection,
        dedupeKey: message.dedupeKey,
        receivedAt: first.received_at,
        duplicate: true,
      };
    }
    return { id, connection: message.connection, dedupeKey: message.dedupeKey, receivedAt, duplicate: false };
  });
}

/** How many pending messages one call turns into jobs, so a claim's transaction stays short. */
export const PENDING_JOBS_BATCH = 512;

/**
 * Makes the processing jobs (`INBOX_TARGET`, `INBOX_PROCESS_KIND`, key `inbox:<id>`, payload
 * `{ messageId }`) of up to `limit` messages past the cursor, oldest first, and moves the cursor.
 * A job is created at its message's `receivedAt`, so queue age counts from arrival. Returns how many.
 */
export function createPendingInboxJobs(ctx: SqliteContext, limit = PENDING_JOBS_BATCH): number {
  const cursor = (ctx.stmt("SELECT seq FROM inbox_job_cursor WHERE id = 1").get() as { seq: number }).seq;
  const rows = ctx
    .stmt("SELECT seq, id, received_at, trace, ordering_key FROM inbox WHERE seq > ? ORDER BY seq LIMIT ?")
    .all(cursor, limit) as PendingRow[];
  if (rows.length === 0) return 0;
  const now = ctx.now();
  for (const row of rows) {
    const job = {
      target: INBOX_TARGET,
      kind: INBOX_PROCESS_KIND,
      idempotencyKey: jobKeys.inbox(row.id),
      payload: { messageId: row.id },
      runAt: row.received_at,
    };
    if (row.ordering_key === null) {
      insertReadyJob(ctx, { ...job, createdAt: row.received_at, traceJson: row.trace }, now);
    } else {
      const trace = fromJsonOrUndefined<TraceContext>(row.trace);
      // Created "at" the message's arrival like the others (`now` only stamps the rows it writes).
      enqueueJob(ctx, { ...job, orderingKey: row.ordering_key, trace }, row.received_at);
    }
  }
  ctx.stmt("UPDATE inbox_job_cursor SET seq = ? WHERE id = 1").run(rows.at(-1)!.seq);
  return rows.length;
}

/**
 * The queue depth with the messages still without a processing job counted as ready on `INBOX_TARGET`
 * (they are, in all but the row), their age from arrival.
 */
export function withPendingInboxJobs(ctx: SqliteContext, depths: QueueDepth[]): QueueDepth[] {
  const pending = ctx
    .stmt(
      `SELECT count(*) AS n, min(received_at) AS oldest FROM inbox
       WHERE seq > (SELECT seq FROM inbox_job_cursor WHERE id = 1)`,
    )
    .get() as { n: number; oldest: number | null };
  if (pending.n === 0 || pending.oldest === null) return depths;
  const age = Math.max(0, ctx.now() - pending.oldest);
  const inbox = depths.find((d) => d.target === INBOX_TARGET);
  if (inbox === undefined) {
    const added = {
      target: INBOX_TARGET,
      waiting: 0,
      ready: pending.n,
      running: 0,
      exception: 0,
      oldestAgeMs: age,
    };
    return [...depths, added].sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  }
  return depths.map((d) =>
    d === inbox ? { ...d, ready: d.ready + pending.n, oldestAgeMs: Math.max(d.oldestAgeMs, age) } : d,
  );
}

interface PendingRow {
  seq: number;
  id: string;
  received_at: number;
  trace: string | null;
  ordering_key: string | null;
}

export function getInboxMessage(ctx: SqliteContext, id: string): InboxMessage | undefined {
  const row = ctx.stmt("SELECT * FROM inbox WHERE id = ?").get(id) as InboxRow | undefined;
  return row && toInboxMessage(row);
}

export function listInbox(ctx: SqliteContext, filter: InboxListFilter = {}): InboxMessage[] {
  let sql = "SELECT * FROM inbox WHERE 1 = 1";
  const params: unknown[] = [];
  if (filter.connection !== undefined) {
    sql += " AND connection = ?";
    params.push(filter.connection);
  }
  if (filter.since !== undefined) {
    sql += " AND received_at >= ?";
    params.push(filter.since);
  }
  if (filter.afterId !== undefined) {
    sql += " AND seq > (SELECT seq FROM inbox WHERE id = ?)";
    params.push(filter.afterId);
  }
  sql += " ORDER BY seq LIMIT ?";
  params.push(filter.limit ?? 100);
  return (ctx.stmt(sql).all(...params) as InboxRow[]).map(toInboxMessage);
}
