import { f, keys, type MethodDef, type ModelDef } from "../model-def.ts";
import { userError } from "../odoo-error.ts";
import type { OrmEnv } from "../orm-env.ts";
import type { VersionProfile } from "../version-profile.ts";
import {
  cancelPickings,
  confirmPickings,
  refreshPickingState,
  releaseMoves,
  reserveMoves,
} from "./stock-logic.ts";
import { quantMethods } from "./stock-quant.ts";
import { buttonValidate } from "./stock-validate.ts";

const PICKING_STATES = keys("draft", "waiting", "confirmed", "assigned", "done", "cancel");

const action = (run: (env: OrmEnv, ids: number[]) => unknown, owner = "StockPicking"): MethodDef => ({
  owner,
  multi: true,
  params: [],
  operation: "write",
  run: (env, ids) => run(env, ids),
});

/** Locations, warehouses, picking types, lots, quants, pickings and carriers (moves: stock-move-models.ts). */
export function stockModels(profile: VersionProfile): ModelDef[] {
  const v17 = profile.version >= 17;
  const qty = profile.moveQtyField;
  return [
    {
      name: "stock.location",
      description: "Inventory Locations",
      recName: "complete_name",
      order: "complete_name, id",
      groups: "Inventory/Administrator",
      fields: {
        name: f.char("Location Name", { required: true }),
        complete_name: f.char("Full Location Name"),
        location_id: f.m2o("stock.location", { string: "Parent Location" }),
        usage: f.sel(keys("supplier", "view", "internal", "customer", "inventory", "production", "transit"), {
          default: "internal",
        }),
        warehouse_id: f.m2o("stock.warehouse"),
        company_id: f.m2o("res.company"),
        active: f.bool("Active", { default: true }),
      },
      afterCreate: (env, ids) => {
        for (const row of env.browse("stock.location", ids)) {
          const parent = row.location_id
            ? env.browse("stock.location", [row.location_id as number])[0]
            : undefined;
          const full =
            parent && row.usage !== "view" ? `${parent.complete_name}/${row.name}` : (row.name as string);
          env.update("stock.location", [row.id], { complete_name: full });
        }
      },
    },
    {
      name: "stock.warehouse",
      description: "Warehouse",
      groups: "Inventory/Administrator",
      fields: {
        name: f.char("Warehouse", { required: true }),
        code: f.char("Short Name", { required: true }),
        lot_stock_id: f.m2o("stock.location", { string: "Location Stock" }),
        view_location_id: f.m2o("stock.location", { string: "View Location" }),
        in_type_id: f.m2o("stock.picking.type"),
        out_type_id: f.m2o("stock.picking.type"),
        company_id: f.m2o("res.company", { default: 1 }),
        partner_id: f.m2o("res.partner"),
        active: f.bool("Active", { default: true }),
      },
    },
    {
      name: "stock.picking.type",
      description: "Picking Type",
      displayName: (env, rows) => {
        const wh = env.displayNames(
          "stock.warehouse",
          rows.map((r) => r.warehouse_id as number).filter(Boolean),
        );
        return rows.map((r) =>
          r.warehouse_id ? `${wh.get(r.warehouse_id as number)}: ${r.name}` : (r.name as string),
        );
      },
      fields: {
        name: f.char("Operation Type", { required: true }),
        code: f.sel(
          [
            ["incoming", "Receipt"],
            ["outgoing", "Delivery"],
            ["internal", "Internal Transfer"],
          ],
          { required: true },
        ),
        sequence_code: f.char("Sequence Prefix"),
        warehouse_id: f.m2o("stock.warehouse"),
        default_location_src_id: f.m2o("stock.location"),
        default_location_dest_id: f.m2o("stock.location"),
        return_picking_type_id: f.m2o("stock.picking.type"),
        company_id: f.m2o("res.company", { default: 1 }),
        active: f.bool("Active", { default: true }),
      },
    },
    {
      name: "stock.lot",
      description: "Lot/Serial",
      fields: {
        name: f.char("Lot/Serial Number", { required: true }),
        product_id: f.m2o("product.product", { required: true }),
        company_id: f.m2o("res.company", { default: 1 }),
      },
    },
    {
      name: "stock.quant",
      description: "Quants",
      className: "StockQuant",
      groups: "Inventory/User",
      displayName: (env, rows) => {
        const locs = env.displayNames(
          "stock.location",
          rows.map((r) => r.location_id as number),
        );
        return rows.map((r) => locs.get(r.location_id as number) ?? `stock.quant,${r.id}`);
      },
      fields: {
        product_id: f.m2o("product.product", { required: true }),
        location_id: f.m2o("stock.location", { required: true }),
        lot_id: f.m2o("stock.lot"),
        quantity: f.float("Quantity", { default: 0 }),
        reserved_quantity: f.float("Reserved Quantity", { default: 0 }),
        available_quantity: f.float("Available Quantity", {
          compute: (_env, rows) => rows.map((r) => Number(r.quantity) - Number(r.reserved_quantity)),
        }),
        inventory_quantity: f.float("Counted Quantity", { default: 0 }),
        inventory_quantity_set: f.bool("Inventory Quantity Set", { default: false }),
        inventory_diff_quantity: f.float("Difference", {
          compute: (_env, rows) =>
            rows.map((r) =>
              r.inventory_quantity_set ? Number(r.inventory_quantity) - Number(r.quantity) : 0,
            ),
        }),
        in_date: f.datetime("Incoming Date"),
        company_id: f.m2o("res.company", { default: 1 }),
      },
      methods: quantMethods(),
    },
    {
      name: "stock.picking",
      description: "Transfer",
      order: "priority desc, scheduled_date asc, id desc",
      className: "StockPicking",
      groups: "Inventory/User",
      fields: {
        name: f.char("Reference", { default: "/" }),
        origin: f.char("Source Document"),
        picking_type_id: f.m2o("stock.picking.type", { required: true }),
        picking_type_code: f.sel([
          ["incoming", "Receipt"],
          ["outgoing", "Delivery"],
          ["internal", "Internal Transfer"],
        ]),
        partner_id: f.m2o("res.partner", { string: "Contact" }),
        location_id: f.m2o("stock.location", { string: "Source Location" }),
        location_dest_id: f.m2o("stock.location", { string: "Destination Location" }),
        state: f.sel(PICKING_STATES, { default: "draft" }),
        priority: f.sel(
          [
            ["0", "Normal"],
            ["1", "Urgent"],
          ],
          { default: "0" },
        ),
        scheduled_date: f.datetime("Scheduled Date", { default: (env: OrmEnv) => env.stamp }),
        date_done: f.datetime("Date of Transfer"),
        move_ids: f.o2m("stock.move", "picking_id", { string: "Stock move" }),
        move_ids_without_package: f.o2m("stock.move", "picking_id", { string: "Stock moves not in package" }),
        move_line_ids: f.o2m("stock.move.line", "picking_id", { string: "Operations" }),
        backorder_id: f.m2o("stock.picking", { string: "Back Order of" }),
        backorder_ids: f.o2m("stock.picking", "backorder_id", { string: "Back Orders" }),
        carrier_id: f.m2o("delivery.carrier", { string: "Carrier" }),
        carrier_tracking_ref: f.char("Tracking Reference"),
        sale_id: f.m2o("sale.order", { string: "Sales Order" }),
        purchase_id: f.m2o("purchase.order", { string: "Purchase Orders" }),
        ...(v17 ? { return_id: f.m2o("stock.picking", { string: "Return of" }) } : {}),
        note: f.text("Notes"),
        company_id: f.m2o("res.company", { default: 1 }),
      },
      beforeCreate: (env, vals) => {
        const type = env.get("stock.picking.type", Number(vals.picking_type_id));
        vals.picking_type_code = type.code;
        if (!vals.location_id) vals.location_id = type.default_location_src_id;
        if (!vals.location_dest_id) vals.location_dest_id = type.default_location_dest_id;
        if (!vals.name || vals.name === "/") {
          const n = env.nextNumber(`stock.picking.${type.id}`);
          const wh = type.warehouse_id ? env.get("stock.warehouse", type.warehouse_id as number).code : "WH";
          vals.name = `${wh}/${type.sequence_code}/${String(n).padStart(5, "0")}`;
        }
      },
      methods: {
        button_validate: action((env, ids) => buttonValidate(env, ids)),
        action_confirm: action((env, ids) => {
          env.ensureExist("stock.picking", ids);
          confirmPickings(env, ids);
          return true;
        }),
        action_assign: action((env, ids) => {
          env.ensureExist("stock.picking", ids);
          const moves = env.search("stock.move", [
            ["picking_id", "in", ids],
            ["state", "in", ["confirmed", "partially_available", "waiting"]],
          ]);
          reserveMoves(env, moves);
          refreshPickingState(env, ids);
          return true;
        }),
        do_unreserve: action((env, ids) => {
          env.ensureExist("stock.picking", ids);
          const moves = env.search("stock.move", [
            ["picking_id", "in", ids],
            ["state", "in", ["assigned", "partially_available"]],
          ]);
          releaseMoves(env, moves);
          env.update("stock.move", moves, {
            state: "confirmed",
            ...(qty === "quantity" ? { quantity: 0 } : {}),
          });
          refreshPickingState(env, ids);
          return true;
        }),
        action_cancel: action((env, ids) => {
          env.ensureExist("stock.picking", ids);
          cancelPickings(env, ids);
          return true;
        }),
      },
      beforeUnlink: (env, ids) => {
        for (const p of env.browse("stock.picking", ids)) {
          if (p.state === "done") throw userError("You cannot delete a done transfer.");
        }
      },
    },
    {
      name: "delivery.carrier",
      description: "Shipping Methods",
      fields: {
        name: f.char("Delivery Method", { required: true }),
        delivery_type: f.sel(
          [
            ["fixed", "Fixed Price"],
            ["base_on_rule", "Based on Rules"],
          ],
          { default: "fixed" },
        ),
        product_id: f.m2o("product.product", { string: "Delivery Product", required: true }),
        fixed_price: f.float("Fixed Price", { default: 0 }),
        active: f.bool("Active", { default: true }),
        company_id: f.m2o("res.company"),
      },
    },
  ];
}
