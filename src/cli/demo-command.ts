import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { pino } from "pino";
import { buildApp } from "../app/build-app.ts";
import { loadConfig } from "../app/load-config.ts";
import { CrossdockError } from "../core/errors.ts";
import { createLogger } from "../observability/logger.ts";
import type { CliIo, GlobalOptions } from "./cli-io.ts";
import { DEMO_SHOP, type DemoLandscape, startDemoLandscape } from "./demo-landscape.ts";
import {
  type DemoCounts,
  FULL_PLAN,
  odooBaseline,
  QUICK_PLAN,
  readCounts,
  runTraffic,
  summaryLine,
  type TrafficPlan,
} from "./demo-traffic.ts";
import { table } from "./format.ts";

interface DemoOptions {
  port: string;
  dir: string;
  quick?: boolean;
  once?: boolean;
}

/** How often the summary line is printed, and how long the flow may take after the last order. */
const SUMMARY_EVERY_MS = 2_000;
const SETTLE_MS = { full: 120_000, quick: 45_000 };

function usage(message: string): CrossdockError {
  return new CrossdockError("CDK_CLI_USAGE", message);
}

/** Every valid order has finished its run (or the deadline passed) and nothing is left in the queues. */
function settled(c: DemoCounts, validOrders: number): boolean {
  return c.received >= validOrders && c.finished >= c.received && c.queued === 0;
}

function nextSteps(landscape: DemoLandscape, url: string, logFile: string): string {
  const cli = `npm run crossdock -- --config ${landscape.configFile}`;
  return `
Where to look next (the hub keeps running):
  ${cli} status                  queues, exceptions, paused targets
  ${cli} exceptions ls           the malformed order, with its located reason
  ${cli} exceptions show <id>
  cat ${landscape.configFile}     the generated config (order-to-cash on)
  curl ${url}/api/v1/openapi.json     the REST API (create a key: ${cli} identities create ...)
  curl ${url}/metrics | grep crossdock_
  tail -f ${logFile}
  sandbox Odoo ${landscape.odoo.url} (db crossdock), storefront ${landscape.storefront.url}, 3PL ${landscape.warehouse.url}`;
}

/**
 * `crossdock demo` (what `npm start` runs): the hub on SQLite under `.crossdock/demo/` with the sandbox
 * Odoo, storefront and 3PL started in-process, `flows.order-to-cash` on by the generated config, and
 * storefront traffic with duplicates, a malformed order, partial shipments and a 3PL outage. Prints a
 * summary line every 2 s, then where to look next; the hub keeps running until Ctrl-C (`--once`: exit).
 */
export function registerDemoCommand(program: Command, io: CliIo, _globals: () => GlobalOptions): void {
  program
    .command("demo")
    .description("run the hub with the sandbox Odoo, storefront and 3PL, and generated orders (npm start)")
    .option("--port <port>", "HTTP port of the hub (0 = any free port)", "8080")
    .option("--dir <path>", "where the demo keeps its store, config and log", ".crossdock/demo")
    .option("--quick", "a short run: 5 orders, no wait longer than a few seconds")
    .option("--once", "exit when the traffic has been processed instead of running until Ctrl-C")
    .action(async (options: DemoOptions) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535)
        throw usage(`--port must be an integer from 0 to 65535 (got "${options.port}")`);
      const plan: TrafficPlan = options.quick ? QUICK_PLAN : FULL_PLAN;
      const dir = resolve(io.cwd, options.dir);
      const landscape = await startDemoLandscape({
        dir,
        port,
        odooLatencyMs: 30,
        shipDelayMs: options.quick ? 1_000 : 5_000,
        webhookRetryMs: options.quick ? 500 : 2_000,
        duplicateRate: 0.25,
      });
      // The terminal shows the summary; the hub's log lines go to a file beside the store.
      const logFile = resolve(dir, "crossdock.log");
      const logger = createLogger({
        level: "info",
        destination: pino.destination({ dest: logFile, sync: false }),
      });
      let app: Awaited<ReturnType<typeof buildApp>> | undefined;
      const stopTraffic = new AbortController();
      try {
        const config = await loadConfig({ path: landscape.configFile, env: io.env });
        app = await buildApp({ config, logger });
        const { url = landscape.hubUrl } = await app.start();
        const started = Date.now();
        io.out(`Crossdock demo: hub on ${url}, store ${config.store.displayUrl}
  sandbox Odoo on ${landscape.odoo.url} (30 ms a call), storefront on ${landscape.storefront.url}, 3PL on ${landscape.warehouse.url}
  config ${landscape.configFile}
  ${plan.orders} storefront orders over ${plan.windowMs / 1000} s (some delivered twice), one malformed, ${plan.partialShipments} shipped in two parts, ${plan.cancellations} cancelled by the customer, a 3PL outage of ${plan.outageMs / 1000} s\n`);
        const baseline = odooBaseline(landscape);
        const running = app;
        let counts = await readCounts(running, landscape, baseline);
        const print = () => io.out(summaryLine(Date.now() - started, counts));
        const traffic = runTraffic(plan, landscape, stopTraffic.signal);
        let trafficDone = false;
        void traffic.then(() => {
          trafficDone = true;
        });
        const settleBy = () => (options.quick ? SETTLE_MS.quick : SETTLE_MS.full);
        let deadline = Number.POSITIVE_INFINITY;
        for (;;) {
          await sleep(SUMMARY_EVERY_MS);
          counts = await readCounts(running, landscape, baseline);
          print();
          if (trafficDone && deadline === Number.POSITIVE_INFINITY) deadline = Date.now() + settleBy();
          const expected = plan.orders + plan.cancellations;
          if (trafficDone && (settled(counts, expected) || Date.now() > deadline)) break;
        }
        const log = await traffic;
        if (counts.maxPerOrder > 1) io.out(`WARNING: an order is in Odoo ${counts.maxPerOrder} times`);
        if (!settled(counts, plan.orders + plan.cancellations))
          io.out(
            `Not everything finished within ${settleBy() / 1000} s of the last order; see status below.`,
          );
        const exceptions = await running.store.exceptions.list({ status: "open" });
        io.out(
          `\nTraffic done: ${log.placed.length + log.cancelled.length} orders placed in the storefront, ${log.cancelled.length} of them cancelled by the customer (+1 malformed, id ${log.malformedId ?? "?"}).`,
        );
        const copies = (attempts: readonly { duplicate: boolean }[]) =>
          attempts.filter((a) => a.duplicate).length;
        io.out(
          `Duplicate deliveries sent: ${copies(landscape.storefront.deliveries.attempts)} by the storefront, ${copies(landscape.warehouse.callbacks.attempts)} by the 3PL (each order still in Odoo once: at most ${counts.maxPerOrder} per order).`,
        );
        io.out("Exceptions waiting for a person:");
        io.out(
          table(
            ["id", "target", "code", "message"],
            // The reason matters here, not which message and connection (exceptions show has those).
            exceptions.map((e) => [
              e.id,
              e.target,
              e.error.code,
              e.error.message.replace(/^message \S+ \([^)]*\): /, "").slice(0, 160),
            ]),
          ),
        );
        io.out(nextSteps(landscape, url, logFile));
        io.out(
          `\nWebhooks go to ${url}/hooks/${DEMO_SHOP}; place more orders: curl -X POST ${landscape.storefront.url}/__sandbox/orders -d '{"n": 3}'`,
        );
        if (!options.once) {
          io.out("The hub keeps running; Ctrl-C stops it.");
          await (io.untilStopped?.() ?? new Promise<void>(() => {}));
        }
      } finally {
        stopTraffic.abort();
        await app?.stop();
        await landscape.close();
        logger.flush?.();
      }
    });
}
