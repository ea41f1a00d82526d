import { type FieldDef, f, type ModelDef, type Row } from "../model-def.ts";
import type { OrmEnv } from "../orm-env.ts";
import type { VersionProfile } from "../version-profile.ts";
import { syncTemplates, templateModels } from "./product-template.ts";

/** True for products whose stock is tracked (16/17 detailed_type "product", 18+ is_storable). */
export function isStorable(env: OrmEnv, product: Row): boolean {
  return env.profile.storableFlag === "is_storable"
    ? Boolean(product.is_storable)
    : product.detailed_type === "product";
}

/** Internal location ids counted for stock figures: all, or those of the context's `warehouse`. */
function internalLocations(env: OrmEnv): number[] {
  const warehouse = env.context.warehouse ?? env.context.warehouse_id;
  const domain: unknown[] = [["usage", "=", "internal"]];
  if (warehouse !== undefined && warehouse !== false) {
    const whIds =
      typeof warehouse === "number" ? [warehouse] : env.search("stock.warehouse", [["name", "=", warehouse]]);
    const views = env.browse("stock.warehouse", whIds).map((w) => w.view_location_id as number);
    domain.push(["id", "child_of", views]);
  }
  return env.withContext({ active_test: false }).search("stock.location", domain);
}

type Figures = { onHand: number; reserved: number; incoming: number; outgoing: number };

function stockFigures(env: OrmEnv, rows: Row[]): Map<number, Figures> {
  const out = new Map<number, Figures>(
    rows.map((r) => [r.id, { onHand: 0, reserved: 0, incoming: 0, outgoing: 0 }]),
  );
  if (!rows.length) return out;
  const locs = internalLocations(env);
  if (!locs.length) return out;
  const ids = rows.map((r) => r.id);
  const lp = locs.map(() => "?").join(",");
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const pp = chunk.map(() => "?").join(",");
    const quants = env
      .prepare(
        `SELECT product_id AS p, SUM(quantity) AS q, SUM(reserved_quantity) AS r FROM stock_quant WHERE product_id IN (${pp}) AND location_id IN (${lp}) GROUP BY product_id`,
      )
      .all(...chunk, ...locs) as { p: number; q: number; r: number }[];
    for (const { p, q, r } of quants)
      Object.assign(out.get(p) as Figures, { onHand: q ?? 0, reserved: r ?? 0 });
    const moves = env
      .prepare(
        `SELECT product_id AS p, SUM(CASE WHEN location_dest_id IN (${lp}) AND location_id NOT IN (${lp}) THEN product_uom_qty ELSE 0 END) AS i,
                SUM(CASE WHEN location_id IN (${lp}) AND location_dest_id NOT IN (${lp}) THEN product_uom_qty ELSE 0 END) AS o
         FROM stock_move WHERE product_id IN (${pp}) AND state IN ('waiting','confirmed','partially_available','assigned') GROUP BY product_id`,
      )
      .all(...locs, ...locs, ...locs, ...locs, ...chunk) as { p: number; i: number; o: number }[];
    for (const { p, i: inc, o } of moves)
      Object.assign(out.get(p) as Figures, { incoming: inc ?? 0, outgoing: o ?? 0 });
  }
  return out;
}

const figure = (pick: (x: Figures) => number) => (env: OrmEnv, rows: Row[]) => {
  const figures = stockFigures(env, rows);
  return rows.map((r) => Math.round(pick(figures.get(r.id) as Figures) * 1000) / 1000);
};

/** product.product (no separate template model in the sandbox) with the version's type fields. */
export function productModels(profile: VersionProfile): ModelDef[] {
  const typeFields: Record<string, FieldDef> =
    profile.storableFlag === "detailed_type"
      ? {
          detailed_type: f.sel(
            [
              ["consu", "Consumable"],
              ["service", "Service"],
              ["product", "Storable Product"],
            ],
            { default: "consu", string: "Product Type" },
          ),
          type: f.sel(
            [
              ["consu", "Consumable"],
              ["service", "Service"],
              ["product", "Storable Product"],
            ],
            { default: "consu" },
          ),
        }
      : {
          type: f.sel(
            [
              ["consu", "Goods"],
              ["service", "Service"],
              ["combo", "Combo"],
            ],
            { default: "consu", string: "Product Type" },
          ),
          is_storable: f.bool("Track Inventory", { default: false }),
        };
  const common: Record<string, FieldDef> = {
    name: f.char("Name", { required: true }),
    default_code: f.char("Internal Reference"),
    barcode: f.char("Barcode"),
    ...typeFields,
    list_price: f.float("Sales Price", { default: 1 }),
    standard_price: f.float("Cost", { default: 0 }),
    uom_id: f.m2o("uom.uom", { default: 1, string: "Unit of Measure" }),
    uom_po_id: f.m2o("uom.uom", { default: 1, string: "Purchase Unit" }),
    invoice_policy: f.sel([
      ["order", "Ordered quantities"],
      ["delivery", "Delivered quantities"],
    ]),
    sale_ok: f.bool("Can be Sold", { default: true }),
    purchase_ok: f.bool("Can be Purchased", { default: true }),
    taxes_id: f.m2m("account.tax", { string: "Customer Taxes" }),
    supplier_taxes_id: f.m2m("account.tax", { string: "Vendor Taxes" }),
    description_sale: f.text("Sales Description"),
    weight: f.float("Weight"),
    company_id: f.m2o("res.company"),
    active: f.bool("Active", { default: true }),
  };
  const stock: Record<string, FieldDef> = {
    qty_available: f.float("Quantity On Hand", { compute: figure((x) => x.onHand) }),
    free_qty: f.float("Free To Use Quantity", { compute: figure((x) => x.onHand - x.reserved) }),
    virtual_available: f.float("Forecasted Quantity", {
      compute: figure((x) => x.onHand + x.incoming - x.outgoing),
    }),
    incoming_qty: f.float("Incoming", { compute: figure((x) => x.incoming) }),
    outgoing_qty: f.float("Outgoing", { compute: figure((x) => x.outgoing) }),
  };
  const normalize = (env: OrmEnv, vals: Record<string, unknown>) => {
    if (profile.storableFlag === "detailed_type" && vals.detailed_type && !vals.type)
      vals.type = vals.detailed_type;
    if (profile.storableFlag === "detailed_type" && vals.type && !vals.detailed_type)
      vals.detailed_type = vals.type;
    if (!vals.invoice_policy) {
      const storable =
        env.profile.storableFlag === "is_storable"
          ? Boolean(vals.is_storable)
          : vals.detailed_type === "product";
      vals.invoice_policy = storable ? "delivery" : "order";
    }
  };
  const shared = Object.keys(common);
  return [
    {
      name: "product.product",
      description: "Product Variant",
      order: "default_code, name, id",
      groups: "Inventory/Administrator",
      displayName: (_env, rows) =>
        rows.map((r) => (r.default_code ? `[${r.default_code}] ${r.name}` : (r.name as string))),
      fields: {
        ...common,
        product_tmpl_id: f.m2o("product.template", { string: "Product Template", ondelete: "cascade" }),
        ...stock,
      },
      unique: [{ fields: ["barcode"], message: "A barcode can only be assigned to one product !" }],
      beforeCreate: (env, vals) => {
        normalize(env, vals);
        if (!vals.product_tmpl_id) {
          const templateVals = Object.fromEntries(
            shared.filter((k) => vals[k] !== undefined).map((k) => [k, vals[k]]),
          );
          vals.product_tmpl_id = env
            .withContext({ sandbox_no_variant: true })
            .create("product.template", templateVals);
        }
      },
      beforeWrite: (_env, _ids, vals) => {
        if (profile.storableFlag === "detailed_type" && vals.detailed_type && !vals.type)
          vals.type = vals.detailed_type;
      },
      afterWrite: (env, ids, vals) => syncTemplates(env, ids, vals, shared),
    },
    ...templateModels(common, stock, shared, normalize),
  ];
}
