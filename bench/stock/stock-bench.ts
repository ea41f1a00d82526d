/**
 * The availability engine at catalogue scale: 100,000 SKUs x 5 channels (3 warehouses, 2 sources,
 * channel policies of every kind, 1,000 kits), in one process, no store:
 * - load: 200,000 readings applied;
 * - full recompute: every (SKU, channel) computed from scratch, then the initial publication planned
 *   and confirmed;
 * - delta: 1% of the SKUs get a new reading, then every channel is planned. The planned SKUs are
 *   checked against a from-scratch computation: exactly those whose number changed, no more, no less.
 * Peak memory is the kernel's high-water mark (`maxRSS`): the work is synchronous, so a sampling
 * timer would never fire during it. Command: `npm run bench -- stock [--skus N] [--changed P]`.
 */
import { parseArgs } from "node:util";
import { computeAvailability } from "../../src/inventory/availability.ts";
import { createInventory } from "../../src/inventory/inventory.ts";
import type { InventoryOptions } from "../../src/inventory/inventory-config.ts";
import { writeResultFile } from "../lib/bench-output.ts";
import { formatInt, markdownTable } from "../lib/table.ts";

const CHANNELS = ["shop", "amazon", "ebay", "b2b", "wholesale"];

function options(kits: number): InventoryOptions {
  const kitOptions: InventoryOptions["kits"] = {};
  for (let k = 0; k < kits; k++) {
    kitOptions[`KIT-${k}`] = {
      components: [
        { sku: `SKU-${k * 2}`, quantity: "2" },
        { sku: `SKU-${k * 2 + 1}`, quantity: "1" },
      ],
    };
  }
  return {
    sources: { odoo: { slaMs: 300_000 }, tpl: { slaMs: 3_600_000 } },
    warehouses: { WH1: { source: "odoo" }, WH2: { source: "odoo" }, TPL: { source: "tpl" } },
    channels: {
      shop: {
        warehouses: ["WH1", "WH2", "TPL"],
        sharePercent: 100,
        buffer: "2",
        freshness: "conservative",
        batchSize: 250,
      },
      amazon: {
        warehouses: ["WH1", "TPL"],
        sharePercent: 60,
        maxListed: 50,
        minListed: 3,
        freshness: "zero",
        batchSize: 500,
      },
      ebay: { warehouses: ["WH1"], sharePercent: 30, freshness: "hold", batchSize: 100 },
      b2b: {
        warehouses: ["WH1", "WH2"],
        packSizes: { "SKU-1": "12" },
        freshness: "conservative",
        batchSize: 1_000,
      },
      wholesale: {
        warehouses: ["WH2", "TPL"],
        sharePercent: 50,
        buffer: "5",
        freshness: "hold",
        batchSize: 1_000,
      },
    },
    kits: kitOptions,
    defaultSafetyStock: "1",
  };
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const maxRssMiB = () => process.resourceUsage().maxRSS / 1024;

export async function runStockBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      skus: { type: "string", default: "100000" },
      changed: { type: "string", default: "1" },
      kits: { type: "string", default: "1000" },
    },
  });
  const skus = Number(values.skus);
  const changedShare = Number(values.changed) / 100;
  const now = Date.UTC(2026, 0, 1);
  let seed = 7;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const rssStart = process.memoryUsage.rss() / 1024 / 1024;
  const inventory = createInventory(options(Number(values.kits)));
  const { state, engine, planner } = inventory;

  let t = process.hrtime.bigint();
  for (let i = 0; i < skus; i++) {
    const sku = `SKU-${i}`;
    const warehouse = i % 2 === 0 ? "WH1" : "WH2";
    state.applyLevel({
      source: "odoo",
      warehouse,
      sku,
      part: "q",
      onHand: String(Math.floor(random() * 200)),
      reserved: String(Math.floor(random() * 10)),
      observedAt: now,
    });
    state.applyLevel({
      source: "tpl",
      warehouse: "TPL",
      sku,
      onHand: String(Math.floor(random() * 100)),
      observedAt: now,
    });
  }
  const loadMs = ms(t);
  state.clearChanges(state.pendingChanges());

  engine.markAll();
  t = process.hrtime.bigint();
  planner.refresh(now);
  const fullMs = ms(t);
  const fullComputed = CHANNELS.reduce((n, c) => n + planner.pendingCount(c), 0);
  t = process.hrtime.bigint();
  for (const channel of CHANNELS) planner.confirm(channel, planner.plan(channel, now).batches.flat(), now);
  const initialPublishMs = ms(t);
  const rssAfterFull = maxRssMiB();

  // Delta: 1% of the SKUs get a new Odoo reading.
  const changed = new Set<string>();
  while (changed.size < Math.round(skus * changedShare)) changed.add(`SKU-${Math.floor(random() * skus)}`);
  const later = now + 1_000;
  t = process.hrtime.bigint();
  for (const sku of changed) {
    const i = Number(sku.slice(4));
    state.applyLevel({
      source: "odoo",
      warehouse: i % 2 === 0 ? "WH1" : "WH2",
      sku,
      part: "q",
      onHand: String(Math.floor(random() * 200)),
      reserved: "0",
      observedAt: later,
    });
  }
  const applyMs = ms(t);
  t = process.hrtime.bigint();
  const plans = CHANNELS.map((channel) => planner.plan(channel, later));
  const planMs = ms(t);
  const rssAfterDelta = maxRssMiB();

  // Check: the planned SKUs are exactly those whose number differs from what was told.
  const rows = plans.map((plan) => {
    const channel = inventory.config.channels.get(plan.channel);
    let expected = 0;
    const planned = new Set(plan.batches.flat().map((u) => u.sku));
    const candidates = new Set([
      ...changed,
      ...[...changed].flatMap((s) => inventory.config.kitsOf.get(s) ?? []),
    ]);
    for (const sku of engine.skus()) {
      if (!channel) break;
      const told = planner.told(plan.channel, sku)?.quantity;
      const now2 = computeAvailability(state, channel, sku, later, told).quantity;
      if (now2 !== told) {
        expected++;
        if (!planned.has(sku)) throw new Error(`${plan.channel}/${sku} changed but was not planned`);
        if (!candidates.has(sku)) throw new Error(`${plan.channel}/${sku} changed without a changed input`);
      }
    }
    if (expected !== plan.total)
      throw new Error(`${plan.channel}: planned ${plan.total}, expected ${expected}`);
    return { channel: plan.channel, planned: plan.total, batches: plan.batches.length, expected };
  });

  const deltaMs = applyMs + planMs;
  const result = {
    skus,
    channels: CHANNELS.length,
    kits: Number(values.kits),
    changed: changed.size,
    loadMs,
    fullMs,
    fullComputed,
    initialPublishMs,
    applyMs,
    planMs,
    deltaMs,
    deltaVsFull: deltaMs / fullMs,
    rssStartMiB: rssStart,
    maxRssAfterFullMiB: rssAfterFull,
    maxRssAfterDeltaMiB: rssAfterDelta,
    kibPerSku: ((rssAfterDelta - rssStart) * 1024) / skus,
    perChannel: rows,
    node: process.version,
  };
  console.log(
    markdownTable(
      ["phase", "ms", "what"],
      [
        ["load", loadMs.toFixed(0), `${formatInt(skus * 2)} readings applied`],
        ["full recompute", fullMs.toFixed(0), `${formatInt(fullComputed)} (SKU, channel) numbers`],
        ["initial publication", initialPublishMs.toFixed(0), "plan + confirm, all channels"],
        ["delta: apply", applyMs.toFixed(1), `${formatInt(changed.size)} new readings`],
        ["delta: plan", planMs.toFixed(1), "refresh dirty + plan, all channels"],
        [
          "delta total",
          deltaMs.toFixed(1),
          `${((100 * deltaMs) / fullMs).toFixed(2)}% of the full recompute`,
        ],
      ],
    ),
  );
  console.log(
    `\n${markdownTable(
      ["channel", "planned", "batches", "expected (from scratch)"],
      rows.map((r) => [r.channel, r.planned, r.batches, r.expected]),
    )}`,
  );
  console.log(
    `\nRSS at start ${rssStart.toFixed(0)} MiB, peak after full ${rssAfterFull.toFixed(0)} MiB, after delta ${rssAfterDelta.toFixed(0)} MiB (${result.kibPerSku.toFixed(2)} KiB per SKU over the start)`,
  );
  console.log(`results: ${writeResultFile("stock", result)}`);
}
