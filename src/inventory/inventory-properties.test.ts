/**
 * Property tests of the whole engine (state, incremental index, planner), against an independent
 * oracle written here in plain numbers from the documented rules. Each seed draws a channel policy
 * and a few thousand random steps: readings (some late, some from a non-authoritative source), source
 * outages and recoveries, time passing, orders, confirmations, cancellations, and publication passes
 * where the channel accepts or fails each batch. Checked at every pass:
 * - safety: no channel is told a number above what its policy allows at that moment (the oracle,
 *   taking staleness into account), and the incremental index equals the oracle for every SKU;
 * - delta: only numbers that differ from what the channel was told are planned.
 * After the run, sources recover and every channel converges to the oracle's number for every SKU.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { FreshnessPolicy, InventoryOptions } from "./inventory-config.ts";
import { createTestInventory, MINUTE, T0 } from "./inventory-test-fixture.ts";

/** mulberry32: a small seeded generator, enough for test data. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)] as T;
  return { next, int, pick };
}

const SKUS = ["A", "B", "C", "D", "E"];
const KIT = {
  sku: "K",
  parts: [
    { sku: "A", qty: 2 },
    { sku: "B", qty: 1 },
  ],
};
const SOURCES = { odoo: { slaMs: 5 * MINUTE }, tpl: { slaMs: 20 * MINUTE } } as const;
type Source = keyof typeof SOURCES;
const WAREHOUSES: Record<string, Source> = { WH: "odoo", TPL: "tpl" };

interface Reading {
  source: Source;
  warehouse: string;
  onHand: number;
  reserved: number;
  observedAt: number;
}
interface Order {
  lines: { sku: string; qty: number }[];
  confirmedAt?: number;
  released: Set<string>;
}

function optionsFor(r: ReturnType<typeof rng>): InventoryOptions {
  const policy = (): FreshnessPolicy => r.pick(["hold", "conservative", "zero"] as const);
  return {
    sources: { ...SOURCES },
    warehouses: { WH: { source: "odoo" }, TPL: { source: "tpl" } },
    channels: {
      web: {
        warehouses: ["WH", "TPL"],
        freshness: policy(),
        sharePercent: r.pick([100, 80, 50]),
        buffer: String(r.int(0, 3)),
        maxListed: r.pick([undefined, 25]),
        minListed: r.pick([0, 3]),
        packSizes: r.next() < 0.5 ? { C: "4" } : {},
        batchSize: 2,
      },
      b2b: { warehouses: ["WH"], freshness: policy(), slaMs: { odoo: 12 * MINUTE } },
    },
    kits: { K: { components: KIT.parts.map((p) => ({ sku: p.sku, quantity: String(p.qty) })) } },
    skus: { D: { safetyStock: "2" } },
  };
}

function runProperty(seed: number, steps: number) {
  const r = rng(seed);
  const options = optionsFor(r);
  const inv = createTestInventory(options);
  const levels = new Map<string, Map<string, Reading>>();
  const heartbeats = new Map<Source, number>();
  const orders = new Map<string, Order>();
  const down = new Set<Source>();
  let now = T0;
  let nextOrder = 1;

  const oracle = (channel: string, sku: string, told: number | undefined): number => {
    const ch = options.channels[channel] as NonNullable<InventoryOptions["channels"][string]>;
    const figure = (conservative: boolean) => {
      let stale = false;
      const pool = (s: string) => {
        let stock = 0;
        for (const lv of levels.get(s)?.values() ?? []) {
          if (!ch.warehouses.includes(lv.warehouse) || WAREHOUSES[lv.warehouse] !== lv.source) continue;
          const supply = lv.onHand - lv.reserved;
          const age = now - Math.max(lv.observedAt, heartbeats.get(lv.source) ?? -Infinity);
          const sla = ch.slaMs?.[lv.source] ?? SOURCES[lv.source].slaMs;
          if (age > sla) stale = true;
          stock += age > sla && conservative ? Math.min(supply, 0) : supply;
        }
        let soft = 0;
        for (const o of orders.values())
          for (const l of o.lines) if (l.sku === s && !o.released.has(s)) soft += l.qty;
        return stock - soft - (s === "D" ? 2 : 0);
      };
      const units =
        sku === KIT.sku ? Math.min(...KIT.parts.map((p) => Math.floor(pool(p.sku) / p.qty))) : pool(sku);
      let after = units > 0 ? Math.floor((units * (ch.sharePercent ?? 100)) / 100) : units;
      after -= Number(ch.buffer ?? "0");
      let q = after <= 0 ? 0 : Math.floor(after / Number(ch.packSizes?.[sku] ?? "1"));
      if (ch.maxListed !== undefined) q = Math.min(q, ch.maxListed);
      if (q < (ch.minListed ?? 0)) q = 0;
      return { q, stale };
    };
    const policy = ch.freshness ?? "conservative";
    const first = figure(policy === "conservative");
    if (!first.stale) return first.q;
    if (policy === "zero") return 0;
    if (policy === "hold") return told === undefined ? figure(true).q : Math.min(told, first.q);
    return first.q;
  };

  const release = (sku: string, at: number, source?: Source) => {
    for (const o of orders.values()) {
      if (o.confirmedAt === undefined || o.confirmedAt > at || !o.lines.some((l) => l.sku === sku)) continue;
      if (source && ![...(levels.get(sku)?.values() ?? [])].some((lv) => lv.source === source)) continue;
      o.released.add(sku);
    }
  };

  const publish = (channel: string, acceptRate: number) => {
    const plan = inv.planner.plan(channel, now);
    const known = inv.engine.skus();
    for (const sku of [...SKUS, KIT.sku].filter((s) => known.has(s))) {
      const told = inv.planner.told(channel, sku)?.quantity;
      assert.equal(
        inv.engine.current(channel, sku),
        oracle(channel, sku, told),
        `seed ${seed}: index ${channel}/${sku}`,
      );
    }
    for (const batch of plan.batches) {
      for (const u of batch) {
        const told = inv.planner.told(channel, u.sku)?.quantity;
        assert.ok(
          u.quantity <= oracle(channel, u.sku, told),
          `seed ${seed}: ${channel}/${u.sku} told ${u.quantity} above allowed`,
        );
        assert.notEqual(u.quantity, told, `seed ${seed}: ${channel}/${u.sku} unchanged but planned`);
      }
      if (r.next() < acceptRate) inv.planner.confirm(channel, batch, now);
    }
  };

  const read = (source: Source, warehouse: string, sku: string, at: number) => {
    const lv: Reading = { source, warehouse, onHand: r.int(-2, 30), reserved: r.int(0, 5), observedAt: at };
    const key = `${source}|${warehouse}`;
    const old = levels.get(sku)?.get(key);
    if (!old || old.observedAt <= at) {
      levels.set(sku, (levels.get(sku) ?? new Map()).set(key, lv));
      release(sku, at);
    }
    inv.state.applyLevel({
      source,
      warehouse,
      sku,
      onHand: String(lv.onHand),
      reserved: String(lv.reserved),
      observedAt: at,
    });
  };

  for (let step = 0; step < steps; step++) {
    const roll = r.next();
    if (roll < 0.3) {
      const warehouse = r.pick(["WH", "TPL", "WH"]);
      const source = r.next() < 0.1 ? "tpl" : (WAREHOUSES[warehouse] as Source);
      if (!down.has(source)) read(source, warehouse, r.pick(SKUS), now - r.int(0, 4) * MINUTE);
    } else if (roll < 0.38) {
      if (!down.has("odoo") && (heartbeats.get("odoo") ?? -Infinity) < now) {
        heartbeats.set("odoo", now);
        inv.state.setHeartbeat("odoo", now);
        for (const sku of SKUS) release(sku, now, "odoo");
      }
    } else if (roll < 0.43) {
      const s = r.pick(["odoo", "tpl"] as const);
      if (down.has(s)) down.delete(s);
      else down.add(s);
    } else if (roll < 0.55) now += r.int(0, 4) * MINUTE;
    else if (roll < 0.65) {
      const lines = Array.from({ length: r.int(1, 2) }, () => ({
        sku: r.pick([...SKUS, KIT.sku]),
        qty: r.int(1, 4),
      }));
      const key = `o${nextOrder++}`;
      const expanded = lines.flatMap((l) =>
        l.sku === KIT.sku ? KIT.parts.map((p) => ({ sku: p.sku, qty: p.qty * l.qty })) : [l],
      );
      orders.set(key, { lines: expanded, released: new Set() });
      inv.state.reserve(
        key,
        "web",
        now,
        lines.map((l) => ({ sku: l.sku, quantity: String(l.qty) })),
      );
    } else if (roll < 0.72 && orders.size > 0) {
      const key = r.pick([...orders.keys()]);
      const o = orders.get(key) as Order;
      if (r.next() < 0.5) {
        orders.delete(key);
        inv.state.release(key);
      } else if (o.confirmedAt === undefined) {
        o.confirmedAt = now;
        inv.state.confirm(key, now);
      }
    } else publish(r.pick(["web", "b2b"]), 0.8);
    for (const [key, o] of orders) if (o.lines.every((l) => o.released.has(l.sku))) orders.delete(key);
  }

  // Recovery: every source fresh again, orders settled; every channel converges.
  down.clear();
  now += MINUTE;
  for (const sku of SKUS)
    for (const warehouse of ["WH", "TPL"]) read(WAREHOUSES[warehouse] as Source, warehouse, sku, now);
  for (const pass of [1, 2, 3, 4, 5, 6])
    for (const channel of ["web", "b2b"]) publish(channel, pass < 3 ? 0.5 : 1);
  for (const channel of ["web", "b2b"]) {
    assert.equal(inv.planner.plan(channel, now).total, 0, `seed ${seed}: ${channel} converged`);
    for (const sku of [...SKUS, KIT.sku]) {
      const told = inv.planner.told(channel, sku)?.quantity;
      assert.equal(
        told,
        oracle(channel, sku, told),
        `seed ${seed}: ${channel}/${sku} converged to the right number`,
      );
    }
  }
  return inv;
}

for (const seed of [1, 7, 42, 1234, 99_991, 2026, 31337, 8]) {
  test(`property: never told above the policy, converges after recovery (seed ${seed})`, () => {
    runProperty(seed, 4_000);
  });
}
