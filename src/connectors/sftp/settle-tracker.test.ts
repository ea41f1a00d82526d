import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "../../core/clock.ts";
import { SettleTracker } from "./settle-tracker.ts";

const file = (size: number, modifiedAt = 1_000) => [{ name: "a", size, modifiedAt }];

test("a file is settled once two listings settleMs apart saw the same size and mtime", () => {
  const clock = new ManualClock();
  const tracker = new SettleTracker(clock, 2_000);
  assert.deepEqual([...tracker.observe(file(10))], [], "never on first sight, however old its mtime");
  clock.advance(1_999);
  assert.deepEqual([...tracker.observe(file(10))], []);
  clock.advance(1);
  assert.deepEqual([...tracker.observe(file(10))], ["a"]);
});

test("a change of size or mtime starts the wait over; a vanished file is forgotten", () => {
  const clock = new ManualClock();
  const tracker = new SettleTracker(clock, 2_000);
  tracker.observe(file(10));
  clock.advance(5_000);
  assert.deepEqual([...tracker.observe(file(11))], [], "grew");
  clock.advance(5_000);
  assert.deepEqual([...tracker.observe(file(11, 2_000))], [], "touched");
  clock.advance(2_000);
  assert.deepEqual([...tracker.observe(file(11, 2_000))], ["a"]);
  tracker.observe([]);
  assert.equal(tracker.size, 0);
  assert.deepEqual([...tracker.observe(file(11, 2_000))], [], "came back: starts over");
  tracker.forget("a");
  assert.equal(tracker.size, 0);
});
