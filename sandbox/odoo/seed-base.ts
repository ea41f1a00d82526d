import { LOC } from "./models/stock-logic.ts";
import type { OrmEnv } from "./orm-env.ts";

/** A user to seed: login, password, optional API key, uid and group (default `sales`). */
export interface SeedUser {
  login: string;
  password: string;
  apiKey?: string;
  uid?: number;
  groups?: "admin" | "sales" | "readonly";
}

/** Default users: admin/admin uid 2 with API key "sandbox-admin-key", demo/demo uid 6 read-only. */
export const DEFAULT_USERS: SeedUser[] = [
  { login: "admin", password: "admin", apiKey: "sandbox-admin-key", uid: 2, groups: "admin" },
  { login: "demo", password: "demo", uid: 6, groups: "readonly" },
];

const COUNTRIES: [number, string, string][] = [
  [233, "US", "United States"],
  [38, "CA", "Canada"],
  [231, "GB", "United Kingdom"],
  [75, "FR", "France"],
  [57, "DE", "Germany"],
  [21, "BE", "Belgium"],
  [165, "NL", "Netherlands"],
  [68, "ES", "Spain"],
  [109, "IT", "Italy"],
  [13, "AU", "Australia"],
];

/** Storable-product vals for the version (16/17 detailed_type, 18+ is_storable). */
export function storableVals(env: OrmEnv): Record<string, unknown> {
  return env.profile.storableFlag === "is_storable"
    ? { type: "consu", is_storable: true }
    : { detailed_type: "product", type: "product" };
}

/** Creates a record and registers its external id, like a data file does. */
export function withRef(env: OrmEnv, xmlid: string, model: string, vals: Record<string, unknown>): number {
  const id = env.create(model, vals);
  env.setRef(xmlid, model, id);
  return id;
}

/** Master data every database gets, even with seed "empty": company, users, locations, warehouse, taxes, journals, modules. */
export function seedBase(env: OrmEnv, users: SeedUser[]): void {
  const version = env.profile.version;
  withRef(env, "base.USD", "res.currency", { id: 1, name: "USD", symbol: "$" });
  for (const [id, code, name] of COUNTRIES)
    withRef(env, `base.${code.toLowerCase()}`, "res.country", { id, code, name });
  withRef(env, "base.main_partner", "res.partner", {
    id: 1,
    name: "YourCompany",
    is_company: true,
    country_id: 233,
    email: "info@yourcompany.com",
  });
  withRef(env, "base.partner_root", "res.partner", { id: 2, name: "OdooBot", active: false });
  withRef(env, "base.main_company", "res.company", {
    id: 1,
    name: "YourCompany",
    partner_id: 1,
    currency_id: 1,
    country_id: 233,
  });
  withRef(env, "base.user_root", "res.users", {
    id: 1,
    login: "__system__",
    partner_id: 2,
    active: false,
    sandbox_group: "admin",
  });
  let nextPartner = 100;
  for (const user of users) {
    const partnerId = user.login === "admin" ? 3 : user.login === "demo" ? 7 : nextPartner++;
    const name = user.login === "admin" ? "Mitchell Admin" : user.login === "demo" ? "Marc Demo" : user.login;
    env.create("res.partner", {
      id: partnerId,
      name,
      parent_id: 1,
      email: `${user.login}@yourcompany.example.com`,
    });
    const uid = env.create("res.users", {
      ...(user.uid ? { id: user.uid } : {}),
      login: user.login,
      password: user.password,
      sandbox_api_key: user.apiKey ?? false,
      sandbox_group: user.groups ?? "sales",
      partner_id: partnerId,
    });
    if (user.login === "admin") env.setRef("base.user_admin", "res.users", uid);
    if (user.login === "demo") env.setRef("base.user_demo", "res.users", uid);
  }
  withRef(env, "uom.product_uom_unit", "uom.uom", { id: 1, name: "Units" });
  withRef(env, "uom.product_uom_dozen", "uom.uom", {
    id: 2,
    name: "Dozens",
    factor: 1 / 12,
    uom_type: "bigger",
  });
  const loc = (xmlid: string, id: number, name: string, usage: string, parent?: number) =>
    withRef(env, xmlid, "stock.location", { id, name, usage, location_id: parent ?? false });
  loc("stock.stock_location_locations", 1, "Physical Locations", "view");
  loc("stock.stock_location_locations_partner", 2, "Partners", "view");
  loc("stock.stock_location_locations_virtual", 3, "Virtual Locations", "view");
  loc("stock.stock_location_suppliers", LOC.vendors, "Vendors", "supplier", 2);
  loc("stock.stock_location_customers", LOC.customers, "Customers", "customer", 2);
  loc("stock.location_inventory", LOC.inventory, "Inventory adjustment", "inventory", 3);
  loc("stock.warehouse0_view", LOC.whView, "WH", "view", 1);
  loc("stock.stock_location_stock", LOC.stock, "Stock", "internal", LOC.whView);
  const type = (
    xmlid: string,
    id: number,
    name: string,
    code: string,
    seq: string,
    src: number,
    dest: number,
  ) =>
    withRef(env, xmlid, "stock.picking.type", {
      id,
      name,
      code,
      sequence_code: seq,
      default_location_src_id: src,
      default_location_dest_id: dest,
    });
  type("stock.picking_type_in", 1, "Receipts", "incoming", "IN", LOC.vendors, LOC.stock);
  type("stock.picking_type_out", 2, "Delivery Orders", "outgoing", "OUT", LOC.stock, LOC.customers);
  type("stock.picking_type_return", 3, "Returns", "incoming", "RET", LOC.customers, LOC.stock);
  withRef(env, "stock.warehouse0", "stock.warehouse", {
    id: 1,
    name: "YourCompany",
    code: "WH",
    lot_stock_id: LOC.stock,
    view_location_id: LOC.whView,
    in_type_id: 1,
    out_type_id: 2,
    partner_id: 1,
  });
  env.write("stock.picking.type", [1, 2, 3], { warehouse_id: 1 });
  env.write("stock.picking.type", [2], { return_picking_type_id: 3 });
  env.write("stock.picking.type", [1], { return_picking_type_id: 2 });
  env.write("stock.location", [LOC.whView, LOC.stock], { warehouse_id: 1 });
  withRef(env, "account.tax_sale_15", "account.tax", {
    id: 1,
    name: "15%",
    amount: 15,
    type_tax_use: "sale",
  });
  withRef(env, "account.tax_purchase_15", "account.tax", {
    id: 2,
    name: "15%",
    amount: 15,
    type_tax_use: "purchase",
  });
  withRef(env, "account.tax_sale_0", "account.tax", {
    id: 3,
    name: "0% Exempt",
    amount: 0,
    type_tax_use: "sale",
  });
  withRef(env, "account.sale_journal", "account.journal", {
    id: 1,
    name: "Customer Invoices",
    code: "INV",
    type: "sale",
  });
  withRef(env, "account.purchase_journal", "account.journal", {
    id: 2,
    name: "Vendor Bills",
    code: "BILL",
    type: "purchase",
  });
  withRef(env, "account.bank_journal", "account.journal", {
    id: 3,
    name: "Bank",
    code: "BNK1",
    type: "bank",
  });
  withRef(env, "account.general_journal", "account.journal", {
    id: 4,
    name: "Miscellaneous Operations",
    code: "MISC",
    type: "general",
  });
  const modules = [
    "base",
    "web",
    "product",
    "sale",
    "sale_management",
    "stock",
    "sale_stock",
    env.profile.deliveryModule,
    "account",
    "purchase",
    "base_automation",
    "uom",
  ];
  for (const name of modules)
    env.create("ir.module.module", {
      name,
      shortdesc: name,
      state: "installed",
      latest_version: `${version}.0.1.0`,
    });
  env.create("ir.config_parameter", { key: "web.base.url", value: "http://127.0.0.1:8069" });
  env.create("ir.config_parameter", { key: "database.uuid", value: "00000000-0000-4000-8000-00000000cd0c" });
}
