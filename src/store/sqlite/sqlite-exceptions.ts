/** Exception records: jobs that need a person, and what the person decided. */
import { CrossdockError, type StoredError } from "../../core/errors.ts";
import type { ExceptionFilter, ExceptionRecord, JobRecord, JsonValue } from "../store.ts";
import type { SqliteContext } from "./sqlite-connection.ts";
import { promoteNext, requeueJob } from "./sqlite-jobs.ts";
import { type ExceptionRow, type JobRow, toException } from "./sqlite-rows.ts";

/** Opens a record for a job that has just ended in `exception`; returns its id. */
export function openException(
  ctx: SqliteContext,
  job: JobRow,
  error: StoredError,
  errorsJson: string,
  now: number,
): string {
  const id = ctx.ids.next("exc_");
  ctx
    .stmt(
      `INSERT INTO exceptions (id, job_id, target, kind, idempotency_key, ordering_key, payload, error, code,
         attempts, errors, trace, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)`,
    )
    .run(
      id,
      job.id,
      job.target,
      job.kind,
      job.idempotency_key,
      job.ordering_key,
      job.payload,
      JSON.stringify(error),
      error.code,
      job.attempts,
      errorsJson,
      job.trace,
      now,
    );
  return id;
}

export function getException(ctx: SqliteContext, id: string): ExceptionRecord | undefined {
  const row = ctx.stmt("SELECT * FROM exceptions WHERE id = ?").get(id) as ExceptionRow | undefined;
  return row && toException(row);
}

export function listExceptions(ctx: SqliteContext, filter: ExceptionFilter = {}): ExceptionRecord[] {
  let sql = "SELECT * FROM exceptions WHERE 1 = 1";
  const params: unknown[] = [];
  for (const [column, value] of [
    ["status", filter.status],
    ["target", filter.target],
    ["code", filter.code],
  ] as const) {
    if (value === undefined) continue;
    sql += ` AND ${column} = ?`;
    params.push(value);
  }
  if (filter.afterId !== undefined) {
    sql += " AND seq > (SELECT seq FROM exceptions WHERE id = ?)";
    params.push(filter.afterId);
  }
  sql += " ORDER BY seq LIMIT ?";
  params.push(filter.limit ?? 100);
  return (ctx.stmt(sql).all(...params) as ExceptionRow[]).map(toException);
}

export function countOpenExceptions(ctx: SqliteContext): { target: string; count: number }[] {
  return ctx
    .stmt(
      "SELECT target, count(*) AS count FROM exceptions WHERE status = 'open' GROUP BY target ORDER BY target",
    )
    .all() as { target: string; count: number }[];
}

function openRecord(ctx: SqliteContext, id: string): ExceptionRow {
  const row = ctx.stmt("SELECT * FROM exceptions WHERE id = ?").get(id) as ExceptionRow | undefined;
  if (row === undefined) {
    throw new CrossdockError("CDK_EXCEPTION_NOT_FOUND", `No exception record ${id}`, { details: { id } });
  }
  if (row.status !== "open") {
    throw new CrossdockError("CDK_EXCEPTION_NOT_OPEN", `Exception ${id} is already ${row.status}`, {
      details: { id, status: row.status },
    });
  }
  return row;
}

export function retryException(
  ctx: SqliteContext,
  id: string,
  options: { by: string; payload?: JsonValue; reason?: string },
): JobRecord {
  const record = openRecord(ctx, id);
  const now = ctx.now();
  const job = ctx.stmt("SELECT * FROM jobs WHERE id = ?").get(record.job_id) as JobRow;
  ctx
    .stmt(
      `UPDATE exceptions SET status = 'retried', resolved_at = ?, resolved_by = ?, reason = ?, replay_payload = ?
       WHERE id = ?`,
    )
    .run(
      now,
      options.by,
      options.reason ?? null,
      options.payload === undefined ? null : JSON.stringify(options.payload),
      id,
    );
  return requeueJob(ctx, job, options.payload, now);
}

export function discardException(
  ctx: SqliteContext,
  id: string,
  options: { by: string; reason: string },
): void {
  if (typeof options?.reason !== "string" || options.reason.trim() === "") {
    throw new RangeError("A reason is required to discard an exception");
  }
  const record = openRecord(ctx, id);
  const now = ctx.now();
  ctx
    .stmt(
      "UPDATE exceptions SET status = 'discarded', resolved_at = ?, resolved_by = ?, reason = ? WHERE id = ?",
    )
    .run(now, options.by, options.reason, id);
  ctx
    .stmt(
      "UPDATE jobs SET status = 'discarded', finished_at = ?, updated_at = ? WHERE id = ? AND status = 'exception'",
    )
    .run(now, now, record.job_id);
  if (record.ordering_key !== null) promoteNext(ctx, record.target, record.ordering_key, now);
}
