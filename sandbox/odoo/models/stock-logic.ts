import type { Row } from "../model-def.ts";
import { userError } from "../odoo-error.ts";
import type { OrmEnv } from "../orm-env.ts";
import { isStorable } from "./product-models.ts";
import { refreshSaleOrders } from "./sale-models.ts";

/** Ids of the seeded stock locations and picking types (Odoo's usual ids in a fresh database). */
export const LOC = { vendors: 4, customers: 5, inventory: 6, whView: 7, stock: 8 } as const;
export const PICKING_TYPE = { receipt: 1, delivery: 2, returns: 3 } as const;

const round = (n: number) => Math.round(n * 1e6) / 1e6;

function isInternal(env: OrmEnv, locationId: number): boolean {
  return env.browse("stock.location", [locationId])[0]?.usage === "internal";
}

/** The quant of product/location/lot, created empty when missing. */
export function quantFor(
  env: OrmEnv,
  productId: number,
  locationId: number,
  lotId: number | false = false,
): Row {
  const ids = env.search("stock.quant", [
    ["product_id", "=", productId],
    ["location_id", "=", locationId],
    ["lot_id", "=", lotId],
  ]);
  if (ids.length) return env.get("stock.quant", ids[0] as number);
  return env.get(
    "stock.quant",
    env.create("stock.quant", { product_id: productId, location_id: locationId, lot_id: lotId, quantity: 0 }),
  );
}

/** Name of the field holding a move's done quantity in this version. */
export function moveQtyField(env: OrmEnv): "quantity" | "quantity_done" {
  return env.profile.moveQtyField;
}

/** Keeps the (single) move line of a move in step with the move's quantities. */
export function syncMoveLine(env: OrmEnv, move: Row): void {
  const qtyField = env.profile.moveLineQtyField;
  const done = Number(move[moveQtyField(env)] ?? 0);
  const lines = env.search("stock.move.line", [["move_id", "=", move.id]]);
  const reserved = Number(move.sandbox_reserved ?? 0);
  if (!lines.length) {
    if (done <= 0 && reserved <= 0) return;
    env.create("stock.move.line", {
      move_id: move.id,
      picking_id: move.picking_id,
      product_id: move.product_id,
      location_id: move.location_id,
      location_dest_id: move.location_dest_id,
      [qtyField]: done,
      sandbox_sync: true,
    });
    return;
  }
  env.update("stock.move.line", [lines[0] as number], { [qtyField]: done });
}

/** Reserves what the source location can give; sets move states (assigned / partially_available / confirmed). */
export function reserveMoves(env: OrmEnv, moveIds: number[]): void {
  for (const move of env.browse("stock.move", moveIds)) {
    if (["done", "cancel", "draft"].includes(move.state as string)) continue;
    const demand = Number(move.product_uom_qty);
    let reserved = Number(move.sandbox_reserved ?? 0);
    const product = env.get("product.product", move.product_id as number);
    if (!isStorable(env, product) || !isInternal(env, move.location_id as number)) {
      reserved = demand;
    } else if (reserved < demand) {
      const quants = env.find(
        "stock.quant",
        [
          ["product_id", "=", product.id],
          ["location_id", "child_of", move.location_id],
        ],
        { order: "id" },
      );
      for (const quant of quants) {
        const free = Number(quant.quantity) - Number(quant.reserved_quantity);
        if (free <= 0) continue;
        const take = Math.min(free, demand - reserved);
        env.update("stock.quant", [quant.id], {
          reserved_quantity: round(Number(quant.reserved_quantity) + take),
        });
        reserved = round(reserved + take);
        if (reserved >= demand) break;
      }
    }
    const state = reserved >= demand ? "assigned" : reserved > 0 ? "partially_available" : "confirmed";
    const vals: Record<string, unknown> = { sandbox_reserved: reserved, state };
    if (env.profile.moveQtyField === "quantity" && !move.picked) vals.quantity = reserved;
    env.update("stock.move", [move.id], vals);
    syncMoveLine(env, env.get("stock.move", move.id));
  }
}

/** Gives reserved quantities back to the quants of the move's source location. */
export function releaseMoves(env: OrmEnv, moveIds: number[]): void {
  for (const move of env.browse("stock.move", moveIds)) {
    let left = Number(move.sandbox_reserved ?? 0);
    if (left <= 0) continue;
    const quants = env.find("stock.quant", [
      ["product_id", "=", move.product_id],
      ["location_id", "child_of", move.location_id],
      ["reserved_quantity", ">", 0],
    ]);
    for (const quant of quants) {
      const give = Math.min(left, Number(quant.reserved_quantity));
      env.update("stock.quant", [quant.id], {
        reserved_quantity: round(Number(quant.reserved_quantity) - give),
      });
      left = round(left - give);
      if (left <= 0) break;
    }
    env.update("stock.move", [move.id], { sandbox_reserved: 0 });
  }
}

/** Picking state from its moves, like Odoo's `_compute_state`. */
export function refreshPickingState(env: OrmEnv, pickingIds: number[]): void {
  for (const picking of env.browse("stock.picking", pickingIds)) {
    const moves = env.find("stock.move", [["picking_id", "=", picking.id]]);
    const states = moves.map((m) => m.state as string);
    let state: string;
    if (!states.length) state = (picking.state as string) ?? "draft";
    else if (states.every((s) => s === "cancel")) state = "cancel";
    else if (states.every((s) => s === "done" || s === "cancel")) state = "done";
    else if (states.some((s) => s === "draft")) state = "draft";
    else if (states.every((s) => ["assigned", "done", "cancel"].includes(s))) state = "assigned";
    else state = "confirmed";
    if (state !== picking.state) env.update("stock.picking", [picking.id], { state });
  }
}

/** Confirms draft moves of pickings and reserves them. */
export function confirmPickings(env: OrmEnv, pickingIds: number[]): void {
  const moves = env.search("stock.move", [
    ["picking_id", "in", pickingIds],
    ["state", "=", "draft"],
  ]);
  env.update("stock.move", moves, { state: "confirmed" });
  reserveMoves(
    env,
    env.search("stock.move", [
      ["picking_id", "in", pickingIds],
      ["state", "in", ["confirmed", "partially_available"]],
    ]),
  );
  refreshPickingState(env, pickingIds);
}

/** One move to create in a picking, with the order line it serves (sale, purchase) or the move it returns. */
export interface PickingLine {
  product_id: number;
  qty: number;
  sale_line_id?: number;
  purchase_line_id?: number;
  origin_returned_move_id?: number;
  name?: string;
}

/** Creates a confirmed picking of `typeId` with one move per line, then reserves it. */
export function createPicking(
  env: OrmEnv,
  typeId: number,
  vals: Record<string, unknown>,
  lines: PickingLine[],
): number {
  const type = env.get("stock.picking.type", typeId);
  const location_id = (vals.location_id as number) ?? type.default_location_src_id;
  const location_dest_id = (vals.location_dest_id as number) ?? type.default_location_dest_id;
  const pickingId = env.create("stock.picking", {
    ...vals,
    picking_type_id: typeId,
    location_id,
    location_dest_id,
    state: "draft",
  });
  const origin = (vals.origin as string) ?? false;
  for (const line of lines) {
    const product = env.get("product.product", line.product_id);
    env.create("stock.move", {
      name: line.name ?? product.name,
      picking_id: pickingId,
      product_id: line.product_id,
      product_uom_qty: line.qty,
      product_uom: product.uom_id,
      location_id,
      location_dest_id,
      origin,
      state: "draft",
      sale_line_id: line.sale_line_id ?? false,
      purchase_line_id: line.purchase_line_id ?? false,
      origin_returned_move_id: line.origin_returned_move_id ?? false,
    });
  }
  confirmPickings(env, [pickingId]);
  return pickingId;
}

/** Done quantity of a move as validation sees it (17+: only picked moves count once any is picked). */
export function doneQty(env: OrmEnv, move: Row, anyPicked: boolean): number {
  if (env.profile.moveQtyField === "quantity_done") return Number(move.quantity_done ?? 0);
  if (anyPicked && !move.picked) return 0;
  return Number(move.quantity ?? 0);
}

/** Cancels pickings that are not done, releasing their reservations; UserError when one is done. */
export function cancelPickings(env: OrmEnv, pickingIds: number[]): void {
  for (const picking of env.browse("stock.picking", pickingIds)) {
    if (picking.state === "done")
      throw userError(`You cannot cancel a transfer that is done (${picking.name}).`);
  }
  const moves = env.search("stock.move", [
    ["picking_id", "in", pickingIds],
    ["state", "not in", ["done", "cancel"]],
  ]);
  releaseMoves(env, moves);
  env.update("stock.move", moves, {
    state: "cancel",
    ...(env.profile.moveQtyField === "quantity" ? { quantity: 0 } : {}),
  });
  refreshPickingState(env, pickingIds);
  env.update("stock.picking", pickingIds, { state: "cancel" });
  const orders = env
    .browse("stock.picking", pickingIds)
    .map((p) => p.sale_id as number)
    .filter(Boolean);
  if (orders.length) refreshSaleOrders(env, orders);
}
