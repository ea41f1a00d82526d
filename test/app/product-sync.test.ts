/**
 * Product sync switched on for a `shopify` connection (`productSync: { everyMinutes }`): on start the
 * scheduler reads the sandbox storefront's products through the GraphQL Admin API and emits
 * `product.synced` for each; a bad setting stops the start with the connection named.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startSandboxStorefront } from "../../sandbox/storefront/sandbox-storefront.ts";
import { buildApp } from "../../src/app/build-app.ts";
import { loadConfig } from "../../src/app/load-config.ts";
import type { CrossdockError } from "../../src/core/errors.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import { until } from "../support/until.ts";

test("a shopify connection's product sync emits product.synced for the shop's products", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-product-sync-"));
  const storefront = await startSandboxStorefront({});
  t.after(async () => {
    await storefront.close();
    await rm(dir, { recursive: true, force: true });
  });
  const file = join(dir, "crossdock.yaml");
  const yaml = (sync: string) => `version: 1
store: { url: "sqlite:hub.db" }
server: { port: 0 }
connections:
  shop: { type: shopify, shopUrl: "${storefront.url}", accessToken: env:SHOP_TOKEN, productSync: ${sync} }
`;
  const env = { SHOP_TOKEN: storefront.accessToken };
  await writeFile(file, yaml("{ everyMinutes: 0 }"));
  await assert.rejects(
    buildApp({ config: await loadConfig({ path: file, env }), logger: createSilentLogger() }),
    (error: CrossdockError) =>
      error.code === "CDK_CONFIG_INVALID" && /connection shop: productSync\.everyMinutes/.test(error.message),
  );
  await writeFile(file, yaml("{ everyMinutes: 60 }"));
  const app = await buildApp({ config: await loadConfig({ path: file, env }), logger: createSilentLogger() });
  try {
    await app.start();
    await app.store.events.subscribe("t.products", { types: ["product.synced"], from: "beginning" });
    let synced = 0;
    await until(
      "the products synced",
      async () => {
        synced = (await app.store.events.poll("t.products", 1_000)).length;
        return synced > 0;
      },
      20_000,
    );
    assert.equal(
      synced,
      storefront.shop.catalog.variants.filter((v) => v.sku).length,
      "one per variant with a SKU",
    );
  } finally {
    await app.stop();
  }
});
