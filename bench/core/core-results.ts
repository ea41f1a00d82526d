import type { FsyncRate } from "../lib/fsync-rate.ts";
import type { MachineInfo } from "../lib/machine.ts";
import type { RssReport } from "../lib/rss-sampler.ts";
import type { AppendLoadResult } from "./append-load.ts";
import type { Backend, CoreBenchConfig } from "./core-options.ts";
import type { PostgresSettings } from "./database-versions.ts";
import type { JobDrainResult } from "./job-drain.ts";

/** What `bench/out/core-<timestamp>.json` holds. */
export interface CoreResults {
  benchmark: "core";
  startedAt: string;
  config: CoreBenchConfig;
  machine: MachineInfo;
  /** Raw disk sync rate in the directory the SQLite files live in, probed at the start, between phases, at the end. */
  fsync: (FsyncRate & { at: string })[];
  /** 1-minute load average when each phase started and at the end: other work on the machine skews results. */
  load: { at: string; loadavg1: number }[];
  versions: { sqlite: string; postgres: PostgresSettings | undefined };
  appends: AppendRecord[];
  jobs: JobRecordRow[];
  durationSeconds: number;
}

export interface AppendRecord extends AppendLoadResult {
  backend: Backend;
  /** `crossdock`: `store.inbox.append` (group commit); `naive`: one driver transaction per message. */
  design: "crossdock" | "naive";
  rss: RssReport;
}

export interface JobRecordRow extends JobDrainResult {
  backend: Backend;
  rss: RssReport;
}
