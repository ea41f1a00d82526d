import { CrossdockError } from "../../core/errors.ts";
import { jobKeys } from "../codec.ts";
import { GroupCommitter } from "../group-commit.ts";
import { validateInboxMessage } from "../input-validation.ts";
import { resolveRetryPolicy } from "../retry-policy.ts";
import {
  INBOX_PROCESS_KIND,
  INBOX_TARGET,
  type Inbox,
  type InboxListFilter,
  type InboxMessage,
  type InboxMessageInput,
  type InboxReceipt,
} from "../store.ts";
import type { PgStoreContext } from "./postgres-context.ts";
import { prepared, type Row, type Statement } from "./postgres-database.ts";
import { insertJobsCte } from "./postgres-job-sql.ts";
import { orderingLocks } from "./postgres-locks.ts";
import { INBOX_COLUMNS, toInboxMessage } from "./postgres-rows.ts";

interface Pending {
  id: string;
  receivedAt: number;
  message: InboxMessageInput;
}

/** Bodies per statement (sent hex-encoded in one array, so twice this on the wire) stay well below PostgreSQL's 1 GiB message limit. */
const MAX_STATEMENT_BYTES = 32 * 1024 * 1024;

/**
 * `$1` messages as JSON, `$2` now, `$3` the processing jobs' retry policy, `$4` the bodies as one
 * `bytea[]` (in `ord` order). Inserts the new messages and their processing jobs in one statement and
 * returns the new ids plus the messages already stored under the same keys. The text is the same for
 * every batch size, so it is prepared once per connection: planning it cost more than a one-message
 * batch's insert (0.5 ms), which made a lone producer slower than one transaction per message.
 */
const INSERT_SQL = prepared(`WITH input AS (
    SELECT m.*, b.body FROM jsonb_to_recordset($1::jsonb) AS m(ord integer, id text, source text,
      connection text, dedupe_key text, headers jsonb, content_type text, received_at bigint, trace jsonb,
      ordering_key text, job_id text, job_key text)
    JOIN unnest($4::bytea[]) WITH ORDINALITY AS b(body, n) ON b.n = m.ord + 1
  ),
  existing AS (
    SELECT x.id, x.connection, x.dedupe_key, x.received_at
    FROM inbox x JOIN input i ON x.connection = i.connection AND x.dedupe_key = i.dedupe_key
  ),
  msgs AS (
    INSERT INTO inbox (id, source, connection, dedupe_key, body, headers, content_type, received_at, trace, size)
    SELECT id, source, connection, dedupe_key, body, coalesce(headers, '{}'::jsonb), content_type, received_at,
      trace, octet_length(body)
    FROM input ORDER BY ord
    ON CONFLICT (connection, dedupe_key) DO NOTHING
    RETURNING id
  ),
  job_input AS (
    SELECT i.ord, i.job_id AS id, '${INBOX_TARGET}'::text AS target, '${INBOX_PROCESS_KIND}'::text AS kind,
      i.job_key AS idempotency_key, i.ordering_key, jsonb_build_object('messageId', i.id) AS payload,
      $2::bigint AS run_at, $3::jsonb AS retry, i.trace
    FROM input i WHERE i.id IN (SELECT id FROM msgs)
  ),
  ${insertJobsCte("job_input")}
  SELECT id, NULL AS connection, NULL AS dedupe_key, NULL AS received_at, false AS duplicate FROM msgs
  UNION ALL
  SELECT id, connection, dedupe_key, received_at, true AS duplicate FROM existing`);

type Outcome = { ok: true; receipt: InboxReceipt } | { ok: false; error: unknown };

/** PostgreSQL text and jsonb cannot hold NUL; refuse it here rather than fail a whole batch. */
function refuseNul(message: InboxMessageInput): void {
  const texts: [string, unknown[]][] = [
    ["source", [message.source]],
    ["connection", [message.connection]],
    ["dedupeKey", [message.dedupeKey]],
    ["contentType", [message.contentType]],
    ["orderingKey", [message.orderingKey]],
    ["headers", Object.entries(message.headers ?? {}).flat()],
    ["trace", Object.values(message.trace ?? {})],
  ];
  for (const [field, values] of texts) {
    if (values.some((v) => typeof v === "string" && v.includes("\u0000"))) {
      throw new CrossdockError(
        "CDK_INBOX_INVALID_MESSAGE",
        `Inbox message ${field} contains a NUL character`,
        {
          details: { field },
        },
      );
    }
  }
}

const dedupeOf = (m: { connection: string; dedupeKey: string }) => `${m.connection}\u0000${m.dedupeKey}`;

/**
 * The inbox over PostgreSQL: concurrent appends are group-committed, several batches in flight at once
 * over the pool, each batch one pipelined transaction.
 */
export class PostgresInbox implements Inbox {
  readonly #ctx: PgStoreContext;
  readonly #committer: GroupCommitter<Pending, Outcome>;
  readonly #retry: string;

  constructor(ctx: PgStoreContext, maxConcurrentFlushes: number) {
    this.#ctx = ctx;
    this.#retry = JSON.stringify(resolveRetryPolicy(undefined, ctx.config.defaultRetry));
    this.#committer = new GroupCommitter({
      flush: (items) => this.#flush(items),
      maxBatchSize: ctx.config.maxBatchSize,
      maxPending: ctx.config.maxPendingAppends,
      maxConcurrentFlushes,
    });
  }

  /**
   * Nothing to make: each append writes its job in its own transaction. (A cursor over the inbox's
   * seq would skip rows here, as concurrent transactions commit out of seq order.)
   */
  async createPendingJobs(): Promise<number> {
    return 0;
  }

  async append(message: InboxMessageInput): Promise<InboxReceipt> {
    validateInboxMessage(message, this.#ctx.config);
    refuseNul(message);
    const receivedAt = message.receivedAt ?? this.#ctx.clock.now();
    const outcome = await this.#committer.submit({ id: this.#ctx.ids.next("msg_"), receivedAt, message });
    if (!outcome.ok) throw outcome.error;
    return outcome.receipt;
  }

  async get(id: string): Promise<InboxMessage | undefined> {
    const [row] = await this.#ctx.db.query(`SELECT ${INBOX_COLUMNS} FROM inbox WHERE id = $1`, [id]);
    return row ? toInboxMessage(row) : undefined;
  }

  async list(filter: InboxListFilter = {}): Promise<InboxMessage[]> {
    const rows = await this.#ctx.db.query(
      `SELECT ${INBOX_COLUMNS} FROM inbox
       WHERE ($1::text IS NULL OR connection = $1) AND ($2::bigint IS NULL OR received_at >= $2)
         AND ($3::text IS NULL OR seq > (SELECT seq FROM inbox WHERE id = $3))
       ORDER BY seq LIMIT $4`,
      [filter.connection ?? null, filter.since ?? null, filter.afterId ?? null, filter.limit ?? 100],
    );
    return rows.map(toInboxMessage);
  }

  /** Waits for every queued append to commit; with `close`, refuses new ones from now on. */
  drain(close: boolean): Promise<void> {
    return this.#committer.drain(close);
  }

  /**
   * Writes a batch; if PostgreSQL refuses it, writes each message alone so that one bad message fails
   * alone (its caller gets the error) and the others are still stored.
   */
  async #flush(items: Pending[]): Promise<Outcome[]> {
    try {
      return (await this.#write(items)).map((receipt) => ({ ok: true, receipt }));
    } catch (error) {
      if (items.length === 1 || (error instanceof CrossdockError && error.code === "CDK_STORE_UNAVAILABLE")) {
        throw error;
      }
      const outcomes: Outcome[] = [];
      for (const item of items) {
        try {
          const [receipt] = await this.#write([item]);
          outcomes.push({ ok: true, receipt: receipt! });
        } catch (itemError) {
          outcomes.push({ ok: false, error: itemError });
        }
      }
      return outcomes;
    }
  }

  async #write(items: Pending[]): Promise<InboxReceipt[]> {
    const now = this.#ctx.clock.now();
    // The first item of a key in the batch is the one stored; later ones are its duplicates.
    const firstOf = new Map<string, number>();
    const unique: Pending[] = [];
    for (const item of items) {
      const key = dedupeOf(item.message);
      if (!firstOf.has(key)) {
        firstOf.set(key, unique.length);
        unique.push(item);
      }
    }
    const statements: Statement[] = [];
    const keyed = unique.filter((p) => p.message.orderingKey !== undefined);
    const lock = orderingLocks(
      this.#ctx.db.schema,
      keyed.map((p) => [INBOX_TARGET, p.message.orderingKey as string] as const),
    );
    if (lock) statements.push(lock);
    for (const chunk of chunkByBytes(unique)) statements.push(this.#insert(chunk, now));
    const results = await this.#ctx.db.atomic(statements);
    const found = results.slice(lock ? 1 : 0).flat();
    const receipts = await this.#receipts(unique, found);
    return items.map((item) => {
      const receipt = receipts[firstOf.get(dedupeOf(item.message))!]!;
      return receipt.id === item.id ? receipt : { ...receipt, duplicate: true };
    });
  }

  #insert(chunk: Pending[], now: number): Statement {
    const rows = chunk.map((p, ord) => ({
      ord,
      id: p.id,
      source: p.message.source,
      connection: p.message.connection,
      dedupe_key: p.message.dedupeKey,
      headers: p.message.headers ?? {},
      content_type: p.message.contentType ?? null,
      received_at: p.receivedAt,
      trace: p.message.trace ?? null,
      ordering_key: p.message.orderingKey ?? null,
      job_id: this.#ctx.ids.next("job_"),
      job_key: jobKeys.inbox(p.id),
    }));
    return {
      text: INSERT_SQL,
      values: [JSON.stringify(rows), now, this.#retry, chunk.map((p) => p.message.body)],
    };
  }

  /** One receipt per unique item; keys another flush stored concurrently are read again. */
  async #receipts(unique: Pending[], found: Row[]): Promise<InboxReceipt[]> {
    const fresh = new Set(found.filter((r) => r.duplicate === false).map((r) => r.id as string));
    const existing = new Map(
      found
        .filter((r) => r.duplicate === true)
        .map((r) => [dedupeOf({ connection: r.connection as string, dedupeKey: r.dedupe_key as string }), r]),
    );
    const missing = unique.filter((p) => !fresh.has(p.id) && !existing.has(dedupeOf(p.message)));
    if (missing.length > 0) {
      const rows = await this.#ctx.db.query(
        `SELECT id, connection, dedupe_key, received_at FROM inbox
         WHERE (connection, dedupe_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [missing.map((p) => p.message.connection), missing.map((p) => p.message.dedupeKey)],
      );
      for (const r of rows) {
        existing.set(dedupeOf({ connection: r.connection as string, dedupeKey: r.dedupe_key as string }), r);
      }
    }
    return unique.map((p) => {
      if (fresh.has(p.id)) {
        return {
          id: p.id,
          connection: p.message.connection,
          dedupeKey: p.message.dedupeKey,
          receivedAt: p.receivedAt,
          duplicate: false,
        };
      }
      const row = existing.get(dedupeOf(p.message));
      if (!row) throw new Error(`Inbox message ${p.message.dedupeKey} was neither stored nor found`);
      return {
        id: row.id as string,
        connection: p.message.connection,
        dedupeKey: p.message.dedupeKey,
        receivedAt: row.received_at as number,
        duplicate: true,
      };
    });
  }
}

function chunkByBytes(items: Pending[]): Pending[][] {
  const chunks: Pending[][] = [];
  let current: Pending[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && bytes + item.message.body.byteLength > MAX_STATEMENT_BYTES) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.message.body.byteLength;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
