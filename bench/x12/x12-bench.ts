/**
 * `npm run bench -- x12`: X12 decode + map throughput and memory.
 *
 * - A generated 846 with `--skus` items (default 100,000: LIN + two QTY each) in a temp file, read as a
 *   stream in 64 KiB chunks and mapped to stock levels (Crossdock), against node-x12's `parse()` of the
 *   same file (decode only: node-x12 has no mapping to canonical records, so Crossdock also runs
 *   decode-only for a like-for-like ratio), and node-x12's own streaming parser.
 * - `--orders` small 850s (the 850 fixture, 2 lines), each decoded + mapped to an order, against
 *   node-x12 parsing the same documents.
 * Every scenario runs in a fresh child process, so its peak RSS is its own.
 */
import { execFileSync } from "node:child_process";
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { X12_MAPPERS } from "../../src/connectors/edi-x12/x12-mappers.ts";
import { createX12SetRunner } from "../../src/connectors/edi-x12/x12-set-runner.ts";
import { runX12, streamX12 } from "../../src/connectors/edi-x12/x12-stream.ts";
import { writeResultFile } from "../lib/bench-output.ts";
import { describeMachine } from "../lib/machine.ts";
import { startRssSampler } from "../lib/rss-sampler.ts";
import { formatInt, formatMiB, formatRatio, markdownTable } from "../lib/table.ts";

const SELF = fileURLToPath(import.meta.url);
const FIXTURE_850 = fileURLToPath(
  new URL("../../src/connectors/edi-x12/fixtures/850-two-lines.x12", import.meta.url),
);

interface Measured {
  scenario: string;
  documents: number;
  records: number;
  segments: number;
  bytes: number;
  ms: number;
  peakRssBytes: number;
  startRssBytes: number;
}

/** Writes an 846 with `skus` LIN loops; returns its size. */
function write846(path: string, skus: number): number {
  const head =
    "ISA*00*          *00*          *ZZ*ACME3PL        *ZZ*CROSSDOCK      *260301*0600*U*00401*000000001*0*P*>~\nGS*IB*ACME3PL*CROSSDOCK*20260301*0600*1*X*004010~\nST*846*0001~\nBIA*00*SI*INV-1*20260301*0600~\nN1*WH*Acme 3PL Reno*92*RENO~\n";
  const parts: string[] = [head];
  for (let i = 1; i <= skus; i++) {
    const sku = `SKU-${String(i).padStart(7, "0")}`;
    parts.push(
      `LIN*${i}*VP*${sku}*UP*${String(100_000_000_000 + i)}~\nQTY*17*${(i % 500) + 10}*EA~\nQTY*33*${(i % 500) + 5}*EA~\n`,
    );
  }
  parts.push(`CTT*${skus}~\nSE*${skus * 3 + 5}*0001~\nGE*1*1~\nIEA*1*000000001~\n`);
  writeFileSync(path, parts.join(""));
  return statSync(path).size;
}

type NodeX12 = {
  X12Parser: new (strict?: boolean) => NodeJS.ReadWriteStream & { parse(edi: string): unknown };
};

async function child(scenario: string, file: string, count: number): Promise<Measured> {
  const nodeX12 = createRequire(import.meta.url)("node-x12") as NodeX12;
  const bytes = statSync(file).size;
  let documents = 0;
  let records = 0;
  let segments = 0;
  const rss = startRssSampler(20);
  const started = performance.now();
  if (scenario === "846-crossdock-map" || scenario === "846-crossdock-decode") {
    const mappers = scenario === "846-crossdock-map" ? X12_MAPPERS : new Map();
    const handler = createX12SetRunner(file, { connection: "acme-3pl" }, mappers, {
      record: () => records++,
      interchangeEnd: (outcomes) => (documents += outcomes.length),
      problem: (p) => {
        throw new Error(p.message);
      },
    });
    segments = (await streamX12(file, createReadStream(file, { highWaterMark: 64 * 1024 }), handler))
      .segmentCount;
  } else if (scenario === "846-nodex12-parse") {
    const parsed = new nodeX12.X12Parser(true).parse(readFileSync(file, "utf8")) as {
      functionalGroups: { transactions: { segments: unknown[] }[] }[];
    };
    documents = parsed.functionalGroups.reduce((n, g) => n + g.transactions.length, 0);
    segments = parsed.functionalGroups[0]!.transactions[0]!.segments.length + 6;
  } else if (scenario === "846-nodex12-stream" || scenario === "846-nodex12-stream-loose") {
    await new Promise<void>((resolve, reject) => {
      const parser = new nodeX12.X12Parser(scenario === "846-nodex12-stream");
      parser.on("data", () => segments++);
      parser.on("error", reject);
      parser.on("end", resolve);
      createReadStream(file, { highWaterMark: 64 * 1024 })
        .on("error", reject)
        .pipe(parser);
    });
  } else {
    const text = readFileSync(file);
    const asString = text.toString("utf8");
    const crossdock = scenario.startsWith("850-crossdock");
    const mappers = scenario === "850-crossdock-map" ? X12_MAPPERS : new Map();
    for (let i = 0; i < count; i++) {
      if (crossdock) {
        segments += runX12(
          "po.x12",
          text,
          createX12SetRunner("po.x12", { connection: "acme-edi" }, mappers, { record: () => records++ }),
        ).segmentCount;
      } else {
        new nodeX12.X12Parser(true).parse(asString);
      }
      documents++;
    }
  }
  const ms = performance.now() - started;
  const report = rss.stop();
  const total = scenario.startsWith("850") ? bytes * count : bytes;
  return {
    scenario,
    documents,
    records,
    segments,
    bytes: total,
    ms,
    peakRssBytes: report.peakBytes,
    startRssBytes: report.startBytes,
  };
}

function inChild(scenario: string, file: string, count: number): Measured {
  const out = execFileSync(process.execPath, [SELF, "--child", scenario, file, String(count)], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return JSON.parse(out.trim().split("\n").at(-1)!) as Measured;
}

export async function runX12Bench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      skus: { type: "string", default: "100000" },
      orders: { type: "string", default: "20000" },
      quick: { type: "boolean", default: false },
    },
  });
  const skus = values.quick ? 5_000 : Number(values.skus);
  const orders = values.quick ? 500 : Number(values.orders);
  const dir = mkdtempSync(join(tmpdir(), "crossdock-x12-bench-"));
  try {
    const file = join(dir, "846-large.x12");
    const size = write846(file, skus);
    console.log(`846 with ${formatInt(skus)} SKUs: ${formatMiB(size)} MiB at ${file}`);
    const results: Measured[] = [];
    const failures: { scenario: string; reason: string }[] = [];
    for (const scenario of [
      "846-crossdock-map",
      "846-crossdock-decode",
      "846-nodex12-parse",
      "846-nodex12-stream",
      "846-nodex12-stream-loose",
    ]) {
      try {
        results.push(inChild(scenario, file, 1));
      } catch (error) {
        const stderr = String((error as { stderr?: unknown }).stderr ?? error);
        const reason = stderr.split("\n").find((line) => /Error:/.test(line)) ?? stderr.slice(0, 200);
        console.log(`${scenario} failed: ${reason}`);
        failures.push({ scenario, reason });
      }
    }
    for (const scenario of ["850-crossdock-map", "850-crossdock-decode", "850-nodex12-parse"])
      results.push(inChild(scenario, FIXTURE_850, orders));
    const base846 = results.find((r) => r.scenario === "846-nodex12-parse");
    const base850 = results.find((r) => r.scenario === "850-nodex12-parse");
    const rows = results.map((r) => {
      const base = r.scenario.startsWith("846") ? base846 : base850;
      return [
        r.scenario,
        formatInt(r.documents),
        formatInt(r.records),
        formatInt(r.segments),
        formatInt(Math.round(r.ms)),
        r.scenario.startsWith("850")
          ? formatInt(Math.round((r.documents / r.ms) * 1000))
          : formatInt(Math.round((r.records / r.ms) * 1000)),
        ((r.bytes / 1_048_576 / r.ms) * 1000).toFixed(1),
        formatMiB(r.peakRssBytes),
        base === undefined ? "-" : formatRatio(base.ms / r.ms),
      ];
    });
    console.log(
      markdownTable(
        [
          "scenario",
          "documents",
          "records",
          "segments",
          "time ms",
          "records/s (846) or docs/s (850)",
          "MB/s",
          "peak RSS MiB",
          "speed vs node-x12 parse",
        ],
        rows,
      ),
    );
    const path = writeResultFile("x12", {
      machine: describeMachine(dir),
      skus,
      orders,
      size,
      results,
      failures,
    });
    console.log(`results: ${path}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child") {
  const [scenario, file, count] = process.argv.slice(3);
  console.log(JSON.stringify(await child(scenario!, file!, Number(count))));
}
