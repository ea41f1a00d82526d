/**
 * The `WorkflowContext` of one execution: answers each `ctx` call from the store when it already
 * happened (replay) and otherwise does it and records it. It also collects what the engine needs after
 * `run` settles: the compensations seen, the waits and approvals to register, and the interrupt.
 *
 * In `replayOnly` mode (the run already failed and is being compensated) nothing new happens: reaching
 * a step, wait or approval that has no record halts the code, which has then registered every
 * compensation it can.
 */
import type { Clock } from "../core/clock.ts";
import { CrossdockError, type ErrorCode, type StoredError, toStoredError } from "../core/errors.ts";
import type { JobContext } from "../delivery/job-handler.ts";
import type { StructuredLogger } from "../delivery/structured-logger.ts";
import { canRetry } from "../store/retry-policy.ts";
import type {
  Approval,
  ClaimedJob,
  JsonValue,
  StepRecord,
  Store,
  StoredEvent,
  StoreTx,
  WorkflowRun,
} from "../store/store.ts";
import { Broken, type ExecutionInterrupt, Halt, RetryExecution, Suspend } from "./execution-interrupts.ts";
import { findNonJson } from "./json-check.ts";
import type {
  ApprovalDecision,
  ApprovalOptions,
  CompensationContext,
  EventWaitOptions,
  StepContext,
  StepOptions,
  StepOutcome,
  WorkflowContext,
} from "./workflow.ts";

export type Compensate = (input: unknown, ctx: CompensationContext) => Promise<void>;

export interface PendingWait {
  runId: string;
  waitId: string;
  eventType: string;
  stream: string;
  deadline?: number;
  since?: number;
  afterPosition?: string;
}

export interface PendingApproval {
  runId: string;
  stepId: string;
  title: string;
  details: JsonValue;
  deadline?: number;
}

export interface ExecutionContextOptions {
  store: Store;
  clock: Clock;
  logger: StructuredLogger;
  run: WorkflowRun;
  job: ClaimedJob;
  jobContext: JobContext;
  steps: readonly StepRecord[];
  replayOnly: boolean;
}

/** The error a workflow sees when a step fails for good (live and on replay alike). */
export function stepFailed(stepId: string, error: StoredError, cause?: unknown): CrossdockError {
  return new CrossdockError("CDK_WORKFLOW_STEP_FAILED", `step ${stepId} failed: ${error.message}`, {
    cause,
    details: { stepId, error },
  });
}

/** Rebuilds a stored error as a throwable one, for replaying a recorded failure. */
export function revive(error: StoredError): CrossdockError {
  return new CrossdockError(error.code as ErrorCode, error.message, {
    failureClass: error.failureClass,
    ...(error.details ? { details: error.details } : {}),
  });
}

function waitTimeout(id: string, deadline: number | undefined): CrossdockError {
  return new CrossdockError("CDK_WORKFLOW_WAIT_TIMEOUT", `${id}: no answer by the deadline`, {
    details: { waitId: id, deadline },
  });
}

export class ExecutionContext implements WorkflowContext {
  readonly runId: string;
  readonly type: string;
  readonly key: string;
  readonly logger: StructuredLogger;
  /** Compensations of the steps reached in this execution, by step id. */
  readonly compensations = new Map<string, Compensate>();
  /** Ids of every step, wait and approval reached in this execution. */
  readonly reached = new Set<string>();
  readonly pendingWaits: PendingWait[] = [];
  readonly pendingApprovals: PendingApproval[] = [];
  #interrupt: ExecutionInterrupt | undefined;
  readonly #options: ExecutionContextOptions;
  readonly #steps: Map<string, StepRecord>;
  #approvals: Promise<Map<string, Approval>> | undefined;
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(options: ExecutionContextOptions) {
    this.#options = options;
    this.runId = options.run.id;
    this.type = options.run.type;
    this.key = options.run.key;
    this.logger = options.logger;
    this.#steps = new Map(options.steps.map((s) => [s.stepId, s]));
  }

  get interrupt(): ExecutionInterrupt | undefined {
    return this.#interrupt;
  }

  now(): number {
    return this.#options.clock.now();
  }

  step<O, C = undefined>(
    id: string,
    fn: (step: StepContext) => Promise<StepOutcome<O, C> | undefined>,
    options: StepOptions<C> = {},
  ): Promise<O> {
    return this.#track(this.#step(id, fn, options));
  }

  waitForEvent(waitId: string, options: EventWaitOptions): Promise<StoredEvent> {
    return this.#track(this.#waitForEvent(waitId, options));
  }

  waitForApproval(stepId: string, options: ApprovalOptions): Promise<ApprovalDecision> {
    return this.#track(this.#waitForApproval(stepId, options));
  }

  /**
   * Resolves when no `ctx` call of this execution is still running. `run` can settle while a branch
   * is still inside a step (`Promise.all` rejects on the first failure); the engine waits for it, so a
   * step that completes late is recorded before compensation decides what to undo.
   */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #track<T>(operation: Promise<T>): Promise<T> {
    this.#inFlight.add(operation);
    const forget = () => this.#inFlight.delete(operation);
    operation.then(forget, forget);
    return operation;
  }

  async #step<O, C = undefined>(
    id: string,
    fn: (step: StepContext) => Promise<StepOutcome<O, C> | undefined>,
    options: StepOptions<C>,
  ): Promise<O> {
    this.#enter(id);
    if (options.compensate) this.compensations.set(id, options.compensate as Compensate);
    const record = this.#steps.get(id);
    if (record?.status === "failed") throw stepFailed(id, record.error ?? unknownError());
    if (record) return record.output as O;
    if (this.#options.replayOnly) throw this.#raise(new Halt());
    const { jobContext, job } = this.#options;
    if (jobContext.signal.aborted) throw this.#raise(new RetryExecution(jobContext.signal.reason));

    let outcome: StepOutcome<O, C> | undefined;
    try {
      outcome = await fn({
        idempotencyKey: `${this.type}:${this.key}:${id}`,
        signal: jobContext.signal,
        attempt: jobContext.attempt,
      });
    } catch (error) {
      const stored = toStoredError(error);
      if (stored.failureClass === "config") throw this.#raise(new Broken(error), error);
      if (stored.failureClass === "transient" && canRetry(job.retry, job.attempt, stored.code)) {
        throw this.#raise(new RetryExecution(error), error);
      }
      await this.#save({
        stepId: id,
        status: "failed",
        output: undefined,
        compensationInput: undefined,
        error: stored,
      });
      throw stepFailed(id, stored, error);
    }

    const shaped =
      outcome === undefined || (typeof outcome === "object" && outcome !== null && "output" in outcome);
    const output = shaped ? outcome?.output : undefined;
    const compensationInput = shaped ? outcome?.compensationInput : undefined;
    // `undefined` at the top means "none" (a step with no output or nothing to compensate).
    const bad = !shaped
      ? "$"
      : ((output === undefined ? undefined : findNonJson(output)) ??
        (compensationInput === undefined ? undefined : findNonJson(compensationInput, "$compensationInput")));
    if (bad !== undefined) {
      const error = new CrossdockError(
        "CDK_WORKFLOW_STEP_FAILED",
        `step ${id} must return { output, compensationInput? } of JSON values (not at ${bad})`,
        { failureClass: "config", details: { stepId: id, at: bad } },
      );
      throw this.#raise(new Broken(error), error);
    }
    const saved = await this.#save({
      stepId: id,
      status: "completed",
      output: output as JsonValue | undefined,
      compensationInput: compensationInput as JsonValue | undefined,
      error: undefined,
    });
    // The stored copy, so the first execution sees exactly what every replay will.
    return saved.output as O;
  }

  async #waitForEvent(waitId: string, options: EventWaitOptions): Promise<StoredEvent> {
    if (typeof options.type !== "string") {
      return options.type.length === 1
        ? this.#waitForEvent(waitId, { ...options, type: options.type[0] as string })
        : this.#waitForAny(waitId, options.type, options);
    }
    this.#enter(waitId);
    const { store, run } = this.#options;
    const wait = await store.workflows.getWait(run.id, waitId);
    if (wait?.status === "resolved" && wait.event) return wait.event;
    if (wait?.status === "timed_out") throw waitTimeout(waitId, wait.deadline);
    if (this.#options.replayOnly) throw this.#raise(new Halt());
    if (wait) {
      if (wait.deadline !== undefined && wait.deadline <= this.now()) {
        await store.transaction((tx) => tx.timeoutEventWait(run.id, waitId));
        throw waitTimeout(waitId, wait.deadline);
      }
      throw this.#raise(new Suspend());
    }
    this.pendingWaits.push(this.#pendingWait(waitId, options.type, options, true));
    throw this.#raise(new Suspend());
  }

  /**
   * A wait on several event types: one store wait per type (the first type under `waitId` itself, the
   * others under `<waitId>|<type>`; only the first carries the deadline), and the first answer seen is
   * recorded as a step under `waitId`, so replays never change branch when a second type arrives later.
   */
  async #waitForAny(
    waitId: string,
    types: readonly string[],
    options: EventWaitOptions,
  ): Promise<StoredEvent> {
    this.#enter(waitId);
    const record = this.#steps.get(waitId);
    if (record?.status === "failed") throw revive(record.error ?? unknownError());
    if (record) return record.output as unknown as StoredEvent;
    const { store, run } = this.#options;
    const ids = types.map((type, i) => (i === 0 ? waitId : `${waitId}|${type}`));
    const waits = await Promise.all(ids.map((id) => store.workflows.getWait(run.id, id)));
    const answers = waits.flatMap((w) => (w?.status === "resolved" && w.event ? [w.event] : []));
    // The earliest answer; events of one stream are appended in order, so `createdAt` then the order
    // of `types` decides only between events of the same millisecond.
    const first = answers.reduce<StoredEvent | undefined>(
      (best, event) => (best === undefined || event.createdAt < best.createdAt ? event : best),
      undefined,
    );
    const primary = waits[0];
    if (this.#options.replayOnly) throw this.#raise(new Halt());
    if (first) {
      // The other types' waits are closed with the choice, so a later event of theirs resumes nothing.
      const open = ids.filter((_, i) => waits[i]?.status === "open");
      await this.#save(
        {
          stepId: waitId,
          status: "completed",
          output: first as unknown as JsonValue,
          compensationInput: undefined,
          error: undefined,
        },
        async (tx) => {
          for (const id of open) await tx.timeoutEventWait(run.id, id);
        },
      );
      return first;
    }
    const expired =
      primary?.status === "timed_out" || (primary?.deadline !== undefined && primary.deadline <= this.now());
    if (primary && expired) {
      const error = waitTimeout(waitId, primary.deadline);
      if (primary.status === "open") await store.transaction((tx) => tx.timeoutEventWait(run.id, waitId));
      await this.#save({
        stepId: waitId,
        status: "failed",
        output: undefined,
        compensationInput: undefined,
        error: error.toJSON(),
      });
      throw error;
    }
    if (waits.some((w) => w !== undefined)) throw this.#raise(new Suspend());
    types.forEach((type, i) => {
      this.pendingWaits.push(this.#pendingWait(ids[i] as string, type, options, i === 0));
    });
    throw this.#raise(new Suspend());
  }

  #pendingWait(waitId: string, type: string, options: EventWaitOptions, withDeadline: boolean): PendingWait {
    const { run } = this.#options;
    return {
      runId: run.id,
      waitId,
      eventType: type,
      stream: options.stream,
      ...(withDeadline ? this.#deadline(options.timeoutMs) : {}),
      ...(options.since === "run-start" ? { since: run.createdAt } : {}),
      ...(options.since === "stream-start" ? { since: 0 } : {}),
      ...(typeof options.since === "object"
        ? { since: options.since.after.createdAt, afterPosition: options.since.after.position }
        : {}),
    };
  }

  async #waitForApproval(stepId: string, options: ApprovalOptions): Promise<ApprovalDecision> {
    this.#enter(stepId);
    // The first answer seen is recorded as a step, so a decision made after a timeout cannot change
    // the path a replay takes.
    const record = this.#steps.get(stepId);
    if (record?.status === "failed") throw revive(record.error ?? unknownError());
    if (record) return toDecision(record.output);
    const replayOnly = this.#options.replayOnly;
    const approval = (await this.#loadApprovals()).get(stepId);
    if (approval && approval.status !== "pending") {
      const decision = {
        approved: approval.status === "approved",
        by: approval.decidedBy ?? "",
        comment: approval.comment ?? null,
      };
      if (!replayOnly) {
        await this.#save({
          stepId,
          status: "completed",
          output: decision,
          compensationInput: undefined,
          error: undefined,
        });
      }
      return toDecision(decision);
    }
    if (replayOnly) throw this.#raise(new Halt());
    if (approval) {
      if (approval.deadline !== undefined && approval.deadline <= this.now()) {
        const error = waitTimeout(stepId, approval.deadline);
        await this.#save({
          stepId,
          status: "failed",
          output: undefined,
          compensationInput: undefined,
          error: error.toJSON(),
        });
        throw error;
      }
      throw this.#raise(new Suspend());
    }
    this.pendingApprovals.push({
      runId: this.runId,
      stepId,
      title: options.title,
      details: options.details ?? null,
      ...this.#deadline(options.timeoutMs),
    });
    throw this.#raise(new Suspend());
  }

  /** Checks the id and stops at once if an earlier call already ended this execution. */
  #enter(id: string): void {
    if (this.#interrupt) throw this.#interrupt;
    if (this.reached.has(id)) {
      const error = new CrossdockError(
        "CDK_WORKFLOW_DUPLICATE_STEP",
        `workflow ${this.type} used the id "${id}" twice in one run`,
        { details: { runId: this.runId, stepId: id } },
      );
      throw this.#raise(new Broken(error), error);
    }
    this.reached.add(id);
  }

  /** Records the strongest interrupt and returns what to throw into the workflow code. */
  #raise(interrupt: ExecutionInterrupt, thrown?: unknown): unknown {
    if (!this.#interrupt || interrupt.rank > this.#interrupt.rank) this.#interrupt = interrupt;
    return thrown ?? interrupt;
  }

  #deadline(timeoutMs: number | undefined): { deadline?: number } {
    return timeoutMs === undefined ? {} : { deadline: this.now() + timeoutMs };
  }

  #loadApprovals(): Promise<Map<string, Approval>> {
    this.#approvals ??= this.#options.store.workflows
      .listApprovals({ runId: this.runId })
      .then((list) => new Map(list.map((a) => [a.stepId, a])));
    return this.#approvals;
  }

  async #save(
    record: Omit<StepRecord, "runId" | "seq" | "finishedAt">,
    alsoInTx?: (tx: StoreTx) => Promise<void>,
  ): Promise<StepRecord> {
    const saved = await this.#options.store.transaction(async (tx) => {
      await alsoInTx?.(tx);
      return tx.saveStep({ runId: this.runId, ...record });
    });
    this.#steps.set(saved.stepId, saved);
    return saved;
  }
}

function toDecision(output: JsonValue | undefined): ApprovalDecision {
  const { approved, by, comment } = (output ?? {}) as {
    approved?: boolean;
    by?: string;
    comment?: string | null;
  };
  return { approved: approved === true, by: by ?? "", comment: comment ?? undefined };
}

function unknownError(): StoredError {
  return {
    code: "CDK_WORKFLOW_STEP_FAILED",
    message: "failed (no error recorded)",
    failureClass: "business",
  };
}
