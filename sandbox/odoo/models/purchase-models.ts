import { f, type MethodDef, type ModelDef } from "../model-def.ts";
import { userError } from "../odoo-error.ts";
import type { OrmEnv } from "../orm-env.ts";
import type { VersionProfile } from "../version-profile.ts";
import { recomputeTotals } from "./amounts.ts";
import { isStorable } from "./product-models.ts";
import {
  cancelPickings,
  createPicking,
  PICKING_TYPE,
  refreshPickingState,
  releaseMoves,
  reserveMoves,
} from "./stock-logic.ts";

const poAction = (run: (env: OrmEnv, ids: number[]) => unknown): MethodDef => ({
  owner: "PurchaseOrder",
  multi: true,
  params: [],
  operation: "write",
  run: (env, ids) => run(env, ids),
});

function createReceipt(env: OrmEnv, orderId: number): void {
  const order = env.get("purchase.order", orderId);
  const lines = env.find("purchase.order.line", [["order_id", "=", orderId]]).filter((l) => {
    const product = l.product_id ? env.browse("product.product", [l.product_id as number])[0] : undefined;
    return product && isStorable(env, product) && Number(l.product_qty) > 0;
  });
  if (!lines.length) return;
  createPicking(
    env.withExactContext({}),
    PICKING_TYPE.receipt,
    { partner_id: order.partner_id, origin: order.name, purchase_id: order.id },
    lines.map((l) => ({
      product_id: l.product_id as number,
      qty: Number(l.product_qty),
      purchase_line_id: l.id,
      name: l.name as string,
    })),
  );
}

/** Confirms RFQs: state purchase + receipt, or "to approve" above the company's double-validation amount. */
function confirm(env: OrmEnv, ids: number[]): boolean {
  const company = env.get("res.company", 1);
  for (const order of env.ensureExist("purchase.order", ids)) {
    if (order.state !== "draft" && order.state !== "sent") continue;
    const needsApproval =
      company.po_double_validation === "two_step" &&
      Number(order.amount_total) >= Number(company.po_double_validation_amount);
    if (needsApproval) {
      env.update("purchase.order", [order.id], { state: "to approve" });
      continue;
    }
    env.update("purchase.order", [order.id], { state: "purchase", date_approve: env.stamp });
    createReceipt(env, order.id);
    env.update("res.partner", [order.partner_id as number], {
      supplier_rank: Number(env.get("res.partner", order.partner_id as number).supplier_rank ?? 0) + 1,
    });
  }
  return true;
}

/** Vendor bills for received (storable) or ordered (other) quantities not billed yet. */
function createBills(env: OrmEnv, ids: number[]): Record<string, unknown> {
  const bills: number[] = [];
  for (const order of env.ensureExist("purchase.order", ids)) {
    if (order.state !== "purchase" && order.state !== "done") continue;
    const lines = env
      .find("purchase.order.line", [["order_id", "=", order.id]])
      .map((line) => {
        const product = line.product_id
          ? env.browse("product.product", [line.product_id as number])[0]
          : undefined;
        const base =
          product && isStorable(env, product) ? Number(line.qty_received) : Number(line.product_qty);
        return { line, qty: Math.round((base - Number(line.qty_invoiced)) * 1e6) / 1e6 };
      })
      .filter((x) => x.qty > 0);
    if (!lines.length) continue;
    bills.push(
      env.create("account.move", {
        move_type: "in_invoice",
        partner_id: order.partner_id,
        invoice_origin: order.name,
        ref: order.partner_ref || false,
        invoice_line_ids: lines.map(({ line, qty }) => [
          0,
          0,
          {
            product_id: line.product_id,
            name: line.name,
            quantity: qty,
            price_unit: line.price_unit,
            tax_ids: [[6, 0, (line.taxes_id as number[]) ?? []]],
            purchase_line_id: line.id,
          },
        ]),
      }),
    );
    for (const { line, qty } of lines)
      env.update("purchase.order.line", [line.id], { qty_invoiced: Number(line.qty_invoiced) + qty });
  }
  if (!bills.length) {
    throw userError(
      "There is no invoiceable line. If a product has a control policy based on received quantity, please make sure that a quantity has been received.",
    );
  }
  return {
    type: "ir.actions.act_window",
    res_model: "account.move",
    name: "Vendor Bills",
    view_mode: "form",
    ...(bills.length === 1 ? { res_id: bills[0] } : { domain: [["id", "in", bills]] }),
    context: { default_move_type: "in_invoice" },
  };
}

/** purchase.order and its lines. */
export function purchaseModels(_profile: VersionProfile): ModelDef[] {
  const recompute = (env: OrmEnv, ids: number[]) =>
    recomputeTotals(env, "purchase.order", "purchase.order.line", "order_id", "product_qty", "taxes_id", ids);
  return [
    {
      name: "purchase.order",
      description: "Purchase Order",
      order: "priority desc, id desc",
      className: "PurchaseOrder",
      groups: "Purchase/User",
      fields: {
        name: f.char("Order Reference", { default: "New" }),
        priority: f.sel(
          [
            ["0", "Normal"],
            ["1", "Urgent"],
          ],
          { default: "0" },
        ),
        partner_id: f.m2o("res.partner", { string: "Vendor", required: true }),
        partner_ref: f.char("Vendor Reference"),
        origin: f.char("Source Document"),
        date_order: f.datetime("Order Deadline", { default: (env: OrmEnv) => env.stamp }),
        date_approve: f.datetime("Confirmation Date"),
        state: f.sel(
          [
            ["draft", "RFQ"],
            ["sent", "RFQ Sent"],
            ["to approve", "To Approve"],
            ["purchase", "Purchase Order"],
            ["done", "Locked"],
            ["cancel", "Cancelled"],
          ],
          { default: "draft" },
        ),
        order_line: f.o2m("purchase.order.line", "order_id", { string: "Order Lines" }),
        picking_ids: f.o2m("stock.picking", "purchase_id", { string: "Receptions" }),
        amount_untaxed: f.money("Untaxed Amount", { default: 0 }),
        amount_tax: f.money("Taxes", { default: 0 }),
        amount_total: f.money("Total", { default: 0 }),
        currency_id: f.m2o("res.currency", { default: 1 }),
        company_id: f.m2o("res.company", { default: 1 }),
      },
      beforeCreate: (env, vals) => {
        if (!vals.name || vals.name === "New")
          vals.name = `P${String(env.nextNumber("purchase.order")).padStart(5, "0")}`;
      },
      afterCreate: (env, ids) => recompute(env, ids),
      afterWrite: (env, ids) => recompute(env, ids),
      beforeUnlink: (env, ids) => {
        if (env.browse("purchase.order", ids).some((o) => o.state !== "cancel" && o.state !== "draft")) {
          throw userError("In order to delete a purchase order, you must cancel it first.");
        }
      },
      methods: {
        button_confirm: poAction(confirm),
        button_approve: poAction((env, ids) => {
          for (const order of env.ensureExist("purchase.order", ids)) {
            if (order.state !== "to approve") continue;
            env.update("purchase.order", [order.id], { state: "purchase", date_approve: env.stamp });
            createReceipt(env, order.id);
          }
          return true;
        }),
        button_cancel: poAction((env, ids) => {
          for (const order of env.ensureExist("purchase.order", ids)) {
            const pickings = env.find("stock.picking", [
              ["purchase_id", "=", order.id],
              ["state", "!=", "cancel"],
            ]);
            if (pickings.some((p) => p.state === "done")) {
              throw userError(
                `Unable to cancel purchase order ${order.name} as some receptions have already been done.`,
              );
            }
            if (pickings.length)
              cancelPickings(
                env,
                pickings.map((p) => p.id),
              );
            env.update("purchase.order", [order.id], { state: "cancel" });
          }
          return undefined;
        }),
        action_create_invoice: poAction((env, ids) => createBills(env, ids)),
        button_draft: poAction((env, ids) => {
          env.update(
            "purchase.order",
            env
              .ensureExist("purchase.order", ids)
              .filter((o) => o.state === "cancel")
              .map((o) => o.id),
            { state: "draft" },
          );
          return {};
        }),
      },
    },
    {
      name: "purchase.order.line",
      description: "Purchase Order Line",
      order: "order_id, sequence, id",
      fields: {
        order_id: f.m2o("purchase.order", { required: true, ondelete: "cascade" }),
        sequence: f.int("Sequence", { default: 10 }),
        product_id: f.m2o("product.product"),
        name: f.text("Description"),
        product_qty: f.float("Quantity", { default: 1 }),
        product_uom: f.m2o("uom.uom"),
        price_unit: f.float("Unit Price"),
        discount: f.float("Discount (%)", { default: 0 }),
        taxes_id: f.m2m("account.tax", { string: "Taxes" }),
        price_subtotal: f.money("Subtotal", { default: 0 }),
        price_tax: f.float("Tax", { default: 0 }),
        price_total: f.money("Total", { default: 0 }),
        qty_received: f.float("Received Qty", { default: 0 }),
        qty_invoiced: f.float("Billed Qty", { default: 0 }),
        date_planned: f.datetime("Expected Arrival"),
      },
      beforeCreate: (env, vals) => {
        if (vals.product_id) {
          const product = env.get("product.product", Number(vals.product_id));
          vals.name ??= product.name;
          vals.price_unit ??= product.standard_price;
          vals.product_uom ??= product.uom_po_id ?? product.uom_id;
          vals.taxes_id ??= [[6, 0, (product.supplier_taxes_id as number[]) ?? []]];
        }
      },
      afterCreate: (env, ids) => recompute(env, ordersOf(env, ids)),
      beforeWrite: (env, ids, vals) => {
        if (!("product_qty" in vals)) return;
        const qty = Number(vals.product_qty);
        for (const line of env.browse("purchase.order.line", ids)) {
          if (qty < Number(line.qty_received)) {
            throw userError(
              "You cannot decrease the ordered quantity below the received quantity.\nCreate a return first.",
            );
          }
        }
      },
      afterWrite: (env, ids, vals) => {
        if ("product_qty" in vals) updateReceipts(env, ids);
        recompute(env, ordersOf(env, ids));
      },
    },
  ];
}

/**
 * A quantity changed on a confirmed order's line moves its open receipt, like purchase_stock's
 * `_create_or_update_picking`: more adds to the open receipt's move (or a new move, or a new receipt),
 * less shrinks open moves and cancels those brought to zero (and a receipt left with nothing). Done
 * moves are never touched.
 */
function updateReceipts(env: OrmEnv, lineIds: number[]): void {
  const ctx = env.withExactContext({});
  const touched = new Set<number>();
  for (const line of env.browse("purchase.order.line", lineIds)) {
    const order = env.get("purchase.order", line.order_id as number);
    if (order.state !== "purchase" && order.state !== "done") continue;
    const product = line.product_id
      ? env.browse("product.product", [line.product_id as number])[0]
      : undefined;
    if (!product || !isStorable(env, product)) continue;
    const moves = env.find("stock.move", [
      ["purchase_line_id", "=", line.id],
      ["state", "!=", "cancel"],
      ["origin_returned_move_id", "=", false],
    ]);
    const planned = moves.reduce((sum, m) => sum + Number(m.product_uom_qty), 0);
    let diff = Math.round((Number(line.product_qty) - planned) * 1e6) / 1e6;
    if (diff > 0) {
      const open = env.find("stock.picking", [
        ["purchase_id", "=", order.id],
        ["picking_type_code", "=", "incoming"],
        ["state", "not in", ["done", "cancel"]],
      ])[0];
      if (!open) {
        createPicking(
          ctx,
          PICKING_TYPE.receipt,
          { partner_id: order.partner_id, origin: order.name, purchase_id: order.id },
          [{ product_id: product.id, qty: diff, purchase_line_id: line.id, name: line.name as string }],
        );
        continue;
      }
      const existing = moves.find((m) => m.picking_id === open.id && m.state !== "done");
      if (existing) {
        ctx.update("stock.move", [existing.id], {
          product_uom_qty: Number(existing.product_uom_qty) + diff,
          state: "confirmed",
        });
        reserveMoves(ctx, [existing.id]);
      } else {
        const move = ctx.create("stock.move", {
          name: line.name,
          picking_id: open.id,
          product_id: product.id,
          product_uom_qty: diff,
          product_uom: product.uom_id,
          location_id: open.location_id,
          location_dest_id: open.location_dest_id,
          origin: order.name,
          purchase_line_id: line.id,
          state: "confirmed",
        });
        reserveMoves(ctx, [move]);
      }
      touched.add(open.id);
      continue;
    }
    for (const move of moves.filter((m) => m.state !== "done").reverse()) {
      if (diff >= 0) break;
      const demand = Number(move.product_uom_qty);
      const next = Math.round(Math.max(0, demand + diff) * 1e6) / 1e6;
      diff = Math.round((diff + (demand - next)) * 1e6) / 1e6;
      releaseMoves(ctx, [move.id]);
      if (next <= 0) {
        ctx.update("stock.move", [move.id], {
          state: "cancel",
          product_uom_qty: 0,
          [env.profile.moveQtyField]: 0,
        });
      } else {
        ctx.update("stock.move", [move.id], { product_uom_qty: next, state: "confirmed" });
        reserveMoves(ctx, [move.id]);
      }
      touched.add(move.picking_id as number);
    }
  }
  if (touched.size) refreshPickingState(ctx, [...touched].filter(Boolean));
}

function ordersOf(env: OrmEnv, lineIds: number[]): number[] {
  return [...new Set(env.browse("purchase.order.line", lineIds).map((l) => l.order_id as number))];
}
