import { CrossdockError, type StoredError } from "../../core/errors.ts";
import { toJsonOrNull } from "../codec.ts";
import { decideFailure } from "../job-failure.ts";
import { resolveRetryPolicy } from "../retry-policy.ts";
import type {
  ClaimedJob,
  ClaimOptions,
  EnqueueResult,
  FailOutcome,
  JobInput,
  JobQueue,
  JobRecord,
  JobStatus,
  JsonValue,
  QueueDepth,
} from "../store.ts";
import type { PgStoreContext } from "./postgres-context.ts";
import { INDEX_ORDER_ONLY, type PgQueryable, type Row, type Statement } from "./postgres-database.ts";
import {
  CLAIM_SQL,
  COMPLETE_SQL,
  ENQUEUE_SQL,
  EXCEPTION_SQL,
  EXTEND_SQL,
  PAUSE_SQL,
  REQUEUE_SQL,
  RETRY_SQL,
} from "./postgres-job-sql.ts";
import { orderingLocks } from "./postgres-locks.ts";
import { JOB_COLUMNS, toJobRecord } from "./postgres-rows.ts";

/** Runs statements on one transaction's connection; with pipelining they travel together. */
export function runAll(q: PgQueryable, statements: Statement[]): Promise<Row[][]> {
  return Promise.all(statements.map((s) => q.query(s.text, s.values).then((r) => r.rows)));
}

/** A job as `ENQUEUE_SQL` reads it from its JSON parameter. */
export interface JobRow {
  ord: number;
  id: string;
  target: string;
  kind: string;
  idempotency_key: string;
  ordering_key: string | null;
  payload: JsonValue;
  run_at: number;
  retry: unknown;
  trace: unknown;
}

/** Checks job inputs and gives each an id and its resolved retry policy. */
export function prepareJobs(ctx: PgStoreContext, jobs: JobInput[], now: number): JobRow[] {
  return jobs.map((job, ord) => {
    for (const field of ["target", "kind", "idempotencyKey"] as const) {
      if (typeof job?.[field] !== "string" || job[field].length === 0) {
        throw new TypeError(`Job #${ord} has no ${field}`);
      }
    }
    if (job.payload === undefined) throw new TypeError(`Job #${ord} has no payload (use null for none)`);
    return {
      ord,
      id: ctx.ids.next("job_"),
      target: job.target,
      kind: job.kind,
      idempotency_key: job.idempotencyKey,
      ordering_key: job.orderingKey ?? null,
      payload: job.payload,
      run_at: job.runAt ?? now,
      retry: resolveRetryPolicy(job.retry, ctx.config.defaultRetry),
      trace: job.trace ?? null,
    };
  });
}

/** The statements that enqueue `rows`: the ordering-key locks (if any), then one insert. */
export function enqueueStatements(schema: string, rows: JobRow[], now: number): Statement[] {
  const keyed = rows.filter((r) => r.ordering_key !== null);
  const lock = orderingLocks(
    schema,
    keyed.map((r) => [r.target, r.ordering_key as string] as const),
  );
  const insert = { text: ENQUEUE_SQL, values: [JSON.stringify(rows), now] };
  return lock ? [lock, insert] : [insert];
}

/**
 * One result per input: the first job of a key that was inserted is new; later ones of the batch and
 * keys stored before are duplicates. A key another transaction inserted concurrently is missing from
 * `found` and read again by the caller.
 */
function enqueueResults(rows: JobRow[], found: Row[]): { results: EnqueueResult[]; missing: string[] } {
  const byKey = new Map(found.map((r) => [r.idempotency_key as string, r]));
  const seen = new Set<string>();
  const results: EnqueueResult[] = [];
  const missing: string[] = [];
  for (const row of rows) {
    const hit = byKey.get(row.idempotency_key);
    if (!hit) missing.push(row.idempotency_key);
    const first = !seen.has(row.idempotency_key);
    seen.add(row.idempotency_key);
    results.push({
      id: (hit?.id as string) ?? "",
      idempotencyKey: row.idempotency_key,
      duplicate: hit ? hit.duplicate === true || !first : true,
      status: (hit?.status as JobStatus) ?? "ready",
    });
  }
  return { results, missing };
}

async function fillMissing(
  query: (text: string, values: unknown[]) => Promise<Row[]>,
  results: EnqueueResult[],
  missing: string[],
): Promise<EnqueueResult[]> {
  if (missing.length === 0) return results;
  const rows = await query("SELECT id, idempotency_key, status FROM jobs WHERE idempotency_key = ANY($1)", [
    missing,
  ]);
  const byKey = new Map(rows.map((r) => [r.idempotency_key as string, r]));
  return results.map((r) => {
    const row = byKey.get(r.idempotencyKey);
    return r.id !== "" || !row ? r : { ...r, id: row.id as string, status: row.status as JobStatus };
  });
}

/** Enqueues inside a transaction (the outbox form). */
export async function enqueueJobsIn(
  q: PgQueryable,
  ctx: PgStoreContext,
  jobs: JobInput[],
): Promise<EnqueueResult[]> {
  if (jobs.length === 0) return [];
  const now = ctx.clock.now();
  const rows = prepareJobs(ctx, jobs, now);
  const found = (await runAll(q, enqueueStatements(ctx.db.schema, rows, now))).at(-1) ?? [];
  const { results, missing } = enqueueResults(rows, found);
  return fillMissing(async (text, values) => (await q.query(text, values)).rows, results, missing);
}

/** The lock a job's ordering key needs before the job can finish or be requeued. */
export function keyLock(
  schema: string,
  job: { target: string; orderingKey: string | undefined },
): Statement[] {
  const lock =
    job.orderingKey === undefined ? undefined : orderingLocks(schema, [[job.target, job.orderingKey]]);
  return lock ? [lock] : [];
}

function leaseLost(job: ClaimedJob): CrossdockError {
  return new CrossdockError(
    "CDK_JOB_LEASE_LOST",
    `Job ${job.id} is no longer leased to ${job.leaseOwner ?? "this worker"}; another worker may hold it`,
    { details: { jobId: job.id } },
  );
}

function completeStatements(
  schema: string,
  job: ClaimedJob,
  result: JsonValue | undefined,
  now: number,
): Statement[] {
  return [
    ...keyLock(schema, job),
    { text: COMPLETE_SQL, values: [job.id, job.leaseToken, toJsonOrNull(result), now] },
  ];
}

/** Completes a claimed job inside a transaction. */
export async function completeJobIn(
  q: PgQueryable,
  ctx: PgStoreContext,
  job: ClaimedJob,
  result?: JsonValue,
): Promise<void> {
  const rows = (await runAll(q, completeStatements(ctx.db.schema, job, result, ctx.clock.now()))).at(-1);
  if (!rows?.length) throw leaseLost(job);
}

/**
 * Records a failed attempt inside a transaction and decides what follows (see `decideFailure`): a
 * retry later, an exception record (releasing the ordering key), or a paused target.
 */
export async function failJobIn(
  q: PgQueryable,
  ctx: PgStoreContext,
  job: ClaimedJob,
  error: StoredError,
): Promise<FailOutcome> {
  const now = ctx.clock.now();
  const decision = decideFailure(job.retry, job.attempt, error, now);
  const attemptError = JSON.stringify({ ...error, attempt: job.attempt, at: now });
  if (decision.action === "pause") {
    const { rows } = await q.query(PAUSE_SQL, [
      job.id,
      job.leaseToken,
      now,
      JSON.stringify(error),
      attemptError,
    ]);
    if (rows.length === 0) throw leaseLost(job);
    return { outcome: "paused", target: job.target };
  }
  if (decision.action === "retry") {
    const { rows } = await q.query(RETRY_SQL, [job.id, job.leaseToken, decision.runAt, attemptError, now]);
    if (rows.length === 0) throw leaseLost(job);
    return { outcome: "retry", runAt: decision.runAt, attempt: job.attempt };
  }
  const exceptionId = ctx.ids.next("exc_");
  const rows = (
    await runAll(q, [
      ...keyLock(ctx.db.schema, job),
      {
        text: EXCEPTION_SQL,
        values: [job.id, job.leaseToken, attemptError, now, exceptionId, JSON.stringify(error)],
      },
    ])
  ).at(-1);
  if (!rows?.length) throw leaseLost(job);
  return { outcome: "exception", exceptionId };
}

/** `JobQueue` over PostgreSQL: claims with `FOR UPDATE SKIP LOCKED`, one round trip per state change. */
export class PostgresJobQueue implements JobQueue {
  readonly #ctx: PgStoreContext;

  constructor(ctx: PgStoreContext) {
    this.#ctx = ctx;
  }

  enqueue(jobs: JobInput[]): Promise<EnqueueResult[]> {
    return this.#ctx.write((q) => enqueueJobsIn(q, this.#ctx, jobs));
  }

  async claim(options: ClaimOptions): Promise<ClaimedJob[]> {
    const now = this.#ctx.clock.now();
    const [, , rows] = await this.#ctx.db.atomic([
      // The claim walks the due-time index in order and stops after `limit` rows.
      ...INDEX_ORDER_ONLY,
      {
        text: CLAIM_SQL,
        values: [
          now,
          options.targets ?? null,
          options.excludeTargets?.length ? options.excludeTargets : null,
          options.limit ?? 1,
          options.workerId,
          now + options.leaseMs,
        ],
      },
    ]);
    return (rows ?? [])
      .map((row) => {
        const record = toJobRecord(row);
        return {
          ...record,
          status: "running" as const,
          leaseToken: row.lease_token as string,
          leaseExpiresAt: record.leaseExpiresAt as number,
          attempt: record.attempts,
        };
      })
      .sort((a, b) => a.runAt - b.runAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async extendLease(job: ClaimedJob, leaseMs: number): Promise<number> {
    const now = this.#ctx.clock.now();
    const rows = await this.#ctx.db.query(EXTEND_SQL, [job.id, job.leaseToken, now + leaseMs, now]);
    if (rows.length === 0) throw leaseLost(job);
    return rows[0]!.lease_expires_at as number;
  }

  complete(job: ClaimedJob, result?: JsonValue): Promise<void> {
    return this.#ctx.write((q) => completeJobIn(q, this.#ctx, job, result));
  }

  fail(job: ClaimedJob, error: StoredError): Promise<FailOutcome> {
    return this.#ctx.write((q) => failJobIn(q, this.#ctx, job, error));
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const [row] = await this.#ctx.db.query(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`, [id]);
    return row ? toJobRecord(row) : undefined;
  }

  async getByIdempotencyKey(key: string): Promise<JobRecord | undefined> {
    const [row] = await this.#ctx.db.query(`SELECT ${JOB_COLUMNS} FROM jobs WHERE idempotency_key = $1`, [
      key,
    ]);
    return row ? toJobRecord(row) : undefined;
  }

  async list(
    filter: { target?: string; status?: JobStatus; limit?: number; afterId?: string } = {},
  ): Promise<JobRecord[]> {
    const rows = await this.#ctx.db.query(
      `SELECT ${JOB_COLUMNS} FROM jobs
       WHERE ($1::text IS NULL OR target = $1) AND ($2::text IS NULL OR status = $2)
         AND ($3::text IS NULL OR seq > (SELECT seq FROM jobs WHERE id = $3))
       ORDER BY seq LIMIT $4`,
      [filter.target ?? null, filter.status ?? null, filter.afterId ?? null, filter.limit ?? 100],
    );
    return rows.map(toJobRecord);
  }

  async depth(): Promise<QueueDepth[]> {
    const now = this.#ctx.clock.now();
    const rows = await this.#ctx.db.query(
      `SELECT target,
         count(*) FILTER (WHERE status = 'waiting') AS waiting,
         count(*) FILTER (WHERE status = 'ready') AS ready,
         count(*) FILTER (WHERE status = 'running') AS running,
         count(*) FILTER (WHERE status = 'exception') AS exception,
         min(created_at) FILTER (WHERE status IN ('waiting', 'ready')) AS oldest
       FROM jobs WHERE status IN ('waiting', 'ready', 'running', 'exception')
       GROUP BY target ORDER BY target`,
    );
    return rows.map((r) => ({
      target: r.target as string,
      waiting: r.waiting as number,
      ready: r.ready as number,
      running: r.running as number,
      exception: r.exception as number,
      oldestAgeMs: r.oldest === null ? 0 : Math.max(0, now - (r.oldest as number)),
    }));
  }

  async replay(id: string, options: { payload?: JsonValue } = {}): Promise<JobRecord> {
    const { db, clock } = this.#ctx;
    const record = await this.#ctx.write(async (q) => {
      const { rows } = await q.query("SELECT target, ordering_key FROM jobs WHERE id = $1", [id]);
      const job = rows[0];
      if (!job) return undefined;
      const [requeued] = await requeueIn(q, db.schema, {
        jobId: id,
        target: job.target as string,
        orderingKey: (job.ordering_key as string | null) ?? undefined,
        now: clock.now(),
        payload: options.payload,
      });
      return requeued;
    });
    if (!record) {
      throw new CrossdockError("CDK_JOB_NOT_FOUND", `No finished job ${id} to replay`, { details: { id } });
    }
    return record;
  }
}

/** Requeues a finished job under its key's lock (replay and exception retry). Empty if not finished. */
export async function requeueIn(
  q: PgQueryable,
  schema: string,
  input: { jobId: string; target: string; orderingKey: string | undefined; now: number; payload?: JsonValue },
): Promise<JobRecord[]> {
  const results = await runAll(q, [
    ...keyLock(schema, input),
    { text: REQUEUE_SQL, values: [input.jobId, input.now, toJsonOrNull(input.payload)] },
  ]);
  return (results.at(-1) ?? []).map(toJobRecord);
}
