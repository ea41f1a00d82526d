import assert from "node:assert/strict";
import test from "node:test";
import { float64Column, IdSet, SkuIndex } from "./sku-index.ts";

test("SkuIndex gives dense ids once and finds them without giving new ones", () => {
  const index = new SkuIndex();
  assert.equal(index.id("A"), 0);
  assert.equal(index.id("B"), 1);
  assert.equal(index.id("A"), 0);
  assert.equal(index.find("C"), undefined);
  assert.equal(index.size, 2);
  assert.equal(index.sku(1), "B");
});

test("Column reads its fill where nothing was written, across chunks", () => {
  const column = float64Column(Number.NaN);
  assert.ok(Number.isNaN(column.get(123_456)));
  column.set(10_000, 7);
  column.set(3, -0.5);
  assert.equal(column.get(10_000), 7);
  assert.equal(column.get(3), -0.5);
  assert.ok(Number.isNaN(column.get(10_001)));
  column.truncate(4_096);
  assert.ok(Number.isNaN(column.get(10_000)));
  assert.equal(column.get(3), -0.5);
});

test("IdSet behaves as a Set of numbers: membership, size and insertion order", () => {
  let seed = 11;
  const random = (n: number) => {
    // mulberry32: consecutive draws independent enough to mix adds, deletes and rare clears.
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * n);
  };
  const ids = new IdSet();
  const model = new Set<number>();
  for (let step = 0; step < 150_000; step++) {
    const id = random(9_000);
    // Clears are rare, so the order outgrows a chunk and its holes get squeezed out.
    const roll = random(1_000_000);
    if (roll < 550_000) assert.equal(ids.add(id), !model.has(id) && Boolean(model.add(id)));
    else if (roll < 999_980) assert.equal(ids.delete(id), model.delete(id));
    else {
      ids.clear();
      model.clear();
    }
    if (step % 997 === 0) assert.deepEqual([...ids], [...model], `step ${step}`);
    assert.equal(ids.size, model.size);
  }
  assert.deepEqual([...ids], [...model]);
});

test("IdSet without deletion keeps marking order through clear", () => {
  const ids = new IdSet({ deletable: false });
  for (const id of [5, 1, 5, 9_000, 1]) ids.add(id);
  assert.deepEqual([...ids], [5, 1, 9_000]);
  assert.throws(() => ids.delete(5));
  ids.clear();
  assert.equal(ids.has(5), false);
  ids.add(1);
  assert.deepEqual([...ids], [1]);
});
