import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { Order } from "../../core/model/order.ts";
import type { InboxMessage } from "../../store/store.ts";
import type { DecodeOutcome } from "../connector.ts";
import { type WooOrderCancelled, woocommerceWebhookConnector } from "./woocommerce-webhook-connector.ts";

const FIXTURE = readFileSync(
  new URL("../../mapping/builtin/fixtures/woocommerce-order-created.json", import.meta.url),
  "utf8",
);

function message(body: string, topic: string | undefined): InboxMessage {
  const bytes = Buffer.from(body, "utf8");
  return {
    id: "msg-1",
    source: "webhook",
    connection: "woo",
    dedupeKey: "delivery-1",
    body: bytes,
    headers: topic === undefined ? {} : { "x-wc-webhook-topic": topic },
    contentType: "application/json",
    receivedAt: Date.parse("2026-03-01T10:00:00Z"),
    trace: undefined,
    size: bytes.byteLength,
  };
}

function decode(body: string, topic: string | undefined, settings = {}): DecodeOutcome {
  return woocommerceWebhookConnector.decode(message(body, topic), "woo", {
    type: "woocommerce",
    ...settings,
  });
}

function refused(outcome: DecodeOutcome): string {
  assert.equal(outcome.ok, false, "expected a refusal");
  if (outcome.ok) return "";
  assert.equal(outcome.error.code, "CDK_DECODE_FAILED");
  assert.match(outcome.error.message, /message msg-1 \(connection woo/);
  return outcome.error.message;
}

const patched = (patch: (o: Record<string, unknown>) => void) => {
  const order = JSON.parse(FIXTURE);
  patch(order);
  return JSON.stringify(order);
};

test("order.created: one order.received on order:<channel>:<id> with a valid canonical order", () => {
  const outcome = decode(FIXTURE, "order.created");
  assert.ok(outcome.ok);
  assert.equal(outcome.events.length, 1);
  const [event] = outcome.events;
  assert.equal(event?.stream, "order:woo:4242");
  assert.equal(event?.type, "order.received");
  assert.equal(event?.causationId, "msg-1");
  const data = event?.data as { order: Order; topic: string; mapping: string; receivedVia: string };
  assert.deepEqual(
    [data.topic, data.mapping, data.receivedVia],
    ["order.created", "woocommerce-order@1", "woocommerce"],
  );
  assert.equal(data.order.totals.grandTotal, "162.00");
  assert.deepEqual(outcome.jobs, []);
});

test("order.updated and order.restored are order.received; a cancelled status is order.cancelled", () => {
  for (const topic of ["order.updated", "order.restored"]) {
    const outcome = decode(FIXTURE, topic);
    assert.ok(outcome.ok);
    assert.equal(outcome.events[0]?.type, "order.received");
  }
  for (const status of ["cancelled", "refunded", "failed"]) {
    const outcome = decode(
      patched((o) => (o.status = status)),
      "order.updated",
    );
    assert.ok(outcome.ok);
    assert.equal(outcome.events[0]?.type, "order.cancelled");
    const data = outcome.events[0]?.data as unknown as WooOrderCancelled;
    assert.deepEqual(data, {
      channel: "woo",
      channelOrderId: "4242",
      cancelledAt: "2026-03-01T09:31:00Z",
      reason: `WooCommerce status ${status}`,
      receivedVia: "woocommerce",
      messageId: "msg-1",
    });
  }
});

test("order.deleted with only the id is order.cancelled", () => {
  const outcome = decode('{"id": 4242}', "order.deleted");
  assert.ok(outcome.ok);
  assert.equal(outcome.events[0]?.stream, "order:woo:4242");
  assert.equal(
    (outcome.events[0]?.data as unknown as WooOrderCancelled | undefined)?.reason,
    "deleted in WooCommerce",
  );
  assert.match(refused(decode('{"id": "abc"}', "order.deleted")), /\/id: must be WooCommerce's order id/);
});

test("the activation ping and other topics are acknowledged with no events", () => {
  assert.deepEqual(decode("webhook_id=15", undefined), { ok: true, events: [], jobs: [] });
  assert.deepEqual(decode('{"id": 1}', "product.updated"), { ok: true, events: [], jobs: [] });
});

test("refusals are located: no topic, broken JSON, not an object, no SKU, totals, channel, size", () => {
  assert.match(refused(decode(FIXTURE, undefined)), /no X-WC-Webhook-Topic/);
  assert.match(refused(decode('{"id": 1,\n "line_items": [}', "order.created")), /line 2 column/);
  assert.match(refused(decode("[1]", "order.created")), /must be a JSON object/);
  const noSku = patched(
    (o) => (((o.line_items as Record<string, unknown>[])[0] as Record<string, unknown>).sku = ""),
  );
  assert.match(refused(decode(noSku, "order.created")), /\/line_items\/0\/sku is empty/);
  const fallback = decode(noSku, "order.created", { skuFallback: "product-id" });
  assert.ok(fallback.ok);
  assert.equal(
    (fallback.events[0]?.data as { order: Order } | undefined)?.order.lines[0]?.sku,
    "wc-product-93",
  );
  assert.match(
    refused(
      decode(
        patched((o) => (o.total = "1.00")),
        "order.created",
      ),
    ),
    /\/totals\/grandTotal grandTotal is 1.00/,
  );
  assert.match(
    refused(decode(FIXTURE, "order.created", { channel: "Bad Channel" })),
    /is not a channel name/,
  );
  assert.match(refused(decode(FIXTURE, "order.created", { maxBodyBytes: 100 })), /above the 100/);
  const other = decode(FIXTURE, "order.created", { channel: "web-eu" });
  assert.ok(other.ok);
  assert.equal(other.events[0]?.stream, "order:web-eu:4242");
});
