/**
 * The REST API in a running hub: an identity created by the operator submits an order over a real
 * socket with its API key; the worker turns it into `order.received`; the status shows it; every call
 * is audited; a key without the scope is refused; the OpenAPI document lists the API and admin routes.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Webhook } from "standardwebhooks";
import { request } from "undici";
import { buildApp } from "../../src/app/build-app.ts";
import { loadConfig } from "../../src/app/load-config.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import { dropSchema, freshSchema, TEST_URL } from "../../src/store/postgres/postgres-test-fixture.ts";
import { until } from "../support/until.ts";

const PG_SCHEMA = freshSchema();
/** The same test on the embedded store and on the scale-out one (a schema of its own on the real server). */
const STORES: { name: string; store: string; cleanup: () => Promise<unknown> }[] = [
  { name: "SQLite", store: `url: "sqlite:hub.db"`, cleanup: async () => {} },
  {
    name: "PostgreSQL",
    store: `url: "${TEST_URL}", schema: ${PG_SCHEMA}`,
    cleanup: () => dropSchema(PG_SCHEMA),
  },
];

for (const storeKind of STORES)
  test(`an identity submits an order through the API; status, audit, webhooks and OpenAPI agree (${storeKind.name})`, async () => {
    const dir = await mkdtemp(join(tmpdir(), "crossdock-api-hub-"));
    const file = join(dir, "crossdock.yaml");
    await writeFile(
      file,
      `version: 1\nstore: { ${storeKind.store} }\nserver: { port: 0 }\nworkers: { pollIntervalMs: 10 }\nwebhooks: { allowPrivateNetworks: true }\n`,
    );
    // A partner's endpoint subscribed to order.received, verifying with the standardwebhooks library.
    const received: { headers: Record<string, string>; body: string }[] = [];
    const partner = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({
          headers: req.headers as Record<string, string>,
          body: Buffer.concat(chunks).toString("utf8"),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => partner.listen(0, "127.0.0.1", r));
    const partnerUrl = `http://127.0.0.1:${(partner.address() as AddressInfo).port}/hooks`;
    const app = await buildApp({
      config: await loadConfig({ path: file, env: {} }),
      logger: createSilentLogger(),
    });
    try {
      const { url } = await app.start();
      const identities = app.identities;
      assert.ok(identities);
      const portal = await identities.service.create(
        { name: "b2b-portal", scopes: ["orders:write", "orders:read"] },
        "test",
      );
      const reader = await identities.service.create({ name: "reader", scopes: ["stock:read"] }, "test");
      const { secret } = await app.webhooks.subscriptions.create({
        name: "partner orders",
        url: partnerUrl,
        events: ["order.received"],
      });
      const body = {
        channel: "b2b-portal",
        externalId: "PO-77",
        currency: "EUR",
        customer: { name: "Deco Addict" },
        shipTo: { name: "Deco Addict", street: "Main 1", city: "Leuven", countryCode: "BE" },
        lines: [{ sku: "FURN_0001", quantity: "3", unitPrice: "10.00" }],
      };
      const submit = (key: string) =>
        request(`${url}/api/v1/orders`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${key}`,
            "content-type": "application/json",
            "idempotency-key": "po-77",
          },
          body: JSON.stringify(body),
        });
      const accepted = await submit(portal.apiKey);
      assert.equal(accepted.statusCode, 202);
      const { id } = (await accepted.body.json()) as { id: string };
      const refused = await submit(reader.apiKey);
      assert.equal(refused.statusCode, 403);
      await refused.body.dump();

      await until("the order processed", async () => {
        const res = await request(`${url}/api/v1/orders/${id}`, {
          headers: { authorization: `Bearer ${portal.apiKey}` },
        });
        const status = (await res.body.json()) as { trace?: { what: string }[] };
        return status.trace?.some((t) => t.what === "order.received") ?? false;
      });

      await until("the calls audited", async () => {
        const entries = await app.store.audit.list({ limit: 100 });
        return (
          entries.some((e) => e.action === "POST /api/v1/orders" && e.status === 202) &&
          entries.some((e) => e.status === 403)
        );
      });
      const entries = await app.store.audit.list({ limit: 100 });
      assert.ok(
        entries.every((e) => !JSON.stringify(e).includes(portal.apiKey)),
        "no key in the audit log",
      );

      await until("the partner notified", () => received.length > 0);
      const delivery = received[0] as { headers: Record<string, string>; body: string };
      const verified = new Webhook(secret).verify(delivery.body, delivery.headers) as {
        type: string;
        data: { order: { channelOrderId: string } };
      };
      assert.equal(verified.type, "order.received");
      assert.equal(verified.data.order.channelOrderId, "PO-77");

      const openapi = await request(`${url}/api/v1/openapi.json`);
      const doc = (await openapi.body.json()) as { paths: Record<string, unknown> };
      assert.ok(doc.paths["/api/v1/orders"]);
      assert.ok(Object.keys(doc.paths).some((p) => p.startsWith("/api/v1/admin/identities")));
      assert.ok(Object.keys(doc.paths).some((p) => p.startsWith("/api/v1/admin/webhooks")));
    } finally {
      await app.stop();
      await new Promise<void>((r) => partner.close(() => r()));
      await rm(dir, { recursive: true, force: true });
      await storeKind.cleanup();
    }
  });
