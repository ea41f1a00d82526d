/**
 * Order-to-cash for a customer that trades UN/EDIFACT over SFTP, from configuration alone: the
 * customer's ORDERS (D96A, EANCOM) dropped on a real OpenSSH server is placed in the sandbox Odoo,
 * answered with an ORDRSP, released as a 940 to the sandbox EDI 3PL, and after the 3PL's 945 the
 * customer is sent a DESADV and Odoo's invoice as an INVOIC. The ORDERS asked for an acknowledgement,
 * so a CONTRL accepting it is sent back first. Every file the hub writes is read back by
 * the project's reader and mappers and by the `edifact` package as an independent oracle.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startSandboxEdi3pl } from "../../sandbox/edi-3pl/sandbox-edi-3pl.ts";
import { startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";
import { buildApp } from "../../src/app/build-app.ts";
import { loadConfig } from "../../src/app/load-config.ts";
import { mapEdifactMessage } from "../../src/connectors/edifact/edifact-mapping.ts";
import { oracleSegments } from "../../src/connectors/edifact/edifact-oracle-test-fixture.ts";
import { readEdifact } from "../../src/connectors/edifact/edifact-reader.ts";
import { startSandboxSshd } from "../../src/connectors/sftp/sandbox-sshd.ts";
import { freePort } from "../../src/core/free-port.ts";
import type { Invoice } from "../../src/core/model/invoice.ts";
import type { Shipment } from "../../src/core/model/shipment.ts";
import type { SupplierAcknowledgement } from "../../src/core/model/supplier-acknowledgement.ts";
import { ORDER_TO_CASH } from "../../src/flows/order-to-cash/order-to-cash.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import { furnitureSkus, untilRunEnds } from "../support/hub-runs.ts";
import { until } from "../support/until.ts";

function orders(po: string, lines: { sku: string; quantity: number; price: string }[]): string {
  const body = [
    `UNH+1+ORDERS:D:96A:UN:EAN008'`,
    `BGM+220+${po}+9'`,
    `DTM+137:202612021000:203'`,
    `NAD+BY+5412345000013::9++Euro Retail NV+Kaai 3+Antwerpen++2000+BE'`,
    `NAD+DP+5412345000020::9++Euro Retail DC+Havenlaan 12+Gent++9000+BE'`,
    `CUX+2:EUR:9'`,
    ...lines.flatMap((line, i) => [
      `LIN+${i + 1}++${line.sku}:SA'`,
      `QTY+21:${line.quantity}'`,
      `PRI+AAA:${line.price}'`,
    ]),
    `UNS+S'`,
    `CNT+2:${lines.length}'`,
  ];
  return [
    `UNA:+.? '`,
    `UNB+UNOC:3+5412345000013:14+CROSSDOCK:ZZZ+261202:1000+EU000001++++1'`,
    ...body,
    `UNT+${body.length + 1}+1'`,
    `UNZ+1+EU000001'`,
  ].join("\n");
}

test("an EDIFACT customer's ORDERS is placed in Odoo and answered with an ORDRSP, a DESADV and an INVOIC", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-o2c-edifact-customer-"));
  const odoo = await startSandboxOdoo({ version: 17 });
  const sshd = await startSandboxSshd();
  const warehouse = await startSandboxEdi3pl({ sshd, pollIntervalMs: 100, shipDelayMs: 200 });
  t.after(async () => {
    await warehouse.close();
    await sshd.close();
    await odoo.close();
    await rm(dir, { recursive: true, force: true });
  });
  const key = join(dir, "sftp-key");
  await writeFile(key, sshd.connection.privateKey, { mode: 0o600 });
  const fromCustomer = join(sshd.home, "from-eu");
  const toCustomer = join(sshd.home, "to-eu");
  await mkdir(fromCustomer, { recursive: true });
  await mkdir(toCustomer, { recursive: true });
  const sftp = `type: sftp
    host: ${sshd.connection.host}
    port: ${sshd.connection.port}
    username: ${sshd.connection.username}
    privateKey: file:${key}
    hostKeyFingerprint: "${sshd.connection.hostKeyFingerprint}"`;
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
    ${sftp}
    inbound: { folder: ${warehouse.outbound}, pollIntervalMs: 100, settleMs: 0 }
    outbound: { folder: ${warehouse.inbound} }
    format: x12
    role: warehouse
    x12: { senderId: CROSSDOCK, receiverId: SBX3PL, usage: T }
  eu-retail:
    ${sftp}
    inbound: { folder: from-eu, pollIntervalMs: 100, settleMs: 0 }
    outbound: { folder: to-eu }
    format: edifact
    edifact: { senderId: CROSSDOCK, senderQualifier: ZZZ, recipientId: "5412345000013", recipientQualifier: "14", association: EAN008, test: true, ackRequested: true }
flows:
  order-to-cash:
    odoo: erp
    warehouse: wms
    channels:
      eu-retail: { prepaid: false, edi: { connection: eu-retail } }
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
    const po = "EU-PO-1";
    await writeFile(
      join(fromCustomer, ".orders-1.edi.part"),
      orders(po, [
        { sku: skus[0] as string, quantity: 3, price: "30.00" },
        { sku: skus[1] as string, quantity: 2, price: "5.00" },
      ]),
      "latin1",
    );
    await rename(join(fromCustomer, ".orders-1.edi.part"), join(fromCustomer, "orders-1.edi"));
    const runKey = `eu-retail:${po}`;
    await untilRunEnds(app.store, ORDER_TO_CASH, runKey);
    const run = await app.store.workflows.getByKey(ORDER_TO_CASH, runKey);
    assert.equal(run?.status, "completed", JSON.stringify(run?.error));
    const output = run?.output as { outcome: string; saleOrder: string; invoiceIds: number[] };
    assert.equal(output.outcome, "fulfilled");

    // The ORDERS asked for an acknowledgement (UNB09 = 1): a CONTRL accepting it came back first.
    const all = (await readdir(toCustomer)).filter((n) => !n.startsWith(".")).sort();
    assert.deepEqual(
      all.map((n) => n.split("-")[0]),
      ["CONTRL", "DESADV", "INVOIC", "ORDRSP"],
      all.join(", "),
    );
    const contrl = await readFile(join(toCustomer, all[0] as string), "latin1");
    assert.match(contrl, /UNB\+UNOC:3\+CROSSDOCK:ZZZ\+5412345000013:14\+/);
    assert.match(contrl, /UNH\+1\+CONTRL:D:3:UN'/);
    assert.match(contrl, /UCI\+EU000001\+5412345000013:14\+CROSSDOCK:ZZZ\+7'/);
    assert.match(contrl, /UCM\+1\+ORDERS:D:96A:UN\+7'/);
    const names = all.slice(1);
    const records = new Map<string, unknown>();
    const controlRefs: string[] = [];
    for (const name of names) {
      const bytes = await readFile(join(toCustomer, name));
      const read = readEdifact(name, bytes);
      assert.ok(read.ok, `${name}: ${JSON.stringify(!read.ok && read.failure)}`);
      const [interchange] = read.interchanges;
      assert.equal(interchange?.recipient.id, "5412345000013");
      assert.equal(interchange?.test, true);
      controlRefs.push(interchange?.controlRef ?? "");
      const message = interchange?.messages[0];
      assert.ok(message);
      assert.equal(message.association, "EAN008");
      const mapped = mapEdifactMessage(name, message);
      assert.ok(mapped.ok, `${name}: ${JSON.stringify(!mapped.ok && mapped.failure)}`);
      records.set(message.type, mapped.records[0]);
      // The independent oracle reads the same segments (UNA aside).
      const oracle = oracleSegments(bytes.toString("latin1"));
      assert.deepEqual(
        oracle.map((s) => s.name).filter((n) => n !== "UNA"),
        ["UNB", ...message.segments.map((s) => s.tag), "UNZ"],
      );
    }
    assert.deepEqual(
      [...new Set(controlRefs)].length,
      3,
      "each interchange its own control reference (the CONTRL took one too)",
    );

    const ack = records.get("ORDRSP") as SupplierAcknowledgement;
    assert.equal(ack.poNumber, po);
    assert.equal(ack.acknowledgementId, output.saleOrder);
    assert.equal(ack.status, "accepted");
    assert.deepEqual(
      ack.lines.map((l) => [l.lineId, l.sku, l.status, l.quantity]),
      [
        ["1", skus[0], "accepted", "3"],
        ["2", skus[1], "accepted", "2"],
      ],
    );
    const shipment = records.get("DESADV") as Shipment;
    assert.equal(shipment.order.channelOrderId, po);
    assert.ok(shipment.trackingNumber, "the 3PL's tracking");
    assert.deepEqual(
      shipment.lines.map((l) => [l.sku, l.quantity]),
      [
        [skus[0], "3"],
        [skus[1], "2"],
      ],
    );
    const invoice = records.get("INVOIC") as Invoice;
    const [move] =
      (await client?.read<{ name: string; amount_total: number }>("account.move", output.invoiceIds, [
        "name",
        "amount_total",
      ])) ?? [];
    assert.equal(invoice.invoiceNumber, move?.name);
    assert.equal(Number(invoice.totals.grandTotal), move?.amount_total);
    assert.deepEqual(
      invoice.orders?.map((o) => o.channelOrderId),
      [po],
    );

    // Each document asked for a CONTRL (UNB09 = 1): the customer accepts the ORDRSP, rejects the DESADV
    // and has not answered the INVOIC yet.
    const refOf = new Map(names.map((name, i) => [name.split("-")[0], controlRefs[i] as string]));
    const contrlOf = (n: number, ref: string, action: string) =>
      `UNH+${n}+CONTRL:D:3:UN'\nUCI+${ref}+CROSSDOCK:ZZZ+5412345000013:14+${action}'\nUNT+3+${n}'`;
    await writeFile(
      join(fromCustomer, ".contrl-1.edi.part"),
      [
        `UNA:+.? '`,
        `UNB+UNOC:3+5412345000013:14+CROSSDOCK:ZZZ+261202:1100+EU000002'`,
        contrlOf(1, refOf.get("ORDRSP") as string, "7"),
        contrlOf(2, refOf.get("DESADV") as string, "4+18"),
        `UNZ+2+EU000002'`,
      ].join("\n"),
      "latin1",
    );
    await rename(join(fromCustomer, ".contrl-1.edi.part"), join(fromCustomer, "contrl-1.edi"));
    const statusOf = async () =>
      new Map(
        (await app.store.records.list("x12-ack", { prefix: "eu-retail/" })).map((r) => {
          const data = r.data as { functionalId: string; status: string; syntax?: string };
          assert.equal(data.syntax, "edifact");
          return [data.functionalId, data.status];
        }),
      );
    await until(
      "the CONTRLs marked the interchanges",
      async () => (await statusOf()).get("DESADV") === "rejected",
    );
    assert.deepEqual(Object.fromEntries(await statusOf()), {
      ORDRSP: "accepted",
      DESADV: "rejected",
      INVOIC: "pending",
    });
    const sub = "test.contrl";
    await app.store.events.subscribe(sub, { types: ["edi.ack-rejected"], from: "beginning" });
    await until("edi.ack-rejected", async () => {
      const events = await app.store.events.poll(sub, 10);
      return events.some((e) => e.stream === "edi:eu-retail");
    });
    assert.equal(
      (await readdir(toCustomer)).filter((n) => n.startsWith("CONTRL")).length,
      1,
      "a CONTRL is not answered with a CONTRL",
    );
  } finally {
    await app.stop();
  }
});
