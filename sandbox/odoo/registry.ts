import { rightsProbeMethods } from "./access-rights.ts";
import { type FieldDef, f, type MethodDef, type ModelDef } from "./model-def.ts";
import { accountModels } from "./models/account-models.ts";
import { baseModels } from "./models/base-models.ts";
import { productModels } from "./models/product-models.ts";
import { purchaseModels } from "./models/purchase-models.ts";
import { saleModels } from "./models/sale-models.ts";
import { stockModels } from "./models/stock-models.ts";
import { stockMoveModels } from "./models/stock-move-models.ts";
import { stockWizardModels } from "./models/stock-wizards.ts";
import type { Registry } from "./orm-env.ts";
import { baseMethods } from "./orm-methods.ts";
import type { VersionProfile } from "./version-profile.ts";

/**
 * Builds the models of one version: each model gets Odoo's magic fields (`create_date`, `write_date`,
 * `create_uid`, `write_uid`, `display_name`) and BaseModel's public methods under its own ones.
 */
export function buildRegistry(profile: VersionProfile): Registry {
  const defs: ModelDef[] = [
    ...baseModels(profile),
    ...productModels(profile),
    ...stockModels(profile),
    ...stockMoveModels(profile),
    ...stockWizardModels(profile),
    ...saleModels(profile),
    ...accountModels(profile),
    ...purchaseModels(profile),
  ];
  const base = baseMethods(profile);
  const probes = rightsProbeMethods(profile);
  const models = new Map<string, ModelDef>();
  for (const def of defs) {
    const methods: Record<string, MethodDef> = { ...base, ...probes, ...def.methods };
    models.set(def.name, {
      ...def,
      methods,
      // Null-prototype maps: a field called "constructor" or "__proto__" from a request is simply unknown.
      fields: Object.assign(Object.create(null) as Record<string, FieldDef>, {
        ...def.fields,
        display_name: f.char("Display Name", {
          compute: (env, rows) => {
            const names = env.displayNames(
              def.name,
              rows.map((r) => r.id),
            );
            return rows.map((r) => names.get(r.id) ?? false);
          },
        }),
        create_date: f.datetime("Created on", { readonly: true }),
        create_uid: f.m2o("res.users", { string: "Created by", readonly: true }),
        write_date: f.datetime("Last Updated on", { readonly: true }),
        write_uid: f.m2o("res.users", { string: "Last Updated by", readonly: true }),
      }),
    });
  }
  return { profile, models };
}
