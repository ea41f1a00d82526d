import type { Row } from "../model-def.ts";
import type { OrmEnv } from "../orm-env.ts";
import { isStorable } from "./product-models.ts";
import {
  createPicking,
  PICKING_TYPE,
  type PickingLine,
  refreshPickingState,
  releaseMoves,
  reserveMoves,
} from "./stock-logic.ts";

const round = (n: number) => Math.round(n * 1e6) / 1e6;

/**
 * Brings a confirmed order's deliveries in line with its storable lines, like Odoo's procurement on
 * `_action_launch_stock_rule`: missing quantities become moves (in the open delivery, or a new one),
 * lowered quantities shrink or cancel open moves. Done moves are never touched.
 */
export function launchProcurement(env: OrmEnv, order: Row): void {
  if (order.state !== "sale" && order.state !== "done") return;
  const ctx = env.withExactContext({});
  const toAdd: PickingLine[] = [];
  const touched = new Set<number>();
  for (const line of env.find("sale.order.line", [["order_id", "=", order.id]])) {
    const product = line.product_id
      ? env.browse("product.product", [line.product_id as number])[0]
      : undefined;
    if (!product || !isStorable(env, product)) continue;
    const moves = env.find("stock.move", [
      ["sale_line_id", "=", line.id],
      ["state", "!=", "cancel"],
      ["origin_returned_move_id", "=", false],
    ]);
    const planned = moves.reduce((sum, m) => sum + Number(m.product_uom_qty), 0);
    let diff = round(Number(line.product_uom_qty) - planned);
    if (diff > 0) {
      toAdd.push({ product_id: product.id, qty: diff, sale_line_id: line.id, name: line.name as string });
      continue;
    }
    for (const move of moves.filter((m) => m.state !== "done").reverse()) {
      if (diff >= 0) break;
      const demand = Number(move.product_uom_qty);
      const next = round(Math.max(0, demand + diff));
      diff = round(diff + (demand - next));
      releaseMoves(ctx, [move.id]);
      if (next <= 0) {
        ctx.update("stock.move", [move.id], { state: "cancel", product_uom_qty: 0, quantity: 0 });
      } else {
        ctx.update("stock.move", [move.id], { product_uom_qty: next, state: "confirmed" });
        reserveMoves(ctx, [move.id]);
      }
      touched.add(move.picking_id as number);
    }
  }
  if (toAdd.length) {
    const open = env.find("stock.picking", [
      ["sale_id", "=", order.id],
      ["picking_type_code", "=", "outgoing"],
      ["state", "not in", ["done", "cancel"]],
    ])[0];
    if (open) {
      for (const line of toAdd) {
        const move = ctx.create("stock.move", {
          name: line.name,
          picking_id: open.id,
          product_id: line.product_id,
          product_uom_qty: line.qty,
          origin: order.name,
          sale_line_id: line.sale_line_id,
          state: "confirmed",
        });
        reserveMoves(ctx, [move]);
      }
      touched.add(open.id);
    } else {
      const warehouse = env.get("stock.warehouse", (order.warehouse_id as number) || 1);
      createPicking(
        ctx,
        (warehouse.out_type_id as number) || PICKING_TYPE.delivery,
        {
          partner_id: order.partner_shipping_id || order.partner_id,
          origin: order.name,
          sale_id: order.id,
          carrier_id: order.carrier_id,
        },
        toAdd,
      );
    }
  }
  if (touched.size) refreshPickingState(ctx, [...touched].filter(Boolean));
}
