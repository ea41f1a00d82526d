import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";

describe("seed", () => {
  test("demo: customers, vendors, storable products with stock, carriers, confirmed orders 25/26; sequences continue", async () => {
    const odoo = await startSandboxOdoo();
    try {
      const env = odoo.env();
      assert.deepEqual(
        env.read("res.partner", [10, 14], ["name"]).map((p) => p.name),
        ["Deco Addict", "Azure Interior"],
      );
      assert.ok(env.search("res.partner", [["supplier_rank", ">", 0]]).length >= 3);
      const products = env.searchRead(
        "product.product",
        [["default_code", "=like", "FURN_%"]],
        ["barcode", "qty_available", "detailed_type"],
      );
      assert.equal(products.length, 20);
      assert.ok(
        products.every(
          (p) =>
            p.detailed_type === "product" && typeof p.barcode === "string" && Number(p.qty_available) > 0,
        ),
      );
      assert.equal(env.search("delivery.carrier", []).length, 2);
      assert.deepEqual(env.read("sale.order", [25, 26], ["name", "state"]), [
        { id: 25, name: "S00025", state: "sale" },
        { id: 26, name: "S00026", state: "sale" },
      ]);
      const next = env.create("sale.order", { partner_id: 10 });
      assert.equal(next, 27);
      assert.equal(env.read("sale.order", [next], ["name"])[0]?.name, "S00027");
      assert.equal(env.ref("base.main_company"), 1);
      assert.deepEqual(env.read("res.company", [1], ["name", "currency_id"]), [
        { id: 1, name: "YourCompany", currency_id: [1, "USD"] },
      ]);
      assert.deepEqual(env.read("stock.location", [8], ["complete_name"]), [
        { id: 8, complete_name: "WH/Stock" },
      ]);
    } finally {
      await odoo.close();
    }
  });

  test("products: 10,000 seeds well under a second, each with 1,000 on hand", async () => {
    const started = Date.now();
    const odoo = await startSandboxOdoo({ products: 10_000, seed: "empty" });
    const elapsed = Date.now() - started;
    try {
      assert.ok(elapsed < 1000, `took ${elapsed} ms`);
      const env = odoo.env();
      assert.equal(env.search("product.product", [["default_code", "=like", "SKU-%"]]).length, 10_000);
      const [p] = env.searchRead(
        "product.product",
        [["default_code", "=", "SKU-09999"]],
        ["qty_available", "name"],
      );
      assert.equal(p?.qty_available, 1000);
      assert.deepEqual(env.search("sale.order", []), [], "seed empty has no orders");
    } finally {
      await odoo.close();
    }
  });

  test("dbPath: data survives a restart; several databases get one file each", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sandbox-odoo-"));
    try {
      const path = join(dir, "odoo.sqlite");
      let odoo = await startSandboxOdoo({ dbPath: path, databases: ["a", "b"] });
      const id = odoo.env("a").create("res.partner", { name: "Persisted" });
      await odoo.close();
      odoo = await startSandboxOdoo({ dbPath: path, databases: ["a", "b"] });
      assert.deepEqual(odoo.env("a").read("res.partner", [id], ["name"]), [{ id, name: "Persisted" }]);
      assert.deepEqual(odoo.env("b").search("res.partner", [["name", "=", "Persisted"]]), []);
      await odoo.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
