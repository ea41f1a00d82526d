import { f, type ModelDef, type Row } from "../model-def.ts";
import { validationError } from "../odoo-error.ts";
import type { OrmEnv } from "../orm-env.ts";
import type { VersionProfile } from "../version-profile.ts";

/** Partner's commercial entity: itself when a company or without parent, else its parent's. */
export function commercialPartner(env: OrmEnv, row: Row): number {
  let current = row;
  for (let depth = 0; depth < 50; depth++) {
    if (current.is_company || !current.parent_id) return current.id;
    const parent = env.browse("res.partner", [current.parent_id as number])[0];
    if (!parent) return current.id;
    current = parent;
  }
  return current.id;
}

function completeName(env: OrmEnv, row: Row): string {
  const name = (row.name as string | null) ?? "";
  if (!row.parent_id || row.is_company) return name;
  const parent = env.browse("res.partner", [row.parent_id as number])[0];
  return parent ? `${(parent.complete_name as string) || parent.name}, ${name}` : name;
}

function refreshPartnerNames(env: OrmEnv, ids: number[]): void {
  for (const row of env.browse("res.partner", ids)) {
    let seen = new Set<number>([row.id]);
    let parentId = row.parent_id as number | null;
    while (parentId) {
      if (seen.has(parentId)) throw validationError("You cannot create recursive Partner hierarchies.");
      seen.add(parentId);
      parentId = (env.browse("res.partner", [parentId])[0]?.parent_id as number | null) ?? null;
    }
    seen = new Set();
    env
      .prepare(`UPDATE "res_partner" SET complete_name = ? WHERE id = ?`)
      .run(completeName(env, row), row.id);
    const children = env
      .withContext({ active_test: false })
      .search("res.partner", [["parent_id", "=", row.id]]);
    if (children.length) refreshPartnerNames(env, children);
  }
}

/** res.company, res.users, res.partner, res.country, res.currency, uom.uom and the ir.* models. */
export function baseModels(profile: VersionProfile): ModelDef[] {
  return [
    {
      name: "res.company",
      description: "Companies",
      access: "users",
      groups: "Administration/Settings",
      fields: {
        name: f.char("Company Name", { required: true }),
        partner_id: f.m2o("res.partner"),
        currency_id: f.m2o("res.currency"),
        email: f.char("Email"),
        phone: f.char("Phone"),
        country_id: f.m2o("res.country"),
        po_double_validation: f.sel(
          [
            ["one_step", "Confirm purchase orders in one step"],
            ["two_step", "Get 2 levels of approvals to confirm a purchase order"],
          ],
          { default: "one_step" },
        ),
        po_double_validation_amount: f.money("Double validation amount", { default: 5000 }),
        stock_move_sms_validation: f.bool("SMS Validation with stock move", { default: true }),
        has_received_warning_stock_sms: f.bool("Has received warning stock sms", { default: false }),
      },
    },
    {
      name: "res.currency",
      description: "Currency",
      fields: {
        name: f.char("Currency", { required: true }),
        symbol: f.char("Symbol"),
        active: f.bool("Active", { default: true }),
      },
    },
    {
      name: "res.country",
      description: "Country",
      order: "name",
      fields: { name: f.char("Country Name", { required: true }), code: f.char("Country Code") },
    },
    {
      name: "res.partner",
      description: "Contact",
      order: "complete_name ASC, id DESC",
      groups: "Extra Rights/Contact Creation",
      className: "ResPartner",
      displayName: (_env, rows) => rows.map((r) => ((r.complete_name as string) || (r.name as string)) ?? ""),
      fields: {
        name: f.char("Name", { required: true }),
        complete_name: f.char("Complete Name", { readonly: true }),
        email: f.char("Email"),
        ref: f.char("Reference"),
        phone: f.char("Phone"),
        mobile: f.char("Mobile"),
        street: f.char("Street"),
        street2: f.char("Street2"),
        city: f.char("City"),
        zip: f.char("Zip"),
        vat: f.char("Tax ID"),
        comment: f.text("Notes"),
        lang: f.char("Language", { default: "en_US" }),
        country_id: f.m2o("res.country", { string: "Country" }),
        parent_id: f.m2o("res.partner", { string: "Related Company" }),
        child_ids: f.o2m("res.partner", "parent_id", { string: "Contact" }),
        is_company: f.bool("Is a Company", { default: false }),
        type: f.sel(
          [
            ["contact", "Contact"],
            ["invoice", "Invoice Address"],
            ["delivery", "Delivery Address"],
            ["other", "Other Address"],
            ...(profile.version === 16 ? [["private", "Private Address"] as const] : []),
          ],
          { default: "contact" },
        ),
        commercial_partner_id: f.m2o("res.partner", {
          string: "Commercial Entity",
          compute: (env, rows) => rows.map((r) => commercialPartner(env, r)),
          // Contacts of a company share its commercial entity: search it as the company and its children.
          search: (op, value) => {
            const ids = (Array.isArray(value) ? value : [value]).filter((v) => typeof v === "number");
            const positive = ["|", ["id", "in", ids], ["parent_id", "child_of", ids]];
            if (op === "=" || op === "in") return positive;
            if (op === "!=" || op === "not in") return ["!", ...positive];
            return [["id", "=", 0]];
          },
        }),
        // Added by `account` in Odoo: what the customer owes (posted, unpaid invoices less credit notes,
        // on the commercial entity) and the limit a sales team sets (0 = none).
        credit: f.money("Total Receivable", {
          compute: (env, rows) =>
            rows.map((r) => {
              const commercial = commercialPartner(env, r);
              const moves = env.browse(
                "account.move",
                env.search("account.move", [
                  ["state", "=", "posted"],
                  ["move_type", "in", ["out_invoice", "out_refund"]],
                  [
                    "partner_id",
                    "in",
                    env.search("res.partner", [["commercial_partner_id", "=", commercial]]),
                  ],
                ]),
              );
              const cents = moves.reduce((sum, m) => {
                const residual = Math.round(Number(m.amount_residual) * 100);
                return sum + (m.move_type === "out_refund" ? -residual : residual);
              }, 0);
              return cents / 100;
            }),
        }),
        credit_limit: f.float("Credit Limit", { default: 0 }),
        customer_rank: f.int("Customer Rank", { default: 0 }),
        supplier_rank: f.int("Supplier Rank", { default: 0 }),
        company_id: f.m2o("res.company"),
        active: f.bool("Active", { default: true }),
      },
      afterCreate: (env, ids) => refreshPartnerNames(env, ids),
      afterWrite: (env, ids, vals) => {
        if ("name" in vals || "parent_id" in vals || "is_company" in vals) refreshPartnerNames(env, ids);
      },
    },
    {
      name: "res.users",
      description: "User",
      access: "users",
      groups: "Administration/Access Rights",
      recName: "login",
      displayName: (env, rows) => {
        const names = env.displayNames(
          "res.partner",
          rows.map((r) => r.partner_id as number),
        );
        return rows.map((r) => names.get(r.partner_id as number) ?? (r.login as string));
      },
      unique: [{ fields: ["login"], message: "You can not have two users with the same login!" }],
      fields: {
        login: f.char("Login", { required: true }),
        name: f.char("Name", {
          compute: (env, rows) => {
            const names = env.displayNames(
              "res.partner",
              rows.map((r) => r.partner_id as number),
            );
            return rows.map((r) => names.get(r.partner_id as number) ?? false);
          },
        }),
        partner_id: f.m2o("res.partner", { required: true }),
        company_id: f.m2o("res.company", { default: 1 }),
        active: f.bool("Active", { default: true }),
        password: f.char("Password", { hidden: true }),
        sandbox_api_key: f.char("API key", { hidden: true }),
        sandbox_group: f.sel(
          [
            ["admin", "Administrator"],
            ["sales", "Sales"],
            ["readonly", "Read-only"],
          ],
          { default: "sales", hidden: true },
        ),
      },
      beforeCreate: (env, vals) => {
        if (!vals.partner_id) {
          vals.partner_id = env.create("res.partner", {
            name: (vals.name as string) || (vals.login as string) || "User",
          });
        }
        delete vals.name;
      },
    },
    {
      name: "ir.model.data",
      description: "Model Data",
      access: "users",
      groups: "Administration/Settings",
      recName: "complete_name",
      fields: {
        module: f.char("Module", { required: true }),
        name: f.char("External Identifier", { required: true }),
        complete_name: f.char("Complete ID", {
          compute: (_env, rows) => rows.map((r) => `${r.module}.${r.name}`),
        }),
        model: f.char("Model Name", { required: true }),
        res_id: f.int("Record ID"),
        noupdate: f.bool("Non Updatable", { default: false }),
      },
      unique: [{ fields: ["module", "name"], message: "External ID must be unique per module" }],
    },
    {
      name: "ir.config_parameter",
      description: "System Parameter",
      access: "settings",
      groups: "Administration/Settings",
      recName: "key",
      fields: { key: f.char("Key", { required: true }), value: f.text("Value") },
      unique: [{ fields: ["key"], message: "Key must be unique." }],
    },
    {
      name: "ir.module.module",
      description: "Module",
      fields: {
        name: f.char("Technical Name", { required: true }),
        shortdesc: f.char("Module Name"),
        state: f.sel(
          [
            ["uninstallable", "Uninstallable"],
            ["uninstalled", "Not Installed"],
            ["installed", "Installed"],
            ["to upgrade", "To be upgraded"],
            ["to remove", "To be removed"],
            ["to install", "To be installed"],
          ],
          { default: "uninstalled" },
        ),
        latest_version: f.char("Latest Version"),
      },
    },
    {
      name: "uom.uom",
      description: "Product Unit of Measure",
      fields: {
        name: f.char("Unit of Measure", { required: true }),
        factor: f.float("Ratio", { default: 1 }),
        uom_type: f.sel(
          [
            ["bigger", "Bigger than the reference Unit of Measure"],
            ["reference", "Reference Unit of Measure for this category"],
            ["smaller", "Smaller than the reference Unit of Measure"],
          ],
          { default: "reference" },
        ),
        active: f.bool("Active", { default: true }),
      },
    },
  ];
}
