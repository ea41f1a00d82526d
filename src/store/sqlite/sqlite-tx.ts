import { CrossdockError } from "../../core/errors.ts";
import { validateAuditEntries } from "../input-validation.ts";
import type { JsonValue, StoredRecord, StoreTx } from "../store.ts";
import { insertAudit } from "./sqlite-audit.ts";
import type { SqliteContext } from "./sqlite-connection.ts";
import { addEventWait, timeoutEventWait } from "./sqlite-event-waits.ts";
import { ack, appendEvents } from "./sqlite-events.ts";
import { completeJob, enqueueJobs } from "./sqlite-jobs.ts";
import { deleteRecord } from "./sqlite-records.ts";
import { type RecordRow, toRecord } from "./sqlite-rows.ts";
import { createApproval, saveStep, startWorkflow, updateWorkflow } from "./sqlite-workflows.ts";

export function getRecord(ctx: SqliteContext, kind: string, key: string): StoredRecord | undefined {
  const row = ctx.stmt("SELECT * FROM records WHERE kind = ? AND key = ?").get(kind, key) as
    | RecordRow
    | undefined;
  return row && toRecord(row);
}

export function putRecord(
  ctx: SqliteContext,
  kind: string,
  key: string,
  data: JsonValue,
  options: { expectedVersion?: number } = {},
): StoredRecord {
  if (data === undefined) throw new TypeError(`Record ${kind}/${key} has no data (use null for none)`);
  const current = ctx.stmt("SELECT version FROM records WHERE kind = ? AND key = ?").get(kind, key) as
    | { version: number }
    | undefined;
  const version = current?.version ?? 0;
  if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
    throw new CrossdockError(
      "CDK_STORE_CONFLICT",
      `Record ${kind}/${key} is at version ${version}, not ${options.expectedVersion}; read it again and retry`,
      { details: { kind, key, expected: options.expectedVersion, actual: version } },
    );
  }
  const now = ctx.now();
  ctx
    .stmt(
      `INSERT INTO records (kind, key, data, version, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data, version = excluded.version,
         updated_at = excluded.updated_at`,
    )
    .run(kind, key, JSON.stringify(data), version + 1, now);
  return { kind, key, data, version: version + 1, updatedAt: now };
}

/**
 * A `StoreTx` over the connection whose transaction the caller holds. Its operations run at once
 * (the connection is synchronous); `end()` makes every later call fail, because after the callback
 * settles they would run outside the transaction, or inside someone else's.
 */
export function createSqliteTx(ctx: SqliteContext): { tx: StoreTx; end(): void } {
  let active = true;
  const run = <T>(fn: () => T): Promise<T> => {
    if (!active) {
      return Promise.reject(
        new CrossdockError("CDK_INTERNAL", "This transaction has ended; its handle cannot be used any more"),
      );
    }
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const tx: StoreTx = {
    appendEvents: (events) => run(() => appendEvents(ctx, events)),
    enqueueJobs: (jobs) => run(() => enqueueJobs(ctx, jobs)),
    completeJob: (job, result) => run(() => completeJob(ctx, job, result)),
    ackSubscription: (name, position) => run(() => ack(ctx, name, position)),
    getRecord: (kind, key) => run(() => getRecord(ctx, kind, key)),
    putRecord: (kind, key, data, options) => run(() => putRecord(ctx, kind, key, data, options)),
    deleteRecord: (kind, key, options) => run(() => deleteRecord(ctx, kind, key, options)),
    appendAudit: (entries) =>
      run(() => {
        const details = validateAuditEntries(entries);
        return insertAudit(
          ctx,
          entries.map((entry, i) => ({ entry, details: details[i] ?? null })),
        );
      }),
    startWorkflow: (input) => run(() => startWorkflow(ctx, input)),
    updateWorkflow: (runId, patch) => run(() => updateWorkflow(ctx, runId, patch)),
    saveStep: (record) => run(() => saveStep(ctx, record)),
    addEventWait: (input) => run(() => addEventWait(ctx, input)),
    timeoutEventWait: (runId, waitId) => run(() => timeoutEventWait(ctx, runId, waitId)),
    createApproval: (input) => run(() => createApproval(ctx, input)),
  };
  return {
    tx,
    end: () => {
      active = false;
    },
  };
}
