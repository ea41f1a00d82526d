/**
 * The SQL of the job queue. Every state change that can end a job is one statement (CTEs), so that
 * "finish this job and promote the next one of its ordering key" is a single round trip, and
 * conditions such as "this lease is still mine" are WHERE clauses: a statement that finds nothing
 * writes nothing, which keeps pipelined transactions (`PgDatabase.atomic`) safe.
 *
 * Statuses a job holds its ordering key in: `waiting`, `ready`, `running`. At most one of them is
 * `ready` or `running` per (target, ordering key); the advisory lock of `orderingLocks` serialises every
 * transaction that enqueues behind, or finishes, a job of a key, so that a finish never misses a job
 * that is being enqueued behind it.
 */
import { MAX_JOB_ERRORS } from "../codec.ts";
import { prepared } from "./postgres-database.ts";
import { JOB_COLUMNS } from "./postgres-rows.ts";

/** Statuses that hold an ordering key. */
export const UNFINISHED = "('waiting', 'ready', 'running')";
/** Statuses a job can be replayed from. */
export const FINISHED = "('done', 'discarded', 'exception')";

const CLEAR_LEASE = "lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL";

/**
 * The job's stored errors plus the attempt error in parameter `param`, keeping the newest
 * `MAX_JOB_ERRORS`. Appended to what is stored, not to the caller's copy of the job.
 */
function appendError(param: string): string {
  return `(SELECT coalesce(jsonb_agg(x.e ORDER BY x.n), '[]'::jsonb) FROM (
      SELECT e, n FROM jsonb_array_elements(errors || jsonb_build_array(${param}::jsonb)) WITH ORDINALITY AS t(e, n)
      ORDER BY n DESC LIMIT ${MAX_JOB_ERRORS}) x)`;
}

/**
 * CTEs `ranked` and `inserted` that insert the jobs of relation `source` (columns ord, id, target,
 * kind, idempotency_key, ordering_key, payload, run_at, retry, trace) with `$2` as now. A job waits when
 * an unfinished job holds its key, or an earlier job of the same batch does.
 */
export function insertJobsCte(source: string): string {
  return `ranked AS (
    SELECT s.*, row_number() OVER (PARTITION BY s.target, s.ordering_key ORDER BY s.ord) AS rn FROM ${source} s
  ),
  inserted AS (
    INSERT INTO jobs (id, target, kind, idempotency_key, ordering_key, payload, status, run_at, due_at, retry,
      trace, created_at, updated_at)
    SELECT r.id, r.target, r.kind, r.idempotency_key, r.ordering_key, coalesce(r.payload, 'null'::jsonb),
      CASE WHEN r.ordering_key IS NOT NULL AND (r.rn > 1 OR EXISTS (
        SELECT 1 FROM jobs u WHERE u.target = r.target AND u.ordering_key = r.ordering_key
          AND u.status IN ${UNFINISHED})) THEN 'waiting' ELSE 'ready' END,
      r.run_at, r.run_at, r.retry, r.trace, $2, $2
    FROM ranked r ORDER BY r.ord
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id, idempotency_key, status
  )`;
}

/** `$1`: jobs as a JSON array (see `insertJobsCte`), `$2`: now. Returns new and pre-existing rows. */
export const ENQUEUE_SQL = prepared(`WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(ord integer, id text, target text, kind text,
      idempotency_key text, ordering_key text, payload jsonb, run_at bigint, retry jsonb, trace jsonb)
  ),
  existing AS (
    SELECT j.id, j.idempotency_key, j.status FROM jobs j
    WHERE j.idempotency_key IN (SELECT idempotency_key FROM input)
  ),
  fresh AS (
    SELECT DISTINCT ON (idempotency_key) * FROM input
    WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.idempotency_key = input.idempotency_key)
    ORDER BY idempotency_key, ord
  ),
  ${insertJobsCte("fresh")}
  SELECT id, idempotency_key, status, false AS duplicate FROM inserted
  UNION ALL
  SELECT id, idempotency_key, status, true AS duplicate FROM existing`);

/**
 * `$1` now, `$2` only these targets (or NULL), `$3` not these (or NULL), `$4` limit, `$5` worker,
 * `$6` lease expiry. Due ready jobs and running jobs whose lease has expired, oldest due time first,
 * skipping rows another claimer holds and targets that are paused.
 */
export const CLAIM_SQL = prepared(`WITH picked AS (
    SELECT id FROM jobs
    WHERE status IN ('ready', 'running') AND due_at <= $1
      AND (status = 'ready' OR lease_expires_at < $1)
      AND ($2::text[] IS NULL OR target = ANY($2::text[]))
      AND ($3::text[] IS NULL OR target <> ALL($3::text[]))
      AND NOT EXISTS (SELECT 1 FROM targets t WHERE t.target = jobs.target AND t.paused)
    ORDER BY due_at, id
    LIMIT $4
    FOR UPDATE SKIP LOCKED
  )
  UPDATE jobs j SET status = 'running', attempts = j.attempts + 1, lease_owner = $5,
    lease_token = gen_random_uuid()::text, lease_expires_at = $6, due_at = $6, updated_at = $1
  FROM picked WHERE j.id = picked.id
  RETURNING ${JOB_COLUMNS.split(", ")
    .map((c) => `j.${c}`)
    .join(", ")}, j.lease_token`);

/**
 * CTE `promoted`: after the job in CTE `fin` finished, the oldest waiting job of its key becomes ready,
 * unless another job of the key is already ready or running. `now` is a parameter reference.
 */
function promoteCte(now: string): string {
  return `promoted AS (
    UPDATE jobs SET status = 'ready', updated_at = ${now}
    WHERE id = (
      SELECT w.id FROM jobs w JOIN fin f ON w.target = f.target AND w.ordering_key = f.ordering_key
      WHERE w.status = 'waiting' AND NOT EXISTS (
        SELECT 1 FROM jobs r WHERE r.target = f.target AND r.ordering_key = f.ordering_key
          AND r.status IN ('ready', 'running') AND r.id <> f.id)
      ORDER BY w.order_seq LIMIT 1)
    RETURNING id
  )`;
}

const LEASE_HELD = "id = $1 AND lease_token = $2 AND status = 'running'";

/** `$1` id, `$2` lease token, `$3` result (JSON or NULL), `$4` now. Returns the job's id if it held the lease. */
export const COMPLETE_SQL = prepared(`WITH fin AS (
    UPDATE jobs SET status = 'done', result = $3::jsonb, ${CLEAR_LEASE}, finished_at = $4, updated_at = $4
    WHERE ${LEASE_HELD}
    RETURNING id, target, ordering_key
  ), ${promoteCte("$4")}
  SELECT id FROM fin`);

/** `$1` id, `$2` token, `$3` lease expiry, `$4` now. */
export const EXTEND_SQL = prepared(`UPDATE jobs SET lease_expires_at = $3, due_at = $3, updated_at = $4
  WHERE ${LEASE_HELD} RETURNING lease_expires_at`);

/** `$1` id, `$2` token, `$3` run at, `$4` attempt error, `$5` now. */
export const RETRY_SQL =
  prepared(`UPDATE jobs SET status = 'ready', run_at = $3, due_at = $3, errors = ${appendError("$4")},
    ${CLEAR_LEASE}, updated_at = $5
  WHERE ${LEASE_HELD} RETURNING id`);

/**
 * `$1` id, `$2` token, `$3` now, `$4` reason, `$5` attempt error. The job goes back to ready without
 * the attempt it just used (its error is kept), and its target is paused: nothing of the target is claimed until someone resumes it.
 */
export const PAUSE_SQL = prepared(`WITH back AS (
    UPDATE jobs SET status = 'ready', attempts = greatest(attempts - 1, 0), due_at = run_at,
      errors = ${appendError("$5")}, ${CLEAR_LEASE}, updated_at = $3
    WHERE ${LEASE_HELD} RETURNING id, target
  ),
  paused AS (
    INSERT INTO targets (target, paused, reason, paused_at, updated_at)
    SELECT target, true, $4::jsonb, $3, $3 FROM back
    ON CONFLICT (target) DO UPDATE SET paused = true, reason = excluded.reason,
      paused_at = excluded.paused_at, updated_at = excluded.updated_at
  )
  SELECT id FROM back`);

/** `$1` id, `$2` token, `$3` attempt error, `$4` now, `$5` exception id, `$6` error. */
export const EXCEPTION_SQL = prepared(`WITH fin AS (
    UPDATE jobs SET status = 'exception', errors = ${appendError("$3")}, ${CLEAR_LEASE}, finished_at = $4,
      updated_at = $4
    WHERE ${LEASE_HELD}
    RETURNING id, target, kind, idempotency_key, ordering_key, payload, attempts, errors, trace
  ),
  opened AS (
    INSERT INTO exceptions (id, job_id, target, kind, idempotency_key, ordering_key, payload, error, attempts,
      errors, trace, status, created_at)
    SELECT $5, id, target, kind, idempotency_key, ordering_key, payload, $6::jsonb, attempts, errors, trace,
      'open', $4 FROM fin
  ), ${promoteCte("$4")}
  SELECT id FROM fin`);

/**
 * `$1` job id, `$2` now, `$3` new payload (or NULL to keep). Puts a finished job back in the queue with
 * attempts and errors reset, behind any unfinished job of its key, and marks an open exception record
 * of the job `retried` (replaying a job in `exception` resolves its record).
 */
export const REQUEUE_SQL = prepared(`WITH requeued AS (
    UPDATE jobs j SET status = CASE WHEN j.ordering_key IS NOT NULL AND EXISTS (
        SELECT 1 FROM jobs u WHERE u.target = j.target AND u.ordering_key = j.ordering_key
          AND u.status IN ${UNFINISHED} AND u.id <> j.id) THEN 'waiting' ELSE 'ready' END,
      payload = coalesce($3::jsonb, j.payload), attempts = 0, errors = '[]', result = NULL, run_at = $2,
      due_at = $2, ${CLEAR_LEASE}, finished_at = NULL, updated_at = $2, order_seq = nextval('job_order_seq')
    WHERE j.id = $1 AND j.status IN ${FINISHED}
    RETURNING ${JOB_COLUMNS.split(", ")
      .map((c) => `j.${c}`)
      .join(", ")}
  ),
  resolved AS (
    UPDATE exceptions SET status = 'retried', resolved_at = $2, reason = 'replayed'
    WHERE job_id IN (SELECT id FROM requeued) AND status = 'open'
  )
  SELECT * FROM requeued`);

/**
 * `$1` exception id, `$2` now, `$3` by, `$4` reason. Closes an open record and its job for good; the
 * job already released its key when it failed, so the promotion only repairs a key left without a head.
 */
export const DISCARD_SQL = prepared(`WITH closed AS (
    UPDATE exceptions SET status = 'discarded', resolved_at = $2, resolved_by = $3, reason = $4
    WHERE id = $1 AND status = 'open' RETURNING job_id
  ),
  fin AS (
    UPDATE jobs SET status = 'discarded', finished_at = $2, updated_at = $2
    WHERE id IN (SELECT job_id FROM closed) AND status = 'exception'
    RETURNING id, target, ordering_key
  ), ${promoteCte("$2")}
  SELECT job_id FROM closed`);

/**
 * `$1` idempotency key, `$2` now. Cancels a workflow deadline job that has not started (marks it done)
 * and promotes the next job of the run, so a resolved wait does not leave its timer in the way.
 */
export const CANCEL_TIMER_SQL = prepared(`WITH fin AS (
    UPDATE jobs SET status = 'done', result = '{"cancelled":true}', finished_at = $2, updated_at = $2
    WHERE idempotency_key = $1 AND status IN ('waiting', 'ready')
    RETURNING id, target, ordering_key
  ), ${promoteCte("$2")}
  SELECT id FROM fin`);

/**
 * `$1` target, `$2` ordering key (the run id), `$3` now, `$4` the resume job's idempotency key. For
 * workflow runs only, whose executions may run in any order (each reads the run's state): the resume
 * job goes ahead of the run's jobs that have not started. A ready head (typically a deadline timer
 * that is not due) goes back to waiting, and the resume job takes the front of the key's order, so
 * it is also the next one promoted when a running execution ends. It inherits the run's trace.
 */
export const RESUME_AHEAD_SQL = prepared(`WITH resume AS (
    SELECT id, status FROM jobs WHERE idempotency_key = $4 AND status IN ('waiting', 'ready')
  ),
  head AS (
    SELECT id FROM jobs WHERE target = $1 AND ordering_key = $2 AND status = 'ready'
      AND id NOT IN (SELECT id FROM resume)
  ),
  demoted AS (
    UPDATE jobs SET status = 'waiting', updated_at = $3
    WHERE id IN (SELECT id FROM head) AND EXISTS (SELECT 1 FROM resume WHERE status = 'waiting')
  ),
  moved AS (
    UPDATE jobs j SET status = CASE WHEN EXISTS (SELECT 1 FROM head) THEN 'ready' ELSE j.status END,
      order_seq = (SELECT min(u.order_seq) - 1 FROM jobs u
        WHERE u.target = $1 AND u.ordering_key = $2 AND u.status IN ${UNFINISHED}),
      trace = coalesce(j.trace, (SELECT r.trace FROM workflow_runs r WHERE r.id = $2)),
      updated_at = $3
    WHERE j.id IN (SELECT id FROM resume)
  )
  SELECT count(*)::int AS resumed FROM resume`);
