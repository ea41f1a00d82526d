/**
 * Order-to-cash with an EDI 3PL over SFTP, from configuration alone: the warehouse is an `sftp`
 * connection with `role: warehouse`. An order submitted to the REST API is placed in the sandbox Odoo,
 * released as a 940 on a real OpenSSH server, picked up by the sandbox EDI 3PL, which answers a 997 and
 * ships in two parts (two 945s, one sent twice); each 945 reaches the order through the depositor router,
 * the deliveries are validated with the 3PL's tracking, and the order is invoiced and paid.
 */
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { request } from "undici";
import { startSandboxEdi3pl } from "../../sandbox/edi-3pl/sandbox-edi-3pl.ts";
import { startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";
import { buildApp } from "../../src/app/build-app.ts";
import { loadConfig } from "../../src/app/load-config.ts";
import { startSandboxSshd } from "../../src/connectors/sftp/sandbox-sshd.ts";
import { freePort } from "../../src/core/free-port.ts";
import { ORDER_TO_CASH } from "../../src/flows/order-to-cash/order-to-cash.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import { untilRunEnds } from "../support/hub-runs.ts";
import { until } from "../support/until.ts";

test("order to cash through an EDI 3PL on SFTP: 940 out, 997 and two 945s back, delivered, invoiced, paid", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-o2c-edi-"));
  const odoo = await startSandboxOdoo({ version: 17 });
  const sshd = await startSandboxSshd();
  const edi = await startSandboxEdi3pl({ sshd, pollIntervalMs: 100, shipDelayMs: 200, duplicate945Rate: 1 });
  t.after(async () => {
    await edi.close();
    await sshd.close();
    await odoo.close();
    await rm(dir, { recursive: true, force: true });
  });
  await writeFile(join(dir, "sftp-key"), sshd.connection.privateKey, { mode: 0o600 });
  const port = await freePort();
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
    type: sftp
    host: ${sshd.connection.host}
    port: ${sshd.connection.port}
    username: ${sshd.connection.username}
    privateKey: file:${join(dir, "sftp-key")}
    hostKeyFingerprint: "${sshd.connection.hostKeyFingerprint}"
    inbound: { folder: ${edi.outbound}, pollIntervalMs: 100, settleMs: 0 }
    outbound: { folder: ${edi.inbound} }
    format: x12
    role: warehouse
    x12: { senderId: CROSSDOCK, receiverId: SBX3PL, usage: T }
flows:
  order-to-cash:
    odoo: erp
    warehouse: wms
    channels:
      shop: { prepaid: true }
`,
  );
  const app = await buildApp({
    config: await loadConfig({ path: file, env: { ODOO_KEY: "sandbox-admin-key" } }),
    logger: createSilentLogger(),
  });
  try {
    const { url } = await app.start();
    const skus =
      (
        await app.odoo
          .get("erp")
          ?.client.searchRead<{ default_code: string }>(
            "product.product",
            [["default_code", "like", "FURN_%"]],
            ["default_code"],
            { order: "default_code asc", limit: 2 },
          )
      )?.map((p) => p.default_code) ?? [];
    const key = "shop:EDI-1";
    edi.warehouse.planNext({ kind: "partial", ship: "half", rest: "later", restAfterMs: 300 });
    const identity = await app.identities?.service.create({ name: "shop", scopes: ["orders:write"] }, "test");
    const submitted = await request(`${url}/api/v1/orders`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${identity?.apiKey}`,
        "content-type": "application/json",
        "idempotency-key": "edi-1",
      },
      body: JSON.stringify({
        channel: "shop",
        externalId: "EDI-1",
        currency: "EUR",
        customer: { name: "Edda Edi", email: "edda@example.com" },
        shipTo: {
          name: "Edda Edi",
          street: "Kaai 3",
          city: "Antwerpen",
          zip: "2000",
          countryCode: "BE",
        },
        lines: [
          { sku: skus[0], quantity: "4", unitPrice: "30.00" },
          { sku: skus[1], quantity: "2", unitPrice: "5.00" },
        ],
      }),
    });
    assert.equal(submitted.statusCode, 202, await submitted.body.text());
    await untilRunEnds(app.store, ORDER_TO_CASH, key, {
      context: () => `3PL errors ${JSON.stringify(edi.errors)}`,
    });
    const run = await app.store.workflows.getByKey(ORDER_TO_CASH, key);
    assert.equal(run?.status, "completed", JSON.stringify(run?.error));
    const output = run?.output as {
      outcome: string;
      saleOrder: string;
      shipments: number;
      paymentIds: number[];
    };
    assert.equal(output.outcome, "fulfilled");
    assert.equal(output.shipments, 2, "two 945s, the duplicates counted once");
    assert.equal(output.paymentIds.length, 1);

    // The 3PL got one 940 (named after the Odoo order) and sent a 997 and two 945s, each twice; the hub
    // answered each 945 interchange with a 997 (a duplicate file is one inbox message, so one 997 each),
    // and nobody answered a 997 with a 997.
    await until("the hub's 997s picked up by the 3PL", () => edi.received.length === 3);
    assert.deepEqual(
      edi.received.map((f) => f.documents.length).sort(),
      [0, 0, 1],
      "one order from the 940; the hub's two 997s make none",
    );
    const sent = edi.sent.map((s) => s.type).sort();
    assert.deepEqual(sent.filter((t) => t === "945").length, 4, JSON.stringify(edi.sent));
    assert.equal(sent.filter((t) => t === "997").length, 1, "the 3PL's one 997, for the 940");
    // The 3PL's 997 marked the hub's 940 as accepted.
    await until("the 940 acknowledged", async () => {
      const acks = await app.store.records.list("x12-ack", { prefix: "wms/" });
      return acks.length === 1 && (acks[0]?.data as { status?: string } | undefined)?.status === "accepted";
    });
    // The hub took every file and left the folder empty (archived in done/).
    await until("the 3PL's files archived", async () =>
      (await readdir(edi.local.outbound)).every((n) => n === "done"),
    );

    const client = app.odoo.get("erp")?.client;
    const [so] =
      (await client?.searchRead<{ name: string; picking_ids: number[]; invoice_status: string }>(
        "sale.order",
        [["origin", "=", key]],
        ["name", "picking_ids", "invoice_status"],
      )) ?? [];
    assert.equal(so?.name, output.saleOrder);
    assert.equal(so?.invoice_status, "invoiced");
    const pickings =
      (await client?.read<{ state: string; carrier_tracking_ref: string | false }>(
        "stock.picking",
        so?.picking_ids ?? [],
        ["state", "carrier_tracking_ref"],
      )) ?? [];
    assert.deepEqual(
      pickings.map((p) => p.state),
      ["done", "done"],
    );
    assert.ok(
      pickings.every((p) => typeof p.carrier_tracking_ref === "string" && p.carrier_tracking_ref !== ""),
    );
  } finally {
    await app.stop();
  }
});
