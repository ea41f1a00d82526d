import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Rpc, startWithRpc } from "./rpc-client.ts";

async function withRpc(fn: (rpc: Rpc) => Promise<void>, options = {}): Promise<void> {
  const rpc = await startWithRpc(options);
  try {
    await fn(rpc);
  } finally {
    await rpc.odoo.close();
  }
}

const stock = async (rpc: Rpc, productId: number) =>
  (
    await rpc.call("product.product", "read", [
      [productId],
      ["qty_available", "free_qty", "virtual_available"],
    ])
  )[0];

async function confirmedOrder(
  rpc: Rpc,
  lines: [number, number][],
  partner = 10,
): Promise<{ order: number; picking: number }> {
  const order = await rpc.call("sale.order", "create", [
    {
      partner_id: partner,
      client_order_ref: "CH-1",
      order_line: lines.map(([p, q]) => [0, 0, { product_id: p, product_uom_qty: q }]),
    },
  ]);
  assert.equal(await rpc.call("sale.order", "action_confirm", [[order]]), true);
  const [o] = await rpc.call("sale.order", "read", [[order], ["picking_ids"]]);
  return { order, picking: o.picking_ids[0] };
}

describe("sale.order + stock (version 17)", () => {
  test("action_confirm: state sale, one outgoing picking per order, a move per storable line, stock reserved", () =>
    withRpc(async (rpc) => {
      const before = await stock(rpc, 5);
      const { order, picking } = await confirmedOrder(rpc, [
        [5, 3],
        [21, 1],
      ]);
      const [o] = await rpc.call("sale.order", "read", [
        [order],
        ["state", "name", "picking_ids", "delivery_status", "invoice_status", "locked"],
      ]);
      assert.equal(o.state, "sale");
      assert.equal(o.picking_ids.length, 1);
      assert.equal(o.delivery_status, "pending");
      assert.equal(o.invoice_status, "to invoice", "the service line invoices on ordered quantities");
      const [p] = await rpc.call("stock.picking", "read", [
        [picking],
        ["name", "origin", "partner_id", "state", "move_ids", "picking_type_code", "sale_id"],
      ]);
      assert.match(p.name, /^WH\/OUT\/\d{5}$/);
      assert.equal(p.origin, o.name);
      assert.deepEqual(p.partner_id, [10, "Deco Addict"]);
      assert.equal(p.state, "assigned");
      assert.equal(p.move_ids.length, 1, "the service line has no move");
      const [move] = await rpc.call("stock.move", "read", [
        p.move_ids,
        ["product_uom_qty", "quantity", "state", "picked", "sale_line_id"],
      ]);
      assert.equal(move.product_uom_qty, 3);
      assert.equal(move.quantity, 3);
      assert.equal(move.state, "assigned");
      assert.equal(move.picked, false);
      const after = await stock(rpc, 5);
      assert.equal(after.qty_available, before.qty_available);
      assert.equal(after.free_qty, before.free_qty - 3);
      assert.equal(after.virtual_available, before.virtual_available - 3);
      const quants = await rpc.call(
        "stock.quant",
        "search_read",
        [
          [
            ["product_id", "=", 5],
            ["location_id", "=", 8],
          ],
        ],
        { fields: ["quantity", "reserved_quantity", "available_quantity"] },
      );
      assert.equal(quants[0].reserved_quantity, 3 + 0);
      const again = await rpc.raw("sale.order", "action_confirm", [[order]]);
      assert.equal(
        again.error.data.message,
        `The following orders are not in a state requiring confirmation: ${o.name}`,
      );
    }));

  test("not enough stock: picking stays confirmed with a partial reservation", () =>
    withRpc(async (rpc) => {
      const { free_qty } = await stock(rpc, 1);
      const { picking } = await confirmedOrder(rpc, [[1, free_qty + 5]]);
      const [p] = await rpc.call("stock.picking", "read", [[picking], ["state", "move_ids"]]);
      assert.equal(p.state, "confirmed");
      const [move] = await rpc.call("stock.move", "read", [p.move_ids, ["quantity", "state"]]);
      assert.equal(move.quantity, free_qty);
      assert.equal(move.state, "partially_available");
    }));

  test("button_validate: SMS wizard once per company, then done: stock moves out, qty_delivered, delivery_status", () =>
    withRpc(async (rpc) => {
      const before = await stock(rpc, 5);
      const { order, picking } = await confirmedOrder(rpc, [[5, 2]]);
      const action = await rpc.call("stock.picking", "button_validate", [[picking]]);
      assert.equal(action.type, "ir.actions.act_window");
      assert.equal(action.res_model, "confirm.stock.sms");
      assert.equal(action.target, "new");
      assert.deepEqual(action.context.button_validate_picking_ids, [picking]);
      assert.equal(
        (await rpc.call("stock.picking", "read", [[picking], ["state"]]))[0].state,
        "assigned",
        "nothing changed",
      );
      const wizard = await rpc.call("confirm.stock.sms", "create", [{}], { context: action.context });
      assert.equal(
        await rpc.call("confirm.stock.sms", "dont_send_sms", [[wizard]], { context: action.context }),
        true,
      );
      const [p] = await rpc.call("stock.picking", "read", [[picking], ["state", "date_done"]]);
      assert.equal(p.state, "done");
      assert.match(p.date_done, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      const after = await stock(rpc, 5);
      assert.equal(after.qty_available, before.qty_available - 2);
      assert.equal(after.free_qty, before.free_qty - 2, "reservation released");
      const [line] = await rpc.call("sale.order.line", "search_read", [[["order_id", "=", order]]], {
        fields: ["qty_delivered", "qty_to_invoice"],
      });
      assert.equal(line.qty_delivered, 2);
      assert.equal(line.qty_to_invoice, 2);
      const [o] = await rpc.call("sale.order", "read", [[order], ["delivery_status", "invoice_status"]]);
      assert.deepEqual([o.delivery_status, o.invoice_status], ["full", "to invoice"]);
      const second = await confirmedOrder(rpc, [[5, 1]]);
      assert.equal(
        await rpc.call("stock.picking", "button_validate", [[second.picking]]),
        true,
        "the SMS question is asked only once",
      );
    }));

  test("partial quantities: backorder wizard; process creates the backorder, process_cancel_backorder drops the rest", () =>
    withRpc(async (rpc) => {
      for (const [method, expectBackorder] of [
        ["process", true],
        ["process_cancel_backorder", false],
      ] as const) {
        const { order, picking } = await confirmedOrder(rpc, [
          [6, 5],
          [7, 2],
        ]);
        const [p] = await rpc.call("stock.picking", "read", [[picking], ["move_ids"]]);
        await rpc.call("stock.move", "write", [[p.move_ids[0]], { quantity: 3, picked: true }]);
        const action = await rpc.call("stock.picking", "button_validate", [[picking]], {
          context: { skip_sms: true },
        });
        assert.equal(action.res_model, "stock.backorder.confirmation");
        assert.deepEqual(action.context.button_validate_picking_ids, [picking]);
        assert.equal(action.context.skip_sms, true, "the caller's context is carried");
        const wizard = await rpc.call("stock.backorder.confirmation", "create", [{}], {
          context: action.context,
        });
        assert.equal(
          await rpc.call("stock.backorder.confirmation", method, [[wizard]], { context: action.context }),
          true,
        );
        const backorders = await rpc.call(
          "stock.picking",
          "search_read",
          [[["backorder_id", "=", picking]]],
          { fields: ["state", "move_ids", "origin"] },
        );
        const [line5] = await rpc.call(
          "sale.order.line",
          "search_read",
          [
            [
              ["order_id", "=", order],
              ["product_id", "=", 6],
            ],
          ],
          { fields: ["qty_delivered"] },
        );
        assert.equal(line5.qty_delivered, 3);
        if (expectBackorder) {
          assert.equal(backorders.length, 1);
          const moves = await rpc.call("stock.move", "read", [
            backorders[0].move_ids,
            ["product_id", "product_uom_qty"],
          ]);
          assert.deepEqual(
            moves
              .map((m: { product_id: [number, string]; product_uom_qty: number }) => [
                m.product_id[0],
                m.product_uom_qty,
              ])
              .sort(),
            [
              [6, 2],
              [7, 2],
            ],
          );
          const [o] = await rpc.call("sale.order", "read", [[order], ["delivery_status", "picking_ids"]]);
          assert.equal(o.delivery_status, "partial");
          assert.equal(o.picking_ids.length, 2);
        } else {
          assert.equal(backorders.length, 0);
          const cancelled = await rpc.call("stock.move", "search_count", [
            [
              ["picking_id", "=", picking],
              ["state", "=", "cancel"],
            ],
          ]);
          assert.equal(cancelled, 1, "the unpicked move is cancelled");
        }
      }
    }));

  test("skip_backorder in context creates the backorder; picking_ids_not_to_backorder cancels the remainder", () =>
    withRpc(async (rpc) => {
      const a = await confirmedOrder(rpc, [[9, 4]]);
      const [pa] = await rpc.call("stock.picking", "read", [[a.picking], ["move_ids"]]);
      await rpc.call("stock.move", "write", [pa.move_ids, { quantity: 1 }]);
      assert.equal(
        await rpc.call("stock.picking", "button_validate", [[a.picking]], {
          context: { skip_sms: true, skip_backorder: true },
        }),
        true,
      );
      assert.equal(await rpc.call("stock.picking", "search_count", [[["backorder_id", "=", a.picking]]]), 1);
      const b = await confirmedOrder(rpc, [[9, 4]]);
      const [pb] = await rpc.call("stock.picking", "read", [[b.picking], ["move_ids"]]);
      await rpc.call("stock.move", "write", [pb.move_ids, { quantity: 1 }]);
      const ctx = { skip_sms: true, skip_backorder: true, picking_ids_not_to_backorder: [b.picking] };
      assert.equal(await rpc.call("stock.picking", "button_validate", [[b.picking]], { context: ctx }), true);
      assert.equal(await rpc.call("stock.picking", "search_count", [[["backorder_id", "=", b.picking]]]), 0);
    }));

  test("nothing done on any move -> UserError; move lines follow move quantities", () =>
    withRpc(async (rpc) => {
      const { picking } = await confirmedOrder(rpc, [[10, 2]]);
      const [p] = await rpc.call("stock.picking", "read", [[picking], ["move_ids", "move_line_ids"]]);
      const [ml] = await rpc.call("stock.move.line", "read", [p.move_line_ids, ["quantity", "move_id"]]);
      assert.equal(ml.quantity, 2);
      await rpc.call("stock.move.line", "write", [[ml.id], { quantity: 0 }]);
      assert.equal((await rpc.call("stock.move", "read", [p.move_ids, ["quantity"]]))[0].quantity, 0);
      const res = await rpc.raw("stock.picking", "button_validate", [[picking]], {
        context: { skip_sms: true },
      });
      assert.equal(res.error.data.name, "odoo.exceptions.UserError");
      assert.match(res.error.data.message, /no quantities are reserved nor done/);
    }));

  test("action_cancel: wizard action without disable_cancel_warning, cancellation with it; done picking -> UserError", () =>
    withRpc(async (rpc) => {
      const { order, picking } = await confirmedOrder(rpc, [[11, 2]]);
      const freeBefore = (await stock(rpc, 11)).free_qty;
      const action = await rpc.call("sale.order", "action_cancel", [[order]]);
      assert.equal(action.type, "ir.actions.act_window");
      assert.equal(action.res_model, "sale.order.cancel");
      assert.equal(action.view_mode, "form");
      assert.equal(action.target, "new");
      assert.equal(typeof action.context, "object");
      assert.equal((await rpc.call("sale.order", "read", [[order], ["state"]]))[0].state, "sale");
      assert.equal(
        await rpc.call("sale.order", "action_cancel", [[order]], {
          context: { disable_cancel_warning: true },
        }),
        true,
      );
      assert.equal((await rpc.call("sale.order", "read", [[order], ["state"]]))[0].state, "cancel");
      assert.equal((await rpc.call("stock.picking", "read", [[picking], ["state"]]))[0].state, "cancel");
      assert.equal((await stock(rpc, 11)).free_qty, freeBefore + 2, "reservation released");
      assert.equal(
        await rpc.call("sale.order", "unlink", [[order]]),
        true,
        "a cancelled order can be deleted",
      );
      const done = await confirmedOrder(rpc, [[12, 1]]);
      await rpc.call("stock.picking", "button_validate", [[done.picking]], { context: { skip_sms: true } });
      const refused = await rpc.raw("sale.order", "action_cancel", [[done.order]], {
        context: { disable_cancel_warning: true },
      });
      assert.equal(refused.error.data.name, "odoo.exceptions.UserError");
      const wizardOrder = await confirmedOrder(rpc, [[12, 1]]);
      const wiz = await rpc.call("sale.order.cancel", "create", [{ order_id: wizardOrder.order }]);
      assert.equal(await rpc.call("sale.order.cancel", "action_cancel", [[wiz]]), true);
      assert.equal(
        (await rpc.call("sale.order", "read", [[wizardOrder.order], ["state"]]))[0].state,
        "cancel",
      );
    }));

  test("action_lock/action_unlock return None (no result key)", () =>
    withRpc(async (rpc) => {
      const locked = await rpc.raw("sale.order", "action_lock", [[25]]);
      assert.equal("result" in locked, false);
      assert.equal((await rpc.call("sale.order", "read", [[25], ["locked"]]))[0].locked, true);
    }));

  test("stock.quant inventory mode: create updates an existing quant, apply moves stock; quantity is not writable", () =>
    withRpc(async (rpc) => {
      const before = await stock(rpc, 3);
      const [existing] = await rpc.call("stock.quant", "search", [
        [
          ["product_id", "=", 3],
          ["location_id", "=", 8],
        ],
      ]);
      const ctx = { inventory_mode: true };
      const id = await rpc.call(
        "stock.quant",
        "create",
        [{ product_id: 3, location_id: 8, inventory_quantity: before.qty_available + 10 }],
        { context: ctx },
      );
      assert.equal(id, existing, "the existing quant is reused");
      const [q] = await rpc.call("stock.quant", "read", [
        [id],
        ["inventory_quantity", "inventory_quantity_set", "inventory_diff_quantity"],
      ]);
      assert.deepEqual([q.inventory_quantity_set, q.inventory_diff_quantity], [true, 10]);
      const applied = await rpc.raw("stock.quant", "action_apply_inventory", [[id]], { context: ctx });
      assert.equal("result" in applied, false);
      assert.equal((await stock(rpc, 3)).qty_available, before.qty_available + 10);
      const moves = await rpc.call(
        "stock.move",
        "search_read",
        [
          [
            ["product_id", "=", 3],
            ["is_inventory", "=", true],
          ],
        ],
        { fields: ["location_id", "location_dest_id", "state", "quantity"] },
      );
      assert.equal(moves.length, 1);
      assert.deepEqual(moves[0].location_id, [6, "Virtual Locations/Inventory adjustment"]);
      assert.equal(moves[0].state, "done");
      const fresh = await rpc.call(
        "stock.quant",
        "create",
        [{ product_id: 4, location_id: 8, inventory_quantity: 0 }],
        { context: ctx },
      );
      await rpc.call("stock.quant", "action_apply_inventory", [[fresh]]);
      assert.equal((await stock(rpc, 4)).qty_available, 0);
      const direct = await rpc.raw("stock.quant", "write", [[id], { quantity: 5 }]);
      assert.equal(direct.error.data.name, "odoo.exceptions.UserError");
      const noMode = await rpc.raw("stock.quant", "create", [{ product_id: 3, location_id: 8, quantity: 5 }]);
      assert.equal(noMode.error.data.name, "odoo.exceptions.UserError");
      const service = await rpc.raw(
        "stock.quant",
        "create",
        [{ product_id: 21, location_id: 8, inventory_quantity: 5 }],
        { context: ctx },
      );
      assert.equal(service.error.data.message, "Quants cannot be created for consumables or services.");
    }));

  test("context warehouse restricts stock figures to that warehouse", () =>
    withRpc(async (rpc) => {
      const wh2View = await rpc.call("stock.location", "create", [{ name: "WH2", usage: "view" }]);
      const wh2Stock = await rpc.call("stock.location", "create", [
        { name: "Stock", usage: "internal", location_id: wh2View },
      ]);
      const wh2 = await rpc.call("stock.warehouse", "create", [
        { name: "Second", code: "WH2", view_location_id: wh2View, lot_stock_id: wh2Stock },
      ]);
      const quant = await rpc.call(
        "stock.quant",
        "create",
        [{ product_id: 2, location_id: wh2Stock, inventory_quantity: 7 }],
        { context: { inventory_mode: true } },
      );
      await rpc.call("stock.quant", "action_apply_inventory", [[quant]]);
      const [all] = await rpc.call("product.product", "read", [[2], ["qty_available"]]);
      const [second] = await rpc.call("product.product", "read", [[2], ["qty_available"]], {
        context: { warehouse: wh2 },
      });
      const [first] = await rpc.call("product.product", "read", [[2], ["qty_available"]], {
        context: { warehouse: 1 },
      });
      assert.equal(second.qty_available, 7);
      assert.equal(first.qty_available + 7, all.qty_available);
    }));
});

describe("amending a confirmed order", () => {
  test("a new line joins the open delivery; a raised quantity adds demand; a lowered one shrinks it", () =>
    withRpc(async (rpc) => {
      const { order, picking } = await confirmedOrder(rpc, [[16, 2]]);
      await rpc.call("sale.order", "write", [
        [order],
        { order_line: [[0, 0, { product_id: 17, product_uom_qty: 3 }]] },
      ]);
      const moves = async () =>
        (
          await rpc.call(
            "stock.move",
            "search_read",
            [
              [
                ["picking_id", "=", picking],
                ["state", "!=", "cancel"],
              ],
            ],
            { fields: ["product_id", "product_uom_qty", "state"], order: "id" },
          )
        ).map((m: { product_id: [number, string]; product_uom_qty: number }) => [
          m.product_id[0],
          m.product_uom_qty,
        ]);
      assert.deepEqual(await moves(), [
        [16, 2],
        [17, 3],
      ]);
      const [line16] = await rpc.call("sale.order.line", "search", [
        [
          ["order_id", "=", order],
          ["product_id", "=", 16],
        ],
      ]);
      await rpc.call("sale.order.line", "write", [[line16], { product_uom_qty: 5 }]);
      assert.deepEqual(await moves(), [
        [16, 2],
        [17, 3],
        [16, 3],
      ]);
      await rpc.call("sale.order.line", "write", [[line16], { product_uom_qty: 1 }]);
      assert.deepEqual(await moves(), [
        [16, 1],
        [17, 3],
      ]);
      const [p] = await rpc.call("stock.picking", "read", [[picking], ["state", "move_ids_without_package"]]);
      assert.equal(p.state, "assigned");
      assert.equal(p.move_ids_without_package.length, 3, "cancelled moves stay on the picking");
      const [o] = await rpc.call("sale.order", "read", [[order], ["amount_untaxed", "picking_ids"]]);
      assert.equal(o.picking_ids.length, 1);
      assert.equal(o.amount_untaxed, 1 * 885 + 3 * 33);
    }));
});

describe("lots on move lines", () => {
  test("move_line_ids commands with lot_name set the done quantity; validation creates the lots", () =>
    withRpc(async (rpc) => {
      const { picking } = await confirmedOrder(rpc, [[18, 3]]);
      const [p] = await rpc.call("stock.picking", "read", [[picking], ["move_ids"]]);
      const lines = [
        [5, 0, 0],
        [0, 0, { lot_name: "LOT-A", quantity: 2, product_id: 18, location_id: 8, location_dest_id: 5 }],
        [0, 0, { lot_name: "LOT-B", quantity: 1, product_id: 18, location_id: 8, location_dest_id: 5 }],
      ];
      await rpc.call("stock.picking", "write", [
        [picking],
        {
          move_ids: [[1, p.move_ids[0], { picked: true, move_line_ids: lines }]],
          carrier_tracking_ref: "TRK-9",
        },
      ]);
      assert.equal((await rpc.call("stock.move", "read", [p.move_ids, ["quantity"]]))[0].quantity, 3);
      assert.equal(
        await rpc.call("stock.picking", "button_validate", [[picking]], { context: { skip_sms: true } }),
        true,
      );
      const moveLines = await rpc.call("stock.move.line", "search_read", [[["picking_id", "=", picking]]], {
        fields: ["lot_id", "lot_name", "quantity"],
        order: "id",
      });
      assert.deepEqual(
        moveLines.map((l: { lot_id: [number, string]; quantity: number }) => [l.lot_id[1], l.quantity]),
        [
          ["LOT-A", 2],
          ["LOT-B", 1],
        ],
      );
      assert.equal(await rpc.call("stock.lot", "search_count", [[["product_id", "=", 18]]]), 2);
      assert.equal(
        (await rpc.call("stock.picking", "read", [[picking], ["carrier_tracking_ref"]]))[0]
          .carrier_tracking_ref,
        "TRK-9",
      );
    }));
});
