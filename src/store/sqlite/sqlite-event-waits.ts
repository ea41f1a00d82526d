/**
 * Workflow event waits. An event appended in any transaction resolves the open waits for its
 * (type, stream) in that same transaction and resumes their runs, so a run can never miss the event
 * it waits for between two polls.
 */
import { CrossdockError } from "../../core/errors.ts";
import { fromJsonOrUndefined, jobKeys, parsePosition, workflowRunJob } from "../codec.ts";
import type { EventWait, StoredEvent, TraceContext } from "../store.ts";
import type { SqliteContext } from "./sqlite-connection.ts";
import { cancelPendingJob, enqueueJob } from "./sqlite-jobs.ts";
import { type EventRow, toEvent, toWait, type WaitRow } from "./sqlite-rows.ts";

/** The run's trace, so its jobs join the run's trace; throws `CDK_WORKFLOW_NOT_FOUND`. */
export function runTrace(ctx: SqliteContext, runId: string): TraceContext | undefined {
  const row = ctx.stmt("SELECT trace FROM workflow_runs WHERE id = ?").get(runId) as
    | { trace: string | null }
    | undefined;
  if (row === undefined) {
    throw new CrossdockError("CDK_WORKFLOW_NOT_FOUND", `No workflow run ${runId}`, { details: { runId } });
  }
  return fromJsonOrUndefined<TraceContext>(row.trace);
}

export function getWait(ctx: SqliteContext, runId: string, waitId: string): EventWait | undefined {
  const row = ctx.stmt("SELECT * FROM workflow_waits WHERE run_id = ? AND wait_id = ?").get(runId, waitId) as
    | WaitRow
    | undefined;
  if (row === undefined) return undefined;
  let event: StoredEvent | undefined;
  if (row.event_position !== null) {
    event = toEvent(ctx.stmt("SELECT * FROM events WHERE position = ?").get(row.event_position) as EventRow);
  }
  return toWait(row, event);
}

export function addEventWait(
  ctx: SqliteContext,
  input: {
    runId: string;
    waitId: string;
    eventType: string;
    stream: string;
    deadline?: number;
    since?: number;
    afterPosition?: string;
  },
): EventWait {
  const existing = getWait(ctx, input.runId, input.waitId);
  if (existing !== undefined) return existing;
  const trace = runTrace(ctx, input.runId);
  const now = ctx.now();
  ctx
    .stmt(
      `INSERT INTO workflow_waits (run_id, wait_id, event_type, stream, deadline, status, created_at)
       VALUES (?, ?, ?, ?, ?, 'open', ?)`,
    )
    .run(input.runId, input.waitId, input.eventType, input.stream, input.deadline ?? null, now);
  if (input.deadline !== undefined) {
    const key = jobKeys.workflowTimeout(input.runId, input.waitId);
    enqueueJob(ctx, workflowRunJob(input.runId, key, { runAt: input.deadline, trace }), now);
  }
  if (input.since !== undefined) {
    const after = input.afterPosition === undefined ? 0 : parsePosition(input.afterPosition);
    const earlier = ctx
      .stmt(
        `SELECT position FROM events WHERE stream = ? AND type = ? AND created_at >= ? AND position > ?
         ORDER BY position LIMIT 1`,
      )
      .get(input.stream, input.eventType, input.since, after) as { position: number } | undefined;
    if (earlier) {
      resolveWait(
        ctx,
        { run_id: input.runId, wait_id: input.waitId, deadline: input.deadline ?? null },
        earlier.position,
        now,
      );
    }
  }
  return getWait(ctx, input.runId, input.waitId)!;
}

/**
 * Times out an open wait. Its deadline job, if it has not started (a wait closed before its deadline:
 * the other branch of a wait on several types), is cancelled with it.
 */
export function timeoutEventWait(ctx: SqliteContext, runId: string, waitId: string): void {
  ctx
    .stmt(
      "UPDATE workflow_waits SET status = 'timed_out' WHERE run_id = ? AND wait_id = ? AND status = 'open'",
    )
    .run(runId, waitId);
  cancelPendingJob(ctx, jobKeys.workflowTimeout(runId, waitId), "wait closed", ctx.now());
}

/**
 * Resolves the open waits an appended event matches: the wait records the event, its deadline job is
 * cancelled if it has not started, and the run gets a resume job that goes ahead of the run's other
 * pending timers.
 */
export function resolveEventWaits(
  ctx: SqliteContext,
  type: string,
  stream: string,
  position: number,
  now: number,
) {
  const waits = ctx
    .stmt(
      "SELECT run_id, wait_id, deadline FROM workflow_waits WHERE event_type = ? AND stream = ? AND status = 'open'",
    )
    .all(type, stream) as { run_id: string; wait_id: string; deadline: number | null }[];
  for (const wait of waits) resolveWait(ctx, wait, position, now);
}

/** Records the event on an open wait, cancels its deadline job, and resumes its run ahead of its timers. */
function resolveWait(
  ctx: SqliteContext,
  wait: { run_id: string; wait_id: string; deadline: number | null },
  position: number,
  now: number,
): void {
  ctx
    .stmt(
      "UPDATE workflow_waits SET status = 'resolved', event_position = ? WHERE run_id = ? AND wait_id = ?",
    )
    .run(position, wait.run_id, wait.wait_id);
  if (wait.deadline !== null) {
    cancelPendingJob(ctx, jobKeys.workflowTimeout(wait.run_id, wait.wait_id), "wait resolved", now);
  }
  const key = jobKeys.workflowEvent(wait.run_id, wait.wait_id);
  const trace = runTrace(ctx, wait.run_id);
  enqueueJob(ctx, workflowRunJob(wait.run_id, key, { trace }), now, true);
}
