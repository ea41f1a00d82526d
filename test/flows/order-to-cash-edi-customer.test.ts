/**
 * Order-to-cash for a customer that trades X12 over SFTP, from configuration alone: the sandbox EDI
 * trading partner sends an 850; the hub answers it with a 997, places the order in the sandbox Odoo,
 * acknowledges it with an 855, releases it as a 940 to the sandbox EDI 3PL (both partners on one real
 * OpenSSH server, each in its own folders), and after the 3PL's 945 sends the customer an 856 and then
 * Odoo's invoice as an 810. The customer reads each document and answers with a 997, which marks the
 * hub's interchanges as accepted.
 */
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startSandboxEdi3pl } from "../../sandbox/edi-3pl/sandbox-edi-3pl.ts";
import { startSandboxEdiPartner } from "../../sandbox/edi-partner/sandbox-edi-partner.ts";
import { startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";
import { buildApp } from "../../src/app/build-app.ts";
import { loadConfig } from "../../src/app/load-config.ts";
import { startSandboxSshd } from "../../src/connectors/sftp/sandbox-sshd.ts";
import type { CrossdockError } from "../../src/core/errors.ts";
import { freePort } from "../../src/core/free-port.ts";
import { ORDER_TO_CASH } from "../../src/flows/order-to-cash/order-to-cash.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import { furnitureSkus, untilRunEnds } from "../support/hub-runs.ts";
import { until } from "../support/until.ts";

const connection = (
  sshd: { connection: { host: string; port: number; username: string; hostKeyFingerprint: string } },
  key: string,
) => `type: sftp
    host: ${sshd.connection.host}
    port: ${sshd.connection.port}
    username: ${sshd.connection.username}
    privateKey: file:${key}
    hostKeyFingerprint: "${sshd.connection.hostKeyFingerprint}"`;

test("an EDI customer's 850 is placed in Odoo and answered with a 997, an 855, an 856 and an 810, each acknowledged", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-o2c-edi-customer-"));
  const odoo = await startSandboxOdoo({ version: 17 });
  const sshd = await startSandboxSshd();
  const warehouse = await startSandboxEdi3pl({ sshd, pollIntervalMs: 100, shipDelayMs: 200 });
  const customer = await startSandboxEdiPartner({ sshd, pollIntervalMs: 100, partnerName: "Acme Retail" });
  t.after(async () => {
    await customer.close();
    await warehouse.close();
    await sshd.close();
    await odoo.close();
    await rm(dir, { recursive: true, force: true });
  });
  const key = join(dir, "sftp-key");
  await writeFile(key, sshd.connection.privateKey, { mode: 0o600 });
  const file = join(dir, "crossdock.yaml");
  await writeFile(
    file,
    `version: 1
store: { url: "sqlite:hub.db" }
server: { port: ${await freePort()} }
workers: { pollIntervalMs: 10, concurrency: 16 }
connections:
  erp: { type: odoo, url: "${odoo.url}", database: crossdock, login: admin, apiKey: env:ODOO_KEY, poll: { enabled: false } }
  wms:
    ${connection(sshd, key)}
    inbound: { folder: ${warehouse.outbound}, pollIntervalMs: 100, settleMs: 0 }
    outbound: { folder: ${warehouse.inbound} }
    format: x12
    role: warehouse
    x12: { senderId: CROSSDOCK, receiverId: SBX3PL, usage: T }
  acme:
    ${connection(sshd, key)}
    inbound: { folder: ${customer.outbound}, pollIntervalMs: 100, settleMs: 0 }
    outbound: { folder: ${customer.inbound} }
    format: x12
    x12: { senderId: CROSSDOCK, receiverId: SBXPARTNER, usage: T }
flows:
  order-to-cash:
    odoo: erp
    warehouse: wms
    channels:
      acme: { prepaid: false, edi: { connection: acme } }
`,
  );
  const app = await buildApp({
    config: await loadConfig({ path: file, env: { ODOO_KEY: "sandbox-admin-key" } }),
    logger: createSilentLogger(),
  });
  try {
    await app.start();
    const client = app.odoo.get("erp")?.client;
    const skus = await furnitureSkus(client);
    const po = "ACME-PO-7001";
    await customer.sendOrder({
      poNumber: po,
      lines: [
        { sku: skus[0] as string, quantity: 3, unitPrice: "30.00", buyerSku: "ACME-1" },
        { sku: skus[1] as string, quantity: 2, unitPrice: "5.00", buyerSku: "ACME-2" },
      ],
    });
    const runKey = `acme:${po}`;
    await untilRunEnds(app.store, ORDER_TO_CASH, runKey, {
      context: () => `partner errors ${JSON.stringify(customer.errors)}`,
    });
    const run = await app.store.workflows.getByKey(ORDER_TO_CASH, runKey);
    assert.equal(run?.status, "completed", JSON.stringify(run?.error));
    const output = run?.output as { outcome: string; saleOrder: string; invoiceIds: number[] };
    assert.equal(output.outcome, "fulfilled");

    // The customer got an 855 accepting both lines as ordered, naming the Odoo order; an 856 for the
    // shipment with the 3PL's tracking; an 810 with Odoo's invoice number and total.
    await until("the customer read the 855, 856 and 810", () => {
      const got = customer.customerOrders.get(po);
      return (
        got !== undefined &&
        got.acknowledgements.length === 1 &&
        got.shipNotices.length >= 1 &&
        got.invoices.length === 1
      );
    });
    const got = customer.customerOrders.get(po);
    assert.equal(got?.unsolicited ?? false, false);
    assert.deepEqual(got?.problems, []);
    const [ack] = got?.acknowledgements ?? [];
    assert.equal(ack?.status, "AD");
    assert.equal(ack?.salesOrder, output.saleOrder);
    assert.deepEqual(
      ack?.lines.map((l) => [l.lineId, l.code, l.quantity]),
      [
        ["1", "IA", "3"],
        ["2", "IA", "2"],
      ],
    );
    const shipped = new Map<string, number>();
    for (const notice of got?.shipNotices ?? []) {
      assert.ok(notice.trackingNumbers.length > 0, "the 3PL's tracking number");
      for (const line of notice.lines)
        shipped.set(line.sku, (shipped.get(line.sku) ?? 0) + Number(line.quantity));
    }
    assert.deepEqual(Object.fromEntries(shipped), { [skus[0] as string]: 3, [skus[1] as string]: 2 });
    const [move] =
      (await client?.read<{ name: string; amount_total: number }>("account.move", output.invoiceIds, [
        "name",
        "amount_total",
      ])) ?? [];
    const [invoice] = got?.invoices ?? [];
    assert.equal(invoice?.invoiceNumber, move?.name);
    assert.equal(Number(invoice?.total), move?.amount_total);
    assert.deepEqual(
      invoice?.lines.map((l) => [l.sku, Number(l.quantity), Number(l.unitPrice)]),
      [
        [skus[0], 3, 30],
        [skus[1], 2, 5],
      ],
    );

    // Its own item numbers (BP, from its 850) come back after the hub's SKU (VP) in PO1, LIN and IT1.
    const archived = join(customer.local.inbound, "archive");
    const text = async (prefix: string) => {
      const name = (await readdir(archived)).find((n) => n.startsWith(prefix));
      return name ? readFile(join(archived, name), "utf8") : "";
    };
    assert.match(
      await text("855-"),
      new RegExp(`PO1\\*1\\*3\\*EA\\*30(\\.00)?\\*\\*VP\\*${skus[0]}\\*BP\\*ACME-1~`),
    );
    assert.match(await text("856-"), new RegExp(`LIN\\*\\*VP\\*${skus[1]}\\*BP\\*ACME-2~`));
    assert.match(
      await text("810-"),
      new RegExp(`IT1\\*2\\*2\\*EA\\*5(\\.00)?\\*\\*VP\\*${skus[1]}\\*BP\\*ACME-2~`),
    );

    // The customer's 997s marked every interchange the hub sent it as accepted; the hub's 997 for the
    // customer's 850 was read by the customer and not answered with a 997.
    await until("the customer's 997s recorded", async () => {
      const acks = await app.store.records.list("x12-ack", { prefix: "acme/" });
      return acks.length >= 3 && acks.every((a) => (a.data as { status?: string }).status === "accepted");
    });
    const acks = await app.store.records.list("x12-ack", { prefix: "acme/" });
    assert.deepEqual(
      [...new Set(acks.map((a) => (a.data as { functionalId: string }).functionalId))].sort(),
      ["IN", "PR", "SH"],
    );
    assert.equal(
      customer.sent.filter((s) => s.type === "997").length,
      acks.length,
      "one 997 per hub interchange, none for the hub's own 997",
    );

    const [so] =
      (await client?.searchRead<{ name: string; client_order_ref: string | false }>(
        "sale.order",
        [["origin", "=", runKey]],
        ["name", "client_order_ref"],
      )) ?? [];
    assert.equal(so?.name, output.saleOrder);
  } finally {
    await app.stop();
  }
});

test("channels.<c>.edi must name an sftp connection that writes X12: located errors otherwise", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-o2c-edi-config-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, "crossdock.yaml");
  const config = (channels: string) => `version: 1
connections:
  erp: { type: odoo, url: "http://127.0.0.1:1", database: crossdock, login: admin, apiKey: env:ODOO_KEY }
  wms: { type: warehouse-3pl, url: "http://127.0.0.1:2", callbackUrl: "http://127.0.0.1:3/hooks/wms" }
  acme:
    type: sftp
    host: sftp.acme.example
    username: crossdock
    password: env:SFTP_PASSWORD
    acceptAnyHostKey: true
    inbound: { folder: out }
    format: x12
flows:
  order-to-cash:
    odoo: erp
    warehouse: wms
    channels:
${channels}`;
  const env = { ODOO_KEY: "k", SFTP_PASSWORD: "p" };
  await writeFile(
    file,
    config('      web: { prepaid: true, edi: { connection: acme, documents: ["850"] } }\n'),
  );
  await assert.rejects(loadConfig({ path: file, env }), (error: CrossdockError) => {
    assert.equal(error.code, "CDK_CONFIG_INVALID");
    assert.match(error.message, /channels\.web\.edi\.documents/);
    return true;
  });
  await writeFile(
    file,
    config(
      '      acme: { prepaid: false, edi: { connection: acme, documents: ["855", "810"] } }\n      shop: { prepaid: true, edi: { connection: erp } }\n',
    ),
  );
  await assert.rejects(loadConfig({ path: file, env }), (error: CrossdockError) => {
    assert.equal(error.code, "CDK_CONFIG_INVALID");
    assert.match(
      error.message,
      /channels\.acme\.edi\.connection: "acme" is a connection of type sftp without outbound and a format with its envelope/,
    );
    assert.match(error.message, /channels\.shop\.edi\.connection: "erp" is a connection of type odoo/);
    return true;
  });
});
