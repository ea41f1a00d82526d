import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { post, type Rpc, startWithRpc } from "./rpc-client.ts";

async function withVersion(version: 16 | 17 | 18 | 19, fn: (rpc: Rpc) => Promise<void>): Promise<void> {
  const rpc = await startWithRpc({ version });
  try {
    await fn(rpc);
  } finally {
    await rpc.odoo.close();
  }
}

async function confirmed(
  rpc: Rpc,
  product: number,
  qty: number,
): Promise<{ order: number; picking: number }> {
  const order = await rpc.call("sale.order", "create", [
    { partner_id: 10, order_line: [[0, 0, { product_id: product, product_uom_qty: qty }]] },
  ]);
  await rpc.call("sale.order", "action_confirm", [[order]]);
  const [{ picking_ids }] = await rpc.call("sale.order", "read", [[order], ["picking_ids"]]);
  return { order, picking: picking_ids[0] };
}

const fieldNames = async (rpc: Rpc, model: string) =>
  Object.keys(await rpc.call(model, "fields_get", [], { attributes: ["type"] }));

describe("version differences", () => {
  test("16: detailed_type, quantity_done/qty_done, immediate transfer wizard, state done, module delivery, check_access_rights", () =>
    withVersion(16, async (rpc) => {
      const [product] = await rpc.call("product.product", "read", [[1], ["detailed_type", "type"]]);
      assert.deepEqual([product.detailed_type, product.type], ["product", "product"]);
      const moveFields = await fieldNames(rpc, "stock.move");
      assert.ok(
        moveFields.includes("quantity_done") &&
          !moveFields.includes("quantity") &&
          !moveFields.includes("picked"),
      );
      assert.ok((await fieldNames(rpc, "stock.move.line")).includes("qty_done"));
      assert.ok(!(await fieldNames(rpc, "sale.order")).includes("locked"));
      assert.ok(!(await fieldNames(rpc, "stock.picking")).includes("return_id"));
      const { order, picking } = await confirmed(rpc, 5, 2);
      const action = await rpc.call("stock.picking", "button_validate", [[picking]]);
      assert.equal(action.res_model, "stock.immediate.transfer");
      const wizard = await rpc.call("stock.immediate.transfer", "create", [{}], { context: action.context });
      const next = await rpc.call("stock.immediate.transfer", "process", [[wizard]], {
        context: action.context,
      });
      assert.equal(next.res_model, "confirm.stock.sms", "then the SMS question");
      const sms = await rpc.call("confirm.stock.sms", "create", [{}], { context: next.context });
      assert.equal(await rpc.call("confirm.stock.sms", "send_sms", [[sms]], { context: next.context }), true);
      const [p] = await rpc.call("stock.picking", "read", [[picking], ["state", "move_ids"]]);
      assert.equal(p.state, "done");
      assert.equal(
        (await rpc.call("stock.move", "read", [p.move_ids, ["quantity_done"]]))[0].quantity_done,
        2,
      );
      const second = await confirmed(rpc, 5, 1);
      const [mv] = await rpc.call("stock.picking", "read", [[second.picking], ["move_ids"]]);
      const noImmediate = await rpc.raw("stock.picking", "button_validate", [[second.picking]], {
        context: { skip_immediate: true },
      });
      assert.equal(
        noImmediate.error.data.name,
        "odoo.exceptions.UserError",
        "skip_immediate with nothing done",
      );
      await rpc.call("stock.move", "write", [mv.move_ids, { quantity_done: 1 }]);
      assert.equal(await rpc.call("stock.picking", "button_validate", [[second.picking]]), true);
      await rpc.call("sale.order", "action_lock", [[order]]);
      assert.equal((await rpc.call("sale.order", "read", [[order], ["state"]]))[0].state, "done");
      const modules = await rpc.call(
        "ir.module.module",
        "search_read",
        [[["name", "in", ["delivery", "stock_delivery"]]]],
        { fields: ["name"] },
      );
      assert.deepEqual(
        modules.map((m: { name: string }) => m.name),
        ["delivery"],
      );
      assert.equal(
        await rpc.call("sale.order", "check_access_rights", ["read"], { raise_exception: false }),
        true,
      );
      assert.equal(
        (await rpc.raw("sale.order", "has_access", [[], "read"])).error.data.name,
        "builtins.AttributeError",
      );
      const quant = await rpc.call(
        "stock.quant",
        "create",
        [{ product_id: 7, location_id: 8, inventory_quantity: 3 }],
        {
          context: { inventory_mode: true },
        },
      );
      await rpc.call("stock.quant", "action_apply_inventory", [[quant]]);
      assert.equal((await rpc.call("product.product", "read", [[7], ["qty_available"]]))[0].qty_available, 3);
      const ret = await rpc.call("stock.return.picking", "create", [{}], {
        context: { active_id: picking, active_model: "stock.picking" },
      });
      assert.equal(
        (await rpc.call("stock.return.picking", "create_returns", [[ret]])).res_model,
        "stock.picking",
      );
    }));

  test("18: type consu + is_storable, has_access (no check_access_rights), payment memo, action_create_returns, error code 0", () =>
    withVersion(18, async (rpc) => {
      const [product] = await rpc.call("product.product", "read", [[1], ["type", "is_storable"]]);
      assert.deepEqual([product.type, product.is_storable], ["consu", true]);
      assert.ok(!(await fieldNames(rpc, "product.product")).includes("detailed_type"));
      assert.equal(await rpc.call("sale.order", "has_access", [[], "write"]), true);
      assert.equal(await rpc.call("sale.order", "has_access", [[], "write"], {}, [6, "demo"]), false);
      const missing = await rpc.raw("sale.order", "check_access_rights", ["read"]);
      assert.equal(missing.error.data.name, "builtins.AttributeError");
      assert.equal(missing.error.code, 0);
      const paymentFields = await fieldNames(rpc, "account.payment");
      assert.ok(paymentFields.includes("memo") && !paymentFields.includes("ref"));
      const { picking } = await confirmed(rpc, 5, 1);
      await rpc.call("stock.picking", "button_validate", [[picking]], { context: { skip_sms: true } });
      const ctx = { active_id: picking, active_model: "stock.picking" };
      const ret = await rpc.call("stock.return.picking", "create", [{}], { context: ctx });
      assert.equal(
        (await rpc.raw("stock.return.picking", "create_returns", [[ret]])).error.data.name,
        "builtins.AttributeError",
      );
      const action = await rpc.call("stock.return.picking", "action_create_returns", [[ret]], {
        context: ctx,
      });
      assert.equal(action.res_model, "stock.picking");
      const goods = await rpc.call("product.product", "create", [
        { name: "Goods", type: "consu", is_storable: true },
      ]);
      assert.equal(
        (await rpc.call("product.product", "read", [[goods], ["invoice_policy"]]))[0].invoice_policy,
        "delivery",
      );
    }));

  test("19: sale line product_uom_id/tax_ids, JSON-RPC still answers, /web/version says 19", () =>
    withVersion(19, async (rpc) => {
      const lineFields = await fieldNames(rpc, "sale.order.line");
      assert.ok(lineFields.includes("product_uom_id") && lineFields.includes("tax_ids"));
      assert.ok(!lineFields.includes("product_uom") && !lineFields.includes("tax_id"));
      const [line] = await rpc.call("sale.order.line", "search_read", [[["order_id", "=", 25]]], {
        fields: ["tax_ids", "product_uom_id"],
        limit: 1,
      });
      assert.deepEqual(line.tax_ids, [1]);
      assert.deepEqual(line.product_uom_id, [1, "Units"]);
      assert.deepEqual(await (await fetch(`${rpc.odoo.url}/web/version`)).json(), {
        version_info: [19, 0, 0, "final", 0, ""],
        version: "19.0",
      });
    }));
});

describe("JSON-2 (version 19)", () => {
  const KEY = "sandbox-admin-key";
  const json2 = (rpc: Rpc, path: string, body: unknown, headers: Record<string, string> = {}) =>
    post(`${rpc.odoo.url}/json/2/${path}`, JSON.stringify(body), {
      Authorization: `bearer ${KEY}`,
      ...headers,
    });

  test("named arguments for the ORM methods and actions; raw results; null for None", () =>
    withVersion(19, async (rpc) => {
      const created = await json2(rpc, "res.partner/create", {
        vals_list: [{ name: "J2 One" }, { name: "J2 Two" }],
      });
      assert.equal(created.status, 200);
      assert.equal(created.json.length, 2);
      assert.equal(
        (await json2(rpc, "res.partner/write", { ids: created.json, vals: { ref: "j2" } })).json,
        true,
      );
      const read = await json2(rpc, "res.partner/read", { ids: created.json, fields: ["name", "ref"] });
      assert.deepEqual(read.json, [
        { id: created.json[0], name: "J2 One", ref: "j2" },
        { id: created.json[1], name: "J2 Two", ref: "j2" },
      ]);
      const sr = await json2(rpc, "res.partner/search_read", {
        domain: [["ref", "=", "j2"]],
        fields: ["name"],
        order: "id desc",
        limit: 1,
        offset: 0,
      });
      assert.deepEqual(sr.json, [{ id: created.json[1], name: "J2 Two" }]);
      assert.deepEqual(
        (await json2(rpc, "res.partner/search", { domain: [["ref", "=", "j2"]], order: "id asc" })).json,
        created.json,
      );
      assert.equal((await json2(rpc, "res.partner/search_count", { domain: [["ref", "=", "j2"]] })).json, 2);
      const loaded = await json2(rpc, "res.partner/load", {
        fields: ["id", "name"],
        data: [["crossdock.j2", "J2 Loaded"]],
      });
      assert.deepEqual(loaded.json.messages, []);
      const order = await json2(rpc, "sale.order/create", {
        vals_list: [{ partner_id: 10, order_line: [[0, 0, { product_id: 5 }]] }],
      });
      assert.equal(
        (await json2(rpc, "sale.order/action_confirm", { ids: order.json, context: {} })).json,
        true,
      );
      const none = await json2(rpc, "sale.order/action_unlock", { ids: order.json });
      assert.equal(none.status, 200);
      assert.equal(none.text, "null");
      const upper = await post(
        `${rpc.odoo.url}/json/2/res.partner/search_count`,
        JSON.stringify({ domain: [] }),
        { Authorization: `BEARER ${KEY}` },
      );
      assert.equal(upper.status, 200, "the scheme is case-insensitive");
    }));

  test("errors carry real statuses and the {name, message, arguments, context, debug} body", () =>
    withVersion(19, async (rpc) => {
      const check = async (
        path: string,
        body: unknown,
        status: number,
        name: string,
        headers?: Record<string, string>,
      ) => {
        const res = await json2(rpc, path, body, headers);
        assert.equal(res.status, status, `${path}: ${res.text.slice(0, 200)}`);
        assert.equal(res.json.name, name, path);
        assert.deepEqual(Object.keys(res.json).sort(), ["arguments", "context", "debug", "message", "name"]);
      };
      await check("res.partner/_read", {}, 403, "odoo.exceptions.AccessError");
      await check("no.model/search", { domain: [] }, 404, "odoo.exceptions.UserError");
      await check("res.partner/nope", {}, 404, "builtins.AttributeError");
      await check(
        "res.partner/write",
        { ids: [999999], vals: { name: "x" } },
        404,
        "odoo.exceptions.MissingError",
      );
      await check("sale.order/action_confirm", { ids: [25] }, 422, "odoo.exceptions.UserError");
      await check(
        "res.partner/write",
        { ids: [10], vals: { parent_id: 10 } },
        422,
        "odoo.exceptions.ValidationError",
      );
      await check("res.partner/search", { bogus: 1 }, 422, "builtins.TypeError");
      rpc.odoo.faults.inject({ kind: "serialization" });
      await check("res.partner/search", { domain: [] }, 500, "psycopg2.errors.SerializationFailure");
      const noKey = await post(`${rpc.odoo.url}/json/2/res.partner/search`, "{}");
      assert.equal(noKey.status, 401);
    }));

  test("several databases: X-Odoo-Database selects one, its absence is a 404", async () => {
    const rpc = await startWithRpc({ version: 19, databases: ["alpha", "beta"] });
    try {
      const res = await post(`${rpc.odoo.url}/json/2/res.partner/search_count`, "{}", {
        Authorization: `bearer ${KEY}`,
      });
      assert.equal(res.status, 404);
      const ok = await post(
        `${rpc.odoo.url}/json/2/res.partner/create`,
        JSON.stringify({ vals_list: [{ name: "only in beta" }] }),
        {
          Authorization: `bearer ${KEY}`,
          "X-Odoo-Database": "beta",
        },
      );
      assert.equal(ok.status, 200);
      assert.deepEqual(rpc.odoo.env("alpha").search("res.partner", [["name", "=", "only in beta"]]), []);
      assert.equal(rpc.odoo.env("beta").search("res.partner", [["name", "=", "only in beta"]]).length, 1);
    } finally {
      await rpc.odoo.close();
    }
  });
});

describe("session API and XML-RPC extras", () => {
  test("several databases: call_kw with ?db= and no session is a session-expired error, without it a 404", async () => {
    const rpc = await startWithRpc({ databases: ["alpha", "beta"] });
    try {
      const body = JSON.stringify({
        jsonrpc: "2.0",
        method: "call",
        id: 1,
        params: { model: "res.partner", method: "search", args: [[]], kwargs: {} },
      });
      const withDb = await post(`${rpc.odoo.url}/web/dataset/call_kw/res.partner/search?db=beta`, body);
      assert.equal(withDb.json.error.code, 100);
      const without = await post(`${rpc.odoo.url}/web/dataset/call_kw/res.partner/search`, body);
      assert.equal(without.status, 404);
    } finally {
      await rpc.odoo.close();
    }
  });

  test("/web/session/authenticate refuses API keys; XML-RPC version and None", () =>
    withVersion(17, async (rpc) => {
      const res = await post(
        `${rpc.odoo.url}/web/session/authenticate`,
        JSON.stringify({
          jsonrpc: "2.0",
          method: "call",
          id: 1,
          params: { db: "crossdock", login: "admin", password: "sandbox-admin-key" },
        }),
      );
      assert.equal(res.json.error.data.name, "odoo.exceptions.AccessDenied");
      assert.equal(res.headers.get("set-cookie"), null);
      const xml = await post(
        `${rpc.odoo.url}/xmlrpc/2/common`,
        "<?xml version='1.0'?><methodCall><methodName>version</methodName><params></params></methodCall>",
        { "Content-Type": "text/xml" },
      );
      assert.match(xml.text, /<name>server_version<\/name>\n<value><string>17\.0<\/string><\/value>/);
      const big = await rpc.call("res.partner", "create", [
        { name: "Big int", customer_rank: 3_000_000_000 },
      ]);
      const overflow = await post(
        `${rpc.odoo.url}/xmlrpc/2/object`,
        `<?xml version='1.0'?><methodCall><methodName>execute_kw</methodName><params><param><value><string>crossdock</string></value></param><param><value><int>2</int></value></param><param><value><string>admin</string></value></param><param><value><string>res.partner</string></value></param><param><value><string>read</string></value></param><param><value><array><data><value><array><data><value><int>${big}</int></value></data></array></value><value><array><data><value><string>customer_rank</string></value></data></array></value></data></array></value></param></params></methodCall>`,
        { "Content-Type": "text/xml" },
      );
      assert.match(overflow.text, /OverflowError: int exceeds XML-RPC limits/, "no 64-bit ints over XML-RPC");
      const auth = await post(
        `${rpc.odoo.url}/web/session/authenticate`,
        JSON.stringify({
          jsonrpc: "2.0",
          method: "call",
          id: 1,
          params: { db: "crossdock", login: "admin", password: "admin" },
        }),
      );
      const cookie = /session_id=[0-9a-f]+/.exec(auth.headers.get("set-cookie") ?? "")?.[0] ?? "";
      const none = await post(
        `${rpc.odoo.url}/web/dataset/call_kw/sale.order/action_unlock`,
        JSON.stringify({
          jsonrpc: "2.0",
          method: "call",
          id: 9,
          params: { model: "sale.order", method: "action_unlock", args: [[25]], kwargs: {} },
        }),
        { Cookie: cookie },
      );
      assert.deepEqual(
        none.json,
        { jsonrpc: "2.0", id: 9 },
        "None leaves the result key out on the session API too",
      );
      const login = rpc.odoo.calls.of("common", "authenticate");
      assert.equal(login.length, 0, "session logins are not JSON-RPC common calls");
      const garbage = await post(`${rpc.odoo.url}/xmlrpc/2/object`, "<methodCall><oops", {
        "Content-Type": "text/xml",
      });
      assert.equal(garbage.status, 200);
      assert.match(garbage.text, /<name>faultCode<\/name>\n<value><int>1<\/int>/);
    }));
});
