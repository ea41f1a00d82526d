/** Event log SQL: append with per-stream numbering, stream reads, and subscriptions. */
import { CrossdockError } from "../../core/errors.ts";
import { formatPosition, fromJsonOrUndefined, parsePosition, traceToJson } from "../codec.ts";
import { validateEventInput } from "../input-validation.ts";
import type { EventInput, StoredEvent, SubscriptionInfo, SubscriptionOptions } from "../store.ts";
import type { SqliteContext } from "./sqlite-connection.ts";
import { resolveEventWaits } from "./sqlite-event-waits.ts";
import { type EventRow, toEvent } from "./sqlite-rows.ts";

const INSERT_EVENT = `INSERT INTO events (id, stream, stream_seq, type, data, trace, causation_id, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * Appends in the caller's transaction. Positions are the table's rowid: with one writer they are
 * handed out in commit order, so a reader never sees a position before a smaller one.
 */
export function appendEvents(ctx: SqliteContext, inputs: EventInput[]): StoredEvent[] {
  inputs.forEach(validateEventInput);
  const now = ctx.now();
  return inputs.map((input) => {
    const last = ctx.stmt("SELECT max(stream_seq) AS seq FROM events WHERE stream = ?").get(input.stream) as {
      seq: number | null;
    };
    const streamSeq = (last.seq ?? 0) + 1;
    const id = ctx.ids.next("evt_");
    const info = ctx
      .stmt(INSERT_EVENT)
      .run(
        id,
        input.stream,
        streamSeq,
        input.type,
        JSON.stringify(input.data),
        traceToJson(input.trace),
        input.causationId ?? null,
        now,
      );
    const position = Number(info.lastInsertRowid);
    resolveEventWaits(ctx, input.type, input.stream, position, now);
    return {
      id,
      stream: input.stream,
      type: input.type,
      data: input.data,
      trace: input.trace,
      causationId: input.causationId,
      streamSeq,
      position: formatPosition(position),
      createdAt: now,
    };
  });
}

export function readStream(
  ctx: SqliteContext,
  stream: string,
  options: { afterSeq?: number; limit?: number } = {},
): StoredEvent[] {
  const rows = ctx
    .stmt("SELECT * FROM events WHERE stream = ? AND stream_seq > ? ORDER BY stream_seq LIMIT ?")
    .all(stream, options.afterSeq ?? 0, options.limit ?? -1) as EventRow[];
  return rows.map(toEvent);
}

export function subscribe(ctx: SqliteContext, name: string, options: SubscriptionOptions = {}): void {
  const types =
    options.types !== undefined && options.types.length > 0 ? JSON.stringify(options.types) : null;
  ctx
    .stmt(
      `INSERT INTO subscriptions (name, types, stream_prefix, cursor, updated_at)
       VALUES (?, ?, ?, CASE WHEN ? THEN (SELECT max(position) FROM events) END, ?) ON CONFLICT (name) DO NOTHING`,
    )
    .run(name, types, options.streamPrefix || null, options.from === "end" ? 1 : 0, ctx.now());
}

interface SubscriptionRow {
  name: string;
  types: string | null;
  stream_prefix: string | null;
  cursor: number | null;
  updated_at: number;
}

function subscription(ctx: SqliteContext, name: string): SubscriptionRow {
  const row = ctx.stmt("SELECT * FROM subscriptions WHERE name = ?").get(name) as SubscriptionRow | undefined;
  if (row === undefined) {
    throw new CrossdockError("CDK_SUBSCRIPTION_NOT_FOUND", `No event subscription named ${name}`, {
      details: { name },
    });
  }
  return row;
}

/**
 * The next matching events after the cursor. Type filters walk the `(type, position)` index, so a
 * rare type is found without reading the events in between.
 */
export function poll(ctx: SqliteContext, name: string, limit = 100): StoredEvent[] {
  const sub = subscription(ctx, name);
  let sql = "SELECT * FROM events WHERE position > ?";
  const params: unknown[] = [sub.cursor ?? 0];
  const types = fromJsonOrUndefined<string[]>(sub.types);
  if (types !== undefined) {
    sql += ` AND type IN (${types.map(() => "?").join(", ")})`;
    params.push(...types);
  }
  if (sub.stream_prefix !== null) {
    sql += " AND substr(stream, 1, length(?)) = ?";
    params.push(sub.stream_prefix, sub.stream_prefix);
  }
  sql += " ORDER BY position LIMIT ?";
  params.push(limit);
  return (ctx.stmt(sql).all(...params) as EventRow[]).map(toEvent);
}

/** Moves the cursor forward to `position`; an older position leaves it where it is. */
export function ack(ctx: SqliteContext, name: string, position: string): void {
  const info = ctx
    .stmt("UPDATE subscriptions SET cursor = max(coalesce(cursor, 0), ?), updated_at = ? WHERE name = ?")
    .run(parsePosition(position), ctx.now(), name);
  if (info.changes === 0) subscription(ctx, name);
}

export function listSubscriptions(ctx: SqliteContext): SubscriptionInfo[] {
  const rows = ctx.stmt("SELECT * FROM subscriptions ORDER BY name").all() as SubscriptionRow[];
  return rows.map((row) => ({
    name: row.name,
    types: fromJsonOrUndefined<string[]>(row.types),
    streamPrefix: row.stream_prefix ?? undefined,
    cursor: row.cursor === null ? undefined : formatPosition(row.cursor),
    updatedAt: row.updated_at,
  }));
}
