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
 * Every scenario runs in a fresh child process on a fresh store (new SQLite file, new PostgreSQL schema,
 * dropped after). Tables go to stdout, progress to stderr, everything to `bench/out/core-<timestamp>.json`.
 */
import { loadavg } from "node:os";
import { writeResultFile } from "../lib/bench-output.ts";
import { measureFsyncRate } from "../lib/fsync-rate.ts";
import { describeMachine } from "../lib/machine.ts";
import { makeRunDir, removeRunDir } from "./bench-stores.ts";
import { CORE_USAGE, type CoreBenchConfig, parseCoreOptions } from "./core-options.ts";
import { printCoreReport } from "./core-report.ts";
import type { AppendRecord, CoreResults, JobRecordRow } from "./core-results.ts";
import type { JobPlan } from "./core-scenarios.ts";
import { postgresSettings, sqliteVersion } from "./database-versions.ts";
import { runInChild } from "./run-in-child.ts";

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
      load: [],
      versions: { sqlite: sqliteVersion(), postgres },
      appends: [],
      jobs: [],
      durationSeconds: 0,
    };
    // The disk's sync rate drifts (a shared virtual disk): probe it before, between and after the phases.
    const probe = (at: string) => {
      results.load.push({ at, loadavg1: loadavg()[0]! });
      results.fsync.push(...fsyncProbes(runDir, at, config.quick));
    };
    probe("start");
    for (const backend of backends) {
      for (const producers of config.producers) {
        // Crossdock and its baseline back to back, so that both see the same disk weather.
        for (const design of config.baseline ? (["crossdock", "naive"] as const) : (["crossdock"] as const)) {
          const record = (await runInChild({
            kind: "append",
            config,
            backend,
            design,
            producers,
            runDir,
          })) as AppendRecord;
          reportAppend(record);
          results.appends.push(record);
        }
      }
    }
    if (config.jobs) {
      probe("after appends");
      for (const backend of backends.filter((b) => config.jobBackends.includes(b))) {
        for (const plan of jobPlans(config)) {
          const row = (await runInChild({ kind: "jobs", config, backend, plan, runDir })) as JobRecordRow;
          reportJobs(row);
          results.jobs.push(row);
        }
      }
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

function reportAppend(r: AppendRecord): void {
  progress(
    `appends  ${r.backend.padEnd(13)} ${r.design.padEnd(9)} ${String(r.producers).padStart(2)} producers: ` +
      `${Math.round(r.appendsPerSecond)}/s, p99 ${r.latency.p99Ms.toFixed(2)} ms` +
      (r.errors > 0 ? `, ${r.errors} errors (${r.firstError})` : ""),
  );
}

function reportJobs(r: JobRecordRow): void {
  progress(
    `jobs     ${r.backend.padEnd(13)} ${r.mode.padEnd(11)} x${r.instances} keys=${r.orderingKeys ?? "none"}: ` +
      `${Math.round(r.jobsPerSecond)}/s (${r.completed}/${r.jobs} in ${r.seconds.toFixed(1)} s)` +
      (r.finished ? "" : " TIMED OUT") +
      (r.failed + r.dropped > 0 ? `, ${r.failed} failed, ${r.dropped} dropped` : ""),
  );
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
