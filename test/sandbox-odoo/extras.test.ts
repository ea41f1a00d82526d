import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type Rpc, startWithRpc } from "./rpc-client.ts";

describe("grouped and nested reads, searchable statuses, vendor bills", () => {
  let rpc: Rpc;
  let clock = Date.UTC(2026, 2, 1, 9, 0, 0);
  before(async () => {
    rpc = await startWithRpc({ now: () => clock });
  });
  after(() => rpc.odoo.close());

  test("read_group: lazy count per group, sums, many2one keys, __domain", async () => {
    const groups = await rpc.call("sale.order", "read_group", [
      [["state", "=", "sale"]],
      ["amount_total:sum"],
      ["partner_id"],
    ]);
    assert.equal(groups.length, 2);
    const deco = groups.find((g: { partner_id: [number, string] }) => g.partner_id[0] === 10);
    assert.deepEqual(deco.partner_id, [10, "Deco Addict"]);
    assert.equal(deco.partner_id_count, 1);
    assert.equal(deco.amount_total, 678.5);
    assert.deepEqual(deco.__domain, [
      ["state", "=", "sale"],
      ["partner_id", "=", 10],
    ]);
    const months = await rpc.call(
      "sale.order",
      "read_group",
      [[], ["amount_total"], ["date_order:month", "state"]],
      { lazy: false },
    );
    assert.equal(typeof months[0].__count, "number");
    assert.match(months[0]["date_order:month"], /^\d{4}-\d\d$/);
  });

  test("web_search_read and web_read with nested specifications (17+)", async () => {
    const res = await rpc.call("sale.order", "web_search_read", [
      [["id", "=", 25]],
      {
        name: {},
        partner_id: { fields: { display_name: {}, email: {} } },
        order_line: { fields: { product_uom_qty: {} } },
      },
    ]);
    assert.equal(res.length, 1);
    const [order] = res.records;
    assert.equal(order.name, "S00025");
    assert.deepEqual(order.partner_id, {
      id: 10,
      display_name: "Deco Addict",
      email: "deco_addict@yourcompany.example.com",
    });
    assert.deepEqual(
      order.order_line.map((l: { product_uom_qty: number }) => l.product_uom_qty),
      [2, 1],
    );
    const [again] = await rpc.call("sale.order", "web_read", [[26], { name: {} }]);
    assert.deepEqual(again, { id: 26, name: "S00026" });
  });

  test("name_create, name_search, commercial_partner_id is searchable", async () => {
    const [id, name] = await rpc.call("res.partner", "name_create", ["Quick Partner"]);
    assert.equal(name, "Quick Partner");
    assert.deepEqual(await rpc.call("res.partner", "name_search", ["Quick"]), [[id, "Quick Partner"]]);
    const ids = await rpc.call("res.partner", "search", [[["commercial_partner_id", "=", 14]]]);
    assert.deepEqual(ids.sort(), [14, 21, 23]);
  });

  test("invoice_status and delivery_status are stored: searchable, and a wizard-returning cancel bumps nothing", async () => {
    const toDeliver = await rpc.call("sale.order", "search", [[["delivery_status", "=", "pending"]]]);
    assert.ok(toDeliver.includes(25) && toDeliver.includes(26));
    const [before] = await rpc.call("sale.order", "read", [[25], ["write_date"]]);
    const clockBefore = before.write_date;
    clock += 5000;
    const action = await rpc.call("sale.order", "action_cancel", [[25]]);
    assert.equal(action.res_model, "sale.order.cancel");
    const [afterCancel] = await rpc.call("sale.order", "read", [[25], ["write_date", "state"]]);
    assert.deepEqual([afterCancel.write_date, afterCancel.state], [clockBefore, "sale"]);
    const [{ picking_ids }] = await rpc.call("sale.order", "read", [[26], ["picking_ids"]]);
    await rpc.call("stock.picking", "button_validate", [picking_ids], { context: { skip_sms: true } });
    assert.deepEqual(
      await rpc.call("sale.order", "search", [
        [
          ["invoice_status", "=", "to invoice"],
          ["id", "in", [25, 26]],
        ],
      ]),
      [26],
    );
    const [o] = await rpc.call("sale.order", "read", [[26], ["write_date", "delivery_status"]]);
    assert.equal(o.delivery_status, "full");
    assert.ok(o.write_date > clockBefore, "delivering moves the order's write_date (pollers see it)");
  });

  test("purchase.order.action_create_invoice bills the received quantities", async () => {
    const po = await rpc.call("purchase.order", "create", [
      {
        partner_id: 25,
        partner_ref: "SF-9",
        order_line: [[0, 0, { product_id: 7, product_qty: 4, price_unit: 100 }]],
      },
    ]);
    await rpc.call("purchase.order", "button_confirm", [[po]]);
    const nothing = await rpc.raw("purchase.order", "action_create_invoice", [[po]]);
    assert.equal(nothing.error.data.name, "odoo.exceptions.UserError");
    const [{ picking_ids }] = await rpc.call("purchase.order", "read", [[po], ["picking_ids"]]);
    await rpc.call("stock.picking", "button_validate", [picking_ids]);
    const action = await rpc.call("purchase.order", "action_create_invoice", [[po]]);
    const [bill] = await rpc.call("account.move", "read", [
      [action.res_id],
      ["move_type", "amount_total", "ref", "journal_id"],
    ]);
    assert.deepEqual(
      [bill.move_type, bill.amount_total, bill.ref, bill.journal_id[1]],
      ["in_invoice", 460, "SF-9", "Vendor Bills"],
    );
    await rpc.call("account.move", "action_post", [[action.res_id]]);
    assert.match(
      (await rpc.call("account.move", "read", [[action.res_id], ["name"]]))[0].name,
      /^BILL\/\d{4}\/00001$/,
    );
  });
});

describe("version-specific signatures", () => {
  test("16: search takes `args` and `count`; 19: formatted_read_group", async () => {
    const v16 = await startWithRpc({ version: 16 });
    try {
      assert.equal(await v16.call("res.country", "search", [[]], { count: true }), 10);
      assert.equal(
        (await v16.raw("res.country", "search", [], { domain: [] })).error.data.name,
        "builtins.TypeError",
      );
      assert.equal(
        (await v16.raw("res.country", "web_read", [[1], {}])).error.data.name,
        "builtins.AttributeError",
      );
      assert.deepEqual(await v16.call("res.partner", "name_get", [[10, 999]]), [[10, "Deco Addict"]]);
    } finally {
      await v16.odoo.close();
    }
    const v19 = await startWithRpc({ version: 19 });
    try {
      const groups = await v19.call("sale.order", "formatted_read_group", [
        [],
        ["state"],
        ["__count", "amount_total:sum"],
      ]);
      assert.deepEqual(groups, [{ state: "sale", __count: 2, "amount_total:sum": 1520.3 }]);
    } finally {
      await v19.odoo.close();
    }
  });
});

describe("CLI", () => {
  test("main.ts prints the URL, databases and API key, and serves until SIGTERM", async () => {
    const main = fileURLToPath(new URL("../../sandbox/odoo/main.ts", import.meta.url));
    const child = spawn(process.execPath, [main, "--port", "0", "--version", "18", "--db", "one,two"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 10_000);
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match && out.includes("API key")) {
          clearTimeout(timer);
          resolve(match[1] as string);
        }
      });
    });
    try {
      assert.match(out, /databases: one, two/);
      assert.match(out, /sandbox-admin-key/);
      const version = await (await fetch(`${url}/web/version`)).json();
      assert.deepEqual(version, { version_info: [18, 0, 0, "final", 0, ""], version: "18.0" });
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
    }
  });
});

describe("product.template (one per variant)", () => {
  test("creating either creates the other; template writes reach variants without moving their write_date", async () => {
    let clock = Date.UTC(2026, 3, 1, 8, 0, 0);
    const rpc = await startWithRpc({ now: () => clock, products: 3 });
    try {
      const variant = await rpc.call("product.product", "create", [
        { name: "Lamp", default_code: "LAMP", detailed_type: "product", list_price: 20 },
      ]);
      const [v] = await rpc.call("product.product", "read", [[variant], ["product_tmpl_id", "write_date"]]);
      const [t] = await rpc.call("product.template", "read", [
        [v.product_tmpl_id[0]],
        ["name", "default_code", "detailed_type", "list_price", "product_variant_ids", "product_variant_id"],
      ]);
      assert.deepEqual(
        [
          t.name,
          t.default_code,
          t.detailed_type,
          t.list_price,
          t.product_variant_ids,
          t.product_variant_id[0],
        ],
        ["Lamp", "LAMP", "product", 20, [variant], variant],
      );
      clock += 60_000;
      await rpc.call("product.template", "write", [[t.id], { list_price: 25 }]);
      const [after] = await rpc.call("product.product", "read", [[variant], ["list_price", "write_date"]]);
      assert.equal(after.list_price, 25);
      assert.equal(after.write_date, v.write_date, "the variant's write_date does not move");
      clock += 60_000;
      await rpc.call("product.product", "write", [[variant], { name: "Desk Lamp" }]);
      const [t2] = await rpc.call("product.template", "read", [[t.id], ["name", "write_date"]]);
      assert.equal(t2.name, "Desk Lamp");
      assert.equal(t2.write_date, "2026-04-01 08:02:00");
      const template = await rpc.call("product.template", "create", [
        { name: "Rug", list_price: 99, taxes_id: [[6, 0, [1]]] },
      ]);
      const [rug] = await rpc.call("product.template", "read", [[template], ["product_variant_ids"]]);
      assert.equal(rug.product_variant_ids.length, 1);
      const [rv] = await rpc.call("product.product", "read", [
        rug.product_variant_ids,
        ["name", "list_price", "taxes_id"],
      ]);
      assert.deepEqual([rv.name, rv.list_price, rv.taxes_id], ["Rug", 99, [1]]);
      const bulk = await rpc.call("product.product", "search_read", [[["default_code", "=", "SKU-00002"]]], {
        fields: ["product_tmpl_id"],
      });
      assert.equal(typeof bulk[0].product_tmpl_id[0], "number", "bulk products have templates too");
      const [seeded] = await rpc.call("product.product", "read", [[1], ["product_tmpl_id"]]);
      assert.ok(seeded.product_tmpl_id, "demo products have templates");
    } finally {
      await rpc.odoo.close();
    }
  });
});
