import assert from "node:assert/strict";
import { test } from "node:test";
import { createBatcher } from "./odoo-batcher.ts";

test("items submitted while a batch runs form the next batch, up to maxBatch", async () => {
  const batches: number[][] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const batcher = createBatcher<number, number>({
    maxBatch: 4,
    run: async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items.map((n) => ({ ok: true, value: n * 10 }));
    },
  });
  const first = batcher.submit(1);
  const rest = [2, 3, 4, 5, 6, 7].map((n) => batcher.submit(n));
  release();
  assert.deepEqual(await Promise.all([first, ...rest]), [10, 20, 30, 40, 50, 60, 70]);
  assert.deepEqual(batches, [[1], [2, 3, 4, 5], [6, 7]]);
  assert.deepEqual(batcher.stats(), { batches: 3, items: 7, largest: 4, waiting: 0 });
});

test("one item's failure fails only that item; a thrown batch fails all of its items", async () => {
  let calls = 0;
  const batcher = createBatcher<number, number>({
    run: async (items) => {
      calls++;
      if (items.includes(99)) throw new Error("Odoo down");
      return items.map((n) => (n < 0 ? { ok: false, error: new Error(`bad ${n}`) } : { ok: true, value: n }));
    },
  });
  const results = await Promise.allSettled([batcher.submit(1), batcher.submit(-2), batcher.submit(3)]);
  assert.equal(results[0]?.status, "fulfilled");
  assert.equal(results[1]?.status, "rejected");
  assert.match(String((results[1] as PromiseRejectedResult).reason), /bad -2/);
  assert.equal(results[2]?.status, "fulfilled");
  await assert.rejects(batcher.submit(99), /Odoo down/);
  assert.ok(calls >= 2);
});

test("a batch answering too few outcomes rejects the items left without one", async () => {
  const batcher = createBatcher<number, number>({
    maxBatch: 2,
    lingerMs: 1,
    run: async () => [{ ok: true, value: 1 }],
  });
  const settled = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
  assert.equal(settled[0]?.status, "fulfilled");
  assert.equal(settled[1]?.status, "rejected");
  assert.match(String((settled[1] as PromiseRejectedResult).reason), /no outcome/);
});
