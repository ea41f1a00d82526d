/**
 * Stock availability in a running hub, over real sockets: a quant changed in the sandbox Odoo is
 * captured by the odoo connection's change polling, computed per channel and set on the sandbox
 * storefront (two channels at two locations of one shop); an order received soft-reserves; when Odoo
 * stops answering, each channel follows its freshness policy (conservative: 0, hold: the last number)
 * and recovers when Odoo is back. Then the located configuration errors.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";
import { startSandboxStorefront } from "../../sandbox/storefront/sandbox-storefront.ts";
import { buildApp } from "../../src/app/build-app.ts";
import { inventoryConfigProblems } from "../../src/app/build-inventory.ts";
import type { CrossdockConfig, InventorySection } from "../../src/app/config-schema.ts";
import { loadConfig, parseConfig } from "../../src/app/load-config.ts";
import { CrossdockError } from "../../src/core/errors.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import { until } from "../support/until.ts";

const STOCK = 8; // the sandbox Odoo's WH/Stock

function section(location: bigint, outlet: bigint): InventorySection {
  return {
    publishIntervalMs: 100,
    sources: { erp: { slaMs: 2_500, connection: "erp", locations: { [STOCK]: "WH" } } },
    warehouses: { WH: { source: "erp" } },
    channels: {
      shop: { connection: "shop", location: String(location), warehouses: ["WH"], buffer: "2" },
      outlet: {
        connection: "shop",
        location: String(outlet),
        warehouses: ["WH"],
        sharePercent: 50,
        freshness: "hold",
      },
    },
  };
}

/** The file as a user writes it (the section in flow style). */
async function configFor(dir: string, body: string, inventory: InventorySection): Promise<CrossdockConfig> {
  const file = join(dir, "crossdock.yaml");
  await writeFile(file, `${body}inventory: ${JSON.stringify(inventory)}\n`);
  const config = await loadConfig({
    path: file,
    env: { ODOO_KEY: "sandbox-admin-key", SHOP_TOKEN: "shpat_sandbox" },
  });
  assert.deepEqual(config.inventory, inventory, "the loaded configuration keeps the section");
  return config;
}

test("Odoo quant change -> storefront level; order reserves; stale Odoo per freshness policy", async () => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-inventory-hub-"));
  const odoo = await startSandboxOdoo({ version: 17 });
  const seededAt = Date.now();
  const shop = await startSandboxStorefront({ locations: ["Main", "Outlet"] });
  const [main, outlet] = shop.shop.catalog.locations;
  assert.ok(main && outlet);
  const config = await configFor(
    dir,
    `version: 1
store: { url: "sqlite:hub.db" }
server: { port: 0 }
workers: { pollIntervalMs: 10 }
connections:
  erp:
    type: odoo
    url: "${odoo.url}"
    database: crossdock
    login: admin
    apiKey: env:ODOO_KEY
    poll: { intervalMs: 200, since: now, feeds: [stock-quants] }
  shop:
    type: shopify
    shopUrl: "${shop.url}"
    accessToken: env:SHOP_TOKEN
`,
    section(main.id, outlet.id),
  );
  const app = await buildApp({ config, logger: createSilentLogger() });
  const env = odoo.env();
  const item = shop.shop.catalog.bySku("FURN_0001")?.inventoryItemId ?? 0n;
  const at = (location: bigint) => shop.shop.catalog.available(item, location);
  try {
    await app.start();
    assert.ok(app.inventory, "the scheduler role runs the inventory");
    await app.odoo.get("erp")?.cacheReady();
    // write_date has whole seconds: a write in the seed's second would look like the seeded version.
    await until(
      "the seed's second is over",
      () => Math.floor(Date.now() / 1_000) > Math.floor(seededAt / 1_000),
    );
    const [product] = env.search("product.product", [["default_code", "=", "FURN_0001"]]);
    const [quant] = env.search("stock.quant", [
      ["product_id", "=", product as number],
      ["location_id", "=", STOCK],
    ]);
    env.write("stock.quant", [quant as number], { quantity: 42 });
    const [{ reserved_quantity: reserved }] = env.read(
      "stock.quant",
      [quant as number],
      ["reserved_quantity"],
    ) as [{ reserved_quantity: number }];
    const pool = 42 - reserved;
    await until(
      "the quant on both storefront locations",
      () => at(main.id) === pool - 2 && at(outlet.id) === Math.floor(pool / 2),
    );
    // GraphQL batches by default; the outlet's items were not stocked there, so REST set them once
    const setByGraphql = shop.calls.get("GraphQL CrossdockSetInventory") ?? 0;
    const setByRest = shop.calls.get("REST POST inventory_levels/set.json") ?? 0;
    assert.ok(setByGraphql >= 2, `inventorySetQuantities calls: ${setByGraphql}`);
    assert.ok(setByRest <= 8, `inventory_levels/set calls: ${setByRest} (the 8 SKUs at the outlet, once)`);

    await app.store.events.append([
      {
        stream: "order:shop:1001",
        type: "order.received",
        data: {
          order: {
            channel: "shop",
            channelOrderId: "1001",
            status: "pending",
            lines: [{ sku: "FURN_0001", quantity: "3" }],
          },
        },
      },
    ]);
    await until(
      "the soft reservation published",
      () => at(main.id) === pool - 5 && at(outlet.id) === Math.floor((pool - 3) / 2),
    );
    assert.ok(app.inventory.inventory.state.reservations.has("shop:1001"));

    // A quiet warehouse stays fresh: polls that find nothing still count as heartbeats.
    const quietFrom = Date.now();
    await until("past the SLA with no change", () => Date.now() - quietFrom > 3_000);
    assert.equal(
      app.inventory.inventory.engine.explain("FURN_0001", "shop", Date.now())?.freshness.stale,
      false,
    );
    assert.equal(at(main.id), pool - 5);

    // Odoo stops answering: no poll completes, the source goes past its 2.5 s SLA.
    odoo.faults.inject({ model: "stock.quant", kind: "http503", times: 1_000_000 });
    await until("the conservative channel at 0", () => at(main.id) === 0, 20_000);
    assert.equal(at(outlet.id), Math.floor((pool - 3) / 2), "hold keeps the last number");
    const explained = app.inventory.inventory.engine.explain("FURN_0001", "outlet", Date.now());
    assert.equal(explained?.freshness.stale, true);

    odoo.faults.clear();
    await until("back after Odoo answers again", () => at(main.id) === pool - 5, 20_000);
  } finally {
    await app.stop();
    await shop.close();
    await odoo.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("inventory configuration errors are located", async () => {
  const body = `version: 1
connections:
  erp: { type: odoo, url: "http://127.0.0.1:1", database: x, login: a, apiKey: k, poll: { feeds: [sale-orders] } }
  web: { type: webhook-json }
inventory:
  publishIntervalMs: 5
  sources: { erp: { slaMs: 60000, connection: erp } }
  warehouses: { WH: { source: erp } }
  channels:
    shop: { connection: web, warehouses: [WH], sharePercent: 33.333 }
`;
  const error = (() => {
    try {
      parseConfig(body, { file: "crossdock.yaml", env: {} });
    } catch (e) {
      return e;
    }
  })();
  assert.ok(error instanceof CrossdockError && error.code === "CDK_CONFIG_INVALID", String(error));
  assert.match(error.message, /crossdock\.yaml:6:\d+ inventory\.publishIntervalMs/);
  // The references the schema cannot check are located in the file too.
  const referenceError = (() => {
    try {
      parseConfig(body.replace("publishIntervalMs: 5", "publishIntervalMs: 500"), {
        file: "crossdock.yaml",
        env: { K: "k" },
      });
    } catch (e) {
      return e;
    }
  })();
  assert.ok(referenceError instanceof CrossdockError, String(referenceError));
  assert.match(
    referenceError.message,
    /crossdock\.yaml:10:\d+ inventory\.channels\.shop\.connection: "web" is a connection of type webhook-json/,
  );

  const inventory: InventorySection = {
    sources: { erp: { slaMs: 60_000, connection: "erp" } },
    warehouses: { WH: { source: "erp" } },
    channels: { shop: { connection: "web", warehouses: ["WH"], sharePercent: 33.333 } },
  };
  const connections = {
    erp: { type: "odoo", poll: { feeds: ["sale-orders"] } },
    web: { type: "webhook-json" },
  };
  assert.deepEqual(
    inventoryConfigProblems(inventory, connections).map((p) => [p.path.join("."), p.message]),
    [
      [
        "channels.shop.connection",
        '"web" is a connection of type webhook-json (expected a connection of type shopify or woocommerce)',
      ],
      [
        "sources.erp.connection",
        "connection erp does not poll stock-quants (set poll.enabled and add stock-quants to poll.feeds)",
      ],
      ["channels.shop.sharePercent", "expected 0-100 with at most 2 decimals"],
    ],
  );
});

test("inventory.channels.<c>.api: graphql or rest on shopify channels, located on others", () => {
  const inventory: InventorySection = {
    sources: { erp: { slaMs: 60_000 } },
    warehouses: { WH: { source: "erp" } },
    channels: {
      shop: { connection: "shop", location: "1", warehouses: ["WH"], api: "rest" },
      woo: { connection: "woo", warehouses: ["WH"], api: "graphql" },
    },
  };
  const connections = {
    shop: { type: "shopify", shopUrl: "https://x.myshopify.com", accessToken: "t" },
    woo: { type: "woocommerce", storeUrl: "https://w", consumerKey: "k", consumerSecret: "s" },
  };
  assert.deepEqual(
    inventoryConfigProblems(inventory, connections).map((p) => [p.path.join("."), p.message]),
    [["channels.woo.api", "applies only to shopify channels"]],
  );
  const body = `version: 1
connections:
  shop: { type: shopify, shopUrl: "https://x.myshopify.com", accessToken: t }
inventory:
  sources: { erp: { slaMs: 60000 } }
  warehouses: { WH: { source: erp } }
  channels:
    shop: { connection: shop, location: "1", warehouses: [WH], api: soap }
`;
  assert.throws(
    () => parseConfig(body, { file: "crossdock.yaml", env: {} }),
    /crossdock\.yaml:8:\d+ inventory\.channels\.shop\.api/,
  );
});
