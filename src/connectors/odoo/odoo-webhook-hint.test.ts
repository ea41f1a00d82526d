import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock } from "../../core/clock.ts";
import { ManualTimers } from "../../core/timers.ts";
import { createOdooWebhookHint } from "./odoo-webhook-hint.ts";

function setup() {
  const clock = new ManualClock();
  const timers = new ManualTimers(clock);
  const woken: string[] = [];
  const feed = (name: string) => ({ wake: () => woken.push(name) });
  const hint = createOdooWebhookHint({
    feedsByModel: { "sale.order": [feed("orders"), feed("orders-audit")], "stock.picking": feed("pickings") },
    clock,
    timers,
    minIntervalMs: 1_000,
    maxBodyBytes: 1_024,
  });
  return { clock, timers, woken, hint };
}

const body = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe("Odoo webhook hint", () => {
  test("wakes the feeds of the hinted model only, and reports the id without trusting the data", () => {
    const { woken, hint } = setup();
    const result = hint.handle(
      body({
        _model: "stock.picking",
        _id: 12,
        _action: "Send Webhook Notification(#3)",
        id: 12,
        state: "done",
      }),
    );
    assert.deepEqual(result, { ok: true, model: "stock.picking", id: 12, woken: 1, coalesced: false });
    assert.deepEqual(woken, ["pickings"]);
  });

  test("coalesces a burst into one wake now and one trailing wake after minIntervalMs", () => {
    const { woken, hint, timers } = setup();
    const results = Array.from({ length: 50 }, (_, i) =>
      hint.handle(body({ _model: "sale.order", _id: i + 1 })),
    );
    assert.equal(results.filter((r) => r.ok && !r.coalesced).length, 1);
    assert.deepEqual(woken, ["orders", "orders-audit"]);
    assert.equal(timers.pending, 1);
    assert.equal(timers.advance(999), 0);
    assert.equal(timers.advance(1), 1);
    assert.deepEqual(woken, ["orders", "orders-audit", "orders", "orders-audit"]);
    // The next hint, within the interval of the trailing wake, waits for the next trailing wake.
    assert.equal((hint.handle(body({ _model: "sale.order" })) as { coalesced: boolean }).coalesced, true);
    assert.equal(timers.advance(1_000), 1);
    assert.equal(woken.length, 6);
    // A quiet period later, a hint wakes at once again.
    timers.advance(10_000);
    assert.equal((hint.handle(body({ _model: "sale.order" })) as { coalesced: boolean }).coalesced, false);
    assert.equal(woken.length, 8);
    hint.close();
    assert.equal(timers.pending, 0);
  });

  test("models are coalesced apart", () => {
    const { woken, hint } = setup();
    hint.handle(body({ _model: "sale.order" }));
    hint.handle(body({ _model: "stock.picking" }));
    assert.deepEqual(woken, ["orders", "orders-audit", "pickings"]);
  });

  test("malformed, hostile and oversized bodies are refused with a clear value, never a throw", () => {
    const { woken, hint, timers } = setup();
    const cases: [Uint8Array | string, string][] = [
      ["x".repeat(1_025), "too-large"],
      [new Uint8Array(2_000), "too-large"],
      ["{not json", "not-json"],
      [new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), "not-json"],
      ["", "not-json"],
      ["[1,2]", "not-object"],
      ["null", "not-object"],
      ['"sale.order"', "not-object"],
      ["{}", "bad-model"],
      ['{"_model": 42}', "bad-model"],
      ['{"_model": "sale.order; drop table"}', "bad-model"],
      ['{"_model": "../etc/passwd"}', "bad-model"],
      [`{"_model": "${"a".repeat(200)}"}`, "bad-model"],
      ['{"__proto__": {"_model": "sale.order"}}', "bad-model"],
      ['{"_model": "res.users"}', "unknown-model"],
      [`${"[".repeat(500)}${"]".repeat(500)}`, "not-object"],
    ];
    for (const [input, reason] of cases) {
      const result = hint.handle(input);
      assert.equal(result.ok, false, String(input).slice(0, 40));
      assert.equal((result as { reason: string }).reason, reason, String(input).slice(0, 40));
      assert.ok((result as { message: string }).message.length > 0);
    }
    assert.deepEqual(woken, []);
    assert.equal(timers.pending, 0);
  });

  test("a poller whose wake throws does not fail the hint", () => {
    const clock = new ManualClock();
    const hint = createOdooWebhookHint({
      feedsByModel: {
        "sale.order": [
          {
            wake: () => {
              throw new Error("stopped");
            },
          },
        ],
      },
      clock,
      timers: new ManualTimers(clock),
    });
    assert.equal(hint.handle('{"_model":"sale.order","_id":"7"}').ok, true);
    assert.equal((hint.handle('{"_model":"sale.order"}') as { id: unknown }).id, undefined);
  });
});
