/**
 * Returns and procure-to-pay switched on by configuration alone, driven through the REST API as a
 * portal or a supplier would: an order goes to cash through the sandbox 3PL; its customer returns part of
 * it (`POST /api/v1/returns`, then the goods counted in), which is credited and refunded in Odoo; a
 * purchase (`POST /api/v1/purchases`) is sent to the supplier as `purchase.ordered`, acknowledged and
 * received through the API, and billed in Odoo.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { request } from "undici";
import { startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";
import { startSandboxWarehouse3pl } from "../../sandbox/warehouse3pl/sandbox-warehouse3pl.ts";
import { buildApp } from "../../src/app/build-app.ts";
import { loadConfig } from "../../src/app/load-config.ts";
import { freePort } from "../../src/core/free-port.ts";
import { ORDER_TO_CASH } from "../../src/flows/order-to-cash/order-to-cash.ts";
import { PROCURE_TO_PAY } from "../../src/flows/procure-to-pay/procure-to-pay.ts";
import { RETURNS } from "../../src/flows/returns/returns.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import { until } from "../support/until.ts";

const SECRET = `whsec_${Buffer.from("returns-p2p-callback-secret-32byt").toString("base64")}`;

test("returns and procure-to-pay from crossdock.yaml, through the REST API, to a refund and a vendor bill", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-returns-p2p-"));
  const odoo = await startSandboxOdoo({ version: 17 });
  const port = await freePort();
  const hub = `http://127.0.0.1:${port}`;
  const wh = await startSandboxWarehouse3pl({
    callbackUrl: `${hub}/hooks/wms`,
    callbackSecret: SECRET,
    shipDelayMs: 100,
  });
  t.after(async () => {
    await wh.close();
    await odoo.close();
    await rm(dir, { recursive: true, force: true });
  });
  const file = join(dir, "crossdock.yaml");
  await writeFile(
    file,
    `version: 1
store: { url: "sqlite:hub.db" }
server: { port: ${port} }
workers: { pollIntervalMs: 10, concurrency: 16 }
connections:
  erp: { type: odoo, url: "${odoo.url}", database: crossdock, login: admin, apiKey: env:ODOO_KEY, poll: { enabled: false } }
  wms:
    type: warehouse-3pl
    url: "${wh.url}"
    token: env:WMS_TOKEN
    callbackUrl: "${hub}/hooks/wms"
    signature: { scheme: standard-webhooks, secret: env:WMS_SECRET }
flows:
  order-to-cash: { odoo: erp, warehouse: wms, channels: { portal: { prepaid: true } } }
  returns: { odoo: erp, channels: { portal: { prepaid: true, approvalOver: "1000.00", windowDays: 30 } } }
  procure-to-pay: { odoo: erp, suppliers: { wood: { match: three-way } } }
`,
  );
  const app = await buildApp({
    config: await loadConfig({
      path: file,
      env: { ODOO_KEY: "sandbox-admin-key", WMS_TOKEN: wh.apiKey, WMS_SECRET: SECRET },
    }),
    logger: createSilentLogger(),
  });
  try {
    const { url } = await app.start();
    const client = app.odoo.get("erp")?.client;
    const skus =
      (
        await client?.searchRead<{ default_code: string }>(
          "product.product",
          [["default_code", "like", "FURN_%"]],
          ["default_code"],
          { order: "default_code asc", limit: 2 },
        )
      )?.map((p) => p.default_code) ?? [];
    const identity = await app.identities?.service.create(
      { name: "portal", scopes: ["orders:write", "returns:write", "purchases:write"] },
      "test",
    );
    let n = 0;
    const post = async (path: string, body: unknown) => {
      const res = await request(`${url}${path}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${identity?.apiKey}`,
          "content-type": "application/json",
          "idempotency-key": `rp-${++n}`,
        },
        body: JSON.stringify(body),
      });
      const answer = (await res.body.json()) as { id: string; key?: string };
      assert.ok(res.statusCode === 202, `${path}: ${res.statusCode} ${JSON.stringify(answer)}`);
      return answer;
    };
    const runOf = async (type: string, key: string) => app.store.workflows.getByKey(type, key);
    const ended = (type: string, key: string) =>
      until(
        `${type} ${key} ended`,
        async () => {
          const run = await runOf(type, key);
          return run !== undefined && run.status !== "running" && run.status !== "waiting";
        },
        30_000,
      );

    // An order to cash.
    await post("/api/v1/orders", {
      channel: "portal",
      externalId: "RP-1",
      currency: "EUR",
      customer: { name: "Rhea Return", email: "rhea@example.com" },
      shipTo: { name: "Rhea Return", street: "Kerkstraat 1", city: "Gent", countryCode: "BE" },
      lines: [
        { sku: skus[0], quantity: "2", unitPrice: "30.00" },
        { sku: skus[1], quantity: "4", unitPrice: "5.00" },
      ],
    });
    await ended(ORDER_TO_CASH, "portal:RP-1");
    assert.equal((await runOf(ORDER_TO_CASH, "portal:RP-1"))?.status, "completed");

    // Its customer returns one of each; one arrives.
    const requested = await post("/api/v1/returns", {
      schemaVersion: 1,
      rmaNumber: "RMA-1",
      order: { channel: "portal", channelOrderId: "RP-1" },
      status: "requested",
      requestedAt: new Date().toISOString(),
      lines: [
        { sku: skus[0], quantity: "1", uom: "C62", reason: "damaged" },
        { sku: skus[1], quantity: "1", uom: "C62", reason: "wrong_item" },
      ],
    });
    await until("the return authorised", async () =>
      (await app.store.events.readStream("return:portal:RMA-1")).some((e) => e.type === "return.authorized"),
    );
    await post(`/api/v1/returns/${requested.id}/receipts`, {
      schemaVersion: 1,
      receiptId: "RCV-1",
      rmaNumber: "RMA-1",
      warehouse: "WH",
      receivedAt: new Date().toISOString(),
      lines: [{ sku: skus[0], quantity: "1", uom: "C62", condition: "damaged" }],
    });
    await ended(RETURNS, "portal:RMA-1");
    const ret = await runOf(RETURNS, "portal:RMA-1");
    const refunded = ret?.output as { outcome: string; amount: string; paymentIds: number[] } | undefined;
    assert.equal(refunded?.outcome, "refunded", JSON.stringify(ret?.error));
    assert.equal(refunded?.amount, "34.50", "one chair at 30.00 with 15% tax: only what came back");
    assert.equal(refunded?.paymentIds.length, 1);

    // A purchase from the wood supplier, answered and received through the API.
    const purchase = await post("/api/v1/purchases", {
      schemaVersion: 1,
      poNumber: "PO-RP-1",
      status: "draft",
      supplier: { kind: "company", code: "wood", name: "Wood Supplies Ltd" },
      currency: "EUR",
      pricesIncludeTax: false,
      orderedAt: new Date().toISOString(),
      lines: [{ lineId: "1", sku: skus[0], quantity: "10", uom: "C62", unitPrice: "50.00", total: "500.00" }],
      totals: {
        subtotal: "500.00",
        discountTotal: "0",
        shippingTotal: "0",
        taxTotal: "0",
        grandTotal: "500.00",
      },
    });
    await until("the purchase sent to the supplier", async () =>
      (await app.store.events.readStream("purchase:wood:PO-RP-1")).some((e) => e.type === "purchase.ordered"),
    );
    await post(`/api/v1/purchases/${purchase.id}/acknowledgements`, {
      schemaVersion: 1,
      poNumber: "PO-RP-1",
      status: "accepted",
      acknowledgedAt: new Date().toISOString(),
      lines: [{ lineId: "1", status: "accepted" }],
    });
    const receipt = {
      schemaVersion: 1,
      receiptId: "GR-1",
      poNumber: "PO-RP-1",
      warehouse: "WH",
      receivedAt: new Date().toISOString(),
      lines: [{ lineId: "1", sku: skus[0], quantity: "10", uom: "C62" }],
    };
    const res = await request(`${url}/api/v1/purchases/${purchase.id}/receipts?complete=true`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${identity?.apiKey}`,
        "content-type": "application/json",
        "idempotency-key": "rp-receipt",
      },
      body: JSON.stringify(receipt),
    });
    assert.equal(res.statusCode, 202, await res.body.text());
    await ended(PROCURE_TO_PAY, "wood:PO-RP-1");
    const p2p = await runOf(PROCURE_TO_PAY, "wood:PO-RP-1");
    assert.equal(p2p?.status, "completed", JSON.stringify(p2p?.error));
    const billed = p2p?.output as { outcome: string; purchase: string; receipts: number; billIds: number[] };
    assert.equal(billed.outcome, "billed");
    assert.equal(billed.receipts, 1);
    const bills =
      (await client?.read<{ move_type: string; state: string; invoice_origin: string | false }>(
        "account.move",
        billed.billIds,
        ["move_type", "state", "invoice_origin"],
      )) ?? [];
    assert.deepEqual(
      bills.map((b) => [b.move_type, b.state, b.invoice_origin]),
      [["in_invoice", "posted", billed.purchase]],
      "one posted vendor bill for the purchase",
    );
  } finally {
    await app.stop();
  }
});
