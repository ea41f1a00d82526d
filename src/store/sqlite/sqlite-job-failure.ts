import type { StoredError } from "../../core/errors.ts";
import { appendAttemptError, toStoredErrorShape } from "../codec.ts";
import { decideFailure } from "../job-failure.ts";
import type { ClaimedJob, FailOutcome } from "../store.ts";
import type { SqliteContext } from "./sqlite-connection.ts";
import { openException } from "./sqlite-exceptions.ts";
import { leaseLost, promoteNext } from "./sqlite-jobs.ts";
import { type JobRow, toJob } from "./sqlite-rows.ts";
import { pauseTarget } from "./sqlite-targets.ts";

const CLEAR_LEASE = "lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL";

/**
 * Records a failed attempt of a claimed job and applies `decideFailure`: retry later, pause the target
 * (the attempt does not count), or end in an exception record and release the job's ordering key.
 */
export function failJob(
  ctx: SqliteContext,
  job: ClaimedJob,
  failure: StoredError,
  random: () => number = Math.random,
): FailOutcome {
  const row = ctx
    .stmt("SELECT * FROM jobs WHERE id = ? AND status = 'running' AND lease_token = ?")
    .get(job.id, job.leaseToken) as JobRow | undefined;
  if (row === undefined) throw leaseLost(job);
  const now = ctx.now();
  const error = toStoredErrorShape(failure);
  const current = toJob(row);
  const errorsJson = JSON.stringify(appendAttemptError(current.errors, error, row.attempts, now));
  const decision = decideFailure(current.retry, row.attempts, error, now, random);
  switch (decision.action) {
    case "retry":
      ctx
        .stmt(
          `UPDATE jobs SET status = 'ready', run_at = ?, errors = ?, updated_at = ?, ${CLEAR_LEASE} WHERE id = ?`,
        )
        .run(decision.runAt, errorsJson, now, row.id);
      return { outcome: "retry", runAt: decision.runAt, attempt: row.attempts };
    case "pause":
      pauseTarget(ctx, row.target, error, now);
      ctx
        .stmt(
          `UPDATE jobs SET status = 'ready', attempts = max(attempts - 1, 0), errors = ?, updated_at = ?, ${CLEAR_LEASE}
           WHERE id = ?`,
        )
        .run(errorsJson, now, row.id);
      return { outcome: "paused", target: row.target };
    case "exception": {
      ctx
        .stmt(
          `UPDATE jobs SET status = 'exception', errors = ?, finished_at = ?, updated_at = ?, ${CLEAR_LEASE}
           WHERE id = ?`,
        )
        .run(errorsJson, now, now, row.id);
      const exceptionId = openException(ctx, row, error, errorsJson, now);
      if (row.ordering_key !== null) promoteNext(ctx, row.target, row.ordering_key, now);
      return { outcome: "exception", exceptionId };
    }
  }
}
