import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "../../core/clock.ts";
import { ManualTimers } from "../../core/timers.ts";
import { TokenBucket } from "./token-bucket.ts";

function bucket(ratePerSecond: number, burst: number) {
  const clock = new ManualClock();
  const timers = new ManualTimers(clock);
  const start = clock.now();
  const b = new TokenBucket({ ratePerSecond, burst, clock, timers });
  const left: number[] = [];
  const take = (n: number) => {
    for (let i = 0; i < n; i++) void b.take().then(() => left.push(clock.now() - start));
  };
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  return { b, clock, timers, left, take, flush };
}

test("a burst leaves at once, the rest at the steady rate, first come first served", async () => {
  const { timers, left, take, flush } = bucket(4, 3);
  take(7);
  await flush();
  assert.deepEqual(left, [0, 0, 0]);
  for (let ms = 0; ms < 1_000; ms += 50) {
    timers.advance(50);
    await flush();
  }
  assert.deepEqual(left, [0, 0, 0, 250, 500, 750, 1_000]);
});

test("over any window of t seconds at most burst + rate * t requests leave", async () => {
  const { timers, left, take, flush } = bucket(5, 5);
  take(40);
  for (let ms = 0; ms < 10_000 && left.length < 40; ms += 10) {
    timers.advance(10);
    await flush();
  }
  assert.equal(left.length, 40);
  for (const from of left) {
    const inWindow = left.filter((at) => at >= from && at < from + 1_000).length;
    assert.ok(inWindow <= 5 + 5, `${inWindow} requests in the second from ${from}`);
  }
  assert.ok((left.at(-1) ?? 0) >= 7_000, "35 requests beyond the burst at 5/s take 7 s");
});

test("a pause (Retry-After) holds everything, then one request goes and the rest follow at the rate", async () => {
  const { b, timers, left, take, flush } = bucket(10, 10);
  b.pauseFor(2_000);
  assert.equal(b.pausedForMs, 2_000);
  take(3);
  for (let ms = 0; ms < 3_000; ms += 10) {
    timers.advance(10);
    await flush();
  }
  assert.deepEqual(left, [2_000, 2_100, 2_200]);
  b.pauseFor(500);
  b.pauseFor(100); // shorter than the pause in force: no change
  assert.equal(b.pausedForMs, 500);
  assert.equal(b.waiting, 0);
});
