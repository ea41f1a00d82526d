import type { Row } from "../model-def.ts";
import { userError } from "../odoo-error.ts";
import type { OrmEnv } from "../orm-env.ts";
import { isStorable } from "./product-models.ts";
import { refreshSaleOrders } from "./sale-models.ts";
import {
  confirmPickings,
  createPicking,
  doneQty,
  quantFor,
  refreshPickingState,
  releaseMoves,
} from "./stock-logic.ts";

const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** An `ir.actions.act_window` opening a wizard in a dialog, with the context Odoo gives it. */
export function wizardAction(
  env: OrmEnv,
  name: string,
  resModel: string,
  context: Record<string, unknown>,
): Record<string, unknown> {
  const clean = Object.fromEntries(Object.entries(env.context).filter(([k]) => !k.startsWith("default_")));
  return {
    name,
    type: "ir.actions.act_window",
    view_mode: "form",
    res_model: resModel,
    views: [[false, "form"]],
    view_id: false,
    target: "new",
    context: { ...clean, ...context },
  };
}

function movesOf(env: OrmEnv, pickingId: number): Row[] {
  return env.find(
    "stock.move",
    [
      ["picking_id", "=", pickingId],
      ["state", "not in", ["done", "cancel"]],
    ],
    { order: "id" },
  );
}

function doneByMove(env: OrmEnv, pickingId: number): { move: Row; done: number }[] {
  const moves = movesOf(env, pickingId);
  const anyPicked = moves.some((m) => m.picked);
  return moves.map((move) => ({ move, done: doneQty(env, move, anyPicked) }));
}

/**
 * `stock.picking.button_validate`: returns a wizard action when Odoo would ask something (16: immediate
 * transfer; partial quantities: backorder; first outgoing validation of the company: SMS), otherwise
 * moves the stock and returns true. Wizards continue by calling this again with the skip_* context.
 */
export function buttonValidate(env: OrmEnv, ids: number[]): unknown {
  const pickings = env.ensureExist("stock.picking", ids);
  for (const picking of pickings) {
    if (picking.state === "done" || picking.state === "cancel") {
      throw userError(
        `You cannot validate a transfer that is ${picking.state === "done" ? "done" : "cancelled"} (${picking.name}).`,
      );
    }
  }
  const drafts = pickings.filter((p) => p.state === "draft").map((p) => p.id);
  if (drafts.length) confirmPickings(env, drafts);
  const ctx = env.context;
  const pickIds = pickings.map((p) => p.id);
  if (env.profile.immediateTransfer && !ctx.skip_immediate) {
    const immediate = pickings.filter((p) => doneByMove(env, p.id).every((x) => x.done <= 0));
    if (immediate.length) {
      return wizardAction(env, "Immediate Transfer?", "stock.immediate.transfer", {
        button_validate_picking_ids: pickIds,
        default_show_transfers: false,
        default_pick_ids: immediate.map((p) => [4, p.id]),
      });
    }
  }
  for (const picking of pickings) {
    if (doneByMove(env, picking.id).every((x) => x.done <= 0)) {
      throw userError(
        "You cannot validate a transfer if no quantities are reserved nor done. To force the transfer, encode quantities.",
      );
    }
  }
  if (!ctx.skip_backorder) {
    const partial = pickings.filter((p) =>
      doneByMove(env, p.id).some((x) => x.done < Number(x.move.product_uom_qty)),
    );
    if (partial.length) {
      return wizardAction(env, "Create Backorder?", "stock.backorder.confirmation", {
        button_validate_picking_ids: pickIds,
        default_show_transfers: false,
        default_pick_ids: partial.map((p) => [4, p.id]),
      });
    }
  }
  if (!ctx.skip_sms) {
    const company = env.get("res.company", 1);
    const outgoing = pickings.some((p) => p.picking_type_code === "outgoing");
    if (outgoing && company.stock_move_sms_validation && !company.has_received_warning_stock_sms) {
      return wizardAction(env, "SMS", "confirm.stock.sms", {
        button_validate_picking_ids: pickIds,
        default_pick_ids: pickIds.map((id) => [4, id]),
      });
    }
  }
  const noBackorder = new Set(
    (Array.isArray(ctx.picking_ids_not_to_backorder) ? ctx.picking_ids_not_to_backorder : []) as number[],
  );
  for (const picking of pickings) actionDone(env, picking, noBackorder.has(picking.id));
  return true;
}

/** Lot names typed on move lines become stock.lot records (reused by name and product), as on validation in Odoo. */
function assignLots(env: OrmEnv, move: Row): void {
  for (const line of env.find("stock.move.line", [
    ["move_id", "=", move.id],
    ["lot_name", "!=", false],
    ["lot_id", "=", false],
  ])) {
    const existing = env.search(
      "stock.lot",
      [
        ["name", "=", line.lot_name],
        ["product_id", "=", move.product_id],
      ],
      { limit: 1 },
    )[0];
    const lotId = existing ?? env.create("stock.lot", { name: line.lot_name, product_id: move.product_id });
    env.update("stock.move.line", [line.id], { lot_id: lotId });
  }
}

function actionDone(env: OrmEnv, picking: Row, cancelRemainder: boolean): void {
  const remainders: { move: Row; qty: number }[] = [];
  const qtyField = env.profile.moveQtyField;
  for (const { move, done } of doneByMove(env, picking.id)) {
    const demand = Number(move.product_uom_qty);
    releaseMoves(env, [move.id]);
    if (done < demand) remainders.push({ move, qty: round(demand - done) });
    if (done <= 0) {
      env.update("stock.move", [move.id], { state: "cancel", [qtyField]: 0 });
      continue;
    }
    const product = env.get("product.product", move.product_id as number);
    assignLots(env, move);
    if (isStorable(env, product)) {
      for (const [loc, sign] of [
        [move.location_id as number, -1],
        [move.location_dest_id as number, 1],
      ] as const) {
        if (env.get("stock.location", loc).usage !== "internal") continue;
        const quant = quantFor(env, product.id, loc);
        env.update("stock.quant", [quant.id], { quantity: round(Number(quant.quantity) + sign * done) });
      }
    }
    env.update("stock.move", [move.id], {
      state: "done",
      product_uom_qty: done,
      [qtyField]: done,
      picked: true,
    });
    if (move.sale_line_id) {
      const line = env.get("sale.order.line", move.sale_line_id as number);
      const sign = move.origin_returned_move_id ? -1 : 1;
      env.update("sale.order.line", [line.id], {
        qty_delivered: round(Number(line.qty_delivered) + sign * done),
      });
    }
    if (move.purchase_line_id) {
      const line = env.get("purchase.order.line", move.purchase_line_id as number);
      const sign = move.origin_returned_move_id ? -1 : 1;
      env.update("purchase.order.line", [line.id], {
        qty_received: round(Number(line.qty_received) + sign * done),
      });
    }
  }
  env.update("stock.picking", [picking.id], { state: "done", date_done: env.stamp });
  refreshPickingState(env, [picking.id]);
  if (picking.sale_id) refreshSaleOrders(env, [picking.sale_id as number]);
  if (remainders.length && !cancelRemainder) {
    createPicking(
      env,
      picking.picking_type_id as number,
      {
        partner_id: picking.partner_id,
        origin: picking.origin,
        backorder_id: picking.id,
        sale_id: picking.sale_id,
        purchase_id: picking.purchase_id,
        carrier_id: picking.carrier_id,
        location_id: picking.location_id,
        location_dest_id: picking.location_dest_id,
      },
      remainders.map(({ move, qty }) => ({
        product_id: move.product_id as number,
        qty,
        sale_line_id: (move.sale_line_id as number) || undefined,
        purchase_line_id: (move.purchase_line_id as number) || undefined,
        name: move.name as string,
      })),
    );
    if (picking.sale_id) refreshSaleOrders(env, [picking.sale_id as number]);
  }
}
