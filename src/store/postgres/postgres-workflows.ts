import { CrossdockError, type StoredError } from "../../core/errors.ts";
import { jobKeys, toJsonOrNull } from "../codec.ts";
import {
  type Approval,
  type ApprovalStatus,
  type EventWait,
  type StepRecord,
  type TraceContext,
  WORKFLOW_RUN_KIND,
  WORKFLOW_TARGET,
  type WorkflowRun,
  type WorkflowStatus,
  type WorkflowStore,
} from "../store.ts";
import type { PgStoreContext } from "./postgres-context.ts";
import type { PgQueryable } from "./postgres-database.ts";
import { CANCEL_TIMER_SQL, RESUME_AHEAD_SQL } from "./postgres-job-sql.ts";
import { enqueueJobsIn, enqueueStatements, prepareJobs, runAll } from "./postgres-jobs.ts";
import { orderingLocks, streamLocks } from "./postgres-locks.ts";
import {
  APPROVAL_COLUMNS,
  decodePosition,
  RUN_COLUMNS,
  STEP_COLUMNS,
  toApproval,
  toEventWait,
  toStepRecord,
  toWorkflowRun,
  WAIT_COLUMNS,
} from "./postgres-rows.ts";

const WAIT_SELECT = `SELECT ${WAIT_COLUMNS} FROM event_waits w
  LEFT JOIN events e ON e.tx_id = w.event_tx AND e.seq = w.event_seq`;

/** A run execution job (target `WORKFLOW_TARGET`, ordering key = run id). */
function runJob(runId: string, idempotencyKey: string, runAt?: number, trace?: TraceContext) {
  return {
    target: WORKFLOW_TARGET,
    kind: WORKFLOW_RUN_KIND,
    idempotencyKey,
    payload: { runId },
    orderingKey: runId,
    ...(runAt === undefined ? {} : { runAt }),
    ...(trace === undefined ? {} : { trace }),
  };
}

/**
 * Resumes a run now, because a wait was resolved or an approval decided: cancels the matching
 * deadline job if it has not started, enqueues the resume job and puts it ahead of the run's jobs
 * that have not started (see `RESUME_AHEAD_SQL`). One round trip when pipelined.
 */
export async function resumeRunIn(
  q: PgQueryable,
  ctx: PgStoreContext,
  input: { runId: string; resumeKey: string; timerKey: string },
): Promise<void> {
  const now = ctx.clock.now();
  const rows = prepareJobs(ctx, [runJob(input.runId, input.resumeKey)], now);
  await runAll(q, [
    orderingLocks(ctx.db.schema, [[WORKFLOW_TARGET, input.runId]])!,
    { text: CANCEL_TIMER_SQL, values: [input.timerKey, now] },
    ...enqueueStatements(ctx.db.schema, rows, now),
    { text: RESUME_AHEAD_SQL, values: [WORKFLOW_TARGET, input.runId, now, input.resumeKey] },
  ]);
}

/** The run's trace, which its timer jobs carry. */
async function runTrace(q: PgQueryable, runId: string): Promise<TraceContext | undefined> {
  const { rows } = await q.query("SELECT trace FROM workflow_runs WHERE id = $1", [runId]);
  const trace = rows[0]?.trace;
  return typeof trace === "string" ? (JSON.parse(trace) as TraceContext) : undefined;
}

/** `StoreTx.startWorkflow` on a transaction's connection. */
export async function startWorkflowIn(
  q: PgQueryable,
  ctx: PgStoreContext,
  input: { type: string; key: string; input: unknown; trace?: TraceContext },
): Promise<{ run: WorkflowRun; created: boolean }> {
  const now = ctx.clock.now();
  const id = ctx.ids.next("wf_");
  const { rows } = await q.query(
    `INSERT INTO workflow_runs (id, type, key, status, input, trace, created_at, updated_at)
     VALUES ($1, $2, $3, 'running', $4::jsonb, $5::jsonb, $6, $6)
     ON CONFLICT (type, key) DO NOTHING RETURNING ${RUN_COLUMNS}`,
    [id, input.type, input.key, JSON.stringify(input.input ?? null), toJsonOrNull(input.trace), now],
  );
  if (rows[0]) {
    await enqueueJobsIn(q, ctx, [runJob(id, jobKeys.workflowStart(id), undefined, input.trace)]);
    return { run: toWorkflowRun(rows[0]), created: true };
  }
  const existing = await q.query(`SELECT ${RUN_COLUMNS} FROM workflow_runs WHERE type = $1 AND key = $2`, [
    input.type,
    input.key,
  ]);
  return { run: toWorkflowRun(existing.rows[0]!), created: false };
}

/** `StoreTx.updateWorkflow`; `error: null` clears the error. Throws `CDK_WORKFLOW_NOT_FOUND`. */
export async function updateWorkflowIn(
  q: PgQueryable,
  ctx: PgStoreContext,
  runId: string,
  patch: { status?: WorkflowStatus; output?: unknown; error?: StoredError | null },
): Promise<void> {
  const { rows } = await q.query(
    `UPDATE workflow_runs SET status = coalesce($2, status),
       output = CASE WHEN $3 THEN $4::jsonb ELSE output END,
       error = CASE WHEN $5 THEN $6::jsonb ELSE error END,
       updated_at = $7
     WHERE id = $1 RETURNING id`,
    [
      runId,
      patch.status ?? null,
      patch.output !== undefined,
      toJsonOrNull(patch.output),
      patch.error !== undefined,
      patch.error ? JSON.stringify(patch.error) : null,
      ctx.clock.now(),
    ],
  );
  if (rows.length === 0) {
    throw new CrossdockError("CDK_WORKFLOW_NOT_FOUND", `No workflow run ${runId}`, { details: { runId } });
  }
}

/** `StoreTx.saveStep`: `seq` is the next of the run on first insert and kept on updates. */
export async function saveStepIn(
  q: PgQueryable,
  ctx: PgStoreContext,
  record: Omit<StepRecord, "seq" | "finishedAt">,
): Promise<StepRecord> {
  const { rows } = await q.query(
    `INSERT INTO workflow_steps (run_id, step_id, status, output, compensation_input, error, seq, finished_at)
     VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb,
       (SELECT coalesce(max(seq), 0) + 1 FROM workflow_steps WHERE run_id = $1), $7)
     ON CONFLICT (run_id, step_id) DO UPDATE SET status = excluded.status, output = excluded.output,
       compensation_input = excluded.compensation_input, error = excluded.error,
       finished_at = excluded.finished_at
     RETURNING ${STEP_COLUMNS}`,
    [
      record.runId,
      record.stepId,
      record.status,
      toJsonOrNull(record.output),
      toJsonOrNull(record.compensationInput),
      toJsonOrNull(record.error),
      ctx.clock.now(),
    ],
  );
  return toStepRecord(rows[0]!);
}

/** `StoreTx.addEventWait`, idempotent on (run, wait); a deadline enqueues the timeout job. */
export async function addEventWaitIn(
  q: PgQueryable,
  ctx: PgStoreContext,
  input: {
    runId: string;
    waitId: string;
    eventType: string;
    stream: string;
    deadline?: number;
    since?: number;
    afterPosition?: string;
  },
): Promise<EventWait> {
  const now = ctx.clock.now();
  // The stream's lock orders this against appends to the stream: an event either committed before
  // (and is not this wait's) or sees the wait.
  const [, inserted] = await runAll(q, [
    streamLocks(ctx.db.schema, [input.stream]),
    {
      text: `INSERT INTO event_waits (run_id, wait_id, event_type, stream, deadline, status, created_at)
       VALUES ($1, $2, $3, $4, $5, 'open', $6) ON CONFLICT (run_id, wait_id) DO NOTHING RETURNING run_id`,
      values: [input.runId, input.waitId, input.eventType, input.stream, input.deadline ?? null, now],
    },
  ]);
  if (inserted?.length && input.deadline !== undefined) {
    await enqueueJobsIn(q, ctx, [
      runJob(
        input.runId,
        jobKeys.workflowTimeout(input.runId, input.waitId),
        input.deadline,
        await runTrace(q, input.runId),
      ),
    ]);
  }
  if (inserted?.length && input.since !== undefined) {
    // Under the stream's lock taken above: no append to the stream can slip between this look and the
    // wait's registration.
    const after =
      input.afterPosition === undefined ? { txId: "0", seq: 0 } : decodePosition(input.afterPosition);
    const { rows: earlier } = await q.query(
      `SELECT tx_id, seq FROM events WHERE stream = $1 AND type = $2 AND created_at >= $3
         AND (tx_id, seq) > ($4::text::xid8, $5)
       ORDER BY tx_id, seq LIMIT 1`,
      [input.stream, input.eventType, input.since, after.txId, after.seq],
    );
    const first = earlier[0] as { tx_id: string; seq: number } | undefined;
    if (first) {
      await q.query(
        `UPDATE event_waits SET status = 'resolved', event_tx = $3, event_seq = $4, resolved_at = $5
         WHERE run_id = $1 AND wait_id = $2 AND status = 'open'`,
        [input.runId, input.waitId, first.tx_id, first.seq, now],
      );
      await resumeRunIn(q, ctx, {
        runId: input.runId,
        resumeKey: jobKeys.workflowEvent(input.runId, input.waitId),
        timerKey: jobKeys.workflowTimeout(input.runId, input.waitId),
      });
    }
  }
  const { rows } = await q.query(`${WAIT_SELECT} WHERE w.run_id = $1 AND w.wait_id = $2`, [
    input.runId,
    input.waitId,
  ]);
  return toEventWait(rows[0]!);
}

/**
 * `StoreTx.timeoutEventWait`: only an open wait times out. Its deadline job, if it has not started (a
 * wait closed before its deadline: the other branch of a wait on several types), is cancelled with it.
 */
export async function timeoutEventWaitIn(q: PgQueryable, ctx: PgStoreContext, runId: string, waitId: string) {
  const now = ctx.clock.now();
  await q.query(
    `UPDATE event_waits SET status = 'timed_out', resolved_at = $3
     WHERE run_id = $1 AND wait_id = $2 AND status = 'open'`,
    [runId, waitId, now],
  );
  await q.query(CANCEL_TIMER_SQL, [jobKeys.workflowTimeout(runId, waitId), now]);
}

/** `StoreTx.createApproval`, idempotent on (run, step); a deadline enqueues the timeout job. */
export async function createApprovalIn(
  q: PgQueryable,
  ctx: PgStoreContext,
  input: { runId: string; stepId: string; title: string; details: unknown; deadline?: number },
): Promise<Approval> {
  const id = ctx.ids.next("apr_");
  const { rows } = await q.query(
    `INSERT INTO approvals (id, run_id, step_id, title, details, status, deadline, created_at)
     VALUES ($1, $2, $3, $4, $5::jsonb, 'pending', $6, $7)
     ON CONFLICT (run_id, step_id) DO NOTHING RETURNING ${APPROVAL_COLUMNS}`,
    [
      id,
      input.runId,
      input.stepId,
      input.title,
      JSON.stringify(input.details ?? null),
      input.deadline ?? null,
      ctx.clock.now(),
    ],
  );
  if (rows[0]) {
    if (input.deadline !== undefined) {
      await enqueueJobsIn(q, ctx, [
        runJob(
          input.runId,
          jobKeys.approvalTimeout(input.runId, id),
          input.deadline,
          await runTrace(q, input.runId),
        ),
      ]);
    }
    return toApproval(rows[0]);
  }
  const existing = await q.query(
    `SELECT ${APPROVAL_COLUMNS} FROM approvals WHERE run_id = $1 AND step_id = $2`,
    [input.runId, input.stepId],
  );
  return toApproval(existing.rows[0]!);
}

/** `WorkflowStore` over PostgreSQL: reads, plus the approval decision (its own transaction). */
export class PostgresWorkflowStore implements WorkflowStore {
  readonly #ctx: PgStoreContext;

  constructor(ctx: PgStoreContext) {
    this.#ctx = ctx;
  }

  async get(id: string): Promise<WorkflowRun | undefined> {
    const [row] = await this.#ctx.db.query(`SELECT ${RUN_COLUMNS} FROM workflow_runs WHERE id = $1`, [id]);
    return row ? toWorkflowRun(row) : undefined;
  }

  async getByKey(type: string, key: string): Promise<WorkflowRun | undefined> {
    const [row] = await this.#ctx.db.query(
      `SELECT ${RUN_COLUMNS} FROM workflow_runs WHERE type = $1 AND key = $2`,
      [type, key],
    );
    return row ? toWorkflowRun(row) : undefined;
  }

  async list(filter: { type?: string; status?: WorkflowStatus; limit?: number } = {}) {
    const rows = await this.#ctx.db.query(
      `SELECT ${RUN_COLUMNS} FROM workflow_runs
       WHERE ($1::text IS NULL OR type = $1) AND ($2::text IS NULL OR status = $2) ORDER BY seq LIMIT $3`,
      [filter.type ?? null, filter.status ?? null, filter.limit ?? 100],
    );
    return rows.map(toWorkflowRun);
  }

  async steps(runId: string): Promise<StepRecord[]> {
    const rows = await this.#ctx.db.query(
      `SELECT ${STEP_COLUMNS} FROM workflow_steps WHERE run_id = $1 ORDER BY seq`,
      [runId],
    );
    return rows.map(toStepRecord);
  }

  async getWait(runId: string, waitId: string): Promise<EventWait | undefined> {
    const [row] = await this.#ctx.db.query(`${WAIT_SELECT} WHERE w.run_id = $1 AND w.wait_id = $2`, [
      runId,
      waitId,
    ]);
    return row ? toEventWait(row) : undefined;
  }

  async getApproval(id: string): Promise<Approval | undefined> {
    const [row] = await this.#ctx.db.query(`SELECT ${APPROVAL_COLUMNS} FROM approvals WHERE id = $1`, [id]);
    return row ? toApproval(row) : undefined;
  }

  async listApprovals(filter: { status?: ApprovalStatus; runId?: string } = {}): Promise<Approval[]> {
    const rows = await this.#ctx.db.query(
      `SELECT ${APPROVAL_COLUMNS} FROM approvals
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR run_id = $2) ORDER BY seq`,
      [filter.status ?? null, filter.runId ?? null],
    );
    return rows.map(toApproval);
  }

  async decideApproval(
    id: string,
    decision: { approved: boolean; by: string; comment?: string },
  ): Promise<Approval> {
    const ctx = this.#ctx;
    return ctx.write(async (q) => {
      const { rows } = await q.query(
        `UPDATE approvals SET status = $2, decided_by = $3, comment = $4, decided_at = $5
         WHERE id = $1 AND status = 'pending' RETURNING ${APPROVAL_COLUMNS}`,
        [
          id,
          decision.approved ? "approved" : "rejected",
          decision.by,
          decision.comment ?? null,
          ctx.clock.now(),
        ],
      );
      if (!rows[0]) {
        throw new CrossdockError("CDK_APPROVAL_NOT_FOUND", `No pending approval ${id}`, { details: { id } });
      }
      const approval = toApproval(rows[0]);
      await resumeRunIn(q, ctx, {
        runId: approval.runId,
        resumeKey: jobKeys.approval(approval.runId, id),
        timerKey: jobKeys.approvalTimeout(approval.runId, id),
      });
      return approval;
    });
  }
}
