/**
 * Undoes a failed run: calls the compensations of its completed steps in reverse completion order and
 * records each as `compensated` before the next, so an interrupted compensation resumes where it
 * stopped and never undoes a step twice.
 *
 * A compensation that fails transiently while the execution has attempts left rethrows (the job
 * retries, the replay resumes here). One that fails for good stops the walk (earlier steps may depend
 * on the later one being undone first), marks the run `failed` with both errors, and throws a business
 * error so the execution job becomes an exception record: a person fixes the cause and retries it,
 * which resumes the compensation at the step that failed.
 */
import { CrossdockError, type StoredError, toStoredError } from "../core/errors.ts";
import type { JobContext } from "../delivery/job-handler.ts";
import type { StructuredLogger } from "../delivery/structured-logger.ts";
import { canRetry } from "../store/retry-policy.ts";
import type { ClaimedJob, StepRecord, Store, WorkflowRun } from "../store/store.ts";
import type { ExecutionContext } from "./execution-context.ts";

export interface CompensationOptions {
  store: Store;
  logger: StructuredLogger;
  run: WorkflowRun;
  job: ClaimedJob;
  jobContext: JobContext;
  /** The replayed context, holding the compensations the code registered. */
  context: ExecutionContext;
  /** Why the run failed; kept on the run. */
  failure: StoredError;
}

/** The run error with a failed compensation added, and the job that must be retried to resume it. */
export function withCompensationError(
  failure: StoredError,
  stepId: string,
  error: StoredError,
  jobId: string,
): StoredError {
  return { ...failure, details: { ...failure.details, compensation: { stepId, error, jobId } } };
}

/** The run's original failure, without a compensation error added by an earlier attempt. */
export function originalFailure(error: StoredError): StoredError {
  if (!error.details || !("compensation" in error.details)) return error;
  const { compensation: _dropped, ...details } = error.details;
  return { ...error, details };
}

/** The execution job whose retry resumes a compensation that failed for good, if any. */
export function compensationJobId(error: StoredError | undefined): string | undefined {
  const compensation = error?.details?.compensation as { jobId?: unknown } | undefined;
  return typeof compensation?.jobId === "string" ? compensation.jobId : undefined;
}

export async function runCompensations(options: CompensationOptions): Promise<void> {
  const { store, run, job, jobContext, context } = options;
  const records = await store.workflows.steps(run.id);
  const toUndo = records.filter((r) => r.status === "completed").sort((a, b) => b.seq - a.seq);
  for (const record of toUndo) {
    const compensate = context.compensations.get(record.stepId);
    if (!compensate) {
      if (context.reached.has(record.stepId) || record.compensationInput === undefined) continue;
      const lost = new CrossdockError(
        "CDK_WORKFLOW_STEP_FAILED",
        `step ${record.stepId} has a compensation input but the workflow code no longer reaches it`,
        { failureClass: "config", details: { runId: run.id, stepId: record.stepId } },
      );
      await giveUp(options, record, lost.toJSON(), lost);
    }
    if (jobContext.signal.aborted) throw jobContext.signal.reason;
    try {
      await compensate?.(record.compensationInput, {
        stepId: record.stepId,
        idempotencyKey: `${run.type}:${run.key}:${record.stepId}:compensate`,
        signal: jobContext.signal,
        logger: options.logger,
      });
    } catch (error) {
      const stored = toStoredError(error);
      if (stored.failureClass === "transient" && canRetry(job.retry, job.attempt, stored.code)) throw error;
      await giveUp(options, record, stored, error);
    }
    await store.transaction((tx) =>
      tx.saveStep({
        runId: run.id,
        stepId: record.stepId,
        status: "compensated",
        output: record.output,
        compensationInput: record.compensationInput,
        error: undefined,
      }),
    );
    options.logger.info({ stepId: record.stepId }, "step compensated");
  }
}

async function giveUp(
  options: CompensationOptions,
  record: StepRecord,
  error: StoredError,
  cause: unknown,
): Promise<never> {
  const { run, job } = options;
  const runError = withCompensationError(options.failure, record.stepId, error, job.id);
  await options.store.transaction(async (tx) => {
    await tx.saveStep({
      runId: run.id,
      stepId: record.stepId,
      status: "completed",
      output: record.output,
      compensationInput: record.compensationInput,
      error,
    });
    await tx.updateWorkflow(run.id, { status: "failed", error: runError });
  });
  options.logger.error({ stepId: record.stepId, error }, "compensation failed; the run needs a person");
  throw new CrossdockError(
    "CDK_WORKFLOW_STEP_FAILED",
    `workflow ${run.type} ${run.key}: compensation of step ${record.stepId} failed: ${error.message}`,
    {
      cause,
      failureClass: "business",
      details: { runId: run.id, stepId: record.stepId, error, workflowError: options.failure },
    },
  );
}
