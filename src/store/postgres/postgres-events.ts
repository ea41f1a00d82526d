import { CrossdockError } from "../../core/errors.ts";
import { jobKeys } from "../codec.ts";
import { validateEventInput } from "../input-validation.ts";
import type { EventInput, EventLog, StoredEvent, SubscriptionInfo, SubscriptionOptions } from "../store.ts";
import type { PgStoreContext } from "./postgres-context.ts";
import { INDEX_ORDER_ONLY, type PgQueryable, prepared } from "./postgres-database.ts";
import { HORIZON_CTE } from "./postgres-event-horizon.ts";
import { runAll } from "./postgres-jobs.ts";
import { streamLocks } from "./postgres-locks.ts";
import { decodePosition, EVENT_COLUMNS, encodePosition, toStoredEvent } from "./postgres-rows.ts";
import { resumeRunIn } from "./postgres-workflows.ts";

/**
 * `$1` events as JSON, `$2` now. Numbers each event after its stream's last one, inserts them in input
 * order (so `seq` follows it), and resolves the open waits the first matching event of the batch
 * satisfies. Returns the events' positions, then the resolved waits.
 */
const APPEND_SQL = prepared(`WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb)
      AS i(ord integer, id text, stream text, type text, data jsonb, trace jsonb, causation_id text)
  ),
  numbered AS (
    SELECT i.*, coalesce((SELECT max(e.stream_seq) FROM events e WHERE e.stream = i.stream), 0)
      + row_number() OVER (PARTITION BY i.stream ORDER BY i.ord) AS stream_seq
    FROM input i
  ),
  ins AS (
    INSERT INTO events (id, stream, stream_seq, type, data, trace, causation_id, created_at)
    SELECT id, stream, stream_seq, type, coalesce(data, 'null'::jsonb), trace, causation_id, $2
    FROM numbered ORDER BY ord
    RETURNING tx_id, seq, id, stream, stream_seq, type
  ),
  first_match AS (
    SELECT DISTINCT ON (type, stream) tx_id, seq, type, stream FROM ins ORDER BY type, stream, seq
  ),
  resolved AS (
    UPDATE event_waits w SET status = 'resolved', event_tx = m.tx_id, event_seq = m.seq, resolved_at = $2
    FROM first_match m
    WHERE w.status = 'open' AND w.event_type = m.type AND w.stream = m.stream
    RETURNING w.run_id, w.wait_id
  )
  SELECT id, tx_id::text AS tx_id, seq, stream_seq, NULL AS run_id, NULL AS wait_id FROM ins
  UNION ALL
  SELECT NULL, NULL, NULL, NULL, run_id, wait_id FROM resolved`);

/** Appends inside a transaction; resolved waits enqueue their run's resume job in the same one. */
export async function appendEventsIn(
  q: PgQueryable,
  ctx: PgStoreContext,
  events: EventInput[],
): Promise<StoredEvent[]> {
  events.forEach((event, index) => {
    validateEventInput(event, index);
  });
  if (events.length === 0) return [];
  const now = ctx.clock.now();
  const rows = events.map((e, ord) => ({
    ord,
    id: ctx.ids.next("evt_"),
    stream: e.stream,
    type: e.type,
    data: e.data,
    trace: e.trace ?? null,
    causation_id: e.causationId ?? null,
  }));
  const [, result] = await runAll(q, [
    streamLocks(
      ctx.db.schema,
      events.map((e) => e.stream),
    ),
    { text: APPEND_SQL, values: [JSON.stringify(rows), now] },
  ]);
  const byId = new Map<string, { tx_id: string; seq: number; stream_seq: number }>();
  const waits: { runId: string; waitId: string }[] = [];
  for (const row of result ?? []) {
    if (row.id === null) waits.push({ runId: row.run_id as string, waitId: row.wait_id as string });
    else byId.set(row.id as string, row as { tx_id: string; seq: number; stream_seq: number });
  }
  for (const wait of waits) {
    await resumeRunIn(q, ctx, {
      runId: wait.runId,
      resumeKey: jobKeys.workflowEvent(wait.runId, wait.waitId),
      timerKey: jobKeys.workflowTimeout(wait.runId, wait.waitId),
    });
  }
  return events.map((e, i) => {
    const row = rows[i]!;
    const stored = byId.get(row.id)!;
    return {
      id: row.id,
      stream: e.stream,
      type: e.type,
      // What a later read returns: the JSON form (no undefined members, no shared references).
      data: JSON.parse(JSON.stringify(e.data)),
      trace: e.trace === undefined ? undefined : { ...e.trace },
      causationId: e.causationId,
      streamSeq: stored.stream_seq,
      position: encodePosition(stored.tx_id, stored.seq),
      createdAt: now,
    };
  });
}

/** `$1` name, `$2` position tx, `$3` position seq, `$4` now. Moves the cursor forward only. */
const ACK_SQL = prepared(`WITH s AS (SELECT name FROM subscriptions WHERE name = $1),
  moved AS (
    UPDATE subscriptions SET cursor_tx = $2::xid8, cursor_seq = $3, updated_at = $4
    WHERE name = $1 AND (cursor_tx IS NULL OR (cursor_tx, cursor_seq) < ($2::xid8, $3))
  )
  SELECT count(*)::int AS found FROM s`);

function notFound(name: string): CrossdockError {
  return new CrossdockError("CDK_SUBSCRIPTION_NOT_FOUND", `No event subscription named ${name}`, {
    details: { name },
  });
}

/** Moves a subscription's cursor; usable inside a transaction or on the pool. */
export async function ackIn(q: PgQueryable, ctx: PgStoreContext, name: string, position: string) {
  const { txId, seq } = decodePosition(position);
  const { rows } = await q.query(ACK_SQL, [name, txId, seq, ctx.clock.now()]);
  if (rows[0]?.found !== 1) throw notFound(name);
}

/**
 * `$1` schema, `$2` name, `$3` limit. Reads after the cursor, but only below the horizon (see
 * `postgres-event-horizon.ts`): reading past an event whose transaction commits later would skip it.
 */
const POLL_SQL = prepared(`WITH ${HORIZON_CTE},
  s AS MATERIALIZED (SELECT * FROM subscriptions WHERE name = $2)
  SELECT ${EVENT_COLUMNS} FROM events e
  WHERE (e.tx_id, e.seq) > (coalesce((SELECT cursor_tx FROM s), '0'::xid8), coalesce((SELECT cursor_seq FROM s), 0))
    AND e.tx_id < (SELECT bound FROM horizon)
    AND ((SELECT types FROM s) IS NULL OR e.type = ANY((SELECT types FROM s)::text[]))
    AND ((SELECT stream_prefix FROM s) IS NULL OR starts_with(e.stream, (SELECT stream_prefix FROM s)))
  ORDER BY e.tx_id, e.seq
  LIMIT $3`);

/** `EventLog` over PostgreSQL. */
export class PostgresEventLog implements EventLog {
  readonly #ctx: PgStoreContext;

  constructor(ctx: PgStoreContext) {
    this.#ctx = ctx;
  }

  async append(events: EventInput[]): Promise<StoredEvent[]> {
    events.forEach((event, index) => {
      validateEventInput(event, index);
    });
    return this.#ctx.write((q) => appendEventsIn(q, this.#ctx, events));
  }

  async readStream(stream: string, options: { afterSeq?: number; limit?: number } = {}) {
    const rows = await this.#ctx.db.query(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = $1 AND stream_seq > $2 ORDER BY stream_seq LIMIT $3`,
      [stream, options.afterSeq ?? 0, options.limit ?? null],
    );
    return rows.map(toStoredEvent);
  }

  async subscribe(name: string, options: SubscriptionOptions = {}): Promise<void> {
    const now = this.#ctx.clock.now();
    // From the end: the cursor sits at the horizon, so an event of a transaction still open is delivered
    // (at least once rather than never).
    await this.#ctx.db.query(
      `WITH ${HORIZON_CTE}
       INSERT INTO subscriptions (name, types, stream_prefix, cursor_tx, cursor_seq, created_at, updated_at)
       SELECT $2, $3, $4, CASE WHEN $5 THEN bound END, CASE WHEN $5 THEN 0 END, $6, $6 FROM horizon
       ON CONFLICT (name) DO NOTHING`,
      [
        this.#ctx.db.schema,
        name,
        options.types ?? null,
        options.streamPrefix ?? null,
        options.from === "end",
        now,
      ],
    );
  }

  async poll(name: string, limit = 100): Promise<StoredEvent[]> {
    const [, , rows = []] = await this.#ctx.db.atomic([
      ...INDEX_ORDER_ONLY,
      { text: POLL_SQL, values: [this.#ctx.db.schema, name, limit] },
    ]);
    if (rows.length === 0) {
      const [exists] = await this.#ctx.db.query("SELECT 1 FROM subscriptions WHERE name = $1", [name]);
      if (!exists) throw notFound(name);
    }
    return rows.map(toStoredEvent);
  }

  async ack(name: string, position: string): Promise<void> {
    this.#ctx.db.assertOpen();
    await ackIn({ query: (text, values) => this.#query(text, values) }, this.#ctx, name, position);
  }

  async subscriptions(): Promise<SubscriptionInfo[]> {
    const rows = await this.#ctx.db.query(
      `SELECT name, types, stream_prefix, cursor_tx::text AS cursor_tx, cursor_seq, updated_at
       FROM subscriptions ORDER BY name`,
    );
    return rows.map((r) => ({
      name: r.name as string,
      types: (r.types as string[] | null) ?? undefined,
      streamPrefix: (r.stream_prefix as string | null) ?? undefined,
      cursor:
        r.cursor_tx === null ? undefined : encodePosition(r.cursor_tx as string, r.cursor_seq as number),
      updatedAt: r.updated_at as number,
    }));
  }

  async #query(text: string, values?: unknown[]) {
    const rows = await this.#ctx.db.query(text, values);
    return { rows, rowCount: rows.length };
  }
}
