/**
 * `flows.routes` from configuration: orders arriving through the API are delivered to a partner's
 * endpoint when the route's rules match (channel, country, amount), once each, with the route's name and
 * SLA deadline; others are not; a route that names a target of the wrong type is refused, located.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { request } from "undici";
import { buildApp } from "../../src/app/build-app.ts";
import { loadConfig } from "../../src/app/load-config.ts";
import type { CrossdockError } from "../../src/core/errors.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import { until } from "../support/until.ts";

test("a route delivers the matching orders to its target, once each", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-routes-"));
  const received: {
    route: string;
    data: { order: { channelOrderId: string } };
    slaDeadline?: string;
    key: string;
  }[] = [];
  const partner = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        ...JSON.parse(Buffer.concat(chunks).toString("utf8")),
        key: String(req.headers["idempotency-key"]),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => partner.listen(0, "127.0.0.1", r));
  t.after(async () => {
    partner.close();
    await rm(dir, { recursive: true, force: true });
  });
  const audit = `http://127.0.0.1:${(partner.address() as AddressInfo).port}/orders`;
  const file = join(dir, "crossdock.yaml");
  const yaml = (deliver: string) => `version: 1
store: { url: "sqlite:hub.db" }
server: { port: 0 }
workers: { pollIntervalMs: 10 }
connections:
  audit: { type: http, url: "${audit}" }
  hooks: { type: webhook-json }
flows:
  routes:
    big-b2b-eu:
      on: order.received
      when: { channel: [b2b], country: [BE, NL], amountAtLeast: "100.00" }
      deliver: ${deliver}
      slaMinutes: 5
      owner: ops@example.com
      criticality: high
`;
  await writeFile(file, yaml("hooks"));
  await assert.rejects(loadConfig({ path: file, env: {} }), (error: CrossdockError) => {
    assert.equal(error.code, "CDK_CONFIG_INVALID");
    assert.match(
      error.message,
      /crossdock\.yaml:\d+:\d+ flows\.routes\.big-b2b-eu\.deliver: "hooks" is a connection of type webhook-json \(expected a connection of type http\)/,
    );
    return true;
  });
  await writeFile(file, yaml("audit"));
  const app = await buildApp({
    config: await loadConfig({ path: file, env: {} }),
    logger: createSilentLogger(),
  });
  try {
    const { url } = await app.start();
    const identity = await app.identities?.service.create({ name: "b2b", scopes: ["orders:write"] }, "test");
    const submit = async (channel: string, id: string, country: string, price: string) => {
      const res = await request(`${url}/api/v1/orders`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${identity?.apiKey}`,
          "content-type": "application/json",
          "idempotency-key": id,
        },
        body: JSON.stringify({
          channel,
          externalId: id,
          currency: "EUR",
          customer: { name: "R", email: "r@example.com" },
          shipTo: { name: "R", street: "S 1", city: "C", countryCode: country },
          lines: [{ sku: "FURN_0001", quantity: "1", unitPrice: price }],
        }),
      });
      await res.body.dump();
      assert.equal(res.statusCode, 202);
    };
    await submit("b2b", "B-1", "BE", "250.00");
    await submit("b2b", "B-2", "FR", "250.00");
    await submit("b2b", "B-3", "NL", "99.99");
    await submit("shop", "S-1", "BE", "250.00");
    await submit("b2b", "B-4", "NL", "100.00");
    await until("two deliveries", () => received.length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(received.map((r) => r.data.order.channelOrderId).sort(), ["B-1", "B-4"]);
    assert.ok(received.every((r) => r.route === "big-b2b-eu" && typeof r.slaDeadline === "string"));
    assert.ok(
      received.every((r) => r.key.startsWith("route:big-b2b-eu:")),
      "the job's idempotency key is sent",
    );
  } finally {
    await app.stop();
  }
});
