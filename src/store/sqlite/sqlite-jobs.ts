/**
 * The job queue's SQL, as synchronous operations run inside a transaction the caller holds. Per-key
 * ordering: a job is `waiting` while an older unfinished job has its (target, orderingKey); when the
 * key's head finishes, the oldest waiting job (by enqueue order) becomes `ready`.
 */
import { CrossdockError } from "../../core/errors.ts";
import { traceToJson } from "../codec.ts";
import { resolveRetryPolicy } from "../retry-policy.ts";
import type {
  ClaimedJob,
  ClaimOptions,
  EnqueueResult,
  JobInput,
  JobRecord,
  JobStatus,
  JsonValue,
  QueueDepth,
} from "../store.ts";
import type { SqliteContext } from "./sqlite-connection.ts";
import { type JobRow, toJob } from "./sqlite-rows.ts";

/** Unfinished statuses. Written exactly as in the partial index `jobs_by_key`, so SQLite can use it. */
const UNFINISHED = "status IN ('waiting', 'ready', 'running')";
const SAME_KEY = `target = ? AND ordering_key = ? AND ${UNFINISHED}`;
const CLEAR_LEASE = "lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL";

const INSERT_JOB = `INSERT INTO jobs (id, target, kind, idempotency_key, ordering_key, payload, status, run_at,
  retry, trace, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (idempotency_key) DO NOTHING`;

function checkJobInput(input: JobInput): void {
  for (const field of ["target", "kind", "idempotencyKey"] as const) {
    if (typeof input?.[field] !== "string" || input[field].length === 0) {
      throw new TypeError(`Job input has no ${field}`);
    }
  }
  if (input.payload === undefined) throw new TypeError("Job input has no payload (use null for none)");
}

/**
 * Enqueues one job; an existing idempotency key returns that job as a duplicate. With `preempt`, a
 * new job takes the head of its key from a head that is not running yet (the store uses this for
 * workflow resume jobs, which must not queue behind the run's own future timers).
 */
export function enqueueJob(ctx: SqliteContext, input: JobInput, now: number, preempt = false): EnqueueResult {
  checkJobInput(input);
  const orderingKey = input.orderingKey ?? null;
  let status: JobStatus = "ready";
  if (
    orderingKey !== null &&
    ctx.stmt(`SELECT 1 FROM jobs WHERE ${SAME_KEY} LIMIT 1`).get(input.target, orderingKey)
  ) {
    status = "waiting";
  }
  const id = ctx.ids.next("job_");
  const retry =
    input.retry === undefined
      ? ctx.defaultRetryJson
      : JSON.stringify(resolveRetryPolicy(input.retry, ctx.config.defaultRetry));
  const info = ctx
    .stmt(INSERT_JOB)
    .run(
      id,
      input.target,
      input.kind,
      input.idempotencyKey,
      orderingKey,
      JSON.stringify(input.payload),
      status,
      input.runAt ?? now,
      retry,
      traceToJson(input.trace),
      now,
      now,
    );
  if (info.changes === 0) {
    const existing = ctx
      .stmt("SELECT id, status FROM jobs WHERE idempotency_key = ?")
      .get(input.idempotencyKey) as {
      id: string;
      status: JobStatus;
    };
    return {
      id: existing.id,
      idempotencyKey: input.idempotencyKey,
      duplicate: true,
      status: existing.status,
    };
  }
  if (preempt && status === "waiting") {
    const running = ctx.stmt(`SELECT 1 FROM jobs WHERE ${SAME_KEY} AND status = 'running' LIMIT 1`);
    if (!running.get(input.target, orderingKey)) {
      ctx
        .stmt(`UPDATE jobs SET status = 'waiting', updated_at = ? WHERE ${SAME_KEY} AND status = 'ready'`)
        .run(now, input.target, orderingKey);
      ctx.stmt("UPDATE jobs SET status = 'ready' WHERE id = ?").run(id);
      status = "ready";
    }
  }
  return { id, idempotencyKey: input.idempotencyKey, duplicate: false, status };
}

/**
 * The inbox's fast path: a job with a fresh idempotency key, no ordering key and the default retry
 * policy, which therefore needs none of `enqueueJob`'s checks. `traceJson` is stored as given.
 */
export function insertReadyJob(
  ctx: SqliteContext,
  input: Pick<JobInput, "target" | "kind" | "idempotencyKey" | "payload"> & {
    runAt: number;
    createdAt: number;
    traceJson: string | null;
  },
  now: number,
): void {
  ctx
    .stmt(INSERT_JOB)
    .run(
      ctx.ids.next("job_"),
      input.target,
      input.kind,
      input.idempotencyKey,
      null,
      JSON.stringify(input.payload),
      "ready",
      input.runAt,
      ctx.defaultRetryJson,
      input.traceJson,
      input.createdAt,
      now,
    );
}

export function enqueueJobs(ctx: SqliteContext, inputs: JobInput[]): EnqueueResult[] {
  const now = ctx.now();
  return inputs.map((input) => enqueueJob(ctx, input, now));
}

/** Makes the oldest waiting job of a key ready, unless the key still has a ready or running head. */
export function promoteNext(ctx: SqliteContext, target: string, orderingKey: string, now: number): void {
  ctx
    .stmt(
      `UPDATE jobs SET status = 'ready', updated_at = ?
       WHERE seq = (SELECT seq FROM jobs WHERE ${SAME_KEY} AND status = 'waiting' ORDER BY seq LIMIT 1)
         AND NOT EXISTS (SELECT 1 FROM jobs WHERE ${SAME_KEY} AND status <> 'waiting')`,
    )
    .run(now, target, orderingKey, target, orderingKey);
}

function targetFilter(options: ClaimOptions): { sql: string; params: string[] } {
  let sql = " AND target NOT IN (SELECT target FROM targets WHERE paused = 1)";
  const params: string[] = [];
  if (options.targets !== undefined) {
    sql += ` AND target IN (${options.targets.map(() => "?").join(", ")})`;
    params.push(...options.targets);
  }
  if (options.excludeTargets !== undefined && options.excludeTargets.length > 0) {
    sql += ` AND target NOT IN (${options.excludeTargets.map(() => "?").join(", ")})`;
    params.push(...options.excludeTargets);
  }
  return { sql, params };
}

const LEASE = `attempts = attempts + 1, lease_owner = ?, lease_token = lower(hex(randomblob(16))),
  lease_expires_at = ?, updated_at = ?`;

/** Claims expired leases first (they waited longest), then due ready jobs by runAt and enqueue order. */
export function claimJobs(ctx: SqliteContext, options: ClaimOptions): ClaimedJob[] {
  const limit = options.limit ?? 1;
  if (limit <= 0 || options.targets?.length === 0) return [];
  const now = ctx.now();
  const expiresAt = now + options.leaseMs;
  const filter = targetFilter(options);
  const rows = ctx
    .stmt(
      `UPDATE jobs SET ${LEASE} WHERE seq IN (SELECT seq FROM jobs WHERE status = 'running'
         AND lease_expires_at < ?${filter.sql} ORDER BY lease_expires_at LIMIT ?) RETURNING *`,
    )
    .all(options.workerId, expiresAt, now, now, ...filter.params, limit) as JobRow[];
  if (rows.length < limit) {
    const ready = ctx
      .stmt(
        `UPDATE jobs SET status = 'running', ${LEASE} WHERE seq IN (SELECT seq FROM jobs WHERE status = 'ready'
           AND run_at <= ?${filter.sql} ORDER BY run_at, seq LIMIT ?) RETURNING *`,
      )
      .all(options.workerId, expiresAt, now, now, ...filter.params, limit - rows.length) as JobRow[];
    // RETURNING order is unspecified; restore the claim order.
    ready.sort((a, b) => a.run_at - b.run_at || a.seq - b.seq);
    rows.push(...ready);
  }
  return rows.map(toClaimedJob);
}

function toClaimedJob(row: JobRow): ClaimedJob {
  return {
    ...toJob(row),
    status: "running",
    leaseToken: row.lease_token!,
    leaseExpiresAt: row.lease_expires_at!,
    attempt: row.attempts,
  };
}

export function leaseLost(job: Pick<ClaimedJob, "id" | "leaseOwner">): CrossdockError {
  return new CrossdockError(
    "CDK_JOB_LEASE_LOST",
    `Job ${job.id} is no longer leased to this claim (worker ${job.leaseOwner}); its lease expired or it finished`,
    { details: { jobId: job.id } },
  );
}

export function extendLease(ctx: SqliteContext, job: ClaimedJob, leaseMs: number): number {
  const now = ctx.now();
  const expiresAt = now + leaseMs;
  const info = ctx
    .stmt(
      "UPDATE jobs SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND status = 'running' AND lease_token = ?",
    )
    .run(expiresAt, now, job.id, job.leaseToken);
  if (info.changes === 0) throw leaseLost(job);
  return expiresAt;
}

export function completeJob(ctx: SqliteContext, job: ClaimedJob, result: JsonValue | undefined): void {
  const now = ctx.now();
  const row = ctx
    .stmt(
      `UPDATE jobs SET status = 'done', result = ?, finished_at = ?, updated_at = ?, ${CLEAR_LEASE}
       WHERE id = ? AND status = 'running' AND lease_token = ? RETURNING target, ordering_key`,
    )
    .get(result === undefined ? null : JSON.stringify(result), now, now, job.id, job.leaseToken) as
    | { target: string; ordering_key: string | null }
    | undefined;
  if (row === undefined) throw leaseLost(job);
  if (row.ordering_key !== null) promoteNext(ctx, row.target, row.ordering_key, now);
}

/**
 * Marks a job that has not started yet (`waiting` or `ready`) done without running it, e.g. a workflow
 * timer made pointless by the event it guarded against. A no-op if it already runs or finished.
 */
export function cancelPendingJob(ctx: SqliteContext, idempotencyKey: string, why: string, now: number): void {
  const row = ctx
    .stmt(
      `UPDATE jobs SET status = 'done', result = ?, finished_at = ?, updated_at = ?
       WHERE idempotency_key = ? AND status IN ('waiting', 'ready') RETURNING target, ordering_key`,
    )
    .get(JSON.stringify({ cancelled: why }), now, now, idempotencyKey) as
    | { target: string; ordering_key: string | null }
    | undefined;
  if (row?.ordering_key != null) promoteNext(ctx, row.target, row.ordering_key, now);
}

/**
 * Puts a finished job back in the queue: ready, or waiting behind an unfinished job of its key;
 * attempts, errors, result and lease cleared; a new payload if given. Returns the job.
 */
export function requeueJob(
  ctx: SqliteContext,
  row: JobRow,
  payload: JsonValue | undefined,
  now: number,
): JobRecord {
  const busy =
    row.ordering_key !== null &&
    ctx.stmt(`SELECT 1 FROM jobs WHERE ${SAME_KEY} LIMIT 1`).get(row.target, row.ordering_key) !== undefined;
  ctx
    .stmt(
      `UPDATE jobs SET status = ?, attempts = 0, errors = NULL, result = NULL, finished_at = NULL, run_at = ?,
         updated_at = ?, payload = coalesce(?, payload), ${CLEAR_LEASE} WHERE id = ?`,
    )
    .run(
      busy ? "waiting" : "ready",
      now,
      now,
      payload === undefined ? null : JSON.stringify(payload),
      row.id,
    );
  return getJob(ctx, row.id)!;
}

export function replayJob(ctx: SqliteContext, id: string, payload: JsonValue | undefined): JobRecord {
  const row = ctx.stmt("SELECT * FROM jobs WHERE id = ?").get(id) as JobRow | undefined;
  if (row === undefined || !["done", "discarded", "exception"].includes(row.status)) {
    throw new CrossdockError(
      "CDK_JOB_NOT_FOUND",
      row === undefined ? `No job ${id}` : `Job ${id} is ${row.status}; only a finished job can be replayed`,
      { details: { jobId: id, status: row?.status } },
    );
  }
  const now = ctx.now();
  if (row.status === "exception") {
    ctx
      .stmt(
        `UPDATE exceptions SET status = 'retried', resolved_at = ?, resolved_by = 'replay', reason = 'job replayed'
         WHERE job_id = ? AND status = 'open'`,
      )
      .run(now, id);
  }
  return requeueJob(ctx, row, payload, now);
}

export function getJob(ctx: SqliteContext, id: string): JobRecord | undefined {
  const row = ctx.stmt("SELECT * FROM jobs WHERE id = ?").get(id) as JobRow | undefined;
  return row && toJob(row);
}

export function getJobByKey(ctx: SqliteContext, key: string): JobRecord | undefined {
  const row = ctx.stmt("SELECT * FROM jobs WHERE idempotency_key = ?").get(key) as JobRow | undefined;
  return row && toJob(row);
}

export function listJobs(
  ctx: SqliteContext,
  filter: { target?: string; status?: JobStatus; limit?: number; afterId?: string } = {},
): JobRecord[] {
  let sql = "SELECT * FROM jobs WHERE 1 = 1";
  const params: unknown[] = [];
  if (filter.target !== undefined) {
    sql += " AND target = ?";
    params.push(filter.target);
  }
  if (filter.status !== undefined) {
    sql += " AND status = ?";
    params.push(filter.status);
  }
  if (filter.afterId !== undefined) {
    sql += " AND seq > (SELECT seq FROM jobs WHERE id = ?)";
    params.push(filter.afterId);
  }
  sql += " ORDER BY seq LIMIT ?";
  params.push(filter.limit ?? 100);
  return (ctx.stmt(sql).all(...params) as JobRow[]).map(toJob);
}

export function queueDepth(ctx: SqliteContext): QueueDepth[] {
  const rows = ctx
    .stmt(
      `SELECT target, status, count(*) AS n, min(created_at) AS oldest FROM jobs
       WHERE status IN ('waiting', 'ready', 'running', 'exception') GROUP BY target, status ORDER BY target`,
    )
    .all() as { target: string; status: JobStatus; n: number; oldest: number }[];
  const now = ctx.now();
  const byTarget = new Map<string, QueueDepth & { oldest: number }>();
  for (const row of rows) {
    let depth = byTarget.get(row.target);
    if (depth === undefined) {
      depth = {
        target: row.target,
        waiting: 0,
        ready: 0,
        running: 0,
        exception: 0,
        oldestAgeMs: 0,
        oldest: now,
      };
      byTarget.set(row.target, depth);
    }
    depth[row.status as "waiting" | "ready" | "running" | "exception"] = row.n;
    if (row.status === "waiting" || row.status === "ready") depth.oldest = Math.min(depth.oldest, row.oldest);
  }
  return [...byTarget.values()].map(({ oldest, ...depth }) => ({
    ...depth,
    oldestAgeMs: Math.max(0, now - oldest),
  }));
}
