import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Json, type Rpc, startWithRpc } from "./rpc-client.ts";

async function withRpc(fn: (rpc: Rpc) => Promise<void>, options = {}): Promise<void> {
  const rpc = await startWithRpc(options);
  try {
    await fn(rpc);
  } finally {
    await rpc.odoo.close();
  }
}

/** Confirms an order of storable products and delivers it fully. */
async function deliveredOrder(
  rpc: Rpc,
  lines: [number, number][],
): Promise<{ order: number; picking: number }> {
  const order = await rpc.call("sale.order", "create", [
    { partner_id: 14, order_line: lines.map(([p, q]) => [0, 0, { product_id: p, product_uom_qty: q }]) },
  ]);
  await rpc.call("sale.order", "action_confirm", [[order]]);
  const [{ picking_ids }] = await rpc.call("sale.order", "read", [[order], ["picking_ids"]]);
  assert.equal(
    await rpc.call("stock.picking", "button_validate", [picking_ids], { context: { skip_sms: true } }),
    true,
  );
  return { order, picking: picking_ids[0] };
}

async function invoiceOrder(rpc: Rpc, order: number): Promise<Json> {
  const ctx = { active_model: "sale.order", active_ids: [order], active_id: order };
  const wizard = await rpc.call(
    "sale.advance.payment.inv",
    "create",
    [{ advance_payment_method: "delivered", sale_order_ids: [[6, 0, [order]]] }],
    { context: ctx },
  );
  return rpc.call("sale.advance.payment.inv", "create_invoices", [[wizard]], { context: ctx });
}

describe("invoicing and payments", () => {
  test("nothing delivered -> UserError; delivered -> one draft invoice for the delivered quantities", () =>
    withRpc(async (rpc) => {
      const order = await rpc.call("sale.order", "create", [
        { partner_id: 10, order_line: [[0, 0, { product_id: 5, product_uom_qty: 2 }]] },
      ]);
      await rpc.call("sale.order", "action_confirm", [[order]]);
      const refused = await invoiceOrder(rpc, order).catch((e) => e);
      assert.equal(refused.data.name, "odoo.exceptions.UserError");
      assert.equal(
        refused.data.message,
        "There is no invoiceable line. If a product has a Delivered quantities invoicing policy, please make sure that a quantity has been delivered.",
      );
      const { order: delivered } = await deliveredOrder(rpc, [
        [5, 2],
        [6, 1],
      ]);
      const action = (await invoiceOrder(rpc, delivered)) as {
        type: string;
        res_model: string;
        res_id: number;
      };
      assert.equal(action.type, "ir.actions.act_window");
      assert.equal(action.res_model, "account.move");
      const [o] = await rpc.call("sale.order", "read", [
        [delivered],
        ["invoice_ids", "invoice_status", "name"],
      ]);
      assert.deepEqual(o.invoice_ids, [action.res_id]);
      assert.equal(o.invoice_status, "invoiced");
      const [inv] = await rpc.call("account.move", "read", [
        o.invoice_ids,
        [
          "name",
          "state",
          "move_type",
          "invoice_origin",
          "partner_id",
          "amount_untaxed",
          "amount_tax",
          "amount_total",
          "amount_residual",
          "payment_state",
          "invoice_line_ids",
        ],
      ]);
      assert.deepEqual(
        [inv.name, inv.state, inv.move_type, inv.invoice_origin, inv.partner_id[0], inv.payment_state],
        ["/", "draft", "out_invoice", o.name, 14, "not_paid"],
      );
      assert.equal(inv.amount_untaxed, 2 * 85 + 147);
      assert.equal(inv.amount_tax, 47.55);
      assert.equal(inv.amount_total, 364.55);
      assert.equal(inv.amount_residual, 364.55);
      assert.equal(inv.invoice_line_ids.length, 2);
      const again = await invoiceOrder(rpc, delivered).catch((e) => e);
      assert.equal(again.data.name, "odoo.exceptions.UserError", "already invoiced");
    }));

  test("action_post names the invoice and returns false; posting twice is a UserError; payments partial then paid", () =>
    withRpc(async (rpc) => {
      const { order } = await deliveredOrder(rpc, [[8, 4]]);
      await invoiceOrder(rpc, order);
      const [{ invoice_ids }] = await rpc.call("sale.order", "read", [[order], ["invoice_ids"]]);
      const inv = invoice_ids[0];
      assert.equal(await rpc.call("account.move", "action_post", [[inv]]), false);
      const [posted] = await rpc.call("account.move", "read", [
        [inv],
        ["name", "state", "amount_total", "invoice_date"],
      ]);
      assert.match(posted.name, /^INV\/\d{4}\/00001$/);
      assert.equal(posted.state, "posted");
      const twice = await rpc.raw("account.move", "action_post", [[inv]]);
      assert.equal(twice.error.data.name, "odoo.exceptions.UserError");
      const ctx = { active_model: "account.move", active_ids: [inv] };
      const w1 = await rpc.call(
        "account.payment.register",
        "create",
        [{ amount: 50, communication: "first part" }],
        { context: ctx },
      );
      const action = await rpc.call("account.payment.register", "action_create_payments", [[w1]], {
        context: ctx,
      });
      assert.equal(action.res_model, "account.payment");
      const [partial] = await rpc.call("account.move", "read", [[inv], ["amount_residual", "payment_state"]]);
      assert.equal(partial.payment_state, "partial");
      assert.equal(partial.amount_residual, Math.round((posted.amount_total - 50) * 100) / 100);
      const [payment] = await rpc.call("account.payment", "read", [
        [action.res_id],
        ["amount", "partner_id", "ref", "state", "journal_id", "reconciled_invoice_ids"],
      ]);
      assert.deepEqual(
        [
          payment.amount,
          payment.partner_id[0],
          payment.ref,
          payment.state,
          payment.journal_id[1],
          payment.reconciled_invoice_ids,
        ],
        [50, 14, "first part", "posted", "Bank", [inv]],
      );
      const w2 = await rpc.call("account.payment.register", "create", [{}], { context: ctx });
      await rpc.call("account.payment.register", "action_create_payments", [[w2]], { context: ctx });
      const [paid] = await rpc.call("account.move", "read", [[inv], ["amount_residual", "payment_state"]]);
      assert.deepEqual([paid.amount_residual, paid.payment_state], [0, "paid"]);
      const w3 = await rpc.call("account.payment.register", "create", [{ amount: 1 }], { context: ctx });
      const over = await rpc.raw("account.payment.register", "action_create_payments", [[w3]], {
        context: ctx,
      });
      assert.equal(over.error.data.name, "odoo.exceptions.UserError");
    }));
});

describe("purchase and receipts", () => {
  test("button_confirm creates a receipt; validating it raises on hand and qty_received", () =>
    withRpc(async (rpc) => {
      const [before] = await rpc.call("product.product", "read", [[4], ["qty_available"]]);
      const po = await rpc.call("purchase.order", "create", [
        {
          partner_id: 24,
          partner_ref: "V-77",
          order_line: [[0, 0, { product_id: 4, product_qty: 6, price_unit: 1000 }]],
        },
      ]);
      const [draft] = await rpc.call("purchase.order", "read", [[po], ["name", "state", "amount_total"]]);
      assert.deepEqual([draft.name, draft.state, draft.amount_total], ["P00001", "draft", 6900]);
      assert.equal(await rpc.call("purchase.order", "button_confirm", [[po]]), true);
      const [confirmed] = await rpc.call("purchase.order", "read", [[po], ["state", "picking_ids"]]);
      assert.equal(confirmed.state, "purchase");
      const [receipt] = await rpc.call("stock.picking", "read", [
        confirmed.picking_ids,
        ["name", "state", "picking_type_code", "origin", "purchase_id"],
      ]);
      assert.match(receipt.name, /^WH\/IN\/\d{5}$/);
      assert.deepEqual(
        [receipt.state, receipt.picking_type_code, receipt.origin],
        ["assigned", "incoming", "P00001"],
      );
      assert.equal(
        await rpc.call("stock.picking", "button_validate", [confirmed.picking_ids]),
        true,
        "no SMS question for receipts",
      );
      const [after] = await rpc.call("product.product", "read", [[4], ["qty_available"]]);
      assert.equal(after.qty_available, before.qty_available + 6);
      const [line] = await rpc.call("purchase.order.line", "search_read", [[["order_id", "=", po]]], {
        fields: ["qty_received"],
      });
      assert.equal(line.qty_received, 6);
    }));

  test("double validation: at or above the company's amount the order waits in 'to approve'", () =>
    withRpc(async (rpc) => {
      await rpc.call("res.company", "write", [
        [1],
        { po_double_validation: "two_step", po_double_validation_amount: 1000 },
      ]);
      const small = await rpc.call("purchase.order", "create", [
        { partner_id: 24, order_line: [[0, 0, { product_id: 13, product_qty: 1, price_unit: 10 }]] },
      ]);
      const big = await rpc.call("purchase.order", "create", [
        { partner_id: 24, order_line: [[0, 0, { product_id: 13, product_qty: 100, price_unit: 10 }]] },
      ]);
      await rpc.call("purchase.order", "button_confirm", [[small, big]]);
      const states = await rpc.call("purchase.order", "read", [
        [small, big],
        ["state", "picking_ids"],
      ]);
      assert.deepEqual(
        states.map((s: { state: string }) => s.state),
        ["purchase", "to approve"],
      );
      assert.deepEqual(states[1].picking_ids, []);
      await rpc.call("purchase.order", "button_approve", [[big]]);
      const [approved] = await rpc.call("purchase.order", "read", [[big], ["state", "picking_ids"]]);
      assert.equal(approved.state, "purchase");
      assert.equal(approved.picking_ids.length, 1);
    }));
});

describe("returns", () => {
  test("stock.return.picking on a done delivery: default lines, create_returns, reversed locations, stock back", () =>
    withRpc(async (rpc) => {
      const { order, picking } = await deliveredOrder(rpc, [[14, 3]]);
      const [{ qty_available: before }] = await rpc.call("product.product", "read", [
        [14],
        ["qty_available"],
      ]);
      const [out] = await rpc.call("stock.picking", "read", [[picking], ["name", "move_ids"]]);
      const ctx = { active_id: picking, active_ids: [picking], active_model: "stock.picking" };
      const wizard = await rpc.call(
        "stock.return.picking",
        "create",
        [{ product_return_moves: [[0, 0, { product_id: 14, quantity: 2, move_id: out.move_ids[0] }]] }],
        { context: ctx },
      );
      const action = await rpc.call("stock.return.picking", "create_returns", [[wizard]], { context: ctx });
      assert.equal(action.res_model, "stock.picking");
      const [ret] = await rpc.call("stock.picking", "read", [
        [action.res_id],
        ["origin", "return_id", "location_id", "location_dest_id", "state", "picking_type_code", "sale_id"],
      ]);
      assert.equal(ret.origin, `Return of ${out.name}`);
      assert.deepEqual(ret.return_id, [picking, out.name]);
      assert.deepEqual(ret.location_id, [5, "Partners/Customers"]);
      assert.deepEqual(ret.location_dest_id, [8, "WH/Stock"]);
      assert.equal(ret.picking_type_code, "incoming");
      assert.equal(ret.sale_id[0], order);
      assert.equal(ret.state, "assigned");
      assert.equal(await rpc.call("stock.picking", "button_validate", [[action.res_id]]), true);
      const [{ qty_available: after }] = await rpc.call("product.product", "read", [[14], ["qty_available"]]);
      assert.equal(after, before + 2);
      const [line] = await rpc.call("sale.order.line", "search_read", [[["order_id", "=", order]]], {
        fields: ["qty_delivered"],
      });
      assert.equal(line.qty_delivered, 1);
      const defaults = await rpc.call("stock.return.picking", "create", [{}], { context: ctx });
      const [w] = await rpc.call("stock.return.picking", "read", [
        [defaults],
        ["product_return_moves", "picking_id"],
      ]);
      assert.equal(w.product_return_moves.length, 1, "default lines from the picking's moves");
      const notDone = await rpc.call("sale.order", "create", [
        { partner_id: 10, order_line: [[0, 0, { product_id: 15, product_uom_qty: 1 }]] },
      ]);
      await rpc.call("sale.order", "action_confirm", [[notDone]]);
      const [{ picking_ids }] = await rpc.call("sale.order", "read", [[notDone], ["picking_ids"]]);
      const refused = await rpc.raw("stock.return.picking", "create", [{}], {
        context: { active_id: picking_ids[0], active_model: "stock.picking" },
      });
      assert.equal(refused.error.data.message, "You may only return Done pickings.");
    }));
});
