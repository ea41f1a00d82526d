/**
 * The order-to-cash workflow of `order-to-cash.test.ts`, but in the sandbox landscape instead of with
 * test doubles: a running hub (`buildApp`: gateway, worker, engine on SQLite) places the order in the
 * sandbox Odoo, releases it to the sandbox 3PL over HTTP (through an outage: 503 with Retry-After, then
 * recovery), the 3PL ships half, then the rest, posting Standard Webhooks-signed confirmations (each
 * sent twice) to the hub's `/hooks/3pl`, where the `warehouse-3pl` connector turns them into the
 * `shipment.dispatched` events the run waits for; each shipment's tracking is pushed to the sandbox
 * storefront, where it is visible; then invoice and payment. One manual clock drives the hub, the
 * 3PL and the storefront; `until` polls the real processes.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { type SandboxOdoo, startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";
import { startSandboxStorefront } from "../../sandbox/storefront/sandbox-storefront.ts";
import { startSandboxWarehouse3pl } from "../../sandbox/warehouse3pl/sandbox-warehouse3pl.ts";
import { buildApp } from "../../src/app/build-app.ts";
import { loadConfig } from "../../src/app/load-config.ts";
import { createMasterDataCache } from "../../src/connectors/odoo/master-data-cache.ts";
import { createOdooClient, type OdooClient } from "../../src/connectors/odoo/odoo-client.ts";
import { createShopifyChannel } from "../../src/connectors/shopify/shopify-fulfillment.ts";
import { createHttpWarehouse } from "../../src/connectors/warehouse3pl/http-warehouse.ts";
import { ManualClock } from "../../src/core/clock.ts";
import type { CrossdockError } from "../../src/core/errors.ts";
import { MODEL_EXAMPLES } from "../../src/core/model/model-examples.ts";
import type { Order } from "../../src/core/model/order.ts";
import { createOdooOrderPort } from "../../src/flows/order-to-cash/odoo-order-port.ts";
import {
  createOrderToCash,
  ORDER_TO_CASH,
  orderToCashKey,
  SHIPMENT_DISPATCHED,
} from "../../src/flows/order-to-cash/order-to-cash.ts";
import type { WarehousePort } from "../../src/flows/order-to-cash/order-to-cash-ports.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import type { JsonValue } from "../../src/store/store.ts";
import { until } from "../support/until.ts";

const SECRET = `whsec_${Buffer.from("landscape-3pl-callback-secret-32b").toString("base64")}`;

test("order to cash across the sandbox landscape: 3PL outage, partial shipment, tracking in the storefront", async () => {
  const clock = new ManualClock(Date.parse("2026-03-02T09:00:00Z"));
  const dir = await mkdtemp(join(tmpdir(), "crossdock-o2c-landscape-"));
  const odoo: SandboxOdoo = await startSandboxOdoo({ version: 17 });
  const client: OdooClient = createOdooClient({
    url: odoo.url,
    database: "crossdock",
    login: "admin",
    apiKey: { reveal: () => "sandbox-admin-key" },
  });
  const cache = createMasterDataCache({ client, clock: { now: () => Date.now() } });
  await cache.load();
  const skus = (
    await client.searchRead<{ default_code: string }>(
      "product.product",
      [["default_code", "like", "FURN_%"]],
      ["default_code"],
      { order: "default_code asc", limit: 2 },
    )
  ).map((p) => p.default_code);
  const storefront = await startSandboxStorefront({ clock, rateLimit: false });
  const shopify = createShopifyChannel({
    shopUrl: storefront.url,
    accessToken: { reveal: () => storefront.accessToken },
    apiVersion: "2024-10",
    now: () => clock.now(),
  });

  // The warehouse port is created once the hub's URL (the 3PL's callback) is known.
  const attempts: { ok: boolean; code?: string; retryAfterMs?: number }[] = [];
  let warehouse: (WarehousePort & { close(): Promise<void> }) | undefined;
  const workflow = createOrderToCash({
    odoo: createOdooOrderPort({ client, lookups: cache }),
    warehouse: {
      async release(request, key) {
        try {
          const receipt = await (warehouse as WarehousePort).release(request, key);
          attempts.push({ ok: true });
          return receipt;
        } catch (error) {
          const e = error as CrossdockError;
          attempts.push({
            ok: false,
            code: e.code,
            ...(e.retryAfterMs ? { retryAfterMs: e.retryAfterMs } : {}),
          });
          throw error;
        }
      },
      cancel: (reference, key) => (warehouse as WarehousePort).cancel(reference, key),
    },
    channel: shopify,
    shipmentTimeoutMs: 86_400_000,
  });
  const configFile = join(dir, "crossdock.yaml");
  await writeFile(
    configFile,
    `version: 1
store: { url: "sqlite:${join(dir, "hub.db")}" }
server: { port: 0 }
workers: { pollIntervalMs: 10, concurrency: 16, leaseMs: 600000 }
connections:
  3pl:
    type: warehouse-3pl
    warehouse: 3PL-EAST
    signature: { scheme: standard-webhooks, secret: env:WH_SECRET }
`,
  );
  const app = await buildApp({
    config: await loadConfig({ path: configFile, env: { WH_SECRET: SECRET } }),
    logger: createSilentLogger(),
    clock,
    workflows: [workflow],
  });
  const { url } = await app.start();
  const wh = await startSandboxWarehouse3pl({
    clock,
    callbackUrl: `${url}/hooks/3pl`,
    callbackSecret: SECRET,
    callbackFaults: { duplicateRate: 1, duplicateDelayMs: 1_000 },
  });
  warehouse = createHttpWarehouse({
    name: "3pl",
    url: wh.url,
    token: { reveal: () => wh.apiKey },
    callbackUrl: `${url}/hooks/3pl`,
    now: () => clock.now(),
  });
  const wake = () => app.worker?.wake();
  try {
    const placed = storefront.shop.placeOrder({
      email: "olga@example.com",
      lines: [
        { sku: skus[0] as string, title: "Chair", priceCents: 3_000, quantity: 2, grams: 500 },
        { sku: skus[1] as string, title: "Lamp", priceCents: 500, quantity: 4, grams: 500 },
      ],
    });
    const order: Order = {
      ...(MODEL_EXAMPLES.order as Order),
      channel: "shop",
      channelOrderId: String(placed.id),
      orderNumber: placed.name,
      customer: { kind: "person", name: "Olga Landscape", email: "olga-landscape@example.com" },
      shipTo: { name: "Olga Landscape", street: "Kerkstraat 1", city: "Gent", countryCode: "BE" },
      billTo: undefined,
      shippingLines: undefined,
      lines: [
        { sku: skus[0] as string, quantity: "2", uom: "C62", unitPrice: "30.00", total: "60.00" },
        { sku: skus[1] as string, quantity: "4", uom: "C62", unitPrice: "5.00", total: "20.00" },
      ],
      totals: {
        subtotal: "80.00",
        discountTotal: "0",
        shippingTotal: "0",
        taxTotal: "0",
        grandTotal: "80.00",
      },
    } as Order;
    const key = orderToCashKey(order);
    wh.warehouse.plan(key, { kind: "partial", ship: "half", rest: "later", restAfterMs: 3_600_000 });

    // The 3PL is down when the order is released: 503 with Retry-After, a transient failure.
    wh.outage(120_000, 30);
    const { run } = await app.engine.start(app.store, ORDER_TO_CASH, key, {
      order,
      prepaid: true,
    } as unknown as JsonValue);
    wake();
    await until("the release refused by the outage", () => attempts.length > 0, 30_000);
    assert.deepEqual(attempts[0], { ok: false, code: "CDK_TARGET_UNAVAILABLE", retryAfterMs: 30_000 });
    assert.equal(wh.warehouse.byReference(key), undefined);

    // Recovery: past the outage and the back-off, the same release goes through.
    await until(
      "the run retried and released",
      async () => {
        clock.advance(30_000);
        wake();
        return wh.warehouse.byReference(key) !== undefined;
      },
      30_000,
    );
    await until(
      "the run waits for a shipment",
      async () => (await app.store.workflows.get(run.id))?.status === "waiting",
    );
    assert.equal(attempts.filter((a) => a.ok).length, 1);
    assert.equal([...wh.warehouse.orders.values()].filter((o) => o.reference === key).length, 1);

    // First shipment: half of each line; its confirmation arrives twice (the 3PL's duplicate).
    clock.advance(60_000);
    await wh.runDue();
    clock.advance(1_000);
    await wh.runDue();
    const shopOrder = () => storefront.shop.orders.get(placed.id);
    await until(
      "the first tracking in the storefront",
      () => (shopOrder()?.fulfillments.length ?? 0) === 1,
      30_000,
    );
    await until(
      "the run waits for the rest",
      async () => (await app.store.workflows.get(run.id))?.status === "waiting",
    );
    assert.equal(shopOrder()?.fulfillment_status, "partial");

    // The rest an hour later.
    clock.advance(3_600_000);
    await wh.runDue();
    clock.advance(1_000);
    await wh.runDue();
    await until(
      "the run completed",
      async () => {
        const status = (await app.store.workflows.get(run.id))?.status;
        return status === "completed" || status === "compensated" || status === "failed";
      },
      30_000,
    );
    const done = await app.store.workflows.get(run.id);
    assert.equal(done?.status, "completed", JSON.stringify(done?.error));
    const output = done?.output as {
      saleOrder: string;
      shipments: number;
      invoiceIds: number[];
      paymentIds: number[];
    };
    assert.equal(output.shipments, 2);

    // The 3PL: one order, two shipments, each callback sent twice and answered.
    const whOrder = wh.warehouse.byReference(key);
    assert.equal(whOrder?.status, "shipped");
    const tracking = whOrder?.shipments.map((s) => s.tracking_number) ?? [];
    assert.equal(tracking.length, 2);
    const answered = wh.callbacks.attempts.filter((a) => a.status !== undefined && a.status < 300);
    assert.equal(answered.length, 4, JSON.stringify(wh.callbacks.attempts));
    assert.equal(answered.filter((a) => a.duplicate).length, 2, "each confirmation came twice");
    assert.equal((await app.store.inbox.list({ connection: "3pl" })).length, 2, "deduplicated by webhook-id");

    // The hub: two events on the order's stream, whatever the duplicates.
    const events = await app.store.events.readStream(`order:${key}`);
    const shipped = events.filter((e) => e.type === SHIPMENT_DISPATCHED);
    assert.deepEqual(
      shipped.map((e) => (e.data as { trackingNumber: string }).trackingNumber),
      tracking,
    );

    // The storefront: both fulfillments with the 3PL's tracking numbers and carrier; fully fulfilled.
    const fulfilled = shopOrder();
    assert.equal(fulfilled?.fulfillment_status, "fulfilled");
    assert.deepEqual(
      fulfilled?.fulfillments.map((f) => [
        (f as { tracking_number: string }).tracking_number,
        (f as { tracking_company: string }).tracking_company,
      ]),
      tracking.map((t) => [t, "UPS"]),
    );

    // Odoo: one order, two deliveries done with the same tracking, invoiced and paid.
    const [so] = await client.searchRead<{ state: string; picking_ids: number[]; invoice_status: string }>(
      "sale.order",
      [["origin", "=", key]],
      ["state", "picking_ids", "invoice_status"],
    );
    assert.equal(so?.state, "sale");
    assert.equal(so?.invoice_status, "invoiced");
    const pickings = await client.read<{ state: string; carrier_tracking_ref: string }>(
      "stock.picking",
      so?.picking_ids ?? [],
      ["state", "carrier_tracking_ref"],
    );
    assert.deepEqual(
      pickings.map((p) => [p.state, p.carrier_tracking_ref]).sort(),
      tracking.map((t) => ["done", t]).sort(),
    );
    const [invoice] = await client.read<{ payment_state: string }>("account.move", output.invoiceIds, [
      "payment_state",
    ]);
    assert.equal(invoice?.payment_state, "paid");
    assert.equal((await client.searchRead("sale.order", [["origin", "=", key]], ["id"])).length, 1);
  } finally {
    await wh.close();
    await app.stop();
    await warehouse?.close();
    await shopify.close();
    await storefront.close();
    await client.close();
    await odoo.close();
    await rm(dir, { recursive: true, force: true });
  }
});
