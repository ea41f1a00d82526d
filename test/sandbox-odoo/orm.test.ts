import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Rpc, RpcError, startWithRpc } from "./rpc-client.ts";

describe("generic ORM over JSON-RPC", () => {
  let rpc: Rpc;
  before(async () => {
    rpc = await startWithRpc();
  });
  after(() => rpc.odoo.close());

  test("read formats: many2one pair, x2many ids, empty char false, numbers 0", async () => {
    const id = await rpc.call("res.partner", "create", [
      { name: "Format Co", country_id: 75, is_company: true },
    ]);
    const [rec] = await rpc.call("res.partner", "read", [
      [id],
      ["name", "email", "country_id", "child_ids", "customer_rank", "parent_id"],
    ]);
    assert.deepEqual(rec, {
      id,
      name: "Format Co",
      email: false,
      country_id: [75, "France"],
      child_ids: [],
      customer_rank: 0,
      parent_id: false,
    });
  });

  test("read with load=_classic_write gives many2one ids", async () => {
    const [rec] = await rpc.call("res.partner", "read", [[10], ["country_id", "parent_id"]], {
      load: "_classic_write",
    });
    assert.deepEqual(rec, { id: 10, country_id: 233, parent_id: false });
  });

  test("read of missing ids returns only the existing ones; write on them raises MissingError", async () => {
    assert.deepEqual(await rpc.call("res.partner", "read", [[10, 999999], ["name"]]), [
      { id: 10, name: "Deco Addict" },
    ]);
    const err = await rpc.call("res.partner", "write", [[10, 999999], { ref: "x" }]).catch((e) => e);
    assert.ok(err instanceof RpcError);
    assert.equal(err.data.name, "odoo.exceptions.MissingError");
    assert.equal(
      err.data.message,
      "Record does not exist or has been deleted.\n(Record: res.partner(999999,), User: 2)",
    );
    assert.deepEqual(
      await rpc.call("res.partner", "read", [[10], ["ref"]]),
      [{ id: 10, ref: false }],
      "nothing written",
    );
  });

  test("search_read without fields returns all stored fields, with fields only those plus id", async () => {
    const [all] = await rpc.call("res.partner", "search_read", [[["id", "=", 10]]]);
    for (const key of [
      "name",
      "email",
      "country_id",
      "parent_id",
      "active",
      "write_date",
      "create_date",
      "child_ids",
    ])
      assert.ok(key in all, key);
    assert.equal("commercial_partner_id" in all, false, "computed fields are not in a default read");
    const [some] = await rpc.call("res.partner", "search_read", [[["id", "=", 10]]], { fields: ["name"] });
    assert.deepEqual(Object.keys(some).sort(), ["id", "name"]);
  });

  test("create accepts one dict (id) or a list (ids)", async () => {
    const one = await rpc.call("res.partner", "create", [{ name: "One" }]);
    assert.equal(typeof one, "number");
    const many = await rpc.call("res.partner", "create", [[{ name: "Two" }, { name: "Three" }]]);
    assert.equal(many.length, 2);
    assert.deepEqual(
      (await rpc.call("res.partner", "read", [many, ["name"]])).map((r: { name: string }) => r.name),
      ["Two", "Three"],
    );
  });

  test("domains: operators, prefix & | !, dotted paths, in/not in, like family", async () => {
    const ids = async (domain: unknown[]) =>
      (await rpc.call("res.partner", "search", [domain])).sort((a: number, b: number) => a - b);
    assert.deepEqual(await ids([["id", "in", [10, 14]]]), [10, 14]);
    assert.deepEqual(await ids(["|", ["id", "=", 10], ["id", "=", 14]]), [10, 14]);
    assert.deepEqual(await ids(["&", ["id", ">=", 10], ["id", "<", 12]]), [10, 11]);
    assert.ok(!(await ids(["!", ["id", "=", 10]])).includes(10));
    assert.deepEqual(await ids([["name", "ilike", "deco"]]), [10]);
    assert.deepEqual(await ids([["name", "like", "deco"]]), [], "like is case-sensitive");
    assert.deepEqual(await ids([["name", "=like", "Deco%"]]), [10]);
    assert.deepEqual(await ids([["name", "=ilike", "deco addict"]]), [10]);
    assert.deepEqual(await ids([["parent_id.name", "=", "Azure Interior"]]), [21, 23]);
    assert.deepEqual(await ids([["parent_id", "=", "Azure Interior"]]), [21, 23], "many2one by name");
    assert.deepEqual(await ids([["child_ids", "in", [22]]]), [10], "one2many");
    assert.deepEqual(await ids([["id", "child_of", [14]]]), [14, 21, 23]);
    assert.ok(
      (
        await ids([
          ["id", "not in", [10]],
          ["is_company", "=", true],
        ])
      ).includes(14),
    );
    assert.deepEqual(
      await ids([
        ["country_id.code", "=", "FR"],
        ["name", "=", "Maison Belle"],
      ]),
      [18],
    );
    const orders = await rpc.call("sale.order.line", "search", [
      [
        ["order_id.state", "=", "sale"],
        ["order_id", "=", 25],
      ],
    ]);
    assert.equal(orders.length, 2);
  });

  test("active filtering: archived records hidden unless the domain names active or active_test is false", async () => {
    const id = await rpc.call("res.partner", "create", [{ name: "Archived One", active: false }]);
    assert.deepEqual(await rpc.call("res.partner", "search", [[["name", "=", "Archived One"]]]), []);
    assert.deepEqual(
      await rpc.call("res.partner", "search", [
        [
          ["name", "=", "Archived One"],
          ["active", "=", false],
        ],
      ]),
      [id],
    );
    assert.deepEqual(
      await rpc.call("res.partner", "search", [[["name", "=", "Archived One"]]], {
        context: { active_test: false },
      }),
      [id],
    );
  });

  test("order, limit, offset, search_count", async () => {
    const desc = await rpc.call("res.country", "search_read", [[]], {
      fields: ["code"],
      order: "code desc",
      limit: 2,
      offset: 1,
    });
    assert.deepEqual(
      desc.map((c: { code: string }) => c.code),
      ["NL", "IT"],
    );
    assert.equal(await rpc.call("res.country", "search_count", [[]]), 10);
    const bad = await rpc.raw("res.country", "search", [[]], { order: "code; DROP TABLE x" });
    assert.equal(bad.error.data.name, "builtins.ValueError");
  });

  test("x2many commands 0..6 on one2many and many2many", async () => {
    const order = await rpc.call("sale.order", "create", [
      {
        partner_id: 10,
        order_line: [
          [0, 0, { product_id: 1, product_uom_qty: 1 }],
          [0, 0, { product_id: 2, product_uom_qty: 2 }],
        ],
      },
    ]);
    let [o] = await rpc.call("sale.order", "read", [[order], ["order_line", "amount_untaxed"]]);
    assert.equal(o.order_line.length, 2);
    assert.equal(o.amount_untaxed, 70 + 2 * 120.5);
    const [first, second] = o.order_line;
    await rpc.call("sale.order", "write", [
      [order],
      {
        order_line: [
          [1, first, { product_uom_qty: 3 }],
          [2, second],
        ],
      },
    ]);
    [o] = await rpc.call("sale.order", "read", [
      [order],
      ["order_line", "amount_untaxed", "amount_tax", "amount_total"],
    ]);
    assert.deepEqual(o.order_line, [first]);
    assert.equal(o.amount_untaxed, 210);
    assert.equal(o.amount_tax, 31.5);
    assert.equal(o.amount_total, 241.5);
    await rpc.call("sale.order", "write", [[order], { order_line: [[5]] }]);
    [o] = await rpc.call("sale.order", "read", [[order], ["order_line", "amount_total"]]);
    assert.deepEqual(o.order_line, []);
    assert.equal(o.amount_total, 0);
    const line = await rpc.call("sale.order.line", "create", [
      { order_id: order, product_id: 3, tax_id: [[6, 0, [1, 3]]] },
    ]);
    await rpc.call("sale.order.line", "write", [[line], { tax_id: [[3, 3]] }]);
    assert.deepEqual((await rpc.call("sale.order.line", "read", [[line], ["tax_id"]]))[0].tax_id, [1]);
    await rpc.call("sale.order.line", "write", [
      [line],
      {
        tax_id: [
          [4, 3],
          [4, 3],
        ],
      },
    ]);
    assert.deepEqual((await rpc.call("sale.order.line", "read", [[line], ["tax_id"]]))[0].tax_id, [1, 3]);
    await rpc.call("sale.order.line", "write", [[line], { tax_id: [[5]] }]);
    assert.deepEqual((await rpc.call("sale.order.line", "read", [[line], ["tax_id"]]))[0].tax_id, []);
  });

  test("partner display_name is 'Parent, Child' and commercial_partner_id follows the company", async () => {
    const [p] = await rpc.call("res.partner", "read", [[21], ["display_name", "commercial_partner_id"]]);
    assert.deepEqual(p, {
      id: 21,
      display_name: "Azure Interior, Brandon Freeman",
      commercial_partner_id: [14, "Azure Interior"],
    });
    const [line] = await rpc.call("sale.order", "read", [[26], ["partner_id"]]);
    assert.deepEqual(line.partner_id, [14, "Azure Interior"]);
  });

  test("errors: unknown field, private method, unknown method, TypeError on missing and extra arguments", async () => {
    assert.equal(
      (await rpc.raw("res.partner", "read", [[10], ["nope"]])).error.data.message,
      "Invalid field 'nope' on model 'res.partner'",
    );
    assert.equal(
      (await rpc.raw("res.partner", "_read", [[10]])).error.data.name,
      "odoo.exceptions.AccessError",
    );
    assert.equal(
      (await rpc.raw("res.partner", "frobnicate", [[10]])).error.data.message,
      "The method 'frobnicate' does not exist on the model 'res.partner'",
    );
    const missing = await rpc.raw("res.partner", "write", [[10]]);
    assert.equal(missing.error.data.name, "builtins.TypeError");
    assert.equal(
      missing.error.data.message,
      "BaseModel.write() missing 1 required positional argument: 'vals'",
    );
    const extra = await rpc.raw("res.partner", "search_count", [[], 1, 2, 3]);
    assert.equal(extra.error.data.name, "builtins.TypeError");
    assert.match(extra.error.data.message, /takes from 2 to 3 positional arguments but 5 were given/);
  });

  test("each call is one transaction: a failing create of a list leaves nothing", async () => {
    const before = await rpc.call("res.partner", "search_count", [[]]);
    const res = await rpc.raw("res.partner", "create", [[{ name: "Ok" }, { name: "Bad", parent_id: "x" }]]);
    assert.ok(res.error);
    assert.equal(await rpc.call("res.partner", "search_count", [[]]), before);
  });

  test("unlink: lines go with their order (cascade), other links are emptied", async () => {
    const company = await rpc.call("res.partner", "create", [
      { name: "Gone Co", is_company: true, child_ids: [[0, 0, { name: "Stays" }]] },
    ]);
    const [{ child_ids }] = await rpc.call("res.partner", "read", [[company], ["child_ids"]]);
    const order = await rpc.call("sale.order", "create", [
      { partner_id: 10, order_line: [[0, 0, { product_id: 1 }]] },
    ]);
    const [{ order_line }] = await rpc.call("sale.order", "read", [[order], ["order_line"]]);
    assert.equal(await rpc.call("sale.order", "unlink", [[order]]), true);
    assert.deepEqual(await rpc.call("sale.order.line", "read", [order_line, ["id"]]), []);
    assert.equal(await rpc.call("res.partner", "unlink", [[company]]), true);
    const [contact] = await rpc.call("res.partner", "read", [child_ids, ["parent_id", "display_name"]]);
    assert.deepEqual([contact.parent_id, contact.display_name], [false, "Stays"]);
  });

  test("fields_get returns types and relations", async () => {
    const fields = await rpc.call("sale.order", "fields_get", [], { attributes: ["type", "relation"] });
    assert.deepEqual(fields.partner_id, { type: "many2one", relation: "res.partner" });
    assert.deepEqual(fields.order_line, { type: "one2many", relation: "sale.order.line" });
    assert.equal(fields.state.type, "selection");
  });

  test("ir.model.data is searchable and installed modules are listed", async () => {
    const [xmlid] = await rpc.call(
      "ir.model.data",
      "search_read",
      [
        [
          ["module", "=", "base"],
          ["name", "=", "main_company"],
        ],
      ],
      { fields: ["model", "res_id"] },
    );
    assert.equal(xmlid.model, "res.company");
    assert.equal(xmlid.res_id, 1);
    const modules = await rpc.call("ir.module.module", "search_read", [[["state", "=", "installed"]]], {
      fields: ["name"],
    });
    const names = modules.map((m: { name: string }) => m.name);
    for (const name of [
      "base",
      "product",
      "sale_management",
      "stock",
      "stock_delivery",
      "account",
      "purchase",
      "base_automation",
    ]) {
      assert.ok(names.includes(name), name);
    }
  });

  test("access: the read-only demo user reads sales but cannot write; rights probe answers booleans", async () => {
    const demo: [number, string] = [6, "demo"];
    assert.equal((await rpc.call("sale.order", "search", [[]], {}, demo)).length >= 2, true);
    const denied = await rpc.raw("res.partner", "write", [[10], { ref: "x" }], {}, demo);
    assert.equal(denied.error.data.name, "odoo.exceptions.AccessError");
    assert.match(
      denied.error.data.message,
      /^You are not allowed to modify 'Contact' \(res.partner\) records\./,
    );
    assert.equal(
      await rpc.call("sale.order", "check_access_rights", ["write"], { raise_exception: false }, demo),
      false,
    );
    assert.equal(
      await rpc.call("sale.order", "check_access_rights", ["read"], { raise_exception: false }, demo),
      true,
    );
    assert.equal(
      await rpc.call("sale.order", "check_access_rights", ["write"], { raise_exception: false }),
      true,
    );
    const wrongKey = await rpc.raw("res.partner", "search", [[]], {}, [2, "sandbox-admin-key"]);
    assert.ok(Array.isArray(wrongKey.result), "the API key stands in for the password");
  });

  test("common service: version, authenticate with password or API key", async () => {
    const common = async (method: string, args: unknown[]) => {
      const res = await fetch(`${rpc.odoo.url}/jsonrpc`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          method: "call",
          id: 1,
          params: { service: "common", method, args },
        }),
      });
      return ((await res.json()) as { result: unknown }).result;
    };
    assert.deepEqual(await common("version", []), {
      server_version: "17.0",
      server_version_info: [17, 0, 0, "final", 0, ""],
      server_serie: "17.0",
      protocol_version: 1,
    });
    assert.equal(await common("authenticate", ["crossdock", "admin", "sandbox-admin-key", {}]), 2);
    assert.equal(await common("login", ["crossdock", "demo", "demo"]), 6);
    assert.equal(await common("authenticate", ["crossdock", "demo", "nope", {}]), false);
    const logins = rpc.odoo.calls.of("common", "authenticate").map((c) => [c.uid, c.outcome]);
    assert.deepEqual(logins.slice(-2), [
      [2, "ok"],
      [false, "denied"],
    ]);
    const version = await (await fetch(`${rpc.odoo.url}/web/version`)).json();
    assert.deepEqual(version, { version_info: [17, 0, 0, "final", 0, ""], version: "17.0" });
  });
});
