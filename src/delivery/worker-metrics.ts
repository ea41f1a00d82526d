/**
 * Hooks a worker calls as jobs move, so the app can count them (prom-client, OpenTelemetry) without the
 * worker importing either. Every hook is optional and must not throw; a throwing hook is logged and
 * ignored. Durations are read from the injected clock.
 */
import type { StoredError } from "../core/errors.ts";
import type { HubMetrics } from "../observability/metrics.ts";
import type { ClaimedJob, FailOutcome } from "../store/store.ts";

/** Why a job left the worker without a recorded outcome. */
export type DroppedReason = "lease-lost" | "store-error" | "abandoned";

export interface WorkerMetrics {
  onClaimed?(job: ClaimedJob): void;
  onCompleted?(job: ClaimedJob, durationMs: number): void;
  /** The attempt failed and the store decided what happens next (`outcome`). */
  onFailed?(job: ClaimedJob, outcome: FailOutcome, error: StoredError, durationMs: number): void;
  /** Neither completed nor failed by this worker: another worker holds it, or its lease will expire. */
  onDropped?(job: ClaimedJob, reason: DroppedReason): void;
}

/** Feeds the hub's Prometheus metrics from a worker. */
export function hubWorkerMetrics(metrics: HubMetrics): WorkerMetrics {
  return {
    onCompleted(job, durationMs) {
      metrics.jobsCompleted.inc({ target: job.target });
      metrics.jobDuration.observe({ target: job.target, outcome: "done" }, durationMs / 1_000);
    },
    onFailed(job, outcome, error, durationMs) {
      metrics.jobDuration.observe({ target: job.target, outcome: outcome.outcome }, durationMs / 1_000);
      if (outcome.outcome === "retry") metrics.jobRetries.inc({ target: job.target, code: error.code });
      else if (outcome.outcome === "exception")
        metrics.exceptions.inc({ target: job.target, code: error.code });
      else metrics.targetsPaused.inc({ target: outcome.target });
    },
  };
}
