import { formatInt, formatMiB, formatMs, formatRatio, markdownTable } from "../lib/table.ts";
import type { AppendRecord, CoreResults, JobRecordRow } from "./core-results.ts";

/** The targets from the issue, for this 2-core machine. */
export const CORE_TARGETS = {
  sqliteAppendsPerSecond: 20_000,
  sqliteJobsPerSecond: 10_000,
  sqliteP99MsAt16: 10,
} as const;

export function printCoreReport(results: CoreResults): void {
  for (const section of coreReportSections(results)) console.log(`\n${section}`);
}

/** The report as Markdown sections (headings and tables), as printed and as pasted into RESULTS.md. */
export function coreReportSections(results: CoreResults): string[] {
  const m = results.machine;
  const pgv = results.versions.postgres;
  const sections = [
    [
      `## core: ${results.startedAt} (${results.durationSeconds.toFixed(0)} s)`,
      `- machine: ${m.cpuCount} x ${m.cpuModel}, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, kernel ${m.kernel}`,
      `- disk: ${m.disk}`,
      `- load average (1 min): ${results.load.map((l) => `${l.loadavg1.toFixed(2)} (${l.at})`).join(", ")}` +
        ((results.load[0]?.loadavg1 ?? 0) > m.cpuCount / 2
          ? " -- other work was running when the benchmark started: expect noise"
          : ""),
      `- fdatasync of 4 KiB, one thread: ${results.fsync.map((f) => `${formatInt(f.perSecond)}/s (${f.at}, ${f.mode})`).join(", ")}`,
      `- Node ${m.node}, SQLite ${results.versions.sqlite}` +
        (pgv
          ? `, PostgreSQL ${pgv.version} (fsync ${pgv.fsync}, synchronous_commit ${pgv.synchronousCommit}, ` +
            `wal_sync_method ${pgv.walSyncMethod}, commit_delay ${pgv.commitDelay}, shared_buffers ${pgv.sharedBuffers})`
          : ", PostgreSQL not measured"),
      `- ${results.config.seconds} s measured after ${results.config.warmupSeconds} s warm-up per append scenario` +
        (results.config.quick ? " (--quick: smoke run, numbers are not comparable)" : ""),
    ].join("\n"),
  ];
  if (results.appends.length > 0) {
    sections.push(`### Durable inbox appends\n\n${appendTable(results.appends)}`);
    const ratios = ratioTable(results.appends);
    if (ratios) sections.push(`### Crossdock vs. the naive design (same run)\n\n${ratios}`);
  }
  if (results.jobs.length > 0) sections.push(`### Jobs claimed and completed\n\n${jobTable(results.jobs)}`);
  sections.push(`### Targets (SQLite, synchronous=FULL)\n\n${targetTable(results)}`);
  return sections;
}

function appendTable(rows: AppendRecord[]): string {
  return markdownTable(
    [
      "store",
      "design",
      "producers",
      "appends/s",
      "p50 ms",
      "p99 ms",
      "max ms",
      "errors",
      "RSS start MiB",
      "peak RSS MiB",
    ],
    rows.map((r) => [
      r.backend,
      r.design,
      r.producers,
      formatInt(r.appendsPerSecond),
      formatMs(r.latency.p50Ms),
      formatMs(r.latency.p99Ms),
      formatMs(r.latency.maxMs),
      r.errors,
      formatMiB(r.rss.startBytes),
      formatMiB(r.rss.peakBytes),
    ]),
  );
}

function ratioTable(rows: AppendRecord[]): string | undefined {
  const out: (string | number)[][] = [];
  for (const r of rows) {
    if (r.design !== "crossdock") continue;
    const naive = rows.find(
      (n) => n.design === "naive" && n.backend === r.backend && n.producers === r.producers,
    );
    if (!naive) continue;
    out.push([
      r.backend,
      r.producers,
      formatInt(r.appendsPerSecond),
      formatInt(naive.appendsPerSecond),
      formatRatio(r.appendsPerSecond / Math.max(naive.appendsPerSecond, 1e-9)),
      formatMs(r.latency.p99Ms),
      formatMs(naive.latency.p99Ms),
    ]);
  }
  if (out.length === 0) return undefined;
  return markdownTable(
    ["store", "producers", "Crossdock/s", "naive/s", "throughput ratio", "Crossdock p99 ms", "naive p99 ms"],
    out,
  );
}

function jobTable(rows: JobRecordRow[]): string {
  return markdownTable(
    [
      "store",
      "ordering keys",
      "drain",
      "instances",
      "jobs",
      "seconds",
      "jobs/s",
      "enqueue/s",
      "RSS start MiB",
      "peak RSS MiB",
      "note",
    ],
    rows.map((r) => [
      r.backend,
      r.orderingKeys === undefined ? "none" : formatInt(r.orderingKeys),
      r.mode,
      r.instances,
      formatInt(r.jobs),
      r.seconds.toFixed(2),
      formatInt(r.jobsPerSecond),
      formatInt(r.enqueuedPerSecond),
      formatMiB(r.rss.startBytes),
      formatMiB(r.rss.peakBytes),
      jobNote(r),
    ]),
  );
}

function jobNote(r: JobRecordRow): string {
  const notes: string[] = [];
  if (!r.finished) notes.push(`timed out: ${formatInt(r.completed)} done`);
  if (r.failed > 0) notes.push(`${r.failed} failed`);
  if (r.dropped > 0) notes.push(`${r.dropped} dropped`);
  if (r.left > 0) notes.push(`${formatInt(r.left)} left`);
  return notes.join("; ");
}

function targetTable(results: CoreResults): string {
  const full = results.appends.filter((r) => r.backend === "sqlite-full" && r.design === "crossdock");
  const best = full.reduce<AppendRecord | undefined>(
    (a, r) => (a && a.appendsPerSecond >= r.appendsPerSecond ? a : r),
    undefined,
  );
  const at16 = full.find((r) => r.producers === 16);
  const workers = results.jobs.filter((r) => r.backend === "sqlite-full" && r.mode === "worker");
  const bestOf = (rows: JobRecordRow[]) =>
    rows.reduce<JobRecordRow | undefined>(
      (a, r) => (a && a.jobsPerSecond >= r.jobsPerSecond ? a : r),
      undefined,
    );
  const bestJobs = bestOf(workers.filter((r) => r.orderingKeys === undefined));
  const bestKeyed = bestOf(workers.filter((r) => r.orderingKeys !== undefined));
  const row = (name: string, target: string, value: number | undefined, shown: string, met: boolean) => [
    name,
    target,
    value === undefined ? "not measured" : shown,
    value === undefined ? "-" : met ? "met" : "NOT met",
  ];
  const jobRow = (name: string, r: JobRecordRow | undefined) =>
    row(
      name,
      `>= ${formatInt(CORE_TARGETS.sqliteJobsPerSecond)}`,
      r?.jobsPerSecond,
      r ? `${formatInt(r.jobsPerSecond)} (${r.instances} worker${r.instances === 1 ? "" : "s"})` : "",
      (r?.jobsPerSecond ?? 0) >= CORE_TARGETS.sqliteJobsPerSecond,
    );
  return markdownTable(
    ["target", "goal", "measured", "verdict"],
    [
      row(
        "durable appends/s (best producer count)",
        `>= ${formatInt(CORE_TARGETS.sqliteAppendsPerSecond)}`,
        best?.appendsPerSecond,
        best ? `${formatInt(best.appendsPerSecond)} (${best.producers} producers)` : "",
        (best?.appendsPerSecond ?? 0) >= CORE_TARGETS.sqliteAppendsPerSecond,
      ),
      row(
        "p99 append latency, 16 producers",
        `< ${CORE_TARGETS.sqliteP99MsAt16} ms`,
        at16?.latency.p99Ms,
        at16 ? `${formatMs(at16.latency.p99Ms)} ms` : "",
        (at16?.latency.p99Ms ?? Number.POSITIVE_INFINITY) < CORE_TARGETS.sqliteP99MsAt16,
      ),
      jobRow("jobs/s, createWorker, no ordering key", bestJobs),
      jobRow("jobs/s, createWorker, 1,000 ordering keys", bestKeyed),
    ],
  );
}
