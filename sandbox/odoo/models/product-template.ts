import { tableOf } from "../domain-sql.ts";
import { type FieldDef, f, type ModelDef, type Row } from "../model-def.ts";
import type { OrmEnv } from "../orm-env.ts";
import { encodeValue } from "../orm-values.ts";

/** A stored value as create/write vals (many2many id lists become a set command). */
function asVals(row: Row, names: string[], fields: Record<string, FieldDef>): Record<string, unknown> {
  return Object.fromEntries(
    names.map((n) => [
      n,
      fields[n]?.type === "many2many" ? [[6, 0, (row[n] as number[]) ?? []]] : (row[n] ?? false),
    ]),
  );
}

/**
 * A variant write of template fields is a write on its template (Odoo stores them there): the
 * template's write_date moves too.
 */
export function syncTemplates(
  env: OrmEnv,
  ids: number[],
  vals: Record<string, unknown>,
  shared: string[],
): void {
  const changed = shared.filter((k) => k in vals);
  if (!changed.length) return;
  const def = env.model("product.product");
  for (const variant of env.browse("product.product", ids)) {
    if (!variant.product_tmpl_id) continue;
    const values = asVals(variant, changed, def.fields);
    for (const [k, v] of Object.entries(values)) {
      if (Array.isArray(v)) values[k] = (v[0] as unknown[])[2];
    }
    env.update("product.template", [variant.product_tmpl_id as number], values);
  }
}

/**
 * product.template, one per variant (the sandbox has no attributes): creating either creates the other.
 * A template write updates its variants' columns WITHOUT moving their write_date, as in Odoo, where
 * those fields live on the template: pollers of product.product must follow templates to see it.
 */
export function templateModels(
  common: Record<string, FieldDef>,
  stock: Record<string, FieldDef>,
  shared: string[],
  normalize: (env: OrmEnv, vals: Record<string, unknown>) => void,
): ModelDef[] {
  const sumOver = (name: string) => (env: OrmEnv, rows: Row[]) =>
    rows.map((t) => {
      const variants = env.search("product.product", [["product_tmpl_id", "=", t.id]]);
      const compute = env.model("product.product").fields[name]?.compute;
      if (!compute || !variants.length) return 0;
      return (compute(env, env.browse("product.product", variants)) as number[]).reduce((a, b) => a + b, 0);
    });
  return [
    {
      name: "product.template",
      description: "Product",
      order: "name, id",
      groups: "Inventory/Administrator",
      fields: {
        ...common,
        product_variant_ids: f.o2m("product.product", "product_tmpl_id", { string: "Products" }),
        product_variant_id: f.m2o("product.product", {
          string: "Product",
          compute: (env, rows) =>
            rows.map(
              (t) =>
                env.search("product.product", [["product_tmpl_id", "=", t.id]], { limit: 1 })[0] ?? false,
            ),
        }),
        product_variant_count: f.int("# Product Variants", {
          compute: (env, rows) =>
            rows.map((t) => env.searchCount("product.product", [["product_tmpl_id", "=", t.id]])),
        }),
        ...Object.fromEntries(
          Object.keys(stock).map((name) => [name, f.float(stock[name]?.string, { compute: sumOver(name) })]),
        ),
      },
      beforeCreate: (env, vals) => normalize(env, vals),
      afterCreate: (env, ids) => {
        if (env.context.sandbox_no_variant) return;
        const def = env.model("product.template");
        for (const template of env.browse("product.template", ids)) {
          env.withContext({ sandbox_no_variant: false }).create("product.product", {
            ...asVals(template, shared, def.fields),
            product_tmpl_id: template.id,
          });
        }
      },
      afterWrite: (env, ids, vals) => {
        const changed = shared.filter((k) => k in vals);
        if (!changed.length) return;
        const fields = env.model("product.product").fields;
        for (const template of env.browse("product.template", ids)) {
          const sets = changed.map((k) => `"${k}" = ?`).join(", ");
          const params = changed.map((k) => encodeValue(fields[k] as FieldDef, template[k] ?? null));
          env
            .prepare(`UPDATE ${tableOf("product.product")} SET ${sets} WHERE product_tmpl_id = ?`)
            .run(...params, template.id);
        }
      },
    },
  ];
}
