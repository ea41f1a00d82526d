import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { post, type Rpc, startWithRpc } from "./rpc-client.ts";

describe("malformed, hostile and oversized requests: clean answers, never a crash or a hang", () => {
  let rpc: Rpc;
  before(async () => {
    rpc = await startWithRpc();
  });
  after(() => rpc.odoo.close());
  const jsonrpc = (body: string) => post(`${rpc.odoo.url}/jsonrpc`, body);
  const alive = async () =>
    assert.equal(await rpc.call("res.partner", "search_count", [[["id", "=", 10]]]), 1);

  test("non-JSON bodies get Odoo's 400 'Invalid JSON data'", async () => {
    for (const body of ["", "{", "nope", "\u0000\u0001"]) {
      const res = await jsonrpc(body);
      assert.equal(res.status, 400);
      assert.equal(res.text, "Invalid JSON data");
    }
    await alive();
  });

  test("JSON of the wrong shape gets a JSON-RPC error", async () => {
    for (const body of [
      "[]",
      "42",
      "null",
      '{"params": 5}',
      '{"params": {"service": "object", "method": "execute_kw", "args": "x"}}',
      '{"params": {"service": "nope"}}',
    ]) {
      const res = await jsonrpc(body);
      assert.equal(res.status, 200, body);
      assert.ok(res.json.error, body);
      assert.equal(typeof res.json.error.data.name, "string");
    }
    await alive();
  });

  test("wrong types in execute_kw arguments", async () => {
    const cases: unknown[][] = [
      ["crossdock", "2", "admin", "res.partner", "search", [[]]],
      ["crossdock", 2, "admin", 42, "search", [[]]],
      ["crossdock", 2, "admin", "res.partner", "search", "not a list"],
      ["crossdock", 2, "admin", "res.partner", "search", [[]], "not a dict"],
      ["crossdock", 2, "admin", "res.partner", "read", [["a", "b"]]],
      ["crossdock", 2, "admin", "res.partner", "search", [[["id", "=", 1, 2]]]],
      ["crossdock", 2, "admin", "res.partner", "search", [[["id", "~~", 1]]]],
      ["crossdock", 2, "admin", "res.partner", "search", [["&"]]],
      ["crossdock", 2, "admin", "res.partner", "search", [[]], { limit: "ten" }],
      ["crossdock", 2, "admin", "res.partner", "create", [[1, 2]]],
      ["crossdock", 2, "admin", "res.partner", "write", [[10], { name: { nested: true } }]],
      ["crossdock", 2, "admin", "res.partner", "write", [[10], { child_ids: "junk" }]],
      ["crossdock", 2, "admin", "res.partner", "search", [[]], { context: [] }],
      ["crossdock", 2, "admin", "res.partner", "constructor", [[]]],
      ["crossdock", 2, "admin", "__proto__", "search", [[]]],
    ];
    for (const args of cases) {
      const res = await jsonrpc(
        JSON.stringify({
          jsonrpc: "2.0",
          method: "call",
          id: 1,
          params: { service: "object", method: "execute_kw", args },
        }),
      );
      assert.equal(res.status, 200, JSON.stringify(args));
      assert.ok(res.json.error, JSON.stringify(args));
    }
    await alive();
  });

  test("a 10 MB body answers 413", async () => {
    const big = JSON.stringify({
      jsonrpc: "2.0",
      method: "call",
      params: { junk: "x".repeat(10 * 1024 * 1024) },
    });
    const res = await post(`${rpc.odoo.url}/jsonrpc`, big).catch((e: Error) => ({ status: 0, error: e }));
    assert.ok(res.status === 413 || res.status === 0, `status ${res.status}`);
    await alive();
  });

  test("deep and huge domains", async () => {
    const deep = [...Array.from({ length: 5000 }, () => "!"), ["id", "=", 10]];
    const res = await rpc.raw("res.partner", "search", [deep]);
    assert.ok(res.error || Array.isArray(res.result));
    const ors = [
      ...Array.from({ length: 3000 }, () => "|"),
      ...Array.from({ length: 3001 }, (_, i) => ["id", "=", i]),
    ];
    const wide = await rpc.raw("res.partner", "search_count", [ors]);
    assert.ok(wide.error || typeof wide.result === "number");
    const many = await rpc.call("res.partner", "search_count", [
      [["id", "in", Array.from({ length: 100_000 }, (_, i) => i)]],
    ]);
    assert.ok(many > 10);
    await alive();
  });

  test("unknown routes and methods answer 404 pages", async () => {
    assert.equal((await fetch(`${rpc.odoo.url}/jsonrpc`)).status, 404);
    assert.equal((await post(`${rpc.odoo.url}/nope`, "{}")).status, 404);
    assert.equal(
      (await post(`${rpc.odoo.url}/json/2/res.partner/search`, "{}")).status,
      404,
      "JSON-2 only exists in 19",
    );
    await alive();
  });

  test("concurrent garbage does not wedge the worker pool", async () => {
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? jsonrpc("{bad") : rpc.raw("res.partner", "nope", []))),
    );
    await alive();
  });
});

describe("prototype-named fields, models and methods", () => {
  test("are unknown names, answered with Odoo's errors", async () => {
    const rpc = await startWithRpc();
    try {
      const write = await rpc.raw("res.partner", "write", [[10], { constructor: 1, ["__proto__"]: 2 }]);
      assert.equal(write.error.data.name, "builtins.ValueError");
      const read = await rpc.raw("res.partner", "read", [[10], ["constructor"]]);
      assert.equal(read.error.data.message, "Invalid field 'constructor' on model 'res.partner'");
      const search = await rpc.raw("res.partner", "search", [[["toString", "=", 1]]]);
      assert.equal(search.error.data.name, "builtins.ValueError");
      assert.equal(
        (await rpc.raw("res.partner", "hasOwnProperty", [[]])).error.data.name,
        "builtins.AttributeError",
      );
      assert.equal(
        (await rpc.raw("constructor", "search", [[]])).error.data.name,
        "odoo.exceptions.UserError",
      );
    } finally {
      await rpc.odoo.close();
    }
  });
});
