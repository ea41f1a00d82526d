/**
 * `npm run bench -- intake`: signed Shopify-style order webhooks (about 4 KB, unique ids) posted by
 * autocannon at concurrency 1, 16 and 64, to Crossdock's durable intake (SQLite, synchronous=FULL)
 * and to a bare node:http server that only verifies the HMAC, in one run; then a kill test: the hub is
 * SIGKILLed in the middle of a run and every webhook it acknowledged must be in its inbox.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import Database from "better-sqlite3";
import { writeResultFile } from "../lib/bench-output.ts";
import { describeMachine } from "../lib/machine.ts";
import { formatRatio, markdownTable } from "../lib/table.ts";
import { orderBody, shopifySignature } from "./shopify-order-body.ts";

const OPTIONS = {
  duration: { type: "string", default: "10" },
  quick: { type: "boolean", default: false },
  help: { type: "boolean", default: false },
} as const;

interface Row {
  target: string;
  connections: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  acknowledged: number;
  peakRssMiB: number;
  /** Largest size of the store's WAL file seen during the point (sampled every 50 ms); 0 for the bare server. */
  peakWalMiB: number;
}

/** Samples the size of `file` every 50 ms until stopped; returns the largest seen, in MiB. */
function watchSize(file: string): () => number {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, statSync(file).size);
    } catch {
      // not there (yet, or any more)
    }
  }, 50);
  return () => {
    clearInterval(timer);
    return Math.round((peak / 1_048_576) * 10) / 10;
  };
}

let nextId = 0;

async function load(url: string, connections: number, durationS: number, acked?: Set<string>) {
  const result = await autocannon({
    url: `${url}/hooks/shop`,
    connections,
    duration: durationS,
    method: "POST",
    requests: [
      {
        setupRequest(request: autocannon.Request, ctx: object) {
          const context = ctx as Record<string, unknown>;
          const id = String(++nextId);
          const body = orderBody(nextId);
          context.id = id;
          return {
            ...request,
            method: "POST",
            path: "/hooks/shop",
            body,
            headers: {
              "content-type": "application/json",
              "x-shopify-topic": "orders/create",
              "x-shopify-webhook-id": `bench-${process.pid}-${id}`,
              "x-shopify-hmac-sha256": shopifySignature(body),
            },
          };
        },
        onResponse(status: number, _body: string, ctx: object) {
          const context = ctx as Record<string, unknown>;
          if (acked && status >= 200 && status < 300) acked.add(`bench-${process.pid}-${String(context.id)}`);
        },
      },
    ],
  });
  return result;
}

function startChild(script: string, spec: unknown): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve({ child, url: (m as { url: string }).url }));
    child.once("exit", (code) => reject(new Error(`${script} exited ${code}`)));
    child.send(spec ?? {});
  });
}

function peakRssMiB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function stopChild(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.send("stop");
  });
}

export async function runIntakeBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  if (values.help) {
    console.log("npm run bench -- intake [--duration seconds per point (default 10)] [--quick]");
    return;
  }
  const duration = values.quick ? 3 : Number(values.duration);
  const rows: Row[] = [];
  const targets = [
    { name: "bare node:http (HMAC only, stores nothing)", script: "./bare-child.ts", spec: {} },
    {
      name: "Crossdock intake (gateway, SQLite FULL)",
      script: "./hub-child.ts",
      spec: { roles: ["gateway"] },
    },
    {
      name: "Crossdock intake, inline WAL checkpoints",
      script: "./hub-child.ts",
      spec: { roles: ["gateway"], checkpoints: "inline" },
    },
    {
      name: "Crossdock embedded (gateway + workers)",
      script: "./hub-child.ts",
      spec: { roles: ["gateway", "worker", "scheduler"] },
    },
  ];
  for (const target of targets) {
    const dir = mkdtempSync(join(tmpdir(), "crossdock-intake-"));
    const { child, url } = await startChild(target.script, { ...target.spec, dir });
    await load(url, 16, 2); // warm-up: JIT, SQLite cache, sockets
    for (const connections of [1, 16, 64]) {
      const acked = new Set<string>();
      const wal = watchSize(join(dir, "hub.db-wal"));
      const r = await load(url, connections, duration, acked);
      const peakWalMiB = wal();
      rows.push({
        target: target.name,
        connections,
        requestsPerSecond: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        errors: r.errors + r.timeouts,
        non2xx: r.non2xx,
        acknowledged: acked.size,
        peakRssMiB: peakRssMiB(child.pid),
        peakWalMiB,
      });
      console.error(
        `${target.name} c=${connections}: ${Math.round(r.requests.average)} req/s, p99 ${r.latency.p99} ms`,
      );
    }
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
  const kill = await killTest(duration);

  const bare64 =
    rows.find((r) => r.target.startsWith("bare") && r.connections === 64)?.requestsPerSecond ?? 1;
  console.log(
    markdownTable(
      [
        "server",
        "connections",
        "req/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "non-2xx",
        "peak RSS MiB",
        "peak WAL MiB",
        "vs bare at 64",
      ],
      rows.map((r) => [
        r.target,
        r.connections,
        Math.round(r.requestsPerSecond),
        r.p50,
        r.p99,
        r.errors,
        r.non2xx,
        r.peakRssMiB,
        r.target.startsWith("bare") ? "" : r.peakWalMiB,
        r.connections === 64 ? formatRatio(r.requestsPerSecond / bare64) : "",
      ]),
    ),
  );
  console.log(
    `\nkill test: ${kill.acknowledged} webhooks acknowledged before SIGKILL at ${kill.killedAfterMs} ms; ${kill.lost} of them missing from the inbox after the crash; ${kill.stored} stored in all; ${kill.orphans} stored messages behind the job cursor without a job, ${kill.pendingJobs} waiting for theirs`,
  );
  const file = writeResultFile("intake", {
    machine: describeMachine(process.cwd()),
    durationS: duration,
    rows,
    kill,
  });
  console.log(`results: ${file}`);
}

/** SIGKILLs the hub in the middle of a run; every acknowledged webhook must be in the inbox. */
async function killTest(durationS: number) {
  const dir = mkdtempSync(join(tmpdir(), "crossdock-intake-kill-"));
  const { child, url } = await startChild("./hub-child.ts", {
    dir,
    roles: ["gateway", "worker", "scheduler"],
  });
  const acked = new Set<string>();
  const killedAfterMs = Math.round((durationS * 1000) / 2);
  setTimeout(() => child.kill("SIGKILL"), killedAfterMs);
  await load(url, 16, durationS, acked);
  await new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve()),
  );
  const db = new Database(join(dir, "hub.db"), { readonly: false });
  const stored = new Set(
    (
      db.prepare("SELECT dedupe_key FROM inbox WHERE connection = 'shop'").all() as { dedupe_key: string }[]
    ).map((r) => r.dedupe_key),
  );
  // Messages behind the job cursor must each have their processing job; those past it get theirs at
  // the next claim. A message behind the cursor without a job would never be processed.
  const orphans = (
    db
      .prepare(
        `SELECT count(*) AS n FROM inbox i WHERE i.seq <= (SELECT seq FROM inbox_job_cursor WHERE id = 1)
         AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.idempotency_key = 'inbox:' || i.id)`,
      )
      .get() as { n: number }
  ).n;
  const pending = (
    db
      .prepare("SELECT count(*) AS n FROM inbox WHERE seq > (SELECT seq FROM inbox_job_cursor WHERE id = 1)")
      .get() as { n: number }
  ).n;
  db.close();
  let lost = 0;
  for (const id of acked) if (!stored.has(id)) lost++;
  rmSync(dir, { recursive: true, force: true });
  return {
    acknowledged: acked.size,
    stored: stored.size,
    lost,
    killedAfterMs,
    orphans,
    pendingJobs: pending,
  };
}
