/**
 * An `odoo` connection in a running hub, against the sandbox Odoo: order jobs are batched into Odoo
 * through the worker, Odoo's own changes come back as canonical events through the scheduler's pollers,
 * Odoo's webhook wakes them up (with its token), and a malformed job payload becomes an exception that
 * names each problem.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { request } from "undici";
import { startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";
import { buildApp } from "../../src/app/build-app.ts";
import { loadConfig } from "../../src/app/load-config.ts";
import { ODOO_JOB_KINDS } from "../../src/connectors/odoo/odoo-job-payloads.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import { until } from "../support/until.ts";

test("orders placed through jobs, changes captured as events, hints wake the pollers", async () => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-odoo-hub-"));
  const odoo = await startSandboxOdoo({ version: 17 });
  const configFile = join(dir, "crossdock.yaml");
  await writeFile(
    configFile,
    `version: 1
store: { url: "sqlite:hub.db" }
server: { port: 0 }
workers: { pollIntervalMs: 10, concurrency: 64 }
connections:
  erp:
    type: odoo
    url: "${odoo.url}"
    database: crossdock
    login: admin
    apiKey: env:ODOO_KEY
    hintToken: env:HINT_TOKEN
    poll: { intervalMs: 60000, since: beginning, feeds: [sale-orders] }
`,
  );
  const app = await buildApp({
    config: await loadConfig({
      path: configFile,
      env: { ODOO_KEY: "sandbox-admin-key", HINT_TOKEN: "s3cret" },
    }),
    logger: createSilentLogger(),
  });
  try {
    const { url } = await app.start();
    const runtime = app.odoo.get("erp");
    assert.ok(runtime);
    assert.equal(runtime.pollers.length, 1);
    const products = await runtime.client.searchRead<{ id: number }>(
      "product.product",
      [["default_code", "like", "FURN_%"]],
      ["id"],
      { limit: 2 },
    );
    const jobs = Array.from({ length: 6 }, (_, i) => ({
      target: "erp",
      kind: ODOO_JOB_KINDS.placeOrder,
      idempotencyKey: `hub-test:${i}`,
      payload: {
        key: `hub-test-${i}`,
        partnerId: 10,
        clientOrderRef: `HUB-${i}`,
        lines: products.map((p) => ({ productId: p.id, quantity: 1, priceUnit: "12.00" })),
      },
    }));
    jobs.push({
      target: "erp",
      kind: ODOO_JOB_KINDS.placeOrder,
      idempotencyKey: "hub-test:bad",
      payload: {
        key: "bad",
        partnerId: 10,
        lines: [{ productId: 1, quantity: 1, priceUnit: 12.5 }],
      } as never,
    });
    await app.store.jobs.enqueue(jobs);
    app.worker?.wake();
    let results: unknown[] = [];
    await until("the order jobs done", async () => {
      const records = await Promise.all(
        jobs.slice(0, 6).map((j) => app.store.jobs.getByIdempotencyKey(j.idempotencyKey)),
      );
      results = records.map((r) => r?.result);
      return records.every((r) => r?.status === "done");
    });
    const names = results.map((r) => (r as { name: string; state: string }).name);
    assert.equal(new Set(names).size, 6);
    assert.ok(results.every((r) => (r as { state: string }).state === "sale"));
    const ordersInOdoo = await runtime.client.searchRead(
      "sale.order",
      [["client_order_ref", "=like", "HUB-%"]],
      ["id"],
    );
    assert.equal(ordersInOdoo.length, 6);

    await until("the malformed payload as an exception", async () => {
      const [exception] = await app.store.exceptions.list({});
      return exception !== undefined;
    });
    const [exception] = await app.store.exceptions.list({});
    assert.equal(exception?.error.code, "CDK_JOB_PAYLOAD_INVALID");
    assert.match(exception?.error.message ?? "", /payload\.lines\.0\.priceUnit/);

    // Odoo's base_automation webhook: wrong token refused, right token wakes the sale order poller.
    const hook = (token: string) =>
      request(`${url}/hooks/erp?token=${token}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ _model: "sale.order", _id: 1, _action: "Send Webhook Notification", id: 1 }),
      });
    const refused = await hook("wrong");
    assert.equal(refused.statusCode, 401);
    await refused.body.dump();
    const accepted = await hook("s3cret");
    assert.equal(accepted.statusCode, 202);
    assert.deepEqual(await accepted.body.json(), { model: "sale.order", woken: 1 });
    await until("order.confirmed events for the six orders", async () => {
      let found = 0;
      for (const name of names) {
        const events = await app.store.events.readStream(`order:${name}`);
        if (events.some((e) => e.type === "order.confirmed")) found++;
      }
      return found === 6;
    });
  } finally {
    await app.stop();
    await odoo.close();
    await rm(dir, { recursive: true, force: true });
  }
});
