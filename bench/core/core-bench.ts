/**
 * `npm run bench -- core`: the durable core's throughput, in one run, on SQLite (WAL, synchronous FULL
 * and NORMAL) and PostgreSQL.
 *
 * 1. Inbox appends/s and call-to-commit latency with 1, 16 and 64 closed-loop producers, each append a
 *    ~1 KB unique message that also gets its processing job (the store's contract).
 * 2. The naive design beside it (one driver transaction per message, same durability), as a ratio.
 * 3. Jobs claimed and completed per second by the real `createWorker` (no-op handler; 1 and 4
 *    instances), without and with ordering keys, plus a raw claim/complete loop on the port.
 * 4. Peak RSS of each scenario.
 *
 * Every scenario gets a fresh store (new SQLite file, new PostgreSQL schema, dropped after). Tables go
 * to stdout, progress to stderr, everything to `bench/out/core-<timestamp>.json`.
 */
import { writeResultFile } from "../lib/bench-output.ts";
import { forceGc } from "../lib/force-gc.ts";
import { measureFsyncRate } from "../lib/fsync-rate.ts";
import { describeMachine } from "../lib/machine.ts";
import { type RssReport, startRssSampler } from "../lib/rss-sampler.ts";
import { type AppendFn, runAppendLoad } from "./append-load.ts";
import { benchMessage } from "./bench-message.ts";
import {
  dropSchema,
  freshSchemaName,
  makeRunDir,
  openPostgresBenchStore,
  openPostgresBenchStores,
  openSqliteBenchStore,
  removeRunDir,
} from "./bench-stores.ts";
import { type Backend, CORE_USAGE, type CoreBenchConfig, parseCoreOptions } from "./core-options.ts";
import { printCoreReport } from "./core-report.ts";
import type { AppendRecord, CoreResults, JobRecordRow } from "./core-results.ts";
import { postgresSettings, sqliteVersion } from "./database-versions.ts";
import { type DrainMode, runJobDrain } from "./job-drain.ts";
import { openNaivePostgresInbox } from "./naive-postgres-inbox.ts";
import { type NaiveInbox, openNaiveSqliteInbox } from "./naive-sqlite-inbox.ts";

export async function runCoreBench(argv: string[]): Promise<void> {
  const config = parseCoreOptions(argv);
  if (config === "help") {
    console.log(CORE_USAGE);
    return;
  }
  const runDir = makeRunDir();
  const started = new Date();
  try {
    progress(`core benchmark: data in ${runDir}`);
    const postgres = config.backends.includes("postgres")
      ? await postgresSettings(config.postgresUrl).catch((error: unknown) => {
          progress(`PostgreSQL unavailable (${String(error)}); skipping it`);
          return undefined;
        })
      : undefined;
    const backends = config.backends.filter((b) => b !== "postgres" || postgres !== undefined);
    const results: CoreResults = {
      benchmark: "core",
      startedAt: started.toISOString(),
      config,
      machine: describeMachine(runDir),
      fsync: [],
      versions: { sqlite: sqliteVersion(), postgres },
      appends: [],
      jobs: [],
      durationSeconds: 0,
    };
    // The disk's sync rate drifts (a shared virtual disk): probe it before, between and after the phases.
    const probe = (at: string) => results.fsync.push(...fsyncProbes(runDir, at, config.quick));
    probe("start");
    for (const backend of backends) {
      for (const producers of config.producers) {
        results.appends.push(await appendScenario(config, backend, "crossdock", producers, runDir));
        if (config.baseline) {
          results.appends.push(await appendScenario(config, backend, "naive", producers, runDir));
        }
      }
    }
    if (config.jobs) {
      probe("after appends");
      for (const backend of backends) results.jobs.push(...(await jobScenarios(config, backend, runDir)));
    }
    probe("end");
    results.durationSeconds = (Date.now() - started.getTime()) / 1_000;
    printCoreReport(results);
    console.log(`\nfull results: ${writeResultFile("core", results, started)}`);
  } finally {
    removeRunDir(runDir);
  }
}

function fsyncProbes(dir: string, at: string, quick: boolean) {
  const durationMs = quick ? 300 : 1_000;
  const probes = (["overwrite", "append"] as const).map((mode) => ({
    at,
    ...measureFsyncRate(dir, { mode, durationMs }),
  }));
  progress(`fdatasync ${at}: ${probes.map((p) => `${Math.round(p.perSecond)}/s ${p.mode}`).join(", ")}`);
  return probes;
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Runs `fn` with a garbage-collected start and RSS sampled every 50 ms. */
async function withRss<T>(fn: () => Promise<T>): Promise<{ result: T; rss: RssReport }> {
  forceGc();
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

async function appendScenario(
  config: CoreBenchConfig,
  backend: Backend,
  design: "crossdock" | "naive",
  producers: number,
  runDir: string,
): Promise<AppendRecord> {
  const runId = runTag();
  const { result, rss } = await withRss(async () => {
    const target = await openAppendTarget(config, backend, design, runDir, runId);
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
  const record: AppendRecord = { backend, design, ...result, rss };
  progress(
    `appends  ${backend.padEnd(13)} ${design.padEnd(9)} ${String(producers).padStart(2)} producers: ` +
      `${Math.round(record.appendsPerSecond)}/s, p99 ${record.latency.p99Ms.toFixed(2)} ms` +
      (record.errors > 0 ? `, ${record.errors} errors (${record.firstError})` : ""),
  );
  return record;
}

async function openAppendTarget(
  config: CoreBenchConfig,
  backend: Backend,
  design: "crossdock" | "naive",
  runDir: string,
  runId: string,
): Promise<NaiveInbox> {
  const synchronous = backend === "sqlite-normal" ? "normal" : "full";
  if (design === "naive") {
    if (backend === "postgres") {
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
    return openNaiveSqliteInbox({ path: `${runDir}/naive-${runId}.db`, synchronous, runId });
  }
  const opened =
    backend === "postgres"
      ? await openPostgresBenchStore({ url: config.postgresUrl, poolSize: config.postgresPoolSize })
      : await openSqliteBenchStore({ dir: runDir, synchronous });
  const append: AppendFn = (producer, seq) => opened.store.inbox.append(benchMessage(runId, producer, seq));
  return { append, close: opened.dispose };
}

interface JobPlan {
  mode: DrainMode;
  instances: number;
  orderingKeys: number | undefined;
}

function jobPlans(config: CoreBenchConfig): JobPlan[] {
  const plans: JobPlan[] = [];
  for (const orderingKeys of [undefined, 1_000]) {
    for (const instances of config.workerCounts) plans.push({ mode: "worker", instances, orderingKeys });
    plans.push({ mode: "raw", instances: 1, orderingKeys });
    plans.push({ mode: "raw-batched", instances: 1, orderingKeys });
  }
  return plans;
}

async function jobScenarios(
  config: CoreBenchConfig,
  backend: Backend,
  runDir: string,
): Promise<JobRecordRow[]> {
  const rows: JobRecordRow[] = [];
  const jobs = backend === "postgres" ? config.postgresJobs : config.sqliteJobs;
  for (const plan of jobPlans(config)) {
    const { result, rss } = await withRss(async () => {
      if (backend === "postgres") {
        // Separate pools per worker instance, like separate worker processes on one database.
        const opened = await openPostgresBenchStores({
          url: config.postgresUrl,
          poolSize: config.postgresPoolSize,
          instances: plan.instances,
        });
        try {
          return await runJobDrain({ ...drainOptions(config, plan, jobs), stores: opened.stores });
        } finally {
          await opened.dispose();
        }
      }
      const opened = await openSqliteBenchStore({
        dir: runDir,
        synchronous: backend === "sqlite-normal" ? "normal" : "full",
      });
      try {
        // One process, one SQLite writer: the instances share the store.
        const stores = Array.from({ length: plan.instances }, () => opened.store);
        return await runJobDrain({ ...drainOptions(config, plan, jobs), stores });
      } finally {
        await opened.dispose();
      }
    });
    const row: JobRecordRow = { backend, ...result, rss };
    progress(
      `jobs     ${backend.padEnd(13)} ${plan.mode.padEnd(11)} x${plan.instances} keys=${plan.orderingKeys ?? "none"}: ` +
        `${Math.round(row.jobsPerSecond)}/s (${row.completed}/${row.jobs} in ${row.seconds.toFixed(1)} s)` +
        (row.finished ? "" : " TIMED OUT") +
        (row.failed + row.dropped > 0 ? `, ${row.failed} failed, ${row.dropped} dropped` : ""),
    );
    rows.push(row);
  }
  return rows;
}

function drainOptions(config: CoreBenchConfig, plan: JobPlan, jobs: number) {
  return {
    jobs,
    orderingKeys: plan.orderingKeys,
    mode: plan.mode,
    concurrency: config.workerConcurrency,
    timeoutMs: config.drainTimeoutSeconds * 1_000,
    runId: runTag(),
  };
}
