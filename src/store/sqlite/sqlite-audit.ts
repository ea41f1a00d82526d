/** Audit log SQL: a batch of validated entries in the caller's transaction, and filtered reads. */
import { traceToJson } from "../codec.ts";
import { pageLimit } from "../input-validation.ts";
import type { AuditEntry, AuditEntryInput, AuditFilter, AuditOutcome, TraceContext } from "../store.ts";
import type { SqliteContext } from "./sqlite-connection.ts";

/** A validated entry with its details already serialised (`validateAuditEntries`). */
export interface PendingAudit {
  entry: AuditEntryInput;
  details: string | null;
}

interface AuditRow {
  id: string;
  at: number;
  actor: string;
  action: string;
  resource: string | null;
  outcome: AuditOutcome;
  status: number | null;
  details: string | null;
  trace: string | null;
}

const INSERT = `INSERT INTO audit_log (id, at, actor, action, resource, outcome, status, details, trace)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Inserts entries in order; `at` defaults to the time of the call that appended them. */
export function insertAudit(
  ctx: SqliteContext,
  items: readonly PendingAudit[],
  now = ctx.now(),
): AuditEntry[] {
  const insert = ctx.stmt(INSERT);
  return items.map(({ entry, details }) => {
    const id = entry.id ?? ctx.ids.next("aud_");
    const at = entry.at ?? now;
    insert.run(
      id,
      at,
      entry.actor,
      entry.action,
      entry.resource ?? null,
      entry.outcome,
      entry.status ?? null,
      details,
      traceToJson(entry.trace),
    );
    return toEntry({
      id,
      at,
      actor: entry.actor,
      action: entry.action,
      resource: entry.resource ?? null,
      outcome: entry.outcome,
      status: entry.status ?? null,
      details,
      trace: traceToJson(entry.trace),
    });
  });
}

export type AuditInsertResult = { ok: true; entries: AuditEntry[] } | { ok: false; error: unknown };

/**
 * One caller's entries of a group commit, in a savepoint of their own: if they fail (a duplicate id),
 * only that caller gets the error and the rest of the batch is stored.
 */
export function insertAuditAlone(
  ctx: SqliteContext,
  items: readonly PendingAudit[],
  at: number,
): AuditInsertResult {
  ctx.stmt("SAVEPOINT audit").run();
  try {
    const entries = insertAudit(ctx, items, at);
    ctx.stmt("RELEASE audit").run();
    return { ok: true, entries };
  } catch (error) {
    ctx.stmt("ROLLBACK TO audit").run();
    ctx.stmt("RELEASE audit").run();
    return { ok: false, error };
  }
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    resource: row.resource ?? undefined,
    outcome: row.outcome,
    status: row.status ?? undefined,
    details: row.details === null ? undefined : JSON.parse(row.details),
    trace: row.trace === null ? undefined : (JSON.parse(row.trace) as TraceContext),
  };
}

export function listAudit(ctx: SqliteContext, filter: AuditFilter = {}): AuditEntry[] {
  // As on PostgreSQL, whose text cannot hold NUL: a filter with one matches nothing.
  if ([filter.actor, filter.action, filter.afterId].some((v) => v?.includes("\u0000"))) return [];
  let where = "1 = 1";
  const params: unknown[] = [];
  if (filter.actor !== undefined) {
    where += " AND actor = ?";
    params.push(filter.actor);
  }
  if (filter.action !== undefined) {
    where += " AND action = ?";
    params.push(filter.action);
  }
  if (filter.since !== undefined) {
    where += " AND at >= ?";
    params.push(filter.since);
  }
  if (filter.until !== undefined) {
    where += " AND at < ?";
    params.push(filter.until);
  }
  if (filter.afterId !== undefined) {
    where += " AND seq > (SELECT seq FROM audit_log WHERE id = ?)";
    params.push(filter.afterId);
  }
  const order = filter.latest ? "DESC" : "ASC";
  const sql = `SELECT * FROM audit_log WHERE ${where} ORDER BY seq ${order} LIMIT ?`;
  params.push(pageLimit(filter.limit));
  const rows = (ctx.stmt(sql).all(...params) as AuditRow[]).map(toEntry);
  return filter.latest ? rows.reverse() : rows;
}
