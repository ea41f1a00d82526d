/**
 * `npm run bench -- odoo`: orders created and confirmed per second in the sandbox Odoo, and RPC calls
 * per 100 orders, for Crossdock's batched path beside a per-order baseline, in one run against the same
 * simulated Odoo (its cost model below, printed with the results).
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { request } from "undici";
import { createOdooClient } from "../../src/connectors/odoo/odoo-client.ts";
import { writeResultFile } from "../lib/bench-output.ts";
import { describeMachine } from "../lib/machine.ts";
import { startRssSampler } from "../lib/rss-sampler.ts";
import { formatMiB, formatMs, formatRatio, markdownTable } from "../lib/table.ts";
import { placeOrdersBatched } from "./batched-hub.ts";
import { benchOrders } from "./bench-orders.ts";
import { placeOrdersOneByOne } from "./per-order-baseline.ts";

const OPTIONS = {
  orders: { type: "string", default: "300" },
  "per-call-ms": { type: "string", default: "45" },
  "order-ms": { type: "string", default: "20,45,85" },
  "odoo-workers": { type: "string", default: "3" },
  budget: { type: "string", default: "3" },
  "max-batch": { type: "string", default: "100" },
  "batch-concurrency": { type: "string", default: "2" },
  quick: { type: "boolean", default: false },
  help: { type: "boolean", default: false },
} as const;

const HELP = `npm run bench -- odoo [options]
  --orders N             orders per path and cost point (default 300; --quick: 40)
  --per-call-ms MS       simulated Odoo time of any call, whatever it does: dispatch, auth, transaction,
                         commit (default 45, the wall time of a cheap search_read on a loaded 2-core Odoo)
  --order-ms LIST        simulated Odoo time per sale order created and confirmed, beyond the calls'
                         own cost; one run per value (default 20,45,85); a third is spent in create/load,
                         two thirds in action_confirm, per record touched
  --odoo-workers N       calls the simulated Odoo serves at once, like its worker processes (default 3)
  --budget N             Crossdock's calls in flight to Odoo, both paths (default 3)
  --max-batch N          orders per batch on the Crossdock path (default 100)
  --batch-concurrency N  batches in flight on the Crossdock path (default 2)`;

const SANDBOX_CHILD = fileURLToPath(new URL("./sandbox-child.ts", import.meta.url));

/** Records the sandbox counts per order: load = order + 2 lines + external id, create = order + 2 lines, confirm = 5. */
const TOUCHED = { load: 4, create: 3, confirm: 5 };

interface PointResult {
  orderMs: number;
  baseline: {
    odooBusyMsPerOrder: number;
    seconds: number;
    ordersPerSecond: number;
    calls: number;
    confirmed: number;
    failed: number;
    rssPeakBytes: number;
  };
  batched: Awaited<ReturnType<typeof placeOrdersBatched>> & {
    odooBusyMsPerOrder: number;
    ordersPerSecond: number;
    calls: number;
    confirmed: number;
    rssPeakBytes: number;
  };
}

export async function runOdooBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  if (values.help) return console.log(HELP);
  const n = (name: keyof typeof values) => Number(values[name]);
  const orders = values.quick ? 40 : n("orders");
  const points = String(values["order-ms"]).split(",").map(Number);
  const results: PointResult[] = [];
  for (const orderMs of points) results.push(await runPoint(orderMs, orders, n));
  const rows = results.flatMap((r) => [
    [
      `${r.orderMs}`,
      "per-order baseline (n8n-like)",
      orders,
      r.baseline.confirmed,
      r.baseline.failed,
      formatMs(r.baseline.seconds * 1000),
      r.baseline.ordersPerSecond.toFixed(1),
      r.baseline.calls,
      ((r.baseline.calls / orders) * 100).toFixed(0),
      "-",
      r.baseline.odooBusyMsPerOrder.toFixed(1),
      formatMiB(r.baseline.rssPeakBytes),
      "1.00x",
    ],
    [
      `${r.orderMs}`,
      "Crossdock batched (jobs, SQLite)",
      orders,
      r.batched.confirmed,
      r.batched.failed,
      formatMs(r.batched.seconds * 1000),
      r.batched.ordersPerSecond.toFixed(1),
      r.batched.calls,
      ((r.batched.calls / orders) * 100).toFixed(1),
      `${formatMs(r.batched.latency.p50Ms)} / ${formatMs(r.batched.latency.p99Ms)}`,
      r.batched.odooBusyMsPerOrder.toFixed(1),
      formatMiB(r.batched.rssPeakBytes),
      formatRatio(r.batched.ordersPerSecond / r.baseline.ordersPerSecond),
    ],
  ]);
  console.log(
    `\nsandbox Odoo 17: ${n("per-call-ms")} ms per call + order-ms per order (1/3 create, 2/3 confirm), ${n("odoo-workers")} Odoo workers; budget ${n("budget")} calls in flight; batches of up to ${n("max-batch")}, ${n("batch-concurrency")} in flight`,
  );
  console.log(
    markdownTable(
      [
        "order ms",
        "path",
        "orders",
        "confirmed in Odoo",
        "failed",
        "time ms",
        "orders/s",
        "RPC calls",
        "calls per 100 orders",
        "job latency p50 / p99 ms",
        "Odoo busy ms per order",
        "peak RSS MiB",
        "vs baseline",
      ],
      rows,
    ),
  );
  for (const r of results)
    console.log(
      `order-ms ${r.orderMs}: ${r.batched.batches} batches, largest ${r.batched.largestBatch}, failed attempts ${r.batched.failedAttempts}`,
    );
  const file = writeResultFile("odoo", { machine: describeMachine(process.cwd()), options: values, results });
  console.log(`results: ${file}`);
}

async function runPoint(
  orderMs: number,
  orders: number,
  n: (name: keyof typeof OPTIONS) => number,
): Promise<PointResult> {
  const createMs = orderMs / 3;
  const confirmMs = orderMs - createMs;
  const sandboxOptions = {
    version: 17,
    products: 200,
    workers: n("odoo-workers"),
    latency: {
      perCallMs: n("per-call-ms"),
      perRecordMs: {
        "sale.order.create": createMs / TOUCHED.create,
        "sale.order.load": createMs / TOUCHED.load,
        "sale.order.action_confirm": confirmMs / TOUCHED.confirm,
      },
    },
  };
  const child = fork(SANDBOX_CHILD, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (m) => resolve((m as { url: string }).url));
    child.once("exit", (code) => reject(new Error(`sandbox exited ${code}`)));
    child.send(sandboxOptions);
  });
  const connect = (counter: { calls: number }) =>
    createOdooClient({
      url,
      database: "crossdock",
      login: "admin",
      apiKey: { reveal: () => "sandbox-admin-key" },
      maxInFlight: n("budget"),
      timeoutMs: 600_000,
      onCall: () => {
        counter.calls++;
      },
    });
  const setup = connect({ calls: 0 });
  try {
    const products = await setup.searchRead<{ id: number; default_code: string }>(
      "product.product",
      [["default_code", "like", "SKU-%"]],
      ["default_code"],
    );
    const [customer] = await setup.searchRead<{ id: number; email: string }>(
      "res.partner",
      [
        ["email", "!=", false],
        ["customer_rank", ">", 0],
      ],
      ["email"],
      { limit: 1 },
    );
    if (!customer || products.length === 0)
      throw new Error("the sandbox has no customer with an email or no SKU-* products");
    const skus = products.map((p) => p.default_code);
    const ids = {
      partnerByEmail: new Map([[customer.email, customer.id]]),
      productBySku: new Map(products.map((p) => [p.default_code, p.id])),
    };
    const confirmed = async (prefix: string) =>
      (
        await setup.searchRead(
          "sale.order",
          [
            ["client_order_ref", "=like", `${prefix}-%`],
            ["state", "=", "sale"],
          ],
          ["id"],
        )
      ).length;

    const perRecordMs = sandboxOptions.latency.perRecordMs as Record<string, number>;
    /** Odoo worker time the calls cost in the simulation: per call + per record touched (queueing excluded). */
    const odooBusyMs = async () => {
      const calls = (await (await request(`${url}/__sandbox/calls`)).body.json()) as {
        model: string;
        method: string;
        records: number;
      }[];
      await (await request(`${url}/__sandbox/reset-calls`, { method: "POST" })).body.dump();
      return calls.reduce(
        (sum, c) => sum + n("per-call-ms") + (perRecordMs[`${c.model}.${c.method}`] ?? 0) * c.records,
        0,
      );
    };
    await odooBusyMs();
    const baselineCalls = { calls: 0 };
    const baselineClient = connect(baselineCalls);
    const rssBase = startRssSampler();
    const t0 = performance.now();
    const base = await placeOrdersOneByOne(
      baselineClient,
      benchOrders(orders, `base${orderMs}`, skus, customer.email),
      n("budget"),
    );
    const baseSeconds = (performance.now() - t0) / 1_000;
    const baseRss = rssBase.stop();

    const baseBusy = await odooBusyMs();
    const hubCalls = { calls: 0 };
    const hubClient = connect(hubCalls);
    await hubClient.connect();
    hubCalls.calls = 0;
    const rssHub = startRssSampler();
    const hub = await placeOrdersBatched(
      hubClient,
      benchOrders(orders, `hub${orderMs}`, skus, customer.email),
      ids,
      {
        maxBatch: n("max-batch"),
        batchConcurrency: n("batch-concurrency"),
        timeoutMs: 600_000,
      },
    );
    const hubRss = rssHub.stop();
    const hubBusy = await odooBusyMs();
    const result: PointResult = {
      orderMs,
      baseline: {
        odooBusyMsPerOrder: baseBusy / orders,
        seconds: baseSeconds,
        ordersPerSecond: orders / baseSeconds,
        calls: baselineCalls.calls,
        confirmed: await confirmed(`base${orderMs}`),
        failed: base.failed,
        rssPeakBytes: baseRss.peakBytes,
      },
      batched: {
        ...hub,
        odooBusyMsPerOrder: hubBusy / orders,
        ordersPerSecond: hub.completed / hub.seconds,
        calls: hubCalls.calls,
        confirmed: await confirmed(`hub${orderMs}`),
        rssPeakBytes: hubRss.peakBytes,
      },
    };
    await Promise.all([baselineClient.close(), hubClient.close()]);
    return result;
  } finally {
    await setup.close();
    child.send("stop");
  }
}
