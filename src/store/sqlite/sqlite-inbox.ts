/** Inbox SQL: one group-committed batch of appends, and reads. */
import { jobKeys, traceToJson } from "../codec.ts";
import {
  INBOX_PROCESS_KIND,
  INBOX_TARGET,
  type InboxListFilter,
  type InboxMessage,
  type InboxMessageInput,
  type InboxReceipt,
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
  received_at, trace, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (connection, dedupe_key) DO NOTHING`;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Writes a batch (validated beforehand) in the caller's transaction. A message whose key is already
 * stored, earlier or in this same batch, is answered with the first receipt and stores nothing.
 */
export function appendInboxBatch(ctx: SqliteContext, batch: PendingAppend[]): InboxReceipt[] {
  const now = ctx.now();
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
    const job = {
      target: INBOX_TARGET,
      kind: INBOX_PROCESS_KIND,
      idempotencyKey: jobKeys.inbox(id),
      payload: { messageId: id },
      orderingKey: message.orderingKey,
      trace: message.trace,
    };
    if (message.orderingKey === undefined) insertReadyJob(ctx, job, now);
    else enqueueJob(ctx, job, now);
    return { id, connection: message.connection, dedupeKey: message.dedupeKey, receivedAt, duplicate: false };
  });
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
