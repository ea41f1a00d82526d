import assert from "node:assert/strict";
import { test } from "node:test";
import { startSandboxCarrier } from "../../sandbox/carrier/sandbox-carrier.ts";
import { startSandboxStorefront } from "../../sandbox/storefront/sandbox-storefront.ts";
import { startSandboxWarehouse3pl } from "../../sandbox/warehouse3pl/sandbox-warehouse3pl.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { createEasyPostVerifier } from "../../src/gateway/signatures/easypost-verifier.ts";
import { createShopifyVerifier } from "../../src/gateway/signatures/shopify-verifier.ts";
import { createStandardWebhooksVerifier } from "../../src/gateway/signatures/standard-webhooks-verifier.ts";
import { startReceiver } from "./receiver.ts";

const secret = (value: string) => ({ reveal: () => value });

// The hub's own gateway verifiers accept what the simulators send, and take the dedupe key the
// simulators keep stable across retries and duplicates: the landscape and the hub speak one protocol.
test("the gateway's Shopify, Standard Webhooks and EasyPost verifiers accept the simulators' webhooks", async () => {
  const clock = new ManualClock();
  const rx = await startReceiver();
  const store = await startSandboxStorefront({
    clock,
    webhooks: [{ topic: "orders/create", address: rx.url }],
    webhookFaults: { duplicateRate: 1, duplicateDelayMs: 0 },
  });
  const wh = await startSandboxWarehouse3pl({ clock, callbackUrl: rx.url, shipDelayMs: 0 });
  const carrier = await startSandboxCarrier({ clock, webhooks: [{ url: rx.url, secret: "s\u00e9cret" }] });
  try {
    store.placeOrders(1);
    await store.runDue();
    const shop = createShopifyVerifier([secret(store.apiSecret)]);
    const shopIds = rx.received.map((r) => shop.verify(r.body, r.headers));
    assert.equal(shopIds.length, 2);
    assert.ok(shopIds.every((v) => v.outcome === "verified"));
    assert.equal(
      new Set(shopIds.map((v) => (v.outcome === "verified" ? v.senderId : ""))).size,
      1,
      "the duplicate has the same dedupe key",
    );

    const res = await fetch(`${wh.url}/orders`, {
      method: "POST",
      headers: { Authorization: `Bearer ${wh.apiKey}`, "Idempotency-Key": "k" },
      body: JSON.stringify({
        reference: "SO-1",
        lines: [{ sku: "A", quantity: 1 }],
        ship_to: { name: "A", address1: "B", city: "C", country_code: "FR" },
      }),
    });
    assert.equal(res.status, 201);
    await wh.runDue();
    const callback = rx.received[2]!;
    const std = createStandardWebhooksVerifier({ secrets: [secret(wh.callbackSecret)], clock });
    assert.equal(std.verify(callback.body, callback.headers).outcome, "verified");

    await fetch(`${carrier.url}/v2/trackers`, {
      method: "POST",
      headers: { Authorization: `Bearer ${carrier.apiKey}` },
      body: JSON.stringify({ tracker: { tracking_code: "1Z0001", carrier: "UPS" } }),
    });
    await carrier.runDue();
    const event = rx.received[3]!;
    const ep = createEasyPostVerifier([secret("se\u0301cret")]).verify(event.body, event.headers);
    assert.equal(ep.outcome, "verified");
    assert.equal(ep.outcome === "verified" && ep.senderId, (event.json() as { id: string }).id);
  } finally {
    await Promise.all([store.close(), wh.close(), carrier.close()]);
    await rx.close();
  }
});
