/** Durable workflow runs, their checkpointed steps, event waits and approvals. Part of the Store port (`store.ts`). */
import type { StoredError } from "../core/errors.ts";
import type { StoredEvent } from "./event-log-port.ts";
import type { JsonValue, TraceContext } from "./store.ts";

/** The job target on which workflow runs execute (ordering key = run id: one execution at a time). */
export const WORKFLOW_TARGET = "crossdock.workflow";
export const WORKFLOW_RUN_KIND = "workflow.run";

export type WorkflowStatus = "running" | "waiting" | "completed" | "failed" | "compensated";

export interface WorkflowRun {
  id: string;
  type: string;
  /** Business key, unique per type (e.g. the order reference): starting twice returns the first run. */
  key: string;
  status: WorkflowStatus;
  input: JsonValue;
  output: JsonValue | undefined;
  error: StoredError | undefined;
  trace: TraceContext | undefined;
  createdAt: number;
  updatedAt: number;
}

export type StepStatus = "completed" | "failed" | "compensated";

export interface StepRecord {
  runId: string;
  /** Stable id chosen by the workflow's code, e.g. `create-sale-order`. */
  stepId: string;
  status: StepStatus;
  output: JsonValue | undefined;
  /** The smallest input the step's compensation needs. */
  compensationInput: JsonValue | undefined;
  error: StoredError | undefined;
  /** Completion order inside the run (1, 2, ...); compensation walks it backwards. */
  seq: number;
  finishedAt: number;
}

export type WaitStatus = "open" | "resolved" | "timed_out";

/** A workflow waiting for an event: resolved by the first matching event appended after it. */
export interface EventWait {
  runId: string;
  waitId: string;
  eventType: string;
  stream: string;
  deadline: number | undefined;
  status: WaitStatus;
  /** The matching event, once resolved. */
  event: StoredEvent | undefined;
}

export type ApprovalStatus = "pending" | "approved" | "rejected";

export interface Approval {
  id: string;
  runId: string;
  stepId: string;
  title: string;
  details: JsonValue;
  status: ApprovalStatus;
  deadline: number | undefined;
  decidedBy: string | undefined;
  comment: string | undefined;
  createdAt: number;
  decidedAt: number | undefined;
}

export interface WorkflowStore {
  get(id: string): Promise<WorkflowRun | undefined>;
  getByKey(type: string, key: string): Promise<WorkflowRun | undefined>;
  list(filter?: { type?: string; status?: WorkflowStatus; limit?: number }): Promise<WorkflowRun[]>;
  /** The run's step records in completion order. */
  steps(runId: string): Promise<StepRecord[]>;
  getWait(runId: string, waitId: string): Promise<EventWait | undefined>;
  getApproval(id: string): Promise<Approval | undefined>;
  listApprovals(filter?: { status?: ApprovalStatus; runId?: string }): Promise<Approval[]>;
  /**
   * Records a person's decision and, in the same transaction, enqueues the run's resume job. Throws
   * `CDK_APPROVAL_NOT_FOUND` if there is no pending approval with this id.
   */
  decideApproval(
    id: string,
    decision: { approved: boolean; by: string; comment?: string },
  ): Promise<Approval>;
}
