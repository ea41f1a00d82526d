import { parseArgs } from "node:util";

/** The resolved settings of one `core` run. */
export interface CoreBenchConfig {
  /** Measured seconds per append scenario. */
  seconds: number;
  /** Warm-up seconds before each append scenario's measurement. */
  warmupSeconds: number;
  producers: number[];
  /** Which stores the append scenarios run on. */
  backends: Backend[];
  /** Which stores the job scenarios run on (those of `backends` only). */
  jobBackends: Backend[];
  postgresUrl: string;
  /** Pool size of the Crossdock PostgreSQL store and of the naive pg pool alike. */
  postgresPoolSize: number;
  sqliteJobs: number;
  postgresJobs: number;
  /** `createWorker` concurrency (jobs in flight per worker instance). */
  workerConcurrency: number;
  workerCounts: number[];
  /** Give up on a job drain after this long, seconds (it is reported as incomplete). */
  drainTimeoutSeconds: number;
  /** Skip the naive baselines / the job scenarios. */
  baseline: boolean;
  jobs: boolean;
  quick: boolean;
}

export type Backend = "sqlite-full" | "sqlite-normal" | "postgres";

export const CORE_USAGE = `usage: node bench/run.ts core [options]
  --seconds N            measured seconds per append scenario (default 5; --quick: 1)
  --warmup N             warm-up seconds before each (default 1; --quick: 0.3)
  --producers 1,16,64    concurrent producers per append scenario
  --backends LIST        sqlite-full,sqlite-normal,postgres (default: all three)
  --job-backends LIST    where the job scenarios run (default sqlite-full,postgres)
  --pg-url URL           default postgres://postgres@127.0.0.1:5432/test (or CROSSDOCK_BENCH_PG_URL)
  --pg-pool N            pool size of the PostgreSQL store and of the naive baseline (default 10)
  --sqlite-jobs N        jobs pre-enqueued per SQLite job scenario (default 50000; --quick: 2000)
  --pg-jobs N            jobs pre-enqueued per PostgreSQL job scenario (default 10000; --quick: 1000)
  --workers 1,4          worker instances per job scenario
  --worker-concurrency N jobs in flight per worker (default 64)
  --drain-timeout N      seconds before a job drain is cut short (default 60)
  --no-baseline          skip the naive baselines
  --no-jobs              skip the job scenarios
  --quick                a smoke run (seconds, not minutes)`;

export function parseCoreOptions(argv: string[]): CoreBenchConfig | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: "string" },
      warmup: { type: "string" },
      producers: { type: "string" },
      backends: { type: "string" },
      "job-backends": { type: "string" },
      "pg-url": { type: "string" },
      "pg-pool": { type: "string" },
      "sqlite-jobs": { type: "string" },
      "pg-jobs": { type: "string" },
      workers: { type: "string" },
      "worker-concurrency": { type: "string" },
      "drain-timeout": { type: "string" },
      "no-baseline": { type: "boolean", default: false },
      "no-jobs": { type: "boolean", default: false },
      quick: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) return "help";
  const quick = values.quick;
  const backends = backendList(values.backends, "sqlite-full,sqlite-normal,postgres", "--backends");
  const jobBackends = backendList(values["job-backends"], "sqlite-full,postgres", "--job-backends");
  return {
    seconds: num(values.seconds, quick ? 1 : 5, "--seconds"),
    warmupSeconds: num(values.warmup, quick ? 0.3 : 1, "--warmup"),
    producers: list(values.producers, "1,16,64").map((p) => int(p, "--producers")),
    backends,
    jobBackends: jobBackends.filter((b) => backends.includes(b)),
    // The composition root is the only product code that reads the environment; a benchmark is a tool.
    postgresUrl:
      values["pg-url"] ?? process.env.CROSSDOCK_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    postgresPoolSize: int(values["pg-pool"] ?? "10", "--pg-pool"),
    sqliteJobs: int(values["sqlite-jobs"] ?? (quick ? "2000" : "50000"), "--sqlite-jobs"),
    postgresJobs: int(values["pg-jobs"] ?? (quick ? "1000" : "10000"), "--pg-jobs"),
    workerConcurrency: int(values["worker-concurrency"] ?? "64", "--worker-concurrency"),
    workerCounts: list(values.workers, "1,4").map((w) => int(w, "--workers")),
    drainTimeoutSeconds: num(values["drain-timeout"], quick ? 20 : 60, "--drain-timeout"),
    baseline: !values["no-baseline"],
    jobs: !values["no-jobs"],
    quick,
  };
}

function backendList(value: string | undefined, fallback: string, flag: string): Backend[] {
  return list(value, fallback).map((b) => {
    if (b !== "sqlite-full" && b !== "sqlite-normal" && b !== "postgres") {
      throw optionError(`${flag}: unknown backend "${b}"`);
    }
    return b;
  });
}

function list(value: string | undefined, fallback: string): string[] {
  return (value ?? fallback)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function num(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!(Number.isFinite(parsed) && parsed > 0)) throw optionError(`${flag} must be a positive number`);
  return parsed;
}

function int(value: string, flag: string): number {
  const parsed = Number(value);
  if (!(Number.isInteger(parsed) && parsed > 0)) throw optionError(`${flag} must be a positive integer`);
  return parsed;
}

/** Marked like `parseArgs`' own errors, so the runner prints it as a usage error. */
function optionError(message: string): Error {
  return Object.assign(new Error(message), { code: "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" });
}
