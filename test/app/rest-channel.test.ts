/**
 * A marketplace without a built-in connector, from configuration alone: a `rest` connection (OAuth2
 * client credentials, cursor pages) to the sandbox marketplace, polled by the scheduler; each order goes
 * through the user's JSONata mapping to a canonical order and `order.received`, once, even when it is
 * listed again on the next poll.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startSandboxMarketplace } from "../../sandbox/marketplace/sandbox-marketplace.ts";
import { buildApp } from "../../src/app/build-app.ts";
import { loadConfig } from "../../src/app/load-config.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import { until } from "../support/until.ts";

const MAPPING = `/* crossdock-mapping
   source: rest order
   target: order/v1
   emits: order.received
   key: /channelOrderId
*/
(
  $lines := [lines.{
    "sku": sku,
    "quantity": $string(quantity),
    "uom": "C62",
    "unitPrice": unit_price,
    "total": $decimalRound($decimalMul(quantity, unit_price), 2)
  }];
  $subtotal := $decimalSum($lines.total);
  {
    "schemaVersion": 1,
    "channel": $context.connection,
    "channelOrderId": id,
    "status": "pending",
    "placedAt": created_at,
    "customer": { "kind": "person", "name": customer.name, "email": customer.email },
    "currency": currency,
    "pricesIncludeTax": false,
    "lines": $lines,
    "totals": { "subtotal": $subtotal, "discountTotal": "0.00", "shippingTotal": "0.00", "taxTotal": "0.00", "grandTotal": $subtotal }
  }
)
`;

test("a rest marketplace's orders, polled and mapped by the user's mapping, become order.received once", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-rest-"));
  const market = await startSandboxMarketplace({ orders: 5 });
  t.after(async () => {
    await market.close();
    await rm(dir, { recursive: true, force: true });
  });
  await mkdir(join(dir, "mappings"));
  await writeFile(join(dir, "mappings", "market-order.v1.jsonata"), MAPPING);
  await writeFile(
    join(dir, "crossdock.yaml"),
    `version: 1
store: { url: "sqlite:hub.db" }
server: { port: 0 }
workers: { pollIntervalMs: 10 }
connections:
  market:
    type: rest
    baseUrl: ${market.url}/v1
    auth: { kind: oauth2-client-credentials, tokenUrl: "${market.url}/oauth/token", clientId: sandbox-client, clientSecret: env:MARKET_SECRET }
    rateLimit: { requestsPerSecond: 8, burst: 8 }
    pagination: { kind: cursor, cursorParam: cursor, nextCursorPointer: /meta/next_cursor, sizeParam: limit, size: 2 }
    endpoints:
      orders: { method: GET, path: /orders, itemsPointer: /data, sinceParam: updated_since }
    pollIntervalMs: 1000
    mapping: market-order@1
`,
  );
  const app = await buildApp({
    config: await loadConfig({
      path: join(dir, "crossdock.yaml"),
      env: { MARKET_SECRET: "sandbox-client-secret" },
    }),
    logger: createSilentLogger(),
  });
  try {
    await app.start();
    await app.store.events.subscribe("t.rest", { types: ["order.received"], from: "beginning" });
    const seen = new Map<string, number>();
    const collect = async () => {
      for (const event of await app.store.events.poll("t.rest", 100)) {
        seen.set(event.stream, (seen.get(event.stream) ?? 0) + 1);
        await app.store.events.ack("t.rest", event.position);
      }
    };
    await until(
      "the five orders",
      async () => {
        await collect();
        return seen.size === 5;
      },
      20_000,
    ).catch(async (error: Error) => {
      const exceptions = await app.store.exceptions.list({ status: "open" });
      throw new Error(`${error.message}: ${JSON.stringify(exceptions.map((e) => e.error.message))}`);
    });
    assert.ok(
      [...seen.keys()].every((s) => /^order:market:MP-\d+$/.test(s)),
      [...seen.keys()].join(", "),
    );
    // The next polls list the last orders again (the overlap window): nothing new is made of them.
    await new Promise((r) => setTimeout(r, 2_500));
    await collect();
    assert.deepEqual([...new Set(seen.values())], [1], "each order once");
    assert.equal((await app.store.status()).openExceptions, 0);
  } finally {
    await app.stop();
  }
});
