import { mkdir, rm, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { pino } from "pino";
import { request } from "undici";
import { type RecorderServer, startRecorder } from "../../sandbox/recorder/recorder-server.ts";
import { buildApp } from "../app/build-app.ts";
import { parseConfig } from "../app/load-config.ts";
import { CrossdockError } from "../core/errors.ts";
import { createLogger } from "../observability/logger.ts";
import type { CliIo, GlobalOptions } from "./cli-io.ts";
import { table } from "./format.ts";

interface DemoOptions {
  orders: string;
  port: string;
  dir: string;
  once?: boolean;
}

function demoConfig(dir: string, port: number, warehouseUrl: string): string {
  return `# Written by \`crossdock demo\`: the hub on SQLite, a storefront webhook in, a sandbox warehouse out.
version: 1
environment: dev
store:
  url: sqlite:${resolve(dir, "crossdock.db")}
server:
  port: ${port}
log:
  level: info
workers:
  concurrency: 8
  leaseMs: 10000
  pollIntervalMs: 20
retry:
  initialIntervalMs: 500
  backoffCoefficient: 2
  maximumIntervalMs: 4000
  maximumAttempts: 8
targets:
  warehouse:
    concurrency: 4
    timeoutMs: 5000
connections:
  demo-shop:
    type: webhook-json
    eventType: order.received
    keyPointer: /name
    deliverTo: [warehouse]
  warehouse:
    type: http
    url: ${warehouseUrl}
`;
}

function order(n: number): string {
  return JSON.stringify({
    id: String(5_500_000_000_000 + n),
    name: `#D${1000 + n}`,
    email: `customer${n}@example.com`,
    currency: "EUR",
    line_items: [{ sku: `SKU-${(n % 7) + 1}`, quantity: (n % 3) + 1, price: "19.90" }],
    total_price: "39.80",
  });
}

async function post(url: string, id: string, body: string): Promise<number> {
  const response = await request(url, {
    method: "POST",
    headers: { "content-type": "application/json", "webhook-id": id },
    body,
  });
  await response.body.dump();
  return response.statusCode;
}

/**
 * `crossdock demo` (what `npm start` runs): the hub on an embedded SQLite store, a sandbox warehouse
 * that honours idempotency keys, and generated storefront webhooks with the awkward parts included:
 * duplicate deliveries, a malformed body, an order the warehouse refuses, and a warehouse outage. It
 * prints live counts, then where to look next.
 */
export function registerDemoCommand(program: Command, io: CliIo, _globals: () => GlobalOptions): void {
  program
    .command("demo")
    .description("run the hub with a sandbox warehouse and generated traffic (what npm start runs)")
    .option("--orders <n>", "orders to generate", "40")
    .option("--port <port>", "HTTP port of the hub (0 = any free port)", "8080")
    .option("--dir <path>", "where the demo keeps its store and config", ".crossdock/demo")
    .option("--once", "exit when the traffic has been processed instead of running until Ctrl-C")
    .action(async (options: DemoOptions) => {
      const orders = Number(options.orders);
      const port = Number(options.port);
      if (!Number.isInteger(orders) || orders < 1 || orders > 100_000) {
        throw new CrossdockError(
          "CDK_CLI_USAGE",
          `--orders must be an integer from 1 to 100000 (got "${options.orders}")`,
        );
      }
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        throw new CrossdockError(
          "CDK_CLI_USAGE",
          `--port must be an integer from 0 to 65535 (got "${options.port}")`,
        );
      }
      const dir = resolve(io.cwd, options.dir);
      await mkdir(dir, { recursive: true });
      // Every demo run starts from an empty store, so its counts are this run's.
      for (const suffix of ["", "-wal", "-shm"])
        await rm(resolve(dir, `crossdock.db${suffix}`), { force: true });
      const warehouse: RecorderServer = await startRecorder({ rejectField: "reject" });
      const configFile = resolve(dir, "crossdock.yaml");
      const text = demoConfig(dir, port, warehouse.url);
      await writeFile(configFile, text);
      const config = parseConfig(text, { file: configFile, env: io.env });
      // The terminal shows the summary; the hub's log lines go to a file beside the store.
      const logFile = resolve(dir, "crossdock.log");
      const logger = createLogger({
        level: "info",
        destination: pino.destination({ dest: logFile, sync: false }),
      });
      const app = await buildApp({ config, logger });
      try {
        const { url } = await app.start();
        const hook = `${url}/hooks/demo-shop`;
        io.out(
          `Crossdock demo: hub on ${url}, store ${config.store.displayUrl}, sandbox warehouse on ${warehouse.url}`,
        );

        const sent = { accepted: 0, duplicates: 0, refused: 0 };
        const count = (status: number) => {
          if (status === 202) sent.accepted++;
          else if (status === 200) sent.duplicates++;
          else sent.refused++;
        };
        // A warehouse outage over the first third of the traffic: deliveries retry with back-off.
        warehouse.setOutage(true);
        for (let n = 1; n <= orders; n++) {
          if (n === Math.ceil(orders / 3)) warehouse.setOutage(false);
          count(await post(hook, `wh-${n}`, order(n)));
          if (n % 5 === 0) count(await post(hook, `wh-${n}`, order(n))); // the storefront redelivers
        }
        count(await post(hook, "wh-malformed", '{"name": "#D9999", "line_items": [ {"sku": "SKU-1", }'));
        count(await post(hook, "wh-refused", JSON.stringify({ name: "#D9998", reject: true })));
        warehouse.setOutage(false);

        const expected = orders;
        const deadline = Date.now() + 60_000;
        let last = "";
        for (;;) {
          const status = await app.store.status();
          const depth = status.queue.reduce((n, q) => n + q.ready + q.waiting + q.running, 0);
          const line = `received ${sent.accepted}, duplicates ${sent.duplicates}, delivered ${warehouse.effects.size}/${expected}, in queue ${depth}, exceptions ${status.openExceptions}`;
          if (line !== last) io.out(line);
          last = line;
          if ((depth === 0 && warehouse.effects.size >= expected) || Date.now() > deadline) break;
          await new Promise((r) => setTimeout(r, 1_000));
        }
        const exceptions = await app.store.exceptions.list({ status: "open" });
        io.out("\nExceptions waiting for a person:");
        io.out(
          table(
            ["id", "target", "code", "message"],
            exceptions.map((e) => [e.id, e.target, e.error.code, e.error.message.slice(0, 100)]),
          ),
        );
        const cli = `npm run crossdock -- --config ${configFile}`;
        io.out(`\nWhere to look next:
  ${cli} status
  ${cli} exceptions ls
  ${cli} exceptions show <id>
  tail -f ${logFile}
  curl ${url}/metrics | grep crossdock_
  curl -X POST ${hook} -H 'content-type: application/json' -H 'webhook-id: my-1' -d '{"name":"#MY1"}'`);
        if (!options.once) {
          io.out("\nThe hub keeps running; Ctrl-C stops it.");
          await (io.untilStopped?.() ?? new Promise<void>(() => {}));
        }
      } finally {
        await app.stop();
        await warehouse.close();
      }
    });
}
