/** Workflow runs, their step records and approvals. Event waits live in `sqlite-event-waits.ts`. */
import { CrossdockError, type StoredError } from "../../core/errors.ts";
import { jobKeys, toJsonOrNull, traceToJson, workflowRunJob } from "../codec.ts";
import type {
  Approval,
  ApprovalStatus,
  JsonValue,
  StepRecord,
  TraceContext,
  WorkflowRun,
  WorkflowStatus,
} from "../store.ts";
import type { SqliteContext } from "./sqlite-connection.ts";
import { runTrace } from "./sqlite-event-waits.ts";
import { cancelPendingJob, enqueueJob } from "./sqlite-jobs.ts";
import { type ApprovalRow, type RunRow, type StepRow, toApproval, toRun, toStep } from "./sqlite-rows.ts";

export function getRun(ctx: SqliteContext, id: string): WorkflowRun | undefined {
  const row = ctx.stmt("SELECT * FROM workflow_runs WHERE id = ?").get(id) as RunRow | undefined;
  return row && toRun(row);
}

export function getRunByKey(ctx: SqliteContext, type: string, key: string): WorkflowRun | undefined {
  const row = ctx.stmt("SELECT * FROM workflow_runs WHERE type = ? AND key = ?").get(type, key) as
    | RunRow
    | undefined;
  return row && toRun(row);
}

export function listRuns(
  ctx: SqliteContext,
  filter: { type?: string; status?: WorkflowStatus; limit?: number } = {},
): WorkflowRun[] {
  let sql = "SELECT * FROM workflow_runs WHERE 1 = 1";
  const params: unknown[] = [];
  if (filter.type !== undefined) {
    sql += " AND type = ?";
    params.push(filter.type);
  }
  if (filter.status !== undefined) {
    sql += " AND status = ?";
    params.push(filter.status);
  }
  sql += " ORDER BY seq LIMIT ?";
  params.push(filter.limit ?? 100);
  return (ctx.stmt(sql).all(...params) as RunRow[]).map(toRun);
}

export function startWorkflow(
  ctx: SqliteContext,
  input: { type: string; key: string; input: JsonValue; trace?: TraceContext },
): { run: WorkflowRun; created: boolean } {
  const existing = getRunByKey(ctx, input.type, input.key);
  if (existing !== undefined) return { run: existing, created: false };
  const id = ctx.ids.next("wf_");
  const now = ctx.now();
  ctx
    .stmt(
      `INSERT INTO workflow_runs (id, type, key, status, input, trace, created_at, updated_at)
       VALUES (?, ?, ?, 'running', ?, ?, ?, ?)`,
    )
    .run(id, input.type, input.key, JSON.stringify(input.input ?? null), traceToJson(input.trace), now, now);
  enqueueJob(ctx, workflowRunJob(id, jobKeys.workflowStart(id), { trace: input.trace }), now);
  return { run: getRun(ctx, id)!, created: true };
}

export function updateWorkflow(
  ctx: SqliteContext,
  runId: string,
  patch: { status?: WorkflowStatus; output?: JsonValue; error?: StoredError | null },
): void {
  const info = ctx
    .stmt(
      `UPDATE workflow_runs SET status = coalesce(?, status),
         output = CASE WHEN ? THEN ? ELSE output END,
         error = CASE WHEN ? THEN ? ELSE error END,
         updated_at = ? WHERE id = ?`,
    )
    .run(
      patch.status ?? null,
      patch.output === undefined ? 0 : 1,
      toJsonOrNull(patch.output),
      patch.error === undefined ? 0 : 1,
      patch.error ? JSON.stringify(patch.error) : null,
      ctx.now(),
      runId,
    );
  if (info.changes === 0) runTrace(ctx, runId);
}

export function saveStep(ctx: SqliteContext, record: Omit<StepRecord, "seq" | "finishedAt">): StepRecord {
  runTrace(ctx, record.runId);
  const now = ctx.now();
  const row = ctx
    .stmt(
      `INSERT INTO workflow_steps (run_id, step_id, status, output, compensation_input, error, seq, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM workflow_steps WHERE run_id = ?), ?)
       ON CONFLICT (run_id, step_id) DO UPDATE SET status = excluded.status, output = excluded.output,
         compensation_input = excluded.compensation_input, error = excluded.error, finished_at = excluded.finished_at
       RETURNING *`,
    )
    .get(
      record.runId,
      record.stepId,
      record.status,
      toJsonOrNull(record.output),
      toJsonOrNull(record.compensationInput),
      toJsonOrNull(record.error),
      record.runId,
      now,
    ) as StepRow;
  return toStep(row);
}

export function listSteps(ctx: SqliteContext, runId: string): StepRecord[] {
  return (ctx.stmt("SELECT * FROM workflow_steps WHERE run_id = ? ORDER BY seq").all(runId) as StepRow[]).map(
    toStep,
  );
}

export function getApproval(ctx: SqliteContext, id: string): Approval | undefined {
  const row = ctx.stmt("SELECT * FROM approvals WHERE id = ?").get(id) as ApprovalRow | undefined;
  return row && toApproval(row);
}

export function listApprovals(ctx: SqliteContext, filter: { status?: ApprovalStatus; runId?: string } = {}) {
  let sql = "SELECT * FROM approvals WHERE 1 = 1";
  const params: unknown[] = [];
  if (filter.status !== undefined) {
    sql += " AND status = ?";
    params.push(filter.status);
  }
  if (filter.runId !== undefined) {
    sql += " AND run_id = ?";
    params.push(filter.runId);
  }
  return (ctx.stmt(`${sql} ORDER BY seq`).all(...params) as ApprovalRow[]).map(toApproval);
}

export function createApproval(
  ctx: SqliteContext,
  input: { runId: string; stepId: string; title: string; details: JsonValue; deadline?: number },
): Approval {
  const existing = ctx
    .stmt("SELECT * FROM approvals WHERE run_id = ? AND step_id = ?")
    .get(input.runId, input.stepId) as ApprovalRow | undefined;
  if (existing !== undefined) return toApproval(existing);
  const trace = runTrace(ctx, input.runId);
  const id = ctx.ids.next("apr_");
  const now = ctx.now();
  ctx
    .stmt(
      `INSERT INTO approvals (id, run_id, step_id, title, details, status, deadline, created_at)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
    )
    .run(
      id,
      input.runId,
      input.stepId,
      input.title,
      JSON.stringify(input.details ?? null),
      input.deadline ?? null,
      now,
    );
  if (input.deadline !== undefined) {
    const key = jobKeys.approvalTimeout(input.runId, id);
    enqueueJob(ctx, workflowRunJob(input.runId, key, { runAt: input.deadline, trace }), now);
  }
  return getApproval(ctx, id)!;
}

/** Decides a pending approval, cancels its deadline job and resumes the run, all in one transaction. */
export function decideApproval(
  ctx: SqliteContext,
  id: string,
  decision: { approved: boolean; by: string; comment?: string },
): Approval {
  const now = ctx.now();
  const row = ctx
    .stmt(
      `UPDATE approvals SET status = ?, decided_by = ?, comment = ?, decided_at = ?
       WHERE id = ? AND status = 'pending' RETURNING *`,
    )
    .get(decision.approved ? "approved" : "rejected", decision.by, decision.comment ?? null, now, id) as
    | ApprovalRow
    | undefined;
  if (row === undefined) {
    throw new CrossdockError("CDK_APPROVAL_NOT_FOUND", `No pending approval ${id}`, { details: { id } });
  }
  if (row.deadline !== null)
    cancelPendingJob(ctx, jobKeys.approvalTimeout(row.run_id, id), "approval decided", now);
  const trace = runTrace(ctx, row.run_id);
  enqueueJob(ctx, workflowRunJob(row.run_id, jobKeys.approval(row.run_id, id), { trace }), now, true);
  return toApproval(row);
}
