import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createFakeOdoo, type FakeOdoo } from "../../../test/odoo/fake-odoo-client.ts";
import { openTestStore } from "../../../test/odoo/test-store.ts";
import type { ManualClock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import { ManualTimers } from "../../core/timers.ts";
import type { Store } from "../../store/store.ts";
import {
  type ChangeFeed,
  type ChangePollerOptions,
  createChangePoller,
  POLLER_CURSOR_KIND,
  type PollResult,
} from "./change-poller.ts";
import { toOdooDatetime } from "./odoo-datetime.ts";

const thingFeed: ChangeFeed = {
  name: "things",
  model: "x.thing",
  fields: () => ["name"],
  toEvents: (record) => [
    {
      stream: `thing:${record.id}`,
      type: "thing.changed",
      data: { id: record.id, at: String(record.write_date) },
    },
  ],
};

/** Odoo stamp `seconds` after the clock's start (12:00:00). */
function at(clock: ManualClock, seconds: number): string {
  return toOdooDatetime(Date.UTC(2026, 0, 1, 12) + seconds * 1000 + 0 * clock.now());
}

function poller(odoo: FakeOdoo, store: Store, clock: ManualClock, extra: Partial<ChangePollerOptions> = {}) {
  return createChangePoller({ client: odoo, store, clock, connection: "odoo", feed: thingFeed, ...extra });
}

function counts(result: PollResult) {
  return { records: result.records, events: result.events, outcome: result.outcome };
}

describe("change poller (write_date)", () => {
  test("records sharing one write_date across a page boundary are read once each, by keyset", async (t) => {
    const { store, clock, events } = await openTestStore(t);
    const odoo = createFakeOdoo();
    for (let id = 1; id <= 7; id++) odoo.put("x.thing", { id, name: `t${id}`, write_date: at(clock, 5) });
    odoo.put("x.thing", { id: 8, name: "t8", write_date: at(clock, 6) });
    clock.advance(10_000);
    const result = await poller(odoo, store, clock, { since: "beginning", limit: 3 }).pollOnce();
    assert.deepEqual(counts(result), { records: 8, events: 8, outcome: "ok" });
    assert.equal(result.pages, 3);
    assert.deepEqual(
      (await events()).map((e) => e.stream),
      [1, 2, 3, 4, 5, 6, 7, 8].map((id) => `thing:${id}`),
    );
    const second = odoo.calls[1]!;
    assert.equal(second.order, "write_date asc, id asc");
    assert.deepEqual(second.domain, [
      "|",
      ["write_date", ">", at(clock, 5)],
      "&",
      ["write_date", "=", at(clock, 5)],
      ["id", ">", 3],
    ]);
    assert.deepEqual(second.fields, ["id", "write_date", "name"]);
  });

  test("a late commit inside the overlap is found; one older than the overlap is not (documented limit)", async (t) => {
    const { store, clock, events } = await openTestStore(t);
    const odoo = createFakeOdoo();
    const p = poller(odoo, store, clock, { overlapMs: 120_000 });
    await p.pollOnce(); // cursor starts now
    clock.advance(60_000);
    odoo.put("x.thing", { id: 1, name: "fast", write_date: at(clock, 55) });
    assert.equal((await p.pollOnce()).records, 1);
    assert.equal(p.status().watermark, at(clock, 55));
    // A transaction that started at +30 s commits now, after the poller passed +55 s.
    clock.advance(30_000);
    odoo.put("x.thing", { id: 2, name: "slow", write_date: at(clock, 30) });
    const late = await p.pollOnce();
    assert.equal(late.records, 1);
    // The bound is the later of watermark - overlap, last full poll - overlap and the first run's start.
    assert.deepEqual(odoo.calls.at(-1)!.domain[0], ["write_date", ">=", at(clock, 0)]);
    // After a full poll at +290 s, a transaction stamped +60 s that commits only now (230 s long, more
    // than the overlap) is outside the window: not seen. The overlap must exceed Odoo's time limit.
    clock.advance(200_000);
    await p.pollOnce();
    odoo.put("x.thing", { id: 3, name: "too late", write_date: at(clock, 60) });
    odoo.put("x.thing", { id: 4, name: "now", write_date: at(clock, 289) });
    clock.advance(5_000);
    assert.equal((await p.pollOnce()).records, 1);
    assert.deepEqual(
      (await events()).map((e) => e.stream),
      ["thing:1", "thing:2", "thing:4"],
    );
  });

  test("a new write_date of a seen record is a new version; the same one is skipped", async (t) => {
    const { store, clock, events } = await openTestStore(t);
    const odoo = createFakeOdoo();
    const p = poller(odoo, store, clock);
    await p.pollOnce();
    clock.advance(5_000);
    odoo.put("x.thing", { id: 1, name: "a", write_date: at(clock, 2) });
    await p.pollOnce();
    clock.advance(5_000);
    assert.equal((await p.pollOnce()).records, 0);
    odoo.put("x.thing", { id: 1, name: "b", write_date: at(clock, 9) });
    assert.equal((await p.pollOnce()).records, 1);
    assert.equal((await events()).length, 2);
  });

  test("a restart from the stored cursor emits nothing twice", async (t) => {
    const fixture = await openTestStore(t);
    const { clock } = fixture;
    const odoo = createFakeOdoo();
    await poller(odoo, fixture.store, clock).pollOnce();
    clock.advance(10_000);
    for (let id = 1; id <= 5; id++) odoo.put("x.thing", { id, name: "x", write_date: at(clock, id) });
    assert.equal((await poller(odoo, fixture.store, clock).pollOnce()).records, 5);
    const store = await fixture.reopen();
    const again = poller(odoo, store, clock);
    assert.deepEqual(counts(await again.pollOnce()), { records: 0, events: 0, outcome: "ok" });
    odoo.put("x.thing", { id: 6, name: "x", write_date: at(clock, 9) });
    assert.equal((await again.pollOnce()).records, 1);
    assert.equal((await fixture.events()).length, 6);
  });

  test("a crash between the Odoo read and the store commit re-reads and emits once", async (t) => {
    const fixture = await openTestStore(t);
    const { clock } = fixture;
    const odoo = createFakeOdoo();
    let crash = false;
    const crashing: Store = Object.create(fixture.store, {
      transaction: {
        value: async (fn: Parameters<Store["transaction"]>[0]) =>
          fixture.store.transaction(async (tx) => {
            const out = await fn(tx);
            if (crash) throw new CrossdockError("CDK_STORE_UNAVAILABLE", "simulated crash before commit");
            return out;
          }),
      },
    });
    const p = poller(odoo, crashing, clock);
    await p.pollOnce();
    clock.advance(10_000);
    odoo.put("x.thing", { id: 1, name: "x", write_date: at(clock, 3) });
    crash = true;
    assert.equal((await p.pollOnce()).outcome, "retry");
    assert.equal((await fixture.events()).length, 0, "the rolled-back transaction left no event");
    crash = false;
    assert.equal((await p.pollOnce()).events, 1, "the same process re-reads and emits");
    assert.equal((await poller(odoo, fixture.store, clock).pollOnce()).events, 0, "a restart does not");
    // A crash of the process itself: a new poller starts from what was committed.
    odoo.put("x.thing", { id: 2, name: "x", write_date: at(clock, 4) });
    crash = true;
    assert.equal((await p.pollOnce()).outcome, "retry");
    assert.equal((await poller(odoo, fixture.store, clock).pollOnce()).events, 1);
    assert.deepEqual(
      (await fixture.events()).map((e) => e.stream),
      ["thing:1", "thing:2"],
    );
  });

  test("two pollers of the same key (two processes) never both emit a change", async (t) => {
    const { store, clock, events } = await openTestStore(t);
    const odoo = createFakeOdoo();
    const first = poller(odoo, store, clock);
    const second = poller(odoo, store, clock);
    await first.pollOnce();
    await second.pollOnce();
    clock.advance(5_000);
    odoo.put("x.thing", { id: 1, name: "x", write_date: at(clock, 4) });
    assert.equal((await first.pollOnce()).events, 1);
    const lost = await second.pollOnce();
    assert.deepEqual([lost.outcome, lost.error?.code], ["retry", "CDK_STORE_CONFLICT"]);
    assert.deepEqual(counts(await second.pollOnce()), { records: 0, events: 0, outcome: "ok" });
    assert.equal((await events()).length, 1);
  });

  test("a transient Odoo error keeps the cursor and the loop backs off; the next poll emits", async (t) => {
    const { store, clock, events } = await openTestStore(t);
    const odoo = createFakeOdoo();
    const timers = new ManualTimers(clock);
    const results: PollResult[] = [];
    const p = poller(odoo, store, clock, {
      timers,
      random: () => 0.5,
      onPoll: (r) => results.push(r),
      retry: { jitter: 0 },
    });
    await p.pollOnce();
    clock.advance(5_000);
    odoo.put("x.thing", { id: 1, name: "x", write_date: at(clock, 4) });
    const before = p.status().watermark;
    odoo.failNext(new CrossdockError("CDK_ODOO_UNAVAILABLE", "connection reset"), 2);
    p.start({ intervalMs: 10_000 });
    timers.fireDue();
    await settle(() => results.length === 2);
    assert.equal(results[1]!.outcome, "retry");
    assert.equal(p.status().watermark, before);
    assert.equal(timers.advance(999), 0, "first back-off is 1 s");
    timers.advance(1);
    await settle(() => results.length === 3);
    assert.equal(results[2]!.outcome, "retry");
    assert.equal(timers.advance(1_999), 0, "second back-off is 2 s");
    timers.advance(1);
    await settle(() => results.length === 4);
    assert.deepEqual(counts(results[3]!), { records: 1, events: 1, outcome: "ok" });
    assert.equal(p.status().consecutiveFailures, 0);
    assert.equal((await events()).length, 1);
    await p.stop();
  });

  test("a config error stops the feed and reports it, without throwing", async (t) => {
    const { store, clock } = await openTestStore(t);
    const odoo = createFakeOdoo();
    const timers = new ManualTimers(clock);
    const stopped: string[] = [];
    const p = poller(odoo, store, clock, { timers, onStopped: (e) => stopped.push(e.code) });
    odoo.failNext(new CrossdockError("CDK_ODOO_ACCESS", "AccessError on x.thing"));
    p.start({ intervalMs: 1_000 });
    timers.fireDue();
    await settle(() => stopped.length === 1);
    assert.deepEqual(stopped, ["CDK_ODOO_ACCESS"]);
    assert.equal(p.status().state, "stopped");
    assert.equal(timers.pending, 0, "nothing scheduled after a stop");
    p.wake();
    assert.equal(timers.pending, 0);
    // Once the operator fixed the rights, start() runs the loop again.
    p.start({ intervalMs: 1_000 });
    assert.equal(timers.pending, 1);
    assert.equal(p.status().state, "idle");
    await p.stop();
  });

  test("stop() during a poll aborts the read quietly: no stop report, cursor kept", async (t) => {
    const { store, clock } = await openTestStore(t);
    const odoo = createFakeOdoo();
    const stopped: string[] = [];
    const p = poller(odoo, store, clock, { onStopped: (e) => stopped.push(e.code) });
    await p.pollOnce();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = Object.create(odoo, {
      searchRead: {
        value: async (...args: Parameters<FakeOdoo["searchRead"]>) => {
          const signal = args[3]?.signal;
          await gate;
          if (signal?.aborted) throw signal.reason;
          return odoo.searchRead(...args);
        },
      },
    }) as FakeOdoo;
    const q = poller(slow, store, clock, { onStopped: (e) => stopped.push(e.code) });
    const running = q.pollOnce();
    await new Promise((resolve) => setImmediate(resolve));
    const stopping = q.stop();
    release();
    const result = await running;
    await stopping;
    assert.equal(result.outcome, "stopped");
    assert.equal(result.error, undefined);
    assert.deepEqual(stopped, []);
    assert.equal((await q.pollOnce()).outcome, "ok", "a later pollOnce works again");
  });

  test("a bug in toEvents stops the feed as CDK_INTERNAL (config class) and keeps the cursor", async (t) => {
    const { store, clock } = await openTestStore(t);
    const odoo = createFakeOdoo();
    const feed: ChangeFeed = {
      ...thingFeed,
      toEvents: () => {
        throw new TypeError("boom");
      },
    };
    const p = poller(odoo, store, clock, { feed, since: "beginning" });
    odoo.put("x.thing", { id: 1, name: "x", write_date: at(clock, -5) });
    const result = await p.pollOnce();
    assert.equal(result.outcome, "stopped");
    assert.equal(result.error?.code, "CDK_INTERNAL");
    assert.equal(result.error?.failureClass, "config");
  });

  test("10,000 records in one second: the stored cursor stays small and the seen set is pruned", async (t) => {
    const { store, clock, events } = await openTestStore(t);
    const odoo = createFakeOdoo();
    const p = poller(odoo, store, clock, { maxPagesPerPoll: 1_000 });
    await p.pollOnce();
    clock.advance(2_000);
    for (let id = 1; id <= 10_000; id++) odoo.put("x.thing", { id, name: "x", write_date: at(clock, 1) });
    const started = performance.now();
    const burst = await p.pollOnce();
    const ms = performance.now() - started;
    assert.deepEqual(counts(burst), { records: 10_000, events: 10_000, outcome: "ok" });
    assert.equal(burst.pages, 51);
    assert.equal(p.status().seen, 10_000);
    const stored = await store.transaction((tx) => tx.getRecord(POLLER_CURSOR_KIND, p.key));
    const bytes = JSON.stringify(stored?.data).length;
    assert.ok(bytes < 200, `cursor is ${bytes} bytes`);
    t.diagnostic(
      `10,000 records in 51 pages: ${ms.toFixed(0)} ms (${((10_000 / ms) * 1000).toFixed(0)} records/s)`,
    );
    // Past the overlap window the pairs cannot be read again: they are dropped.
    clock.advance(121_000);
    const idle = await p.pollOnce();
    assert.deepEqual(counts(idle), { records: 0, events: 0, outcome: "ok" });
    assert.equal(idle.pages, 51, "the first poll after the burst re-reads the window (late commits)");
    assert.equal(p.status().seen, 0);
    const later = await p.pollOnce();
    assert.equal(later.pages, 1);
    assert.equal((await events()).length, 10_000);
  });

  test("an idle model is not re-read window after window: the lower bound follows the last full poll", async (t) => {
    const { store, clock } = await openTestStore(t);
    const odoo = createFakeOdoo();
    const p = poller(odoo, store, clock);
    await p.pollOnce();
    clock.advance(1_000);
    odoo.put("x.thing", { id: 1, name: "x", write_date: at(clock, 1) });
    await p.pollOnce();
    clock.advance(600_000);
    await p.pollOnce();
    clock.advance(10_000);
    await p.pollOnce();
    assert.deepEqual(odoo.calls.at(-1)!.domain[0], ["write_date", ">=", at(clock, 601 - 120)]);
  });

  test("the watermark never passes the hub's now, and since defaults to now", async (t) => {
    const { store, clock, events } = await openTestStore(t);
    const odoo = createFakeOdoo();
    odoo.put("x.thing", { id: 1, name: "old", write_date: at(clock, -3_600) });
    const p = poller(odoo, store, clock);
    assert.equal((await p.pollOnce()).records, 0, "older changes are not replayed by default");
    odoo.put("x.thing", { id: 2, name: "future", write_date: at(clock, 3_600) });
    assert.equal((await p.pollOnce()).records, 1);
    assert.equal(p.status().watermark, toOdooDatetime(clock.now()));
    assert.equal((await events()).length, 1);
  });

  test("since as a time: changes stamped from then on; maxPagesPerPoll yields with more: true", async (t) => {
    const { store, clock, events } = await openTestStore(t);
    const odoo = createFakeOdoo();
    for (let id = 1; id <= 5; id++)
      odoo.put("x.thing", { id, name: "x", write_date: at(clock, -100 + id * 10) });
    const timers = new ManualTimers(clock);
    const results: PollResult[] = [];
    const p = poller(odoo, store, clock, {
      since: Date.UTC(2026, 0, 1, 12) - 75_000,
      limit: 1,
      maxPagesPerPoll: 2,
      timers,
      onPoll: (r) => results.push(r),
    });
    p.start({ intervalMs: 60_000 });
    timers.fireDue();
    await settle(() => results.length === 1);
    assert.deepEqual([results[0]!.records, results[0]!.more], [2, true]);
    assert.equal(timers.fireDue(), 1, "the next poll is due at once");
    await settle(() => results.length === 2);
    // The second poll resumes the pass after id 4 (no re-read of ids 3-4) and reaches the end.
    assert.deepEqual([results[1]!.records, results[1]!.more, results[1]!.pages], [1, false, 2]);
    assert.deepEqual(odoo.calls[2]!.domain, [
      ["write_date", ">=", at(clock, -75)],
      "|",
      ["write_date", ">", at(clock, -60)],
      "&",
      ["write_date", "=", at(clock, -60)],
      ["id", ">", 4],
    ]);
    assert.equal(timers.fireDue(), 0, "then the interval");
    assert.deepEqual(
      (await events()).map((e) => e.stream),
      ["thing:3", "thing:4", "thing:5"],
    );
    await p.stop();
  });

  test("wake() during a poll runs one more poll at once; stop() ends the loop", async (t) => {
    const { store, clock } = await openTestStore(t);
    const odoo = createFakeOdoo();
    const timers = new ManualTimers(clock);
    const results: PollResult[] = [];
    const p = poller(odoo, store, clock, { timers, onPoll: (r) => results.push(r) });
    p.start({ intervalMs: 30_000 });
    timers.fireDue();
    p.wake(); // arrives while the first poll runs
    await settle(() => results.length === 1);
    timers.fireDue();
    await settle(() => results.length === 2);
    assert.equal(timers.advance(29_999), 0);
    p.wake();
    timers.fireDue();
    await settle(() => results.length === 3);
    await p.stop();
    assert.equal(timers.pending, 0);
  });
});

describe("change poller (id mode)", () => {
  const messageFeed: ChangeFeed = {
    name: "messages",
    model: "mail.message",
    mode: "id",
    fields: () => ["body"],
    toEvents: (record) => [
      { stream: `message:${record.id}`, type: "message.posted", data: { id: record.id } },
    ],
  };

  test("reads from the newest id on, re-reads an id overlap and skips ids already seen", async (t) => {
    const { store, clock, events } = await openTestStore(t);
    const odoo = createFakeOdoo();
    odoo.put("mail.message", { id: 10, body: "old" });
    const p = poller(odoo, store, clock, { feed: messageFeed, overlapIds: 5, limit: 2 });
    assert.equal((await p.pollOnce()).records, 0);
    for (const id of [11, 12, 14]) odoo.put("mail.message", { id, body: "x" });
    assert.equal((await p.pollOnce()).records, 3);
    odoo.put("mail.message", { id: 13, body: "committed late" });
    odoo.put("mail.message", { id: 15, body: "x" });
    const again = await p.pollOnce();
    assert.equal(again.records, 2);
    assert.deepEqual(odoo.calls.at(-3)!.domain, [["id", ">", 10]], "max(floor 10, last 14 - 5)");
    assert.deepEqual(
      (await events()).map((e) => e.stream),
      ["message:11", "message:12", "message:14", "message:13", "message:15"],
    );
  });
});

/** Lets the poll's awaits (store, fake client) run until `done` holds; yields, never sleeps. */
async function settle(done: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(done(), "condition not reached");
}
