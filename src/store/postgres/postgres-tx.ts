import { CrossdockError, type StoredError } from "../../core/errors.ts";
import type {
  Approval,
  AuditEntry,
  AuditEntryInput,
  ClaimedJob,
  EnqueueResult,
  EventInput,
  EventWait,
  JobInput,
  JsonValue,
  StepRecord,
  StoredEvent,
  StoredRecord,
  StoreTx,
  TraceContext,
  WorkflowRun,
  WorkflowStatus,
} from "../store.ts";
import { appendAuditIn } from "./postgres-audit.ts";
import type { PgStoreContext } from "./postgres-context.ts";
import type { PgQueryable } from "./postgres-database.ts";
import { ackIn, appendEventsIn } from "./postgres-events.ts";
import { completeJobIn, enqueueJobsIn } from "./postgres-jobs.ts";
import { deleteRecordIn } from "./postgres-records.ts";
import { toStoredRecord } from "./postgres-rows.ts";
import {
  addEventWaitIn,
  createApprovalIn,
  saveStepIn,
  startWorkflowIn,
  timeoutEventWaitIn,
  updateWorkflowIn,
} from "./postgres-workflows.ts";

const RECORD_COLUMNS = "kind, key, data, version, updated_at";

/**
 * One `Store.transaction`: every call goes to the same pooled connection between BEGIN and COMMIT.
 * The handle refuses work once its callback has settled, so nothing can slip in after the commit.
 */
export class PostgresTx implements StoreTx {
  readonly #q: PgQueryable;
  readonly #ctx: PgStoreContext;
  #open = true;

  constructor(q: PgQueryable, ctx: PgStoreContext) {
    this.#q = q;
    this.#ctx = ctx;
  }

  /** Called when the callback settles. */
  end(): void {
    this.#open = false;
  }

  appendEvents(events: EventInput[]): Promise<StoredEvent[]> {
    return this.#use(() => appendEventsIn(this.#q, this.#ctx, events));
  }

  enqueueJobs(jobs: JobInput[]): Promise<EnqueueResult[]> {
    return this.#use(() => enqueueJobsIn(this.#q, this.#ctx, jobs));
  }

  completeJob(job: ClaimedJob, result?: JsonValue): Promise<void> {
    return this.#use(() => completeJobIn(this.#q, this.#ctx, job, result));
  }

  ackSubscription(name: string, position: string): Promise<void> {
    return this.#use(() => ackIn(this.#q, this.#ctx, name, position));
  }

  getRecord(kind: string, key: string): Promise<StoredRecord | undefined> {
    return this.#use(async () => {
      const { rows } = await this.#q.query(
        `SELECT ${RECORD_COLUMNS} FROM records WHERE kind = $1 AND key = $2`,
        [kind, key],
      );
      return rows[0] ? toStoredRecord(rows[0]) : undefined;
    });
  }

  putRecord(
    kind: string,
    key: string,
    data: JsonValue,
    options: { expectedVersion?: number } = {},
  ): Promise<StoredRecord> {
    return this.#use(async () => {
      const values = [kind, key, JSON.stringify(data ?? null), this.#ctx.clock.now()];
      const expected = options.expectedVersion;
      const { rows } =
        expected === undefined
          ? await this.#q.query(
              `INSERT INTO records (kind, key, data, version, updated_at) VALUES ($1, $2, $3::jsonb, 1, $4)
               ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data, version = records.version + 1,
                 updated_at = excluded.updated_at
               RETURNING ${RECORD_COLUMNS}`,
              values,
            )
          : expected === 0
            ? await this.#q.query(
                `INSERT INTO records (kind, key, data, version, updated_at) VALUES ($1, $2, $3::jsonb, 1, $4)
                 ON CONFLICT (kind, key) DO NOTHING RETURNING ${RECORD_COLUMNS}`,
                values,
              )
            : await this.#q.query(
                `UPDATE records SET data = $3::jsonb, version = version + 1, updated_at = $4
                 WHERE kind = $1 AND key = $2 AND version = $5 RETURNING ${RECORD_COLUMNS}`,
                [...values, expected],
              );
      if (!rows[0]) {
        throw new CrossdockError(
          "CDK_STORE_CONFLICT",
          `Record ${kind}/${key} is not at version ${expected}; read it again and retry`,
          { details: { kind, key, expectedVersion: expected } },
        );
      }
      return toStoredRecord(rows[0]);
    });
  }

  deleteRecord(kind: string, key: string, options?: { expectedVersion?: number }): Promise<boolean> {
    return this.#use(() => deleteRecordIn(this.#q, kind, key, options));
  }

  appendAudit(entries: AuditEntryInput[]): Promise<AuditEntry[]> {
    return this.#use(() => appendAuditIn(this.#q, this.#ctx, entries));
  }

  startWorkflow(input: {
    type: string;
    key: string;
    input: JsonValue;
    trace?: TraceContext;
  }): Promise<{ run: WorkflowRun; created: boolean }> {
    return this.#use(() => startWorkflowIn(this.#q, this.#ctx, input));
  }

  updateWorkflow(
    runId: string,
    patch: { status?: WorkflowStatus; output?: JsonValue; error?: StoredError | null },
  ): Promise<void> {
    return this.#use(() => updateWorkflowIn(this.#q, this.#ctx, runId, patch));
  }

  saveStep(record: Omit<StepRecord, "seq" | "finishedAt">): Promise<StepRecord> {
    return this.#use(() => saveStepIn(this.#q, this.#ctx, record));
  }

  addEventWait(input: {
    runId: string;
    waitId: string;
    eventType: string;
    stream: string;
    deadline?: number;
    since?: number;
    afterPosition?: string;
  }): Promise<EventWait> {
    return this.#use(() => addEventWaitIn(this.#q, this.#ctx, input));
  }

  timeoutEventWait(runId: string, waitId: string): Promise<void> {
    return this.#use(() => timeoutEventWaitIn(this.#q, this.#ctx, runId, waitId));
  }

  createApproval(input: {
    runId: string;
    stepId: string;
    title: string;
    details: JsonValue;
    deadline?: number;
  }): Promise<Approval> {
    return this.#use(() => createApprovalIn(this.#q, this.#ctx, input));
  }

  async #use<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.#open) {
      throw new CrossdockError(
        "CDK_INTERNAL",
        "This store transaction has already ended; use its handle only inside the transaction callback",
      );
    }
    return fn();
  }
}
