import { f, keys, type ModelDef } from "../model-def.ts";
import type { OrmEnv } from "../orm-env.ts";
import type { VersionProfile } from "../version-profile.ts";
import { moveQtyField, syncMoveLine } from "./stock-logic.ts";

const MOVE_STATES = keys(
  "draft",
  "waiting",
  "confirmed",
  "partially_available",
  "assigned",
  "done",
  "cancel",
);

/**
 * stock.move and stock.move.line. The sandbox keeps one line per move: writing a move's done quantity
 * updates its line, writing a line's quantity updates its move (16: quantity_done/qty_done, 17+: quantity).
 */
export function stockMoveModels(profile: VersionProfile): ModelDef[] {
  const v17 = profile.version >= 17;
  const qty = profile.moveQtyField;
  const lineQty = profile.moveLineQtyField;
  return [
    {
      name: "stock.move",
      description: "Stock Move",
      order: "sequence, id",
      className: "StockMove",
      groups: "Inventory/User",
      displayName: (env, rows) => {
        const names = env.displayNames(
          "product.product",
          rows.map((r) => r.product_id as number),
        );
        return rows.map((r) =>
          r.origin
            ? `${r.origin}: ${names.get(r.product_id as number)}`
            : (names.get(r.product_id as number) ?? ""),
        );
      },
      fields: {
        name: f.char("Description"),
        sequence: f.int("Sequence", { default: 10 }),
        picking_id: f.m2o("stock.picking", { string: "Transfer", ondelete: "cascade" }),
        product_id: f.m2o("product.product", { required: true }),
        product_uom_qty: f.float("Demand", { default: 0 }),
        product_uom: f.m2o("uom.uom", { default: 1 }),
        [qty]: f.float(qty === "quantity" ? "Quantity" : "Quantity Done", { default: 0 }),
        ...(v17
          ? { picked: f.bool("Picked", { default: false }) }
          : {
              reserved_availability: f.float("Quantity Reserved", {
                compute: (_env, rows) => rows.map((r) => Number(r.sandbox_reserved ?? 0)),
              }),
            }),
        sandbox_reserved: f.float("Reserved (sandbox)", { default: 0, hidden: true }),
        state: f.sel(MOVE_STATES, { default: "draft" }),
        location_id: f.m2o("stock.location", { required: true }),
        location_dest_id: f.m2o("stock.location", { required: true }),
        origin: f.char("Source Document"),
        sale_line_id: f.m2o("sale.order.line"),
        purchase_line_id: f.m2o("purchase.order.line"),
        origin_returned_move_id: f.m2o("stock.move", { string: "Origin return move" }),
        is_inventory: f.bool("Inventory", { default: false }),
        date: f.datetime("Date Scheduled", { default: (env: OrmEnv) => env.stamp }),
        company_id: f.m2o("res.company", { default: 1 }),
        move_line_ids: f.o2m("stock.move.line", "move_id"),
      },
      beforeCreate: (env, vals) => {
        if (vals.picking_id && (!vals.location_id || !vals.location_dest_id)) {
          const picking = env.get("stock.picking", Number(vals.picking_id));
          vals.location_id ??= picking.location_id;
          vals.location_dest_id ??= picking.location_dest_id;
        }
        if (!vals.name && vals.product_id)
          vals.name = env.get("product.product", Number(vals.product_id)).name;
      },
      afterWrite: (env, ids, vals) => {
        if (qty in vals) for (const move of env.browse("stock.move", ids)) syncMoveLine(env, move);
      },
    },
    {
      name: "stock.move.line",
      description: "Product Moves (Stock Move Line)",
      className: "StockMoveLine",
      groups: "Inventory/User",
      fields: {
        move_id: f.m2o("stock.move", { ondelete: "cascade" }),
        picking_id: f.m2o("stock.picking", { ondelete: "cascade" }),
        product_id: f.m2o("product.product"),
        [lineQty]: f.float("Quantity", { default: 0 }),
        ...(v17 ? { picked: f.bool("Picked", { default: false }) } : {}),
        lot_name: f.char("Lot/Serial Number Name"),
        lot_id: f.m2o("stock.lot", { string: "Lot/Serial Number" }),
        location_id: f.m2o("stock.location"),
        location_dest_id: f.m2o("stock.location"),
        state: f.sel(MOVE_STATES, {
          compute: (env, rows) => {
            const moves = new Map(
              env
                .browse("stock.move", rows.map((r) => r.move_id as number).filter(Boolean))
                .map((m) => [m.id, m.state]),
            );
            return rows.map((r) => moves.get(r.move_id as number) ?? "draft");
          },
        }),
        sandbox_sync: f.bool("internal", { hidden: true }),
        company_id: f.m2o("res.company", { default: 1 }),
      },
      beforeCreate: (env, vals) => {
        if (!vals.move_id && vals.picking_id && vals.product_id) {
          vals.move_id =
            env.search(
              "stock.move",
              [
                ["picking_id", "=", vals.picking_id],
                ["product_id", "=", vals.product_id],
              ],
              { limit: 1 },
            )[0] ?? false;
        }
        if (vals.move_id) {
          const move = env.get("stock.move", Number(vals.move_id));
          vals.picking_id ??= move.picking_id;
          vals.product_id ??= move.product_id;
          vals.location_id ??= move.location_id;
          vals.location_dest_id ??= move.location_dest_id;
        }
      },
      afterCreate: (env, ids, valsList) => {
        if (valsList[0]?.sandbox_sync) return;
        syncMovesFromLines(env, ids);
      },
      afterWrite: (env, ids, vals) => {
        if (lineQty in vals) syncMovesFromLines(env, ids);
      },
    },
  ];

  function syncMovesFromLines(env: OrmEnv, lineIds: number[]): void {
    const moveIds = [
      ...new Set(
        env
          .browse("stock.move.line", lineIds)
          .map((l) => l.move_id as number)
          .filter(Boolean),
      ),
    ];
    for (const moveId of moveIds) {
      const lines = env.find("stock.move.line", [["move_id", "=", moveId]]);
      const total = lines.reduce((sum, l) => sum + Number(l[lineQty] ?? 0), 0);
      env.update("stock.move", [moveId], { [moveQtyField(env)]: total });
    }
  }
}
