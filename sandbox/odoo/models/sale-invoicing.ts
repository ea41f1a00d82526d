import { userError } from "../odoo-error.ts";
import type { OrmEnv } from "../orm-env.ts";
import { qtyToInvoice, refreshSaleOrders } from "./sale-models.ts";

/**
 * `sale.advance.payment.inv.create_invoices` for regular invoices: one draft out_invoice per order with
 * its quantities to invoice (delivered or ordered, per product policy, minus invoiced).
 *
 * Returned goods (a validated return lowers `qty_delivered`) leave a negative quantity to invoice. As in
 * Odoo's `_create_invoices(final=wizard.deduct_down_payments)` (default true), those lines are included
 * and a move whose total comes out negative is switched to a customer credit note (`out_refund`, with
 * positive quantities): Odoo's own "credit note for returned goods" path. With `deduct_down_payments`
 * false, negative lines are left out.
 */
export function createSaleInvoices(env: OrmEnv, wizardIds: number[]): Record<string, unknown> {
  const wizards = env.ensureExist("sale.advance.payment.inv", wizardIds);
  let orderIds = wizards.flatMap((w) => (w.sale_order_ids as number[]) ?? []);
  if (
    !orderIds.length &&
    env.context.active_model === "sale.order" &&
    Array.isArray(env.context.active_ids)
  ) {
    orderIds = env.context.active_ids as number[];
  }
  const taxField = env.profile.saleLineTax;
  const final = wizards.every((w) => w.deduct_down_payments !== false);
  const created: number[] = [];
  const refunds: number[] = [];
  for (const order of env.ensureExist("sale.order", orderIds)) {
    const lines = env
      .find("sale.order.line", [["order_id", "=", order.id]])
      .map((line) => ({ line, qty: qtyToInvoice(env, line, order.state as string) }))
      .filter((x) => x.qty > 0 || (final && x.qty < 0));
    if (!lines.length) continue;
    const moveId = env.create("account.move", {
      move_type: "out_invoice",
      partner_id: order.partner_invoice_id || order.partner_id,
      invoice_origin: order.name,
      ref: order.client_order_ref || false,
      invoice_line_ids: lines.map(({ line, qty }) => [
        0,
        0,
        {
          product_id: line.product_id,
          name: line.name,
          quantity: qty,
          price_unit: line.price_unit,
          discount: line.discount,
          tax_ids: [[6, 0, (line[taxField] as number[]) ?? []]],
          sale_line_ids: [[6, 0, [line.id]]],
        },
      ]),
    });
    // action_switch_move_type: a negative total becomes a credit note with the quantities' signs flipped.
    if (Number(env.get("account.move", moveId).amount_total) < 0) {
      const moveLines = env.find("account.move.line", [["move_id", "=", moveId]]);
      env.write("account.move", [moveId], {
        move_type: "out_refund",
        invoice_line_ids: moveLines.map((l) => [1, l.id, { quantity: -Number(l.quantity) }]),
      });
      refunds.push(moveId);
    }
    for (const { line, qty } of lines) {
      env.update("sale.order.line", [line.id], {
        qty_invoiced: Math.round((Number(line.qty_invoiced) + qty) * 1e6) / 1e6,
      });
    }
    env.update("sale.order", [order.id], {
      invoice_ids: [...((order.invoice_ids as number[]) ?? []), moveId],
    });
    created.push(moveId);
    refreshSaleOrders(env, [order.id]);
  }
  if (!created.length) {
    throw userError(
      "There is no invoiceable line. If a product has a Delivered quantities invoicing policy, please make sure that a quantity has been delivered.",
    );
  }
  return {
    type: "ir.actions.act_window",
    res_model: "account.move",
    name: "Invoices",
    view_mode: created.length === 1 ? "form" : "tree,form",
    ...(created.length === 1 ? { res_id: created[0] } : {}),
    domain: [["id", "in", created]],
    context: { default_move_type: refunds.length === created.length ? "out_refund" : "out_invoice" },
  };
}
