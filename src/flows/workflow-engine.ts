/**
 * Runs durable workflows (`defineWorkflow`) on the store's job queue.
 *
 * Each execution of a run is a job on `WORKFLOW_TARGET` with the run id as ordering key, so a run
 * executes once at a time, under a lease, with the job's retry policy. `engine.handler` is that
 * target's `JobHandler`: it loads the run, calls `run(ctx, input)` from the start, and lets
 * `ExecutionContext` answer finished steps from the store. How an execution ends:
 *
 * - `run` resolves: the run is `completed` with its output, written with the job's completion.
 * - `run` waits (event, approval): the waits are registered and the run set `waiting` in the job's
 *   completion transaction; the store enqueues the next execution when the event, the decision or the
 *   deadline comes.
 * - transient failure (a step's or the code's own) with attempts left: the job fails and retries the
 *   execution; finished steps are skipped.
 * - business failure, a wait timeout nobody caught, or transient failure on the last attempt: the
 *   workflow fails. The error is kept on the run, completed steps are compensated in reverse order, the
 *   run ends `compensated` and the job completes: a failed workflow is the run's own state (listed by
 *   `workflows.list({ status })`), not a delivery exception. If a compensation fails for good the run
 *   ends `failed` and the job becomes an exception record, because then a person has to act; retrying
 *   that record resumes the compensation.
 * - a config-class error (a step's bad credentials, a duplicate step id, a non-JSON output): the job
 *   becomes an exception record and the run stays as it is, so a fix and a retry resume it without
 *   undoing anything. The class is turned to business on the job on purpose: a config failure pauses
 *   its target, and here that target is every workflow.
 *
 * A run whose type is not registered fails its job with `CDK_WORKFLOW_UNKNOWN_TYPE` (config), which
 * pauses the workflow target: this process was deployed without workflows the store has runs of.
 *
 * @example
 * const engine = createWorkflowEngine({ store, clock, workflows: [orderToCash] });
 * await store.transaction(async (tx) => {
 *   await tx.appendEvents([received]);
 *   await engine.start(tx, ORDER_TO_CASH, order.ref, { ref: order.ref });
 * });
 * const worker = createWorker({ ..., handlers: { [WORKFLOW_TARGET]: engine.handler } });
 */
import type { Clock } from "../core/clock.ts";
import { CrossdockError, isCrossdockError, type StoredError, toStoredError } from "../core/errors.ts";
import type { JobContext, JobHandler, JobOutcome } from "../delivery/job-handler.ts";
import { bindLogger, type StructuredLogger, silentLogger } from "../delivery/structured-logger.ts";
import { canRetry } from "../store/retry-policy.ts";
import type { ClaimedJob, JsonValue, Store, StoreTx, TraceContext, WorkflowRun } from "../store/store.ts";
import { compensationJobId, originalFailure, runCompensations } from "./compensation.ts";
import { ExecutionContext } from "./execution-context.ts";
import { Broken, RetryExecution, Suspend } from "./execution-interrupts.ts";
import { findNonJson } from "./json-check.ts";
import type { WorkflowDefinition } from "./workflow.ts";

export type { WorkflowDefinition } from "./workflow.ts";

export interface WorkflowEngineOptions {
  store: Store;
  clock: Clock;
  workflows: readonly WorkflowDefinition[];
  logger?: StructuredLogger;
}

export interface WorkflowEngine {
  /**
   * Starts a run of `type` for business key `key`, or returns the existing one (`created: false`); the
   * first execution is enqueued with it. Pass a `StoreTx` to start the run atomically with other writes
   * (the event that caused it), or the `Store` for a transaction of its own. Throws
   * `CDK_WORKFLOW_UNKNOWN_TYPE` before writing anything if the type is not registered here.
   */
  start(
    via: Store | StoreTx,
    type: string,
    key: string,
    input: JsonValue,
    options?: { trace?: TraceContext },
  ): Promise<{ run: WorkflowRun; created: boolean }>;
  /** The `JobHandler` for `WORKFLOW_TARGET`. */
  readonly handler: JobHandler;
  readonly types: readonly string[];
}

export function createWorkflowEngine(options: WorkflowEngineOptions): WorkflowEngine {
  const { store, clock } = options;
  const logger = options.logger ?? silentLogger;
  const definitions = new Map<string, WorkflowDefinition>();
  for (const definition of options.workflows) {
    if (definitions.has(definition.type))
      throw new RangeError(`workflow ${definition.type} registered twice`);
    definitions.set(definition.type, definition);
  }

  async function execute(job: ClaimedJob, jobContext: JobContext): Promise<JobOutcome> {
    const runId = runIdOf(job);
    const run = await store.workflows.get(runId);
    if (!run) throw new CrossdockError("CDK_WORKFLOW_NOT_FOUND", `workflow run ${runId} does not exist`);
    const log = bindLogger(logger, { runId, workflow: run.type, key: run.key, jobId: job.id });
    const done = { result: { runId, status: run.status } };
    // Executions enqueued before the run ended (a deadline, a late event) find nothing to do.
    if (run.status === "completed" || run.status === "compensated") return done;
    if (run.status === "failed" && compensationJobId(run.error) !== job.id) return done;
    const definition = definitions.get(run.type);
    if (!definition) {
      throw new CrossdockError("CDK_WORKFLOW_UNKNOWN_TYPE", `no workflow of type ${run.type} is registered`, {
        details: { runId, type: run.type },
      });
    }
    if (run.status === "waiting") {
      await store.transaction((tx) => tx.updateWorkflow(runId, { status: "running" }));
    }

    const failing = run.error !== undefined;
    const context = new ExecutionContext({
      store,
      clock,
      logger: log,
      run,
      job,
      jobContext,
      steps: await store.workflows.steps(runId),
      replayOnly: failing,
    });
    let settled: { ok: true; value: unknown } | { ok: false; error: unknown };
    try {
      settled = { ok: true, value: await definition.run(context, run.input) };
    } catch (error) {
      settled = { ok: false, error };
    }
    await context.idle();

    const interrupt = context.interrupt;
    if (interrupt instanceof Broken) throw needsPerson(interrupt.error, run);
    if (interrupt instanceof RetryExecution) throw interrupt.error;
    if (run.error !== undefined)
      return compensate(run, originalFailure(run.error), job, jobContext, context, log);
    if (interrupt instanceof Suspend) return suspend(run, context, log);
    if (settled.ok) {
      const bad = settled.value === undefined ? undefined : findNonJson(settled.value);
      if (bad !== undefined) {
        throw needsPerson(
          new CrossdockError("CDK_WORKFLOW_STEP_FAILED", `workflow output is not JSON at ${bad}`, {
            failureClass: "config",
          }),
          run,
        );
      }
      const output = settled.value as JsonValue | undefined;
      log.info({}, "workflow completed");
      return {
        result: { runId, status: "completed" },
        commit: (tx) =>
          tx.updateWorkflow(runId, { status: "completed", ...(output === undefined ? {} : { output }) }),
      };
    }

    const failure = toStoredError(settled.error);
    if (failure.failureClass === "config") throw needsPerson(settled.error, run);
    if (failure.failureClass === "transient" && canRetry(job.retry, job.attempt, failure.code)) {
      throw settled.error;
    }
    log.warn({ error: failure }, "workflow failed; compensating");
    // Recorded first: an execution interrupted from here on resumes the compensation, not the workflow.
    await store.transaction((tx) => tx.updateWorkflow(runId, { status: "running", error: failure }));
    return compensate(run, failure, job, jobContext, context, log);
  }

  async function compensate(
    run: WorkflowRun,
    failure: StoredError,
    job: ClaimedJob,
    jobContext: JobContext,
    context: ExecutionContext,
    log: StructuredLogger,
  ): Promise<JobOutcome> {
    await runCompensations({ store, logger: log, run, job, jobContext, context, failure });
    log.info({ error: failure }, "workflow compensated");
    return {
      result: { runId: run.id, status: "compensated" },
      commit: (tx) => tx.updateWorkflow(run.id, { status: "compensated", error: failure }),
    };
  }

  function suspend(run: WorkflowRun, context: ExecutionContext, log: StructuredLogger): JobOutcome {
    const waits = context.pendingWaits.map((w) => w.waitId);
    const approvals = context.pendingApprovals.map((a) => a.stepId);
    log.debug({ waits, approvals }, "workflow waiting");
    return {
      result: { runId: run.id, status: "waiting" },
      async commit(tx) {
        for (const wait of context.pendingWaits) await tx.addEventWait(wait);
        for (const approval of context.pendingApprovals) await tx.createApproval(approval);
        await tx.updateWorkflow(run.id, { status: "waiting" });
      },
    };
  }

  return {
    types: [...definitions.keys()],
    handler: execute,
    async start(via, type, key, input, startOptions = {}) {
      if (!definitions.has(type)) {
        throw new CrossdockError("CDK_WORKFLOW_UNKNOWN_TYPE", `no workflow of type ${type} is registered`, {
          details: { type, known: [...definitions.keys()] },
        });
      }
      const begin = (tx: StoreTx) =>
        tx.startWorkflow({ type, key, input, ...(startOptions.trace ? { trace: startOptions.trace } : {}) });
      return "transaction" in via ? via.transaction(begin) : begin(via);
    },
  };
}

/** The run an execution job is for: `payload.runId`, else its ordering key (which is the run id). */
function runIdOf(job: ClaimedJob): string {
  const fromPayload = (job.payload as { runId?: unknown } | null)?.runId;
  const runId = typeof fromPayload === "string" ? fromPayload : job.orderingKey;
  if (runId === undefined) {
    throw new CrossdockError("CDK_WORKFLOW_NOT_FOUND", `workflow job ${job.id} names no run`, {
      details: { jobId: job.id },
    });
  }
  return runId;
}

/**
 * A config-class failure inside one run, as a business error on its job: an exception record for a
 * person, instead of a pause of the target every workflow shares. The original class is kept in details.
 */
function needsPerson(error: unknown, run: WorkflowRun): CrossdockError {
  const stored = toStoredError(error);
  return new CrossdockError(
    isCrossdockError(error) ? error.code : "CDK_WORKFLOW_STEP_FAILED",
    `workflow ${run.type} ${run.key}: ${stored.message}`,
    {
      cause: error,
      failureClass: "business",
      details: { ...stored.details, runId: run.id, failureClass: stored.failureClass },
    },
  );
}
