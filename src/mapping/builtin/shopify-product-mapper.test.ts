import assert from "node:assert/strict";
import { test } from "node:test";
import { validateCanonical } from "../model-validator.ts";
import { runMapping } from "../run-mapping.ts";
import { mapShopifyProduct, shopifyProductMapping } from "./shopify-product-mapper.ts";

const product = {
  id: 632910392,
  title: "Office chair",
  body_html: "<p>Oak, <strong>stackable</strong>.</p>",
  vendor: "Acme",
  product_type: "Chairs",
  status: "active",
  tags: "oak, office",
  variants: [
    {
      id: 1,
      title: "Default Title",
      sku: "CHAIR-1",
      price: "49.90",
      barcode: "4006381333931",
      requires_shipping: true,
      inventory_item_id: 11,
      grams: 5000,
    },
    { id: 2, title: "Gift card", sku: "GIFT", price: 25, barcode: "X-1", requires_shipping: false },
    { id: 3, title: "No SKU", sku: "", price: "1.00" },
  ],
};

test("one product per variant with a SKU, valid against product/v1", () => {
  const { products, skipped } = mapShopifyProduct(product, "shop", { currency: "EUR" });
  assert.deepEqual(
    products.map((p) => [p.sku, p.name, p.storable, p.prices?.[0]?.amount, p.barcodes?.[0]?.kind]),
    [
      ["CHAIR-1", "Office chair", true, "49.90", "gtin"],
      ["GIFT", "Office chair - Gift card", false, "25.00", "other"],
    ],
  );
  assert.equal(products[0]?.description, "Oak, stackable .");
  assert.deepEqual(products[0]?.refs, [
    { system: "shop", kind: "product", id: "632910392" },
    { system: "shop", kind: "variant", id: "1" },
    { system: "shop", kind: "inventory_item", id: "11" },
  ]);
  for (const p of products) assert.deepEqual(validateCanonical("product/v1", p), []);
  assert.match(skipped[0] ?? "", /\/variants\/2: variant 3 has no SKU/);
  assert.equal(mapShopifyProduct(product, "shop").products[0]?.prices, undefined);
});

test("shopify-product@1 runs as a mapping; bad input is a located CDK_MAPPING_FAILED", async () => {
  const run = await runMapping(shopifyProductMapping, product, { connection: "shop" }, validateCanonical);
  assert.ok(run.ok);
  const bad = await shopifyProductMapping.map(
    { ...product, variants: [{ id: 1, sku: "A", price: "x" }] },
    { connection: "shop" },
  );
  assert.equal(bad.ok, true); // no currency configured: the price is not read
  const broken = await shopifyProductMapping.map({ id: 1 }, { connection: "shop" });
  assert.ok(!broken.ok && broken.error.code === "CDK_MAPPING_FAILED" && /\/title/.test(broken.error.message));
});
