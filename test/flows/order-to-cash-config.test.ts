/**
 * Order-to-cash switched on by configuration alone: `flows.order-to-cash` names an `odoo`, a
 * `warehouse-3pl` and a `shopify` connection; an order submitted to the REST API starts the run through
 * the intake, the sandbox 3PL ships it, the storefront gets the tracking, Odoo invoices and records the
 * payment. No workflow or port is wired by the test.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { request } from "undici";
import { startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";
import { startSandboxStorefront } from "../../sandbox/storefront/sandbox-storefront.ts";
import { startSandboxWarehouse3pl } from "../../sandbox/warehouse3pl/sandbox-warehouse3pl.ts";
import { buildApp } from "../../src/app/build-app.ts";
import { loadConfig } from "../../src/app/load-config.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { freePort } from "../../src/core/free-port.ts";
import { ORDER_TO_CASH } from "../../src/flows/order-to-cash/order-to-cash.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import { until } from "../support/until.ts";

const SECRET = `whsec_${Buffer.from("config-3pl-callback-secret-32byte").toString("base64")}`;

test("flows.order-to-cash from crossdock.yaml: API order -> Odoo -> 3PL -> storefront tracking -> invoice and payment", async () => {
  const clock = new ManualClock(Date.parse("2026-03-02T09:00:00Z"));
  const dir = await mkdtemp(join(tmpdir(), "crossdock-o2c-config-"));
  const odoo = await startSandboxOdoo({ version: 17 });
  const storefront = await startSandboxStorefront({ clock, rateLimit: false });
  const port = await freePort();
  const hub = `http://127.0.0.1:${port}`;
  const wh = await startSandboxWarehouse3pl({
    clock,
    callbackUrl: `${hub}/hooks/wms`,
    callbackSecret: SECRET,
  });
  const file = join(dir, "crossdock.yaml");
  await writeFile(
    file,
    `version: 1
store: { url: "sqlite:hub.db" }
server: { port: ${port} }
workers: { pollIntervalMs: 10, concurrency: 32, leaseMs: 600000 }
connections:
  erp: { type: odoo, url: "${odoo.url}", database: crossdock, login: admin, apiKey: env:ODOO_KEY, poll: { enabled: false } }
  wms:
    type: warehouse-3pl
    url: "${wh.url}"
    token: env:WMS_TOKEN
    callbackUrl: "${hub}/hooks/wms"
    signature: { scheme: standard-webhooks, secret: env:WMS_SECRET }
  storefront: { type: shopify, shopUrl: "${storefront.url}", accessToken: env:SHOP_TOKEN }
flows:
  order-to-cash:
    odoo: erp
    warehouse: wms
    channels:
      shop: { prepaid: true, tracking: storefront }
    shipmentTimeoutHours: 48
`,
  );
  const app = await buildApp({
    config: await loadConfig({
      path: file,
      env: {
        ODOO_KEY: "sandbox-admin-key",
        WMS_TOKEN: wh.apiKey,
        WMS_SECRET: SECRET,
        SHOP_TOKEN: storefront.accessToken,
      },
    }),
    logger: createSilentLogger(),
    clock,
  });
  try {
    const { url } = await app.start();
    assert.equal(url, hub);
    const [first, second] =
      (
        await app.odoo
          .get("erp")
          ?.client.searchRead<{ default_code: string }>(
            "product.product",
            [["default_code", "like", "FURN_%"]],
            ["default_code"],
            {
              order: "default_code asc",
              limit: 2,
            },
          )
      )?.map((p) => p.default_code) ?? [];
    const placed = storefront.shop.placeOrder({
      email: "cfg@example.com",
      lines: [
        { sku: first as string, title: "A", priceCents: 3_000, quantity: 2, grams: 500 },
        { sku: second as string, title: "B", priceCents: 500, quantity: 1, grams: 500 },
      ],
    });
    const identity = await app.identities?.service.create(
      { name: "storefront-bridge", scopes: ["orders:write"] },
      "test",
    );
    const submitted = await request(`${url}/api/v1/orders`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${identity?.apiKey}`,
        "content-type": "application/json",
        "idempotency-key": "cfg-1",
      },
      body: JSON.stringify({
        channel: "shop",
        externalId: String(placed.id),
        orderNumber: placed.name,
        currency: "EUR",
        customer: { name: "Cleo Config", email: "cfg@example.com" },
        shipTo: { name: "Cleo Config", street: "Kerkstraat 1", city: "Gent", countryCode: "BE" },
        lines: [
          { sku: first, quantity: "2", unitPrice: "30.00" },
          { sku: second, quantity: "1", unitPrice: "5.00" },
        ],
      }),
    });
    assert.equal(submitted.statusCode, 202, await submitted.body.text());
    const key = `shop:${placed.id}`;

    await until(
      "the run released the order to the 3PL",
      async () => {
        app.worker?.wake();
        return wh.warehouse.byReference(key) !== undefined;
      },
      30_000,
    );
    const run = await app.store.workflows.getByKey(ORDER_TO_CASH, key);
    assert.ok(run);

    await until(
      "the 3PL shipped and the run completed",
      async () => {
        clock.advance(60_000);
        await wh.runDue();
        app.worker?.wake();
        return (await app.store.workflows.get(run.id))?.status === "completed";
      },
      30_000,
    );
    const done = await app.store.workflows.get(run.id);
    const output = done?.output as { invoiceIds: number[]; paymentIds: number[]; shipments: number };
    assert.equal(output.shipments, 1);
    assert.equal(output.paymentIds.length, 1);
    assert.equal(storefront.shop.orders.get(placed.id)?.fulfillment_status, "fulfilled");
    const [invoice] =
      (await app.odoo
        .get("erp")
        ?.client.read<{ payment_state: string }>("account.move", output.invoiceIds, ["payment_state"])) ?? [];
    assert.equal(invoice?.payment_state, "paid");
  } finally {
    await app.stop();
    await wh.close();
    await storefront.close();
    await odoo.close();
    await rm(dir, { recursive: true, force: true });
  }
});
