import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestInventory, T0 } from "./inventory-test-fixture.ts";
import type { ToldEntry } from "./publication-planner.ts";
import { TOLD_HISTORY } from "./told-history.ts";

test("toldHistory keeps the last 8 earlier values and the current one, as a list per pair would", () => {
  let seed = 7;
  const random = (n: number) => {
    // mulberry32, as in sku-index.test.ts.
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * n);
  };
  const { planner } = createTestInventory();
  // The implementation before the rings: an array per pair, the current value pushed on replacement.
  const model = new Map<string, { current?: ToldEntry; earlier: ToldEntry[] }>();
  const pair = (channel: string, sku: string) => {
    const key = `${channel}/${sku}`;
    const entry = model.get(key) ?? { earlier: [] };
    model.set(key, entry);
    return entry;
  };
  // 5,000 SKUs: SKU ids past a chunk (4,096) and rings past a chunk of slots (512 rings).
  const skus = Array.from({ length: 5_000 }, (_, i) => `S${i}`);
  for (const sku of skus.slice(0, 300)) {
    const entry = { quantity: random(50), at: T0 - 1 };
    planner.restoreTold("b2b", sku, entry);
    pair("b2b", sku).current = entry;
  }
  let at = T0;
  for (let round = 0; round < 400; round++) {
    const channel = random(3) === 0 ? "b2b" : "web";
    // Some SKUs are confirmed often (well past 8 values), most a few times, some never.
    const sent = Array.from({ length: 1 + random(100) }, () => {
      const sku = skus[random(4) === 0 ? random(200) : random(skus.length)] as string;
      return { sku, quantity: random(4) === 0 ? random(1_000) / 4 : random(20) };
    });
    at += 1 + random(60_000);
    planner.confirm(channel, sent, at);
    for (const { sku, quantity } of sent) {
      const entry = pair(channel, sku);
      if (entry.current) entry.earlier.push(entry.current);
      if (entry.earlier.length > TOLD_HISTORY) entry.earlier.shift();
      entry.current = { quantity, at };
    }
  }
  let full = 0;
  for (const channel of ["web", "b2b"]) {
    for (const sku of [...skus, "never-seen"]) {
      const entry = model.get(`${channel}/${sku}`);
      const expected = entry?.current ? [...entry.earlier, entry.current] : [];
      assert.deepEqual(planner.toldHistory(channel, sku), expected, `${channel} ${sku}`);
      if (expected.length === TOLD_HISTORY + 1) full++;
      // A batch may hold a SKU twice, both at the same time: the later one is what was told then.
      const middle = expected[Math.floor(expected.length / 2)];
      if (middle)
        assert.deepEqual(
          planner.toldAt(channel, sku, middle.at),
          expected.findLast((e) => e.at <= middle.at),
        );
    }
  }
  assert.ok(full > 200, `${full} pairs with a full history`);
});

test("a full told history takes at most 140 bytes of typed arrays per (SKU, channel)", () => {
  // Typed arrays are counted in arrayBuffers when allocated; a collection could only lower it. The
  // heap is not asserted: without --expose-gc, heapUsed also counts the confirmations' garbage, and
  // read 175 bytes per pair in a script and 420-445 here (objects took about 800 after a full GC).
  const { planner } = createTestInventory();
  const skus = Array.from({ length: 100_000 }, (_, i) => `SKU-${i}`);
  planner.confirm(
    "b2b",
    skus.map((sku, i) => ({ sku, quantity: i })),
    T0,
  );
  const before = process.memoryUsage();
  for (let k = 1; k <= TOLD_HISTORY; k++)
    planner.confirm(
      "b2b",
      skus.map((sku, i) => ({ sku, quantity: i + k })),
      T0 + k,
    );
  const after = process.memoryUsage();
  assert.equal(planner.toldHistory("b2b", "SKU-99999").length, TOLD_HISTORY + 1);
  const typed = (after.arrayBuffers - before.arrayBuffers) / skus.length;
  assert.ok(typed <= 140, `${typed.toFixed(1)} bytes per pair in typed arrays`);
});
