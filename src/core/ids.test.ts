import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "./clock.ts";
import { createIdGenerator, createSequentialIds } from "./ids.ts";

test("ids are prefix + 10 time chars + 16 random chars, unique, and sort by creation time", () => {
  const clock = new ManualClock();
  const ids = createIdGenerator(clock);
  const seen = new Set<string>();
  let previous = "";
  for (let i = 0; i < 5_000; i++) {
    if (i % 100 === 0) clock.advance(1);
    const id = ids.next("job_");
    assert.match(id, /^job_[0-9a-hjkmnp-tv-z]{26}$/);
    if (i % 100 === 0) assert.ok(id > previous, "a later millisecond sorts after");
    previous = id;
    seen.add(id);
  }
  assert.equal(seen.size, 5_000);
});

test("sequential ids count up from the start", () => {
  const ids = createSequentialIds(7);
  assert.deepEqual([ids.next("m_"), ids.next()], ["m_00000007", "00000008"]);
});
