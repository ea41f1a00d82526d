/**
 * Benchmark entry point: `node bench/run.ts <name> [options]` (or `npm run bench -- <name> [options]`).
 * Each benchmark lives in `bench/<name>/` and exports `run(argv)`; it prints its tables to stdout and
 * writes its full results to `bench/out/<name>-<timestamp>.json`. Results worth keeping go, with their
 * method, into `bench/RESULTS.md`.
 */
type BenchmarkMain = (argv: string[]) => Promise<void>;

const BENCHMARKS: Record<string, { about: string; load: () => Promise<BenchmarkMain> }> = {
  core: {
    about: "durable inbox appends, job claim+complete throughput, vs. a naive baseline (SQLite, PostgreSQL)",
    load: async () => (await import("./core/core-bench.ts")).runCoreBench,
  },
  intake: {
    about:
      "signed Shopify-style webhooks: Crossdock's durable intake vs a bare HMAC-only node:http server, c=1/16/64, plus a SIGKILL test",
    load: async () => (await import("./intake/intake-bench.ts")).runIntakeBench,
  },
  o2c: {
    about:
      "orders through the whole order-to-cash path on the sandbox landscape: orders/s, Odoo calls per order, time to confirmed",
    load: async () => (await import("./o2c/o2c-bench.ts")).runO2cBench,
  },
  odoo: {
    about:
      "sale orders created+confirmed per second and RPC calls per 100 orders in the sandbox Odoo, batched vs per-order",
    load: async () => (await import("./odoo/odoo-bench.ts")).runOdooBench,
  },
  stock: {
    about:
      "availability engine: 100,000 SKUs x 5 channels, full recompute vs a delta after 1% of SKUs change",
    load: async () => (await import("./stock/stock-bench.ts")).runStockBench,
  },
  "stock-publish": {
    about:
      "N changed SKUs to the sandbox storefront: REST inventory_levels/set per SKU vs GraphQL inventorySetQuantities per 250",
    load: async () => (await import("./stock/stock-publish-bench.ts")).runStockPublishBench,
  },
  "stock-latency": {
    about:
      "stock change in the sandbox Odoo -> sandbox storefront level through a running hub: p50/p95/max, calls",
    load: async () => (await import("./stock/stock-latency-bench.ts")).runStockLatencyBench,
  },
  x12: {
    about:
      "X12 decode+map: a streamed 100,000-SKU 846 (records/s, MB/s, peak RSS) and small 850s/s, vs node-x12",
    load: async () => (await import("./x12/x12-bench.ts")).runX12Bench,
  },
};

function usage(): string {
  const lines = Object.entries(BENCHMARKS).map(([name, b]) => `  ${name.padEnd(8)} ${b.about}`);
  return `usage: node bench/run.ts <name> [options]   (<name> --help for its options)\n${lines.join("\n")}`;
}

const [name, ...argv] = process.argv.slice(2);
const benchmark = name === undefined ? undefined : BENCHMARKS[name];
if (!benchmark) {
  console.error(
    name === undefined || name === "--help" ? usage() : `unknown benchmark "${name}"\n${usage()}`,
  );
  process.exit(name === "--help" ? 0 : 2);
}
try {
  const main = await benchmark.load();
  await main(argv);
} catch (error) {
  // A bad option is the user's mistake, not a crash: say what it was without a stack trace.
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
    console.error(`${(error as Error).message}\n(node bench/run.ts ${name} --help lists the options)`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
}
