/**
 * The audit log over PostgreSQL: concurrent appends are batched into one multi-row INSERT (one
 * statement, one commit, one WAL flush for many callers); inside a transaction, the same INSERT runs
 * on the transaction's connection.
 */
import { CrossdockError } from "../../core/errors.ts";
import { GroupCommitter } from "../group-commit.ts";
import { pageLimit, validateAuditEntries } from "../input-validation.ts";
import type {
  AuditEntry,
  AuditEntryInput,
  AuditFilter,
  AuditLog,
  AuditOutcome,
  TraceContext,
} from "../store.ts";
import type { PgStoreContext } from "./postgres-context.ts";
import { type PgQueryable, prepared, type Row } from "./postgres-database.ts";

/** `$1` entries as JSON (details as JSON text, so a JSON `null` stays distinct from none). */
const INSERT_SQL =
  prepared(`INSERT INTO audit_log (id, at, actor, action, resource, outcome, status, details, trace)
  SELECT id, at, actor, action, resource, outcome, status, details::jsonb, trace
  FROM jsonb_to_recordset($1::jsonb) AS i(ord integer, id text, at bigint, actor text, action text,
    resource text, outcome text, status integer, details text, trace jsonb)
  ORDER BY ord`);

const COLUMNS = "id, at, actor, action, resource, outcome, status, details, trace";

interface Pending {
  entries: AuditEntry[];
  details: (string | null)[];
}

type Outcome = { ok: true; entries: AuditEntry[] } | { ok: false; error: unknown };

/** Fills in ids and times and gives the entries as they will be stored. */
function prepare(ctx: PgStoreContext, entries: readonly AuditEntryInput[], now: number): AuditEntry[] {
  return entries.map((entry) => ({
    id: entry.id ?? ctx.ids.next("aud_"),
    at: entry.at ?? now,
    actor: entry.actor,
    action: entry.action,
    resource: entry.resource,
    outcome: entry.outcome,
    status: entry.status,
    details: entry.details,
    trace: entry.trace,
  }));
}

function insertParams(items: readonly Pending[]): unknown[] {
  const rows = items.flatMap(({ entries, details }) =>
    entries.map((e, i) => ({
      id: e.id,
      at: e.at,
      actor: e.actor,
      action: e.action,
      resource: e.resource ?? null,
      outcome: e.outcome,
      status: e.status ?? null,
      details: details[i] ?? null,
      trace: e.trace ?? null,
    })),
  );
  return [JSON.stringify(rows.map((row, ord) => ({ ord, ...row })))];
}

/** `tx.appendAudit`: validated and inserted on the transaction's connection. */
export async function appendAuditIn(
  q: PgQueryable,
  ctx: PgStoreContext,
  entries: AuditEntryInput[],
): Promise<AuditEntry[]> {
  const details = validateAuditEntries(entries);
  if (entries.length === 0) return [];
  const prepared = prepare(ctx, entries, ctx.clock.now());
  await q.query(INSERT_SQL, insertParams([{ entries: prepared, details }]));
  return prepared;
}

function toEntry(row: Row): AuditEntry {
  const details = row.details as string | null;
  const trace = row.trace as string | null;
  return {
    id: row.id as string,
    at: row.at as number,
    actor: row.actor as string,
    action: row.action as string,
    resource: (row.resource as string | null) ?? undefined,
    outcome: row.outcome as AuditOutcome,
    status: (row.status as number | null) ?? undefined,
    details: details === null ? undefined : JSON.parse(details),
    trace: trace === null ? undefined : (JSON.parse(trace) as TraceContext),
  };
}

export class PostgresAuditLog implements AuditLog {
  readonly #ctx: PgStoreContext;
  readonly #committer: GroupCommitter<Pending, Outcome>;

  constructor(ctx: PgStoreContext, maxConcurrentFlushes: number) {
    this.#ctx = ctx;
    this.#committer = new GroupCommitter({
      flush: (items) => this.#flush(items),
      maxBatchSize: ctx.config.maxBatchSize,
      maxPending: ctx.config.maxPendingAppends,
      maxConcurrentFlushes,
    });
  }

  async append(entries: AuditEntryInput[]): Promise<AuditEntry[]> {
    const details = validateAuditEntries(entries);
    this.#ctx.db.assertOpen();
    if (entries.length === 0) return [];
    const outcome = await this.#committer.submit({
      entries: prepare(this.#ctx, entries, this.#ctx.clock.now()),
      details,
    });
    if (!outcome.ok) throw outcome.error;
    return outcome.entries;
  }

  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    // Text cannot hold NUL, so a filter with one matches nothing (and PostgreSQL would refuse it).
    if ([filter.actor, filter.action, filter.afterId].some((v) => v?.includes("\u0000"))) return [];
    const order = filter.latest ? "DESC" : "ASC";
    const rows = await this.#ctx.db.query(
      `SELECT ${COLUMNS} FROM audit_log
       WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2)
         AND ($3::bigint IS NULL OR at >= $3) AND ($4::bigint IS NULL OR at < $4)
         AND ($5::text IS NULL OR seq > (SELECT seq FROM audit_log WHERE id = $5))
       ORDER BY seq ${order} LIMIT $6`,
      [
        filter.actor ?? null,
        filter.action ?? null,
        filter.since ?? null,
        filter.until ?? null,
        filter.afterId ?? null,
        pageLimit(filter.limit),
      ],
    );
    const entries = rows.map(toEntry);
    return filter.latest ? entries.reverse() : entries;
  }

  /** Waits for queued appends to commit; with `close`, refuses new ones. */
  drain(close: boolean): Promise<void> {
    return this.#committer.drain(close);
  }

  /** One INSERT for the batch; if PostgreSQL refuses it, each call alone, so a bad one fails alone. */
  async #flush(items: Pending[]): Promise<Outcome[]> {
    try {
      await this.#ctx.db.query(INSERT_SQL, insertParams(items));
      return items.map((item) => ({ ok: true, entries: item.entries }));
    } catch (error) {
      if (items.length === 1 || (error instanceof CrossdockError && error.code === "CDK_STORE_UNAVAILABLE")) {
        throw error;
      }
      const outcomes: Outcome[] = [];
      for (const item of items) {
        try {
          await this.#ctx.db.query(INSERT_SQL, insertParams([item]));
          outcomes.push({ ok: true, entries: item.entries });
        } catch (itemError) {
          outcomes.push({ ok: false, error: itemError });
        }
      }
      return outcomes;
    }
  }
}
