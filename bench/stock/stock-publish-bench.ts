/**
 * Publishing N changed SKUs to the sandbox storefront: the REST port (`inventory_levels/set`, one call
 * a SKU) against the GraphQL port (`inventorySetQuantities`, one call per 250 SKUs), in one run, on the
 * same shop and the hub's own clients. The shop keeps Shopify's standard-plan limits (REST: 40 calls
 * leaking 2 a second; GraphQL: 1,000 points restoring 50 a second) on a manual clock that the clients'
 * waits advance, so a run reports both the wall time (HTTP on loopback, JSON, the sandbox's work) and
 * the time the shop's limits would have made it wait, without waiting it.
 * Command: `npm run bench -- stock-publish [--skus 2000] [--runs 3] [--batch 250]`.
 */
import { parseArgs } from "node:util";
import { startSandboxStorefront } from "../../sandbox/storefront/sandbox-storefront.ts";
import { createShopifyChannelStock } from "../../src/connectors/shopify/shopify-channel-stock.ts";
import { createShopifyGraphqlChannelStock } from "../../src/connectors/shopify/shopify-graphql-channel-stock.ts";
import { createShopifyGraphqlClient } from "../../src/connectors/shopify/shopify-graphql-client.ts";
import { createShopifyInventoryClient } from "../../src/connectors/shopify/shopify-inventory-client.ts";
import { createShopifySkuIndex } from "../../src/connectors/shopify/shopify-sku-index.ts";
import { ManualClock } from "../../src/core/clock.ts";
import type { ChannelStockPort } from "../../src/inventory/channel-stock-port.ts";
import type { StockUpdate } from "../../src/inventory/publication-planner.ts";
import { writeResultFile } from "../lib/bench-output.ts";
import { describeMachine } from "../lib/machine.ts";
import { formatInt, markdownTable } from "../lib/table.ts";

interface Measured {
  api: string;
  wallMs: number;
  waitedMs: number;
  calls: number;
  accepted: number;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export async function runStockPublishBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      skus: { type: "string", default: "2000" },
      runs: { type: "string", default: "3" },
      batch: { type: "string", default: "250" },
    },
  });
  const skus = Number(values.skus);
  const runs = Number(values.runs);
  const batch = Number(values.batch);
  const clock = new ManualClock();
  const sleep = async (ms: number) => clock.advance(ms);
  const timers = {
    setTimeout: (fn: () => void, ms: number) => {
      clock.advance(ms);
      return setImmediate(fn);
    },
    clearTimeout: (handle: unknown) => clearImmediate(handle as NodeJS.Immediate),
  };
  const store = await startSandboxStorefront({
    clock,
    products: Array.from({ length: skus }, (_, i) => ({ sku: `SKU-${i}`, available: 0 })),
    rateLimit: { size: 40, leakPerSecond: 2 },
    graphqlCost: { maximumAvailable: 1_000, restoreRate: 50 },
  });
  const common = {
    shopUrl: store.url,
    accessToken: { reveal: () => store.accessToken },
    apiVersion: "2024-10",
    clock,
  };
  const rest = createShopifyInventoryClient({ ...common, sleep });
  const graphql = createShopifyGraphqlClient({ ...common, timers });
  const index = createShopifySkuIndex({ ...common, sleep, sharedBucket: () => rest.bucket() });
  const locationId = String(store.shop.catalog.locations[0]?.id);
  const ports: Record<string, ChannelStockPort> = {
    rest: createShopifyChannelStock({ index, client: rest, locationId }),
    graphql: createShopifyGraphqlChannelStock({ index, client: graphql, locationId }),
  };
  const totalCalls = () => [...store.calls.values()].reduce((a, b) => a + b, 0);
  await index.resolve(["SKU-0"]); // the catalogue read once, before any measure
  const indexCalls = totalCalls();

  const results: Measured[] = [];
  let quantity = 0;
  for (let run = 0; run < runs; run++) {
    for (const api of ["rest", "graphql"]) {
      clock.advance(3_600_000); // both buckets full again
      quantity++;
      const updates = Array.from({ length: skus }, (_, i) => ({ sku: `SKU-${i}`, quantity: quantity + i }));
      const calls = totalCalls();
      const from = clock.now();
      const start = performance.now();
      let accepted = 0;
      for (let at = 0; at < skus; at += batch) {
        const result = await (ports[api] as ChannelStockPort).publish(
          "shop",
          updates.slice(at, at + batch) as StockUpdate[],
        );
        accepted += result.accepted.length;
      }
      const wallMs = performance.now() - start;
      const wrong = updates.filter(
        (u) =>
          store.shop.catalog.available(
            store.shop.catalog.bySku(u.sku)?.inventoryItemId ?? 0n,
            BigInt(locationId),
          ) !== u.quantity,
      );
      if (accepted !== skus || wrong.length > 0)
        throw new Error(
          `${api}: ${accepted} accepted, ${wrong.length} levels wrong (first ${wrong[0]?.sku})`,
        );
      results.push({ api, wallMs, waitedMs: clock.now() - from, calls: totalCalls() - calls, accepted });
    }
  }
  await Promise.all([rest.close(), graphql.close(), index.close(), store.close()]);

  const summary = (api: string) => {
    const mine = results.filter((r) => r.api === api);
    return {
      api,
      wallMs: median(mine.map((r) => r.wallMs)),
      wallMsRuns: mine.map((r) => Math.round(r.wallMs)),
      waitedMs: median(mine.map((r) => r.waitedMs)),
      calls: median(mine.map((r) => r.calls)),
    };
  };
  const restSummary = summary("rest");
  const graphqlSummary = summary("graphql");
  const callsByRoute = Object.fromEntries(store.calls);
  console.log(
    markdownTable(
      ["api", "SKUs", "HTTP calls", "wall ms (median)", "wall ms per run", "waited for the shop's limit"],
      [restSummary, graphqlSummary].map((s) => [
        s.api,
        formatInt(skus),
        formatInt(s.calls),
        formatInt(Math.round(s.wallMs)),
        s.wallMsRuns.join(", "),
        `${(s.waitedMs / 1_000).toFixed(1)} s`,
      ]),
    ),
  );
  const ratio = {
    calls: restSummary.calls / graphqlSummary.calls,
    wall: restSummary.wallMs / graphqlSummary.wallMs,
    withLimits:
      (restSummary.wallMs + restSummary.waitedMs) / (graphqlSummary.wallMs + graphqlSummary.waitedMs),
  };
  console.log(
    `\nREST / GraphQL: ${ratio.calls.toFixed(0)}x the calls, ${ratio.wall.toFixed(1)}x the wall time, ` +
      `${ratio.withLimits.toFixed(0)}x with the standard plan's waits; catalogue read before: ${indexCalls} calls`,
  );
  console.log(
    `results: ${writeResultFile("stock-publish", {
      skus,
      runs,
      batch,
      rest: restSummary,
      graphql: graphqlSummary,
      ratio,
      runsMeasured: results,
      callsByRoute,
      machine: describeMachine(process.cwd()),
    })}`,
  );
}
