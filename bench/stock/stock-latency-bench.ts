/**
 * `npm run bench -- stock-latency`: time from a stock change in the sandbox Odoo to the sandbox
 * storefront's inventory level updated, through a running hub (SQLite, all roles) in near-real-time
 * mode: the odoo connection polls `stock.quant` every `--poll-ms`, the inventory loop catches up and
 * publishes every `--publish-ms`, one Shopify channel at one location on a standard-plan bucket (40
 * calls, 2 a second).
 *
 * `--changes` quant writes (default 200) on 20 SKUs, spread with exponential gaps of mean `--gap-ms`
 * (default 600 ms: Poisson arrivals, bursts included; 2 calls a second is all one shop takes), each a
 * distinct quantity so the storefront update that carries it is known. Recorded per change: write ->
 * `stock.changed` event (capture) and write -> storefront level (end to end; a change overtaken by a
 * later one of its SKU before it was published counts as delivered by that later update). The sandboxes
 * run in the hub's process, on its clock.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";
import { seededRandom } from "../../sandbox/partner-kit/sim-random.ts";
import { startSandboxStorefront } from "../../sandbox/storefront/sandbox-storefront.ts";
import { buildApp } from "../../src/app/build-app.ts";
import type { InventorySection } from "../../src/app/config-schema.ts";
import { loadConfig } from "../../src/app/load-config.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import { sleep, writeResultFile } from "../lib/bench-output.ts";
import { LatencyHistogram } from "../lib/latency-histogram.ts";
import { describeMachine } from "../lib/machine.ts";
import { formatMs, markdownTable } from "../lib/table.ts";

const OPTIONS = {
  changes: { type: "string", default: "200" },
  "gap-ms": { type: "string", default: "600" },
  "poll-ms": { type: "string", default: "500" },
  "publish-ms": { type: "string", default: "250" },
  help: { type: "boolean", default: false },
} as const;
const SKUS = Array.from({ length: 20 }, (_, i) => `SKU-${String(i + 1).padStart(5, "0")}`);
const STOCK = 8;

export async function runStockLatencyBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  if (values.help)
    return console.log(
      "npm run bench -- stock-latency [--changes 200] [--gap-ms 600] [--poll-ms 500] [--publish-ms 250]",
    );
  const [changes, gapMs, pollMs, publishMs] = [
    values.changes,
    values["gap-ms"],
    values["poll-ms"],
    values["publish-ms"],
  ].map(Number) as [number, number, number, number];
  const dir = mkdtempSync(join(tmpdir(), "crossdock-bench-stock-latency-"));
  const odoo = await startSandboxOdoo({ version: 17, products: SKUS.length });
  const shop = await startSandboxStorefront({ products: SKUS.map((sku) => ({ sku, available: 0 })) });
  const location = shop.shop.catalog.locations[0]?.id as bigint;
  const skuOfItem = new Map(shop.shop.catalog.variants.map((v) => [v.inventoryItemId, v.sku]));
  const updates: { sku: string; available: number; at: number }[] = [];
  const catalog = shop.shop.catalog;
  const setAvailable = catalog.setAvailable.bind(catalog);
  catalog.setAvailable = (item, loc, available, now) => {
    updates.push({ sku: skuOfItem.get(item) ?? "?", available, at: performance.now() });
    setAvailable(item, loc, available, now);
  };
  let productPages = 0;
  const productJson = catalog.productJson.bind(catalog);
  catalog.productJson = (variant) => {
    if (variant === catalog.variants[0]) productPages++;
    return productJson(variant);
  };
  const inventory: InventorySection = {
    publishIntervalMs: publishMs,
    sources: { erp: { slaMs: 300_000, connection: "erp", locations: { [STOCK]: "WH" } } },
    warehouses: { WH: { source: "erp" } },
    channels: { shop: { connection: "shop", location: String(location), warehouses: ["WH"] } },
  };
  const file = join(dir, "crossdock.yaml");
  writeFileSync(
    file,
    `version: 1
store: { url: "sqlite:hub.db" }
server: { port: 0 }
log: { level: warn }
connections:
  erp:
    type: odoo
    url: "${odoo.url}"
    database: crossdock
    login: admin
    apiKey: env:ODOO_KEY
    poll: { intervalMs: ${pollMs}, since: now, feeds: [stock-quants] }
  shop: { type: shopify, shopUrl: "${shop.url}", accessToken: env:SHOP_TOKEN }
inventory: ${JSON.stringify(inventory)}
`,
  );
  const loaded = await loadConfig({
    path: file,
    env: { ODOO_KEY: "sandbox-admin-key", SHOP_TOKEN: shop.accessToken },
  });
  const app = await buildApp({
    config: loaded.inventory ? loaded : { ...loaded, inventory },
    logger: createSilentLogger(),
  });
  const env = odoo.env();
  const quants = new Map(
    SKUS.map((sku) => {
      const [product] = env.search("product.product", [["default_code", "=", sku]]);
      const [quant] = env.search("stock.quant", [
        ["product_id", "=", product as number],
        ["location_id", "=", STOCK],
      ]);
      return [sku, quant as number];
    }),
  );
  const written: { sku: string; quantity: number; at: number; wall: number }[] = [];
  const random = seededRandom(7);
  try {
    await app.start();
    await app.odoo.get("erp")?.cacheReady();
    await sleep(2 * Math.max(pollMs, publishMs));
    odoo.calls.reset();
    const started = performance.now();
    for (let i = 0; i < changes; i++) {
      const sku = SKUS[i % SKUS.length] as string;
      const quantity = 1_000 + i;
      written.push({ sku, quantity, at: performance.now(), wall: Date.now() });
      env.write("stock.quant", [quants.get(sku) as number], { quantity });
      await sleep(-Math.log(1 - random()) * gapMs);
    }
    const deadline = performance.now() + 60_000;
    const last = new Map(written.map((w) => [w.sku, w.quantity]));
    while (performance.now() < deadline) {
      if ([...last].every(([sku, q]) => updates.some((u) => u.sku === sku && u.available === q))) break;
      await sleep(50);
    }
    const seconds = (performance.now() - started) / 1_000;
    const endToEnd = new LatencyHistogram();
    const capture = new LatencyHistogram();
    const samples: { i: number; sku: string; atS: number; ms: number }[] = [];
    let lost = 0;
    for (const [i, w] of written.entries()) {
      const later = new Set(
        written
          .slice(i)
          .filter((x) => x.sku === w.sku)
          .map((x) => x.quantity),
      );
      const hit = updates.find((u) => u.sku === w.sku && u.at >= w.at && later.has(u.available));
      if (hit) {
        endToEnd.record(hit.at - w.at);
        samples.push({ i, sku: w.sku, atS: (w.at - started) / 1_000, ms: hit.at - w.at });
      } else lost++;
    }
    for (const sku of SKUS) {
      for (const event of await app.store.events.readStream(`stock:${sku}`)) {
        const q = Number((event.data as { quantity: string }).quantity);
        const w = written.find((x) => x.sku === sku && x.quantity === q);
        if (w) capture.record(event.createdAt - w.wall);
      }
    }
    const odooCalls = odoo.calls.all().length;
    const setCalls = updates.filter((u) => written.some((w) => w.at <= u.at)).length;
    const row = (name: string, h: LatencyHistogram) => [
      name,
      h.count,
      formatMs(h.percentile(50)),
      formatMs(h.percentile(95)),
      formatMs(h.summary().maxMs),
    ];
    console.log(
      `\n${changes} quant changes on ${SKUS.length} SKUs over ${seconds.toFixed(1)} s (mean gap ${gapMs} ms); Odoo poll ${pollMs} ms, publish pass ${publishMs} ms`,
    );
    console.log(
      markdownTable(
        ["latency", "changes", "p50 ms", "p95 ms", "max ms"],
        [row("Odoo write -> stock.changed event", capture), row("Odoo write -> storefront level", endToEnd)],
      ),
    );
    console.log(
      markdownTable(
        ["calls", "count"],
        [
          ["Odoo RPC (all, during the run)", odooCalls],
          ["Shopify levels set (GraphQL inventorySetQuantities or REST)", setCalls],
          ...[...shop.calls].map(([route, n]): [string, number] => [`Shopify requests: ${route}`, n]),
          ["Shopify products.json pages (SKU index, whole run)", productPages],
          ["changes never delivered", lost],
        ],
      ),
    );
    const path = writeResultFile("stock-latency", {
      options: { changes, gapMs, pollMs, publishMs, skus: SKUS.length },
      seconds,
      capture: { ...capture.summary(), p95Ms: capture.percentile(95) },
      endToEnd: { ...endToEnd.summary(), p95Ms: endToEnd.percentile(95) },
      calls: {
        odoo: odooCalls,
        shopifyLevelsSet: setCalls,
        shopifyProductPages: productPages,
        shopifyRequests: Object.fromEntries(shop.calls),
      },
      slowest: samples.sort((a, b) => b.ms - a.ms).slice(0, 5),
      lost,
      machine: describeMachine(dir),
    });
    console.log(
      `slowest: ${samples
        .slice(0, 3)
        .map((x) => `#${x.i} ${x.sku} at ${x.atS.toFixed(1)} s: ${formatMs(x.ms)} ms`)
        .join("; ")}`,
    );
    console.log(`\nfull results: ${path}`);
  } finally {
    await app.stop();
    await shop.close();
    await odoo.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
