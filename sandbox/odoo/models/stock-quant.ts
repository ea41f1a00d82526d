import type { MethodDef } from "../model-def.ts";
import { userError } from "../odoo-error.ts";
import type { OrmEnv } from "../orm-env.ts";
import { isStorable } from "./product-models.ts";
import { LOC, quantFor } from "./stock-logic.ts";

const INVENTORY_FIELDS = new Set([
  "product_id",
  "location_id",
  "lot_id",
  "package_id",
  "owner_id",
  "inventory_quantity",
]);

/** Creates or updates the counted quantity of a quant (Odoo's inventory mode). */
function createInInventoryMode(env: OrmEnv, vals: Record<string, unknown>): number {
  for (const key of Object.keys(vals)) {
    if (!INVENTORY_FIELDS.has(key))
      throw userError("Quant's creation is restricted, you can't do this operation.");
  }
  const product = env.get("product.product", Number(vals.product_id));
  if (!isStorable(env, product)) throw userError("Quants cannot be created for consumables or services.");
  const quant = quantFor(env, product.id, Number(vals.location_id), (vals.lot_id as number) || false);
  if ("inventory_quantity" in vals) {
    env.write("stock.quant", [quant.id], {
      inventory_quantity: Number(vals.inventory_quantity),
      inventory_quantity_set: true,
    });
  }
  return quant.id;
}

/** Applies counted quantities: a done inventory move per quant, from/to the inventory adjustment location. */
export function applyInventory(env: OrmEnv, ids: number[]): void {
  for (const quant of env.ensureExist("stock.quant", ids)) {
    if (!quant.inventory_quantity_set) continue;
    const diff = Math.round((Number(quant.inventory_quantity) - Number(quant.quantity)) * 1e6) / 1e6;
    if (diff !== 0) {
      const [from, to] =
        diff > 0
          ? [LOC.inventory, quant.location_id as number]
          : [quant.location_id as number, LOC.inventory];
      const product = env.get("product.product", quant.product_id as number);
      env.create("stock.move", {
        name: "Product Quantity Updated",
        product_id: product.id,
        product_uom_qty: Math.abs(diff),
        [env.profile.moveQtyField]: Math.abs(diff),
        ...(env.profile.version >= 17 ? { picked: true } : {}),
        location_id: from,
        location_dest_id: to,
        state: "done",
        is_inventory: true,
      });
    }
    env.update("stock.quant", [quant.id], {
      quantity: Number(quant.inventory_quantity),
      inventory_quantity: 0,
      inventory_quantity_set: false,
      in_date: env.stamp,
    });
  }
}

/**
 * stock.quant's RPC surface: creation only in inventory mode (an existing quant for the same
 * product/location/lot is updated and its id returned), `quantity` never written directly,
 * `action_apply_inventory` to apply counted quantities.
 */
export function quantMethods(): Record<string, MethodDef> {
  return {
    create: {
      owner: "StockQuant",
      multi: false,
      params: ["vals_list"],
      required: ["vals_list"],
      operation: "create",
      run: (env, _ids, a) => {
        if (!env.context.inventory_mode)
          throw userError("Quant's creation is restricted, you can't do this operation.");
        if (Array.isArray(a.vals_list))
          return a.vals_list.map((v) => createInInventoryMode(env, v as Record<string, unknown>));
        return createInInventoryMode(env, a.vals_list as Record<string, unknown>);
      },
    },
    write: {
      owner: "StockQuant",
      multi: true,
      params: ["vals"],
      required: ["vals"],
      operation: "write",
      run: (env, ids, a) => {
        const vals = (a.vals ?? {}) as Record<string, unknown>;
        if ("quantity" in vals || "reserved_quantity" in vals) {
          throw userError("Quant's editing is restricted, you can't do this operation.");
        }
        if ("inventory_quantity" in vals && !("inventory_quantity_set" in vals))
          vals.inventory_quantity_set = true;
        env.write("stock.quant", ids, vals);
        return true;
      },
    },
    action_apply_inventory: {
      owner: "StockQuant",
      multi: true,
      params: [],
      operation: "write",
      run: (env, ids) => {
        applyInventory(env, ids);
        return undefined;
      },
    },
    action_set_inventory_quantity_to_zero: {
      owner: "StockQuant",
      multi: true,
      params: [],
      operation: "write",
      run: (env, ids) => {
        env.write("stock.quant", ids, { inventory_quantity: 0, inventory_quantity_set: false });
        return undefined;
      },
    },
  };
}
