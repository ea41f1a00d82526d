import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createFakeOdoo, type FakeOdoo } from "../../../test/odoo/fake-odoo-client.ts";
import { ManualClock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import { createMasterDataCache } from "./master-data-cache.ts";
import { toOdooDatetime } from "./odoo-datetime.ts";

const START = Date.UTC(2026, 0, 1, 12);

function seed(odoo: FakeOdoo, clock: ManualClock) {
  const wd = toOdooDatetime(clock.now() - 60_000);
  const product = (id: number, code: string | false, barcode: string | false, extra = {}) => ({
    id,
    name: `Product ${id}`,
    default_code: code,
    barcode,
    uom_id: [1, "Units"],
    list_price: 10.5,
    taxes_id: [3],
    active: true,
    type: "consu",
    detailed_type: "product",
    product_tmpl_id: [100 + id, `Product ${id}`],
    write_date: wd,
    ...extra,
  });
  odoo.put("product.product", product(1, "FURN_001", "601647855631"));
  odoo.put("product.product", product(2, "FURN_002", false));
  odoo.put("product.product", product(3, "OLD_001", "111", { active: false }));
  odoo.put("product.template", { id: 101, product_variant_ids: [1], active: true, write_date: wd });
  odoo.put("res.partner", {
    id: 9,
    name: "Azure Interior",
    email: " Azure.Interior@Example.COM ",
    ref: "C-9",
    commercial_partner_id: [9, "Azure"],
    active: true,
    write_date: wd,
  });
  odoo.put("res.partner", {
    id: 12,
    name: "Brandon",
    email: "brandon@example.com",
    ref: false,
    commercial_partner_id: [9, "Azure"],
    active: true,
    write_date: wd,
  });
  odoo.put("stock.warehouse", {
    id: 1,
    name: "San Francisco",
    code: "WH",
    lot_stock_id: [8, "WH/Stock"],
    active: true,
    write_date: wd,
  });
  odoo.put("account.tax", {
    id: 3,
    name: "15%",
    amount: 15,
    type_tax_use: "sale",
    amount_type: "percent",
    active: true,
    write_date: wd,
  });
  odoo.put("delivery.carrier", { id: 2, name: "UPS Ground", active: true, write_date: wd });
  odoo.put("res.country", { id: 233, code: "US", name: "United States", write_date: wd });
}

async function loaded() {
  const clock = new ManualClock(START);
  const odoo = createFakeOdoo({ major: 17 });
  seed(odoo, clock);
  const cache = createMasterDataCache({ client: odoo, clock, limit: 2 });
  const result = await cache.load();
  return { clock, odoo, cache, result };
}

describe("master data cache", () => {
  test("load indexes every model; lookups are synchronous and undefined when unknown", async () => {
    const { cache, result } = await loaded();
    assert.deepEqual(result.changed, {
      "product.product": 2,
      "res.partner": 2,
      "stock.warehouse": 1,
      "account.tax": 1,
      "delivery.carrier": 1,
      "res.country": 1,
    });
    assert.deepEqual(cache.productByCode("FURN_001"), {
      id: 1,
      name: "Product 1",
      default_code: "FURN_001",
      barcode: "601647855631",
      uom_id: 1,
      storable: true,
      list_price: "10.50",
      taxes_id: [3],
      active: true,
    });
    assert.equal(cache.productByBarcode("601647855631")?.id, 1);
    assert.equal(cache.productByCode("OLD_001"), undefined, "archived products are not indexed");
    assert.equal(cache.productByCode("NOPE"), undefined);
    assert.equal(cache.partnerByEmail("azure.interior@example.com")?.id, 9);
    assert.equal(cache.partnerByEmail("  AZURE.interior@example.com")?.id, 9);
    assert.equal(cache.partnerByRef("C-9")?.commercial_partner_id, 9);
    assert.equal(cache.partnerById(12)?.commercial_partner_id, 9);
    assert.equal(cache.warehouseByCode("WH")?.lot_stock_id, 8);
    assert.equal(cache.taxByKey("15%", 15, "sale")?.id, 3);
    assert.equal(cache.taxByKey("15%", "15.0000", "sale")?.id, 3);
    assert.equal(cache.taxByKey("15%", 15, "purchase"), undefined);
    assert.equal(cache.carrierByName("UPS Ground")?.id, 2);
    assert.equal(cache.countryByCode("us")?.id, 233);
    assert.equal(cache.stats().counts["product.product"], 2);
  });

  test("refresh reads only what changed, removes archived products and follows template changes", async () => {
    const { clock, odoo, cache } = await loaded();
    clock.advance(300_000);
    const now = toOdooDatetime(clock.now());
    odoo.put("product.product", {
      ...odoo.tables.get("product.product")![1]!,
      default_code: "FURN_002B",
      write_date: now,
    });
    odoo.put("product.product", {
      ...odoo.tables.get("product.product")![0]!,
      active: false,
      write_date: now,
    });
    const before = odoo.calls.length;
    const result = await cache.refresh();
    assert.deepEqual(result.changed, { "product.product": 1 });
    assert.deepEqual(result.removed, { "product.product": 1 });
    assert.equal(cache.productByCode("FURN_001"), undefined);
    assert.equal(cache.productByBarcode("601647855631"), undefined);
    assert.equal(cache.productByCode("FURN_002"), undefined, "the old key left the index");
    assert.equal(cache.productByCode("FURN_002B")?.id, 2);
    const productCall = odoo.calls.slice(before).find((c) => c.model === "product.product")!;
    assert.deepEqual(productCall.domain.at(-1), [
      "write_date",
      ">=",
      toOdooDatetime(clock.now() - 300_000 - 120_000),
    ]);

    // A template price change leaves the variant's write_date alone; refresh follows the template.
    clock.advance(60_000);
    odoo.put("product.product", { ...odoo.tables.get("product.product")![0]!, active: true, list_price: 99 });
    odoo.put("product.template", {
      id: 101,
      product_variant_ids: [1],
      active: true,
      write_date: toOdooDatetime(clock.now()),
    });
    await cache.refresh();
    assert.equal(cache.productByCode("FURN_001")?.list_price, "99.00");
    assert.equal(cache.stats().refreshes, 2);
  });

  test("deleted records are found by the id listing, at its own lower rate", async () => {
    const { clock, odoo, cache } = await loaded();
    odoo.remove("product.product", 2);
    odoo.remove("res.partner", 12);
    clock.advance(60_000);
    await cache.refresh();
    assert.equal(cache.productByCode("FURN_002")?.id, 2, "not swept yet");
    assert.equal(odoo.calls.filter((c) => c.method === "search").length, 0);
    const swept = await cache.refresh({ sweepDeleted: true });
    assert.deepEqual(swept.removed, { "product.product": 1, "res.partner": 1 });
    assert.equal(cache.productByCode("FURN_002"), undefined);
    assert.equal(cache.partnerByEmail("brandon@example.com"), undefined);
    const search = odoo.calls.find((c) => c.method === "search" && c.model === "product.product")!;
    assert.deepEqual(search.domain, [
      ["active", "in", [true, false]],
      ["id", ">", 0],
    ]);
    clock.advance(3_600_000);
    const before = odoo.calls.filter((c) => c.method === "search").length;
    await cache.refresh();
    assert.ok(odoo.calls.filter((c) => c.method === "search").length > before, "hourly sweep");
    assert.equal(cache.stats().lastSweepAt, clock.now());
  });

  test("a key shared by several records resolves to the lowest id, and survives removing one", async () => {
    const { clock, odoo, cache } = await loaded();
    clock.advance(1_000);
    odoo.put("res.partner", {
      id: 5,
      name: "Dup",
      email: "brandon@example.com",
      ref: false,
      commercial_partner_id: [5, "Dup"],
      active: true,
      write_date: toOdooDatetime(clock.now()),
    });
    await cache.refresh();
    assert.equal(cache.partnerByEmail("Brandon@example.com")?.id, 5);
    clock.advance(1_000);
    odoo.put("res.partner", {
      ...odoo.tables.get("res.partner")!.at(-1)!,
      active: false,
      write_date: toOdooDatetime(clock.now()),
    });
    await cache.refresh();
    assert.equal(cache.partnerByEmail("brandon@example.com")?.id, 12);
  });

  test("an optional model Odoo lacks is reported in stats, not fatal; stats show the age", async () => {
    const clock = new ManualClock(START);
    const odoo = createFakeOdoo();
    seed(odoo, clock);
    odoo.beforeAnswer = (call) => {
      if (call.model === "delivery.carrier")
        throw new CrossdockError("CDK_ODOO_CONFIG", "Object delivery.carrier doesn't exist");
    };
    const cache = createMasterDataCache({ client: odoo, clock });
    await cache.load();
    clock.advance(5_000);
    const stats = cache.stats();
    assert.deepEqual(stats.unavailable, ["delivery.carrier"]);
    assert.equal(stats.ageMs, 5_000);
    assert.equal(stats.loadedAt, START);
    assert.equal(cache.carrierByName("UPS Ground"), undefined);
    await assert.rejects(
      async () => {
        odoo.beforeAnswer = (call) => {
          if (call.model === "res.partner") throw new CrossdockError("CDK_ODOO_ACCESS", "AccessError");
        };
        await cache.refresh();
      },
      { code: "CDK_ODOO_ACCESS" },
    );
  });

  test("memory: bytes per product for 100,000 products (measured, reported as a diagnostic)", async (t) => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const clock = new ManualClock(START);
    const odoo = createFakeOdoo({ major: 18 });
    const wd = toOdooDatetime(START - 3_600_000);
    const rows = odoo.tables.set("product.product", []).get("product.product")!;
    for (let id = 1; id <= 100_000; id++) {
      rows.push({
        id,
        name: `Product ${id} ${"x".repeat(20 + (id % 20))}`,
        default_code: `SKU-${String(id).padStart(8, "0")}`,
        barcode: String(4_000_000_000_000 + id),
        uom_id: [1, "Units"],
        list_price: 10 + (id % 1000) / 100,
        taxes_id: [3],
        active: true,
        type: "consu",
        is_storable: true,
        write_date: wd,
      });
    }
    // As over the wire: every page is fresh JSON, so no string is shared with the fake's rows.
    const wire = Object.create(odoo, {
      searchRead: {
        value: async (...args: Parameters<FakeOdoo["searchRead"]>) =>
          JSON.parse(JSON.stringify(await odoo.searchRead(...args))),
      },
    }) as FakeOdoo;
    const cache = createMasterDataCache({ client: wire, clock, limit: 5_000 });
    gc();
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();
    await cache.load();
    const loadMs = performance.now() - started;
    gc();
    const perProduct = (process.memoryUsage().heapUsed - before) / 100_000;
    t.diagnostic(
      `cache: ${perProduct.toFixed(0)} bytes per product (100,000 products); load ${loadMs.toFixed(0)} ms`,
    );
    assert.equal(cache.stats().counts["product.product"], 100_000);
    assert.equal(cache.productByCode("SKU-00054321")?.id, 54_321);
    assert.equal(cache.productByBarcode("4000000054321")?.id, 54_321);
    assert.ok(perProduct < 1_000, `${perProduct} bytes per product`);
    const lookups = performance.now();
    for (let i = 1; i <= 100_000; i++) cache.productByCode(`SKU-${String(i).padStart(8, "0")}`);
    t.diagnostic(`100,000 lookups by code: ${(performance.now() - lookups).toFixed(1)} ms`);
  });
});
