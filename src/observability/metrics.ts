import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Store } from "../store/store.ts";

/**
 * The hub's Prometheus metrics. One registry per app instance (no global default registry), so tests
 * and several apps in one process never share counters. Queue depth and open exceptions are read from
 * the store at scrape time: they are facts of the store, not of this process.
 */
export interface HubMetrics {
  readonly registry: Registry;
  readonly inboxAppends: Counter<"connection" | "result">;
  readonly jobsCompleted: Counter<"target">;
  readonly jobDuration: Histogram<"target" | "outcome">;
  readonly jobRetries: Counter<"target" | "code">;
  readonly exceptions: Counter<"target" | "code">;
  readonly targetsPaused: Counter<"target">;
}

export function createHubMetrics(store: Store, options: { defaultMetrics?: boolean } = {}): HubMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: "crossdock_process_" });

  const inboxAppends = new Counter({
    name: "crossdock_inbox_appends_total",
    help: "Inbox appends by connection and result (stored, duplicate, rejected)",
    labelNames: ["connection", "result"] as const,
    registers: [registry],
  });
  const jobsCompleted = new Counter({
    name: "crossdock_jobs_completed_total",
    help: "Jobs completed successfully, by target",
    labelNames: ["target"] as const,
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: "crossdock_job_duration_seconds",
    help: "Time from claim to outcome of one job attempt",
    labelNames: ["target", "outcome"] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [registry],
  });
  const jobRetries = new Counter({
    name: "crossdock_job_retries_total",
    help: "Failed attempts that were scheduled for a retry",
    labelNames: ["target", "code"] as const,
    registers: [registry],
  });
  const exceptions = new Counter({
    name: "crossdock_exceptions_total",
    help: "Jobs that became exception records, by target and error code",
    labelNames: ["target", "code"] as const,
    registers: [registry],
  });
  const targetsPaused = new Counter({
    name: "crossdock_targets_paused_total",
    help: "Targets paused after a configuration failure",
    labelNames: ["target"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "crossdock_queue_depth",
    help: "Jobs per target and status (read from the store at scrape time)",
    labelNames: ["target", "status"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const depth of await store.jobs.depth()) {
        for (const status of ["waiting", "ready", "running", "exception"] as const) {
          this.set({ target: depth.target, status }, depth[status]);
        }
      }
    },
  });
  new Gauge({
    name: "crossdock_exceptions_open",
    help: "Open exception records per target (read from the store at scrape time)",
    labelNames: ["target"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await store.exceptions.countOpen()) this.set({ target: row.target }, row.count);
    },
  });

  return { registry, inboxAppends, jobsCompleted, jobDuration, jobRetries, exceptions, targetsPaused };
}
