import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { post, type Rpc, startWithRpc } from "./rpc-client.ts";

describe("fault injection", () => {
  let rpc: Rpc;
  before(async () => {
    rpc = await startWithRpc();
  });
  after(() => rpc.odoo.close());
  const ref = (id: number) => rpc.odoo.env().read("res.partner", [id], ["ref"])[0]?.ref;

  test("serialization: fails after delayMs with SerializationFailure and commits nothing", async () => {
    rpc.odoo.faults.inject({ model: "res.partner", method: "write", kind: "serialization", delayMs: 120 });
    const started = Date.now();
    const res = await rpc.raw("res.partner", "write", [[10], { ref: "ser" }]);
    assert.ok(Date.now() - started >= 110);
    assert.equal(res.error.data.name, "psycopg2.errors.SerializationFailure");
    assert.equal(res.error.data.message, "could not serialize access due to concurrent update\n");
    assert.equal(ref(10), false);
    assert.equal(
      await rpc.call("res.partner", "write", [[10], { ref: "ser" }]),
      true,
      "the next call succeeds",
    );
    assert.equal(ref(10), "ser");
  });

  test("lock: LockNotAvailable", async () => {
    rpc.odoo.faults.inject({ kind: "lock" });
    const res = await rpc.raw("res.partner", "search", [[]]);
    assert.equal(res.error.data.name, "psycopg2.errors.LockNotAvailable");
  });

  test("http502/http503/http429/html500: HTML pages with the status, Retry-After when asked", async () => {
    for (const [kind, status] of [
      ["http502", 502],
      ["http503", 503],
      ["http429", 429],
      ["html500", 500],
    ] as const) {
      rpc.odoo.faults.inject({ kind, retryAfterS: 7 });
      const res = await post(
        `${rpc.odoo.url}/jsonrpc`,
        JSON.stringify({
          jsonrpc: "2.0",
          method: "call",
          id: 1,
          params: {
            service: "object",
            method: "execute_kw",
            args: ["crossdock", 2, "admin", "res.partner", "search", [[]]],
          },
        }),
      );
      assert.equal(res.status, status);
      assert.match(res.contentType, /^text\/html/);
      assert.equal(res.headers.get("retry-after"), "7");
      assert.match(res.text, new RegExp(String(status)));
    }
  });

  test("reset-before: the socket dies and nothing is done", async () => {
    rpc.odoo.faults.inject({ model: "res.partner", method: "write", kind: "reset-before" });
    await assert.rejects(rpc.call("res.partner", "write", [[11], { ref: "rb" }]));
    assert.equal(ref(11), false);
  });

  test("reset-after: the work is committed, then the socket dies", async () => {
    rpc.odoo.faults.inject({ model: "res.partner", method: "write", kind: "reset-after" });
    await assert.rejects(rpc.call("res.partner", "write", [[12], { ref: "ra" }]));
    assert.equal(ref(12), "ra");
  });

  test("times, matching on model/method, pending() and clear()", async () => {
    rpc.odoo.faults.inject({ model: "sale.order", kind: "lock", times: 2 });
    assert.equal(rpc.odoo.faults.pending(), 2);
    assert.ok(Array.isArray(await rpc.call("res.partner", "search", [[]])), "other models are not hit");
    assert.equal(
      (await rpc.raw("sale.order", "search", [[]])).error.data.name,
      "psycopg2.errors.LockNotAvailable",
    );
    assert.equal(
      (await rpc.raw("sale.order", "search_count", [[]])).error.data.name,
      "psycopg2.errors.LockNotAvailable",
    );
    assert.equal(rpc.odoo.faults.pending(), 0);
    assert.ok(Array.isArray(await rpc.call("sale.order", "search", [[]])));
    rpc.odoo.faults.inject({ kind: "http502", times: 3 });
    rpc.odoo.faults.clear();
    assert.equal(rpc.odoo.faults.pending(), 0);
    assert.throws(() => rpc.odoo.faults.inject({ kind: "nope" as "lock" }));
  });

  test("control routes: inject over HTTP, read and reset the call log", async () => {
    const injected = await post(
      `${rpc.odoo.url}/__sandbox/faults`,
      JSON.stringify({ model: "res.country", kind: "http503" }),
    );
    assert.deepEqual(injected.json, { pending: 1 });
    const res = await post(
      `${rpc.odoo.url}/jsonrpc`,
      JSON.stringify({
        jsonrpc: "2.0",
        method: "call",
        id: 1,
        params: {
          service: "object",
          method: "execute_kw",
          args: ["crossdock", 2, "admin", "res.country", "search", [[]]],
        },
      }),
    );
    assert.equal(res.status, 503);
    const bad = await post(`${rpc.odoo.url}/__sandbox/faults`, JSON.stringify({ kind: "meteor" }));
    assert.equal(bad.status, 400);
    const calls = (await (await fetch(`${rpc.odoo.url}/__sandbox/calls`)).json()) as {
      model: string;
      outcome: string;
    }[];
    assert.ok(
      calls.some(
        (c: { model: string; outcome: string }) => c.model === "res.country" && c.outcome === "fault:http503",
      ),
    );
    await post(`${rpc.odoo.url}/__sandbox/reset-calls`, "");
    assert.deepEqual(await (await fetch(`${rpc.odoo.url}/__sandbox/calls`)).json(), []);
  });
});

describe("hang-after", () => {
  test("the work is committed and the answer never comes until close()", async () => {
    const rpc = await startWithRpc();
    rpc.odoo.faults.inject({ kind: "hang-after", method: "write" });
    let settled = false;
    const pending = rpc.call("res.partner", "write", [[13], { ref: "hang" }]).finally(() => {
      settled = true;
    });
    pending.catch(() => undefined);
    for (let i = 0; i < 50 && rpc.odoo.env().read("res.partner", [13], ["ref"])[0]?.ref !== "hang"; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(rpc.odoo.env().read("res.partner", [13], ["ref"])[0]?.ref, "hang");
    assert.equal(settled, false);
    await rpc.odoo.close();
    await assert.rejects(pending);
  });
});
