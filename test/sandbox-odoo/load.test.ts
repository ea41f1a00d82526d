import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Rpc, startWithRpc } from "./rpc-client.ts";

describe("load(): Odoo's bulk import", () => {
  let rpc: Rpc;
  before(async () => {
    rpc = await startWithRpc();
  });
  after(() => rpc.odoo.close());

  test("creates records with external ids, then updates them on a second load", async () => {
    const fields = ["id", "name", "email", "country_id", "parent_id/id"];
    const first = await rpc.call("res.partner", "load", [
      fields,
      [
        ["crossdock.cust_1", "Load One", "one@example.com", "Belgium", ""],
        ["cust_2", "Load Two", "", "", "crossdock.cust_1"],
      ],
    ]);
    assert.deepEqual(first.messages, []);
    assert.equal(first.ids.length, 2);
    const refs = await rpc.call(
      "ir.model.data",
      "search_read",
      [
        [
          ["res_id", "in", first.ids],
          ["model", "=", "res.partner"],
        ],
      ],
      { fields: ["module", "name"] },
    );
    assert.deepEqual(refs.map((r: { module: string; name: string }) => `${r.module}.${r.name}`).sort(), [
      "__import__.cust_2",
      "crossdock.cust_1",
    ]);
    const [two] = await rpc.call("res.partner", "read", [[first.ids[1]], ["parent_id", "display_name"]]);
    assert.deepEqual(two.parent_id, [first.ids[0], "Load One"]);
    assert.equal(two.display_name, "Load One, Load Two");
    const second = await rpc.call("res.partner", "load", [
      fields,
      [["crossdock.cust_1", "Load One Renamed", "one@example.com", "Belgium", ""]],
    ]);
    assert.deepEqual(second.ids, [first.ids[0]], "same record updated");
    assert.equal(
      (await rpc.call("res.partner", "read", [[first.ids[0]], ["name"]]))[0].name,
      "Load One Renamed",
    );
  });

  test("one2many lines with continuation rows; many2many comma-separated; .id columns", async () => {
    const fields = [
      "id",
      "partner_id/.id",
      "client_order_ref",
      "order_line/product_id/.id",
      "order_line/product_uom_qty",
      "order_line/tax_id/id",
    ];
    const res = await rpc.call("sale.order", "load", [
      fields,
      [
        ["crossdock.so_1", "10", "CH-1001", "1", "2", "account.tax_sale_15,account.tax_sale_0"],
        ["", "", "", "3", "1", ""],
        ["crossdock.so_2", "14", "CH-1002", "2", "5", ""],
      ],
    ]);
    assert.deepEqual(res.messages, []);
    const orders = await rpc.call("sale.order", "read", [
      res.ids,
      ["client_order_ref", "order_line", "partner_id"],
    ]);
    assert.equal(orders[0].order_line.length, 2);
    assert.equal(orders[1].order_line.length, 1);
    const lines = await rpc.call("sale.order.line", "read", [
      orders[0].order_line,
      ["product_id", "product_uom_qty", "tax_id"],
    ]);
    assert.deepEqual(
      lines.map((l: { tax_id: number[] }) => l.tax_id),
      [[1, 3], [1]],
      "an empty cell keeps the default taxes",
    );
    const again = await rpc.call("sale.order", "load", [
      fields,
      [["crossdock.so_1", "10", "CH-1001", "1", "4", ""]],
    ]);
    assert.deepEqual(again.ids, [res.ids[0]]);
    const [updated] = await rpc.call("sale.order", "read", [[res.ids[0]], ["order_line"]]);
    assert.equal(updated.order_line.length, 1, "lines given for an existing record replace its lines");
  });

  test("any error rolls the whole call back and is returned, not raised", async () => {
    const before = await rpc.call("res.partner", "search_count", [[]]);
    const res = await rpc.call("res.partner", "load", [
      ["id", "name", "country_id"],
      [
        ["crossdock.ok_row", "Fine", "France"],
        ["crossdock.bad_row", "Broken", "Atlantis"],
      ],
    ]);
    assert.equal(res.ids, false);
    assert.equal(res.messages.length, 1);
    assert.equal(res.messages[0].type, "error");
    assert.equal(res.messages[0].record, 1);
    assert.equal(res.messages[0].field, "country_id");
    assert.match(res.messages[0].message, /Atlantis/);
    assert.equal(
      await rpc.call("res.partner", "search_count", [[]]),
      before,
      "the first row was rolled back too",
    );
    assert.deepEqual(await rpc.call("ir.model.data", "search", [[["name", "=", "ok_row"]]]), []);
    const missingName = await rpc.call("res.partner", "load", [
      ["id", "email"],
      [["crossdock.noname", "x@example.com"]],
    ]);
    assert.equal(missingName.ids, false);
    assert.match(missingName.messages[0].message, /mandatory field/);
  });

  test("bad arguments are a TypeError/ValueError, not a crash", async () => {
    const res = await rpc.raw("res.partner", "load", [["name"], "not rows"]);
    assert.equal(res.error.data.name, "builtins.ValueError");
  });
});
