import type { Database } from "better-sqlite3";
import { LOC } from "./models/stock-logic.ts";
import type { OrmEnv } from "./orm-env.ts";
import { storableVals, withRef } from "./seed-base.ts";

const CUSTOMERS: [number, string, string, number][] = [
  [9, "Ready Mat", "ready.mat28@example.com", 233],
  [10, "Deco Addict", "deco_addict@yourcompany.example.com", 233],
  [11, "Gemini Furniture", "gemini.furniture39@example.com", 233],
  [12, "Lumber Inc", "lumber-inv92@example.com", 233],
  [13, "Wood Corner", "wood.corner26@example.com", 233],
  [14, "Azure Interior", "azure.Interior24@example.com", 233],
  [15, "The Jackson Group", "jackson.group82@example.com", 233],
  [16, "Bright Living", "bright.living@example.com", 38],
  [17, "Cobalt Home", "cobalt.home@example.com", 231],
  [18, "Maison Belle", "contact@maisonbelle.example.fr", 75],
  [19, "Nordlicht Möbel", "info@nordlicht.example.de", 57],
  [20, "Harbour Interiors", "hello@harbour.example.au", 13],
];

const CONTACTS: [number, string, number][] = [
  [21, "Brandon Freeman", 14],
  [22, "Nicole Ford", 10],
  [23, "Colleen Diaz", 14],
];

const VENDORS: [number, string, number][] = [
  [24, "Wood Supplies Ltd", 233],
  [25, "Steel Frames Co", 57],
  [26, "Fabric World", 21],
];

const PRODUCTS: [string, number, number][] = [
  ["Office Chair", 70, 55],
  ["Office Chair Black", 120.5, 90],
  ["Desk Combination", 450, 300],
  ["Large Desk", 1799, 1299],
  ["Corner Desk Left Sit", 85, 60],
  ["Corner Desk Right Sit", 147, 100],
  ["Cabinet with Doors", 140, 120.5],
  ["Drawer Black", 25, 20],
  ["Large Cabinet", 320, 800],
  ["Storage Box", 15.8, 14],
  ["Pedal Bin", 47, 10],
  ["Flipover", 1950, 1700],
  ["Desk Organizer", 5.1, 4.5],
  ["Three-Seat Sofa", 1500, 1000],
  ["Acoustic Bloc Screens", 295, 287],
  ["Individual Workplace", 885, 876],
  ["Conference Chair", 33, 28],
  ["Customizable Desk", 750, 500],
  ["Monitor Stand", 3.19, 2.5],
  ["Whiteboard Pen", 1.2, 0.7],
];

/** Demo data: customers (10 Deco Addict, 14 Azure Interior), vendors, products with stock, carriers, orders 25/26. */
export function seedDemo(env: OrmEnv): void {
  for (const [id, name, email, country] of CUSTOMERS) {
    withRef(env, `base.res_partner_${id}`, "res.partner", {
      id,
      name,
      email,
      country_id: country,
      is_company: true,
      customer_rank: 1,
      phone: "+1 555-0100",
    });
  }
  for (const [id, name, parent] of CONTACTS)
    withRef(env, `base.res_partner_${id}`, "res.partner", { id, name, parent_id: parent });
  for (const [id, name, country] of VENDORS) {
    withRef(env, `base.res_partner_${id}`, "res.partner", {
      id,
      name,
      country_id: country,
      is_company: true,
      supplier_rank: 1,
    });
  }
  const storable = storableVals(env);
  PRODUCTS.forEach(([name, price, cost], i) => {
    const n = String(i + 1).padStart(4, "0");
    const id = withRef(env, `product.product_product_${i + 1}`, "product.product", {
      name,
      default_code: `FURN_${n}`,
      barcode: `601000000${n}`,
      list_price: price,
      standard_price: cost,
      taxes_id: [[6, 0, [1]]],
      supplier_taxes_id: [[6, 0, [2]]],
      ...storable,
    });
    env.create("stock.quant", {
      product_id: id,
      location_id: LOC.stock,
      quantity: 20 + ((i * 37) % 81),
      in_date: env.stamp,
    });
  });
  const service =
    env.profile.storableFlag === "is_storable"
      ? { type: "service" }
      : { detailed_type: "service", type: "service" };
  withRef(env, "product.product_product_service", "product.product", {
    name: "Virtual Interior Design",
    default_code: "SERV_0001",
    list_price: 30.75,
    taxes_id: [[6, 0, [1]]],
    ...service,
  });
  const standard = env.create("product.product", {
    name: "Standard delivery",
    default_code: "DELIVERY_STD",
    list_price: 5,
    sale_ok: false,
    ...service,
  });
  const express = env.create("product.product", {
    name: "Express delivery",
    default_code: "DELIVERY_EXP",
    list_price: 15,
    sale_ok: false,
    ...service,
  });
  withRef(env, "delivery.standard_delivery_carrier", "delivery.carrier", {
    id: 1,
    name: "Standard delivery",
    product_id: standard,
    fixed_price: 5,
  });
  withRef(env, "delivery.express_delivery_carrier", "delivery.carrier", {
    id: 2,
    name: "Express delivery",
    product_id: express,
    fixed_price: 15,
  });
  const sale = env.model("sale.order");
  const uom = env.profile.saleLineUom;
  env.setNextNumber("sale.order", 25);
  for (const [id, partner, lines] of [
    [
      25,
      10,
      [
        [1, 2],
        [3, 1],
      ],
    ],
    [
      26,
      14,
      [
        [2, 4],
        [8, 10],
      ],
    ],
  ] as [number, number, [number, number][]][]) {
    env.create("sale.order", {
      id,
      partner_id: partner,
      order_line: lines.map(([product, qty]) => [
        0,
        0,
        { product_id: product, product_uom_qty: qty, [uom]: 1 },
      ]),
    });
    sale.methods?.action_confirm?.run(env, [id], {}, "sale.order");
  }
}

/** `products: N` extra storable products SKU-00001.. with 1,000 on hand each, inserted with prepared statements. */
export function seedBulkProducts(env: OrmEnv, db: Database, count: number): void {
  if (count <= 0) return;
  const storable = storableVals(env);
  const columns = [
    "name",
    "default_code",
    "barcode",
    "list_price",
    "standard_price",
    "uom_id",
    "uom_po_id",
    "invoice_policy",
    "sale_ok",
    "purchase_ok",
    "active",
    "taxes_id",
    "supplier_taxes_id",
    "create_date",
    "write_date",
    "create_uid",
    "write_uid",
    ...Object.keys(storable),
  ];
  const insertTemplate = db.prepare(
    `INSERT INTO product_template (${columns.map((c) => `"${c}"`).join(",")}) VALUES (${columns.map(() => "?").join(",")})`,
  );
  const insert = db.prepare(
    `INSERT INTO product_product (${columns.map((c) => `"${c}"`).join(",")}, product_tmpl_id) VALUES (${columns.map(() => "?").join(",")}, ?)`,
  );
  const quant = db.prepare(
    `INSERT INTO stock_quant (product_id, location_id, quantity, reserved_quantity, inventory_quantity, inventory_quantity_set, company_id, in_date, create_date, write_date, create_uid, write_uid) VALUES (?, ?, 1000, 0, 0, 0, 1, ?, ?, ?, 1, 1)`,
  );
  const flags = Object.values(storable).map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v));
  for (let i = 1; i <= count; i++) {
    const code = `SKU-${String(i).padStart(5, "0")}`;
    const row = [
      `Bulk product ${code}`,
      code,
      `9${String(i).padStart(12, "0")}`,
      10 + (i % 90),
      5 + (i % 40),
      1,
      1,
      "delivery",
      1,
      1,
      1,
      "[1]",
      "[2]",
      env.stamp,
      env.stamp,
      1,
      1,
      ...flags,
    ];
    const template = Number(insertTemplate.run(...row).lastInsertRowid);
    const id = Number(insert.run(...row, template).lastInsertRowid);
    quant.run(id, LOC.stock, env.stamp, env.stamp, env.stamp);
  }
}
