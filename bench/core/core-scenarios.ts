/**
 * The scenarios of the core benchmark, each run in a fresh child process (`scenario-process.ts`) so
 * that its peak RSS is its own, not the heap left behind by the scenarios before it.
 */
import { type RssReport, startRssSampler } from "../lib/rss-sampler.ts";
import { type AppendFn, runAppendLoad } from "./append-load.ts";
import { benchMessage } from "./bench-message.ts";
import {
  dropSchema,
  freshSchemaName,
  openPostgresBenchStore,
  openPostgresBenchStores,
  openSqliteBenchStore,
} from "./bench-stores.ts";
import type { Backend, CoreBenchConfig } from "./core-options.ts";
import type { AppendRecord, JobRecordRow } from "./core-results.ts";
import { type DrainMode, runJobDrain } from "./job-drain.ts";
import { openNaivePostgresInbox } from "./naive-postgres-inbox.ts";
import { type NaiveInbox, openNaiveSqliteInbox } from "./naive-sqlite-inbox.ts";

export interface JobPlan {
  mode: DrainMode;
  instances: number;
  orderingKeys: number | undefined;
}

export type ScenarioSpec =
  | {
      kind: "append";
      config: CoreBenchConfig;
      backend: Backend;
      design: "crossdock" | "naive";
      producers: number;
      runDir: string;
    }
  | { kind: "jobs"; config: CoreBenchConfig; backend: Backend; plan: JobPlan; runDir: string };

export type ScenarioResult = AppendRecord | JobRecordRow;

export function runScenario(spec: ScenarioSpec): Promise<ScenarioResult> {
  return spec.kind === "append" ? appendScenario(spec) : jobScenario(spec);
}

/** Runs `fn` with the process's RSS sampled every 50 ms. */
async function withRss<T>(fn: () => Promise<T>): Promise<{ result: T; rss: RssReport }> {
  const sampler = startRssSampler(50);
  try {
    const result = await fn();
    return { result, rss: sampler.stop() };
  } catch (error) {
    sampler.stop();
    throw error;
  }
}

function runTag(): string {
  return Math.random().toString(36).slice(2, 10);
}

async function appendScenario(spec: Extract<ScenarioSpec, { kind: "append" }>): Promise<AppendRecord> {
  const { config, backend, design, producers } = spec;
  const runId = runTag();
  const { result, rss } = await withRss(async () => {
    const target = await openAppendTarget(spec, runId);
    try {
      return await runAppendLoad({
        producers,
        warmupMs: config.warmupSeconds * 1_000,
        durationMs: config.seconds * 1_000,
        append: target.append,
      });
    } finally {
      await target.close();
    }
  });
  return { backend, design, ...result, rss };
}

async function openAppendTarget(
  spec: Extract<ScenarioSpec, { kind: "append" }>,
  runId: string,
): Promise<NaiveInbox> {
  const { config, backend, runDir } = spec;
  const synchronous = backend === "sqlite-normal" ? "normal" : "full";
  if (spec.design === "naive") {
    if (backend !== "postgres") {
      return openNaiveSqliteInbox({ path: `${runDir}/naive-${runId}.db`, synchronous, runId });
    }
    const schema = freshSchemaName("cdk_naive");
    const inbox = await openNaivePostgresInbox({
      url: config.postgresUrl,
      schema,
      poolSize: config.postgresPoolSize,
      runId,
    });
    return {
      append: inbox.append,
      close: async () => {
        await inbox.close();
        await dropSchema(config.postgresUrl, schema);
      },
    };
  }
  const opened =
    backend === "postgres"
      ? await openPostgresBenchStore({ url: config.postgresUrl, poolSize: config.postgresPoolSize })
      : await openSqliteBenchStore({ dir: runDir, synchronous });
  const append: AppendFn = (producer, seq) => opened.store.inbox.append(benchMessage(runId, producer, seq));
  return { append, close: opened.dispose };
}

async function jobScenario(spec: Extract<ScenarioSpec, { kind: "jobs" }>): Promise<JobRecordRow> {
  const { config, backend, plan } = spec;
  const drain = {
    jobs: backend === "postgres" ? config.postgresJobs : config.sqliteJobs,
    orderingKeys: plan.orderingKeys,
    mode: plan.mode,
    concurrency: config.workerConcurrency,
    timeoutMs: config.drainTimeoutSeconds * 1_000,
    runId: runTag(),
  };
  const { result, rss } = await withRss(async () => {
    if (backend === "postgres") {
      // Separate pools per worker instance, like separate worker processes on one database.
      const opened = await openPostgresBenchStores({
        url: config.postgresUrl,
        poolSize: config.postgresPoolSize,
        instances: plan.instances,
      });
      try {
        return await runJobDrain({ ...drain, stores: opened.stores });
      } finally {
        await opened.dispose();
      }
    }
    const opened = await openSqliteBenchStore({
      dir: spec.runDir,
      synchronous: backend === "sqlite-normal" ? "normal" : "full",
    });
    try {
      // One process, one SQLite writer: the instances share the store.
      return await runJobDrain({
        ...drain,
        stores: Array.from({ length: plan.instances }, () => opened.store),
      });
    } finally {
      await opened.dispose();
    }
  });
  return { backend, ...result, rss };
}
