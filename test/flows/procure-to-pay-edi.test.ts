/**
 * Procure-to-pay with an EDI supplier on SFTP, from configuration alone: a purchase posted to the REST
 * API is placed in the sandbox Odoo and sent as an X12 850 to the sandbox trading partner on a real
 * OpenSSH server; the partner answers a 997 and an 855 (accepted); the hub's poller reads the 855 onto the
 * purchase's stream; the goods are counted in through the API; the bill is posted in Odoo.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { request } from "undici";
import { startSandboxEdiPartner } from "../../sandbox/edi-partner/sandbox-edi-partner.ts";
import { startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";
import { buildApp } from "../../src/app/build-app.ts";
import { loadConfig } from "../../src/app/load-config.ts";
import { startSandboxSshd } from "../../src/connectors/sftp/sandbox-sshd.ts";
import { PROCURE_TO_PAY } from "../../src/flows/procure-to-pay/procure-to-pay.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import { until } from "../support/until.ts";

test("procure to pay through an EDI supplier on SFTP: 850 out, 997 and 855 back, received, billed", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-p2p-edi-"));
  const odoo = await startSandboxOdoo({ version: 17 });
  const sshd = await startSandboxSshd();
  const partner = await startSandboxEdiPartner({
    sshd,
    pollIntervalMs: 100,
    ackDelayMs: 0,
    answerDelayMs: 200,
  });
  t.after(async () => {
    await partner.close();
    await sshd.close();
    await odoo.close();
    await rm(dir, { recursive: true, force: true });
  });
  await writeFile(join(dir, "sftp-key"), sshd.connection.privateKey, { mode: 0o600 });
  await writeFile(
    join(dir, "crossdock.yaml"),
    `version: 1
store: { url: "sqlite:hub.db" }
server: { port: 0 }
workers: { pollIntervalMs: 10 }
connections:
  erp: { type: odoo, url: "${odoo.url}", database: crossdock, login: admin, apiKey: env:ODOO_KEY, poll: { enabled: false } }
  wood-edi:
    type: sftp
    host: ${sshd.connection.host}
    port: ${sshd.connection.port}
    username: ${sshd.connection.username}
    privateKey: file:${join(dir, "sftp-key")}
    hostKeyFingerprint: "${sshd.connection.hostKeyFingerprint}"
    inbound: { folder: ${partner.outbound}, pollIntervalMs: 100, settleMs: 0 }
    outbound: { folder: ${partner.inbound} }
    format: x12
    supplier: wood
    x12: { senderId: CROSSDOCK, receiverId: SBXPARTNER, usage: T }
flows:
  procure-to-pay: { odoo: erp, suppliers: { wood: { connection: wood-edi } } }
`,
  );
  const app = await buildApp({
    config: await loadConfig({ path: join(dir, "crossdock.yaml"), env: { ODOO_KEY: "sandbox-admin-key" } }),
    logger: createSilentLogger(),
  });
  try {
    const { url } = await app.start();
    const [sku] =
      (
        await app.odoo
          .get("erp")
          ?.client.searchRead<{ default_code: string }>(
            "product.product",
            [["default_code", "like", "FURN_%"]],
            ["default_code"],
            { order: "default_code asc", limit: 1 },
          )
      )?.map((p) => p.default_code) ?? [];
    const identity = await app.identities?.service.create(
      { name: "planner", scopes: ["purchases:write"] },
      "test",
    );
    const post = async (path: string, body: unknown, key: string) => {
      const res = await request(`${url}${path}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${identity?.apiKey}`,
          "content-type": "application/json",
          "idempotency-key": key,
        },
        body: JSON.stringify(body),
      });
      const answer = (await res.body.json()) as { id: string };
      assert.equal(res.statusCode, 202, JSON.stringify(answer));
      return answer;
    };
    const purchase = await post(
      "/api/v1/purchases",
      {
        schemaVersion: 1,
        poNumber: "PO-EDI-1",
        status: "draft",
        supplier: { kind: "company", code: "wood", name: "Wood Supplies Ltd" },
        currency: "EUR",
        pricesIncludeTax: false,
        orderedAt: new Date().toISOString(),
        lines: [{ lineId: "1", sku, quantity: "10", uom: "C62", unitPrice: "50.00", total: "500.00" }],
        totals: {
          subtotal: "500.00",
          discountTotal: "0",
          shippingTotal: "0",
          taxTotal: "0",
          grandTotal: "500.00",
        },
      },
      "p2p-edi-1",
    );
    await until(
      "the supplier's 855 on the purchase's stream",
      async () =>
        (await app.store.events.readStream("purchase:wood:PO-EDI-1")).some(
          (e) => e.type === "supplier.acknowledged",
        ),
      30_000,
    );
    assert.equal(partner.received.length, 1, "one 850 reached the supplier");
    await post(
      `/api/v1/purchases/${purchase.id}/receipts?complete=true`,
      {
        schemaVersion: 1,
        receiptId: "GR-EDI-1",
        poNumber: "PO-EDI-1",
        warehouse: "WH",
        receivedAt: new Date().toISOString(),
        lines: [{ lineId: "1", sku, quantity: "10", uom: "C62" }],
      },
      "p2p-edi-receipt",
    );
    await until(
      "the purchase billed",
      async () => {
        const run = await app.store.workflows.getByKey(PROCURE_TO_PAY, "wood:PO-EDI-1");
        return run?.status === "completed" || run?.status === "compensated";
      },
      30_000,
    );
    const run = await app.store.workflows.getByKey(PROCURE_TO_PAY, "wood:PO-EDI-1");
    assert.equal(run?.status, "completed", JSON.stringify(run?.error));
    assert.equal((run?.output as { outcome?: string } | undefined)?.outcome, "billed");
  } finally {
    await app.stop();
  }
});
