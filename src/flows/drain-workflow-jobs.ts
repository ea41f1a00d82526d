/**
 * Runs the workflow executions that are due now, one after another, until none is left, through the
 * same job runner a worker uses (commit with completion, classified failures). It is how tests drive
 * workflows step by step with a `ManualClock`, and it is product code because users test their own
 * workflows the same way: start a run, drain, append an event or advance the clock, drain again.
 */
import type { Clock } from "../core/clock.ts";
import { createJobRunner, type JobRunResult } from "../delivery/job-runner.ts";
import { type StructuredLogger, silentLogger } from "../delivery/structured-logger.ts";
import { type ClaimedJob, type Store, WORKFLOW_TARGET } from "../store/store.ts";
import type { WorkflowEngine } from "./workflow-engine.ts";

export interface DrainWorkflowJobsOptions {
  store: Store;
  clock: Clock;
  engine: WorkflowEngine;
  logger?: StructuredLogger;
  /** Stops after this many executions, so a workflow that never settles fails the test. Default 100. */
  maxExecutions?: number;
}

export interface DrainedExecution {
  job: ClaimedJob;
  outcome: JobRunResult;
}

export async function drainWorkflowJobs(options: DrainWorkflowJobsOptions): Promise<DrainedExecution[]> {
  const leaseMs = 300_000;
  const runner = createJobRunner({
    store: options.store,
    clock: options.clock,
    logger: options.logger ?? silentLogger,
    handlers: new Map([[WORKFLOW_TARGET, options.engine.handler]]),
    leaseMs,
    timeoutFor: () => undefined,
  });
  const drained: DrainedExecution[] = [];
  const max = options.maxExecutions ?? 100;
  while (drained.length < max) {
    const [job] = await options.store.jobs.claim({
      workerId: "drain-workflow-jobs",
      targets: [WORKFLOW_TARGET],
      limit: 1,
      leaseMs,
    });
    if (!job) return drained;
    drained.push({ job, outcome: await runner.run(job) });
  }
  throw new Error(`drainWorkflowJobs: still busy after ${max} executions`);
}
