/**
 * `npm run bench -- o2c`: orders through the whole order-to-cash path on the sandbox landscape: the hub
 * (SQLite, all roles) with `flows.order-to-cash`, the sandbox Odoo in its own process with ODOO.md's
 * costs (45 ms a call, 85 ms of work per order created and confirmed), the sandbox 3PL shipping each
 * order a second after release. Orders arrive through the REST API in a burst. Measured: orders per
 * second from the first accepted order to the last paid, Odoo RPC calls per order, and the time from
 * an order's acceptance to its sale order confirmed in Odoo (p50, p95).
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Agent, request } from "undici";
import { startSandboxWarehouse3pl } from "../../sandbox/warehouse3pl/sandbox-warehouse3pl.ts";
import { buildApp } from "../../src/app/build-app.ts";
import { loadConfig } from "../../src/app/load-config.ts";
import { createOdooClient } from "../../src/connectors/odoo/odoo-client.ts";
import { freePort } from "../../src/core/free-port.ts";
import { ORDER_TO_CASH } from "../../src/flows/order-to-cash/order-to-cash.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import { writeResultFile } from "../lib/bench-output.ts";
import { LatencyHistogram } from "../lib/latency-histogram.ts";
import { describeMachine } from "../lib/machine.ts";
import { formatMs, markdownTable } from "../lib/table.ts";

const OPTIONS = {
  orders: { type: "string", default: "200" },
  quick: { type: "boolean", default: false },
  help: { type: "boolean", default: false },
} as const;

const SECRET = `whsec_${Buffer.from("bench-o2c-callback-secret-32bytes").toString("base64")}`;
const TOUCHED = { load: 4, confirm: 5 };

export async function runO2cBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  if (values.help) return console.log("npm run bench -- o2c [--orders N (default 200)] [--quick]");
  const orders = values.quick ? 20 : Number(values.orders);
  const perCallMs = 45;
  const sandbox = {
    version: 17,
    workers: 3,
    latency: {
      perCallMs,
      perRecordMs: {
        "sale.order.load": 28 / TOUCHED.load,
        "sale.order.create": 28 / 3,
        "sale.order.action_confirm": 57 / TOUCHED.confirm,
      },
    },
  };
  const child = fork(fileURLToPath(new URL("../odoo/sandbox-child.ts", import.meta.url)), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const odooUrl = await new Promise<string>((resolve, reject) => {
    child.once("message", (m) => resolve((m as { url: string }).url));
    child.once("exit", (code) => reject(new Error(`sandbox exited ${code}`)));
    child.send(sandbox);
  });
  const dir = mkdtempSync(join(tmpdir(), "crossdock-bench-o2c-"));
  const port = await freePort();
  const hub = `http://127.0.0.1:${port}`;
  const wh = await startSandboxWarehouse3pl({
    callbackUrl: `${hub}/hooks/wms`,
    callbackSecret: SECRET,
    shipDelayMs: 1_000,
  });
  const file = join(dir, "crossdock.yaml");
  writeFileSync(
    file,
    `version: 1
store: { url: "sqlite:hub.db" }
server: { port: ${port} }
log: { level: warn }
workers: { pollIntervalMs: 20, concurrency: 400 }
connections:
  erp: { type: odoo, url: "${odooUrl}", database: crossdock, login: admin, apiKey: env:ODOO_KEY, poll: { enabled: false } }
  wms:
    type: warehouse-3pl
    url: "${wh.url}"
    token: env:WMS_TOKEN
    callbackUrl: "${hub}/hooks/wms"
    signature: { scheme: standard-webhooks, secret: env:WMS_SECRET }
flows:
  order-to-cash:
    odoo: erp
    warehouse: wms
    channels:
      shop: { prepaid: true }
`,
  );
  const app = await buildApp({
    config: await loadConfig({
      path: file,
      env: { ODOO_KEY: "sandbox-admin-key", WMS_TOKEN: wh.apiKey, WMS_SECRET: SECRET },
    }),
    logger: createSilentLogger(),
  });
  const agent = new Agent({ connections: 16 });
  const client = createOdooClient({
    url: odooUrl,
    database: "crossdock",
    login: "admin",
    apiKey: { reveal: () => "sandbox-admin-key" },
  });
  try {
    await app.start();
    const identity = await app.identities?.service.create(
      { name: "bench", scopes: ["orders:write"] },
      "bench",
    );
    const skus = (
      await client.searchRead<{ default_code: string }>(
        "product.product",
        [["default_code", "like", "FURN_%"]],
        ["default_code"],
        { limit: 5 },
      )
    ).map((p) => p.default_code);
    await (await request(`${odooUrl}/__sandbox/reset-calls`, { method: "POST" })).body.dump();
    const started = performance.now();
    const acceptedAt = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < orders) {
          const n = next++;
          const res = await request(`${hub}/api/v1/orders`, {
            method: "POST",
            dispatcher: agent,
            headers: {
              authorization: `Bearer ${identity?.apiKey}`,
              "content-type": "application/json",
              "idempotency-key": `b-${n}`,
            },
            body: JSON.stringify({
              channel: "shop",
              externalId: `B-${n}`,
              currency: "EUR",
              customer: { name: `Bench ${n}`, email: `bench-${n % 50}@example.com` },
              shipTo: { name: `Bench ${n}`, street: "Main 1", city: "Gent", countryCode: "BE" },
              lines: [
                { sku: skus[n % skus.length], quantity: "1", unitPrice: "10.00" },
                { sku: skus[(n + 1) % skus.length], quantity: "2", unitPrice: "4.00" },
              ],
            }),
          });
          await res.body.dump();
          if (res.statusCode === 202) acceptedAt.set(`shop:B-${n}`, Date.now());
        }
      }),
    );
    const deadline = Date.now() + 30 * 60_000;
    let completed = 0;
    while (Date.now() < deadline) {
      const runs = await app.store.workflows.list({ type: ORDER_TO_CASH, limit: orders + 10 });
      completed = runs.filter((r) => r.status === "completed").length;
      if (
        completed >= orders ||
        runs.filter((r) => r.status !== "running" && r.status !== "waiting").length >= orders
      )
        break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (performance.now() - started) / 1_000;
    const toConfirmed = new LatencyHistogram();
    for (const run of await app.store.workflows.list({ type: ORDER_TO_CASH, limit: orders + 10 })) {
      const created = (await app.store.workflows.steps(run.id)).find((s) => s.stepId === "create-sale-order");
      const accepted = acceptedAt.get(run.key);
      if (created && accepted) toConfirmed.record(created.finishedAt - accepted);
    }
    const calls = (await (await request(`${odooUrl}/__sandbox/calls`)).body.json()) as {
      model: string;
      method: string;
    }[];
    const byMethod = new Map<string, number>();
    for (const c of calls)
      byMethod.set(`${c.model}.${c.method}`, (byMethod.get(`${c.model}.${c.method}`) ?? 0) + 1);
    const summary = toConfirmed.summary();
    console.log(
      `\nsandbox Odoo 17: ${perCallMs} ms per call + 85 ms of work per order created and confirmed, 3 workers; 3PL ships 1 s after release`,
    );
    console.log(
      markdownTable(
        [
          "orders",
          "completed (paid)",
          "time s",
          "orders/s to paid",
          "Odoo RPC calls",
          "calls per order",
          "accepted -> confirmed in Odoo p50 / p95 ms",
        ],
        [
          [
            orders,
            completed,
            seconds.toFixed(1),
            (completed / seconds).toFixed(1),
            calls.length,
            (calls.length / orders).toFixed(2),
            `${formatMs(summary.p50Ms)} / ${formatMs(toConfirmed.percentile(95))}`,
          ],
        ],
      ),
    );
    console.log(
      `calls by method: ${[...byMethod.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
    const out = writeResultFile("o2c", {
      machine: describeMachine(process.cwd()),
      orders,
      completed,
      seconds,
      calls: calls.length,
      byMethod: Object.fromEntries(byMethod),
      toConfirmed: { ...summary, p95Ms: toConfirmed.percentile(95) },
    });
    console.log(`results: ${out}`);
  } finally {
    await app.stop();
    await agent.close();
    await client.close();
    await wh.close();
    child.send("stop");
    rmSync(dir, { recursive: true, force: true });
  }
}
