import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Order } from "../../core/model/order.ts";
import type { InboxMessage } from "../../store/store.ts";
import type { DecodeOutcome } from "../connector.ts";
import type { OrderRefunded } from "./shopify-refund-event.ts";
import { type OrderCancelled, shopifyWebhookConnector } from "./shopify-webhook-connector.ts";

const FIXTURE = readFileSync(
  new URL("../../mapping/builtin/fixtures/shopify-orders-create.json", import.meta.url),
  "utf8",
);
const CORPUS = join(import.meta.dirname, "../../../../shared/corpus/shopify");

function message(body: string | Uint8Array, topic: string | undefined, id = "msg-1"): InboxMessage {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return {
    id,
    source: "webhook",
    connection: "shop",
    dedupeKey: `wh-${id}`,
    body: bytes,
    headers: topic === undefined ? {} : { "x-shopify-topic": topic },
    contentType: "application/json",
    receivedAt: Date.parse("2026-03-01T10:00:00Z"),
    trace: undefined,
    size: bytes.byteLength,
  };
}

function decode(body: string | Uint8Array, topic: string | undefined, settings = {}): DecodeOutcome {
  return shopifyWebhookConnector.decode(message(body, topic), "shop", { type: "shopify", ...settings });
}

function refused(outcome: DecodeOutcome): string {
  assert.equal(outcome.ok, false, "expected a refusal");
  if (outcome.ok) return "";
  assert.equal(outcome.error.code, "CDK_DECODE_FAILED");
  assert.match(outcome.error.message, /message msg-1 \(connection shop/);
  return outcome.error.message;
}

test("orders/create: one order.received on order:<channel>:<exact id> with a valid canonical order", () => {
  const outcome = decode(FIXTURE, "orders/create");
  assert.ok(outcome.ok);
  assert.equal(outcome.events.length, 1);
  const [event] = outcome.events;
  assert.equal(event?.stream, "order:shop:5550934128715123456"); // beyond 2^53, not rounded
  assert.equal(event?.type, "order.received");
  assert.equal(event?.causationId, "msg-1");
  const data = event?.data as { order: Order; topic: string; mapping: string };
  assert.equal(data.topic, "orders/create");
  assert.equal(data.mapping, "shopify-order@1");
  assert.equal(data.order.channel, "shop");
  assert.equal(data.order.channelOrderId, "5550934128715123456");
  assert.deepEqual(outcome.jobs, []);
});

test("the channel setting names the channel; a bad one is refused, not used", () => {
  const outcome = decode(FIXTURE, "orders/create", { channel: "webshop-eu" });
  assert.ok(outcome.ok);
  assert.equal(outcome.events[0]?.stream, "order:webshop-eu:5550934128715123456");
  assert.match(refused(decode(FIXTURE, "orders/create", { channel: "Web Shop" })), /not a channel name/);
  const bad = shopifyWebhookConnector.decode(message(FIXTURE, "orders/create"), "My Shop", {
    type: "shopify",
  });
  assert.equal(bad.ok, false);
});

test("orders/updated gives order.received too (the intake starts once per order key); cancelled ones cancel", () => {
  const updated = decode(FIXTURE, "orders/updated");
  assert.ok(updated.ok);
  assert.equal(updated.events[0]?.type, "order.received");
  assert.equal((updated.events[0]?.data as { topic?: string } | undefined)?.topic, "orders/updated");
  const cancelledBody = JSON.stringify({
    ...JSON.parse(FIXTURE),
    id: "42",
    cancelled_at: "2026-03-01T11:00:00Z",
  });
  const cancelled = decode(cancelledBody, "orders/updated");
  assert.ok(cancelled.ok);
  assert.equal(cancelled.events[0]?.type, "order.cancelled");
});

test("orders/cancelled: order.cancelled on the same stream, with when and why", () => {
  const body = FIXTURE.replace('"cancelled_at": null', '"cancelled_at": "2026-03-01T12:00:00+01:00"');
  const outcome = decode(
    body.replace(/"cancel_reason": [^,]*,/, '"cancel_reason": "customer",'),
    "orders/cancelled",
  );
  assert.ok(outcome.ok);
  assert.equal(outcome.events.length, 1);
  const event = outcome.events[0];
  assert.equal(event?.stream, "order:shop:5550934128715123456");
  assert.equal(event?.type, "order.cancelled");
  const data = event?.data as unknown as OrderCancelled;
  assert.equal(data.channelOrderId, "5550934128715123456");
  assert.equal(data.cancelledAt, "2026-03-01T12:00:00+01:00");
  // A cancellation needs only the id: a minimal body is enough.
  const minimal = decode('{"id": 7, "cancelled_at": null}', "orders/cancelled");
  assert.ok(minimal.ok);
  assert.equal(minimal.events[0]?.stream, "order:shop:7");
  assert.equal((minimal.events[0]?.data as unknown as OrderCancelled | undefined)?.cancelledAt, null);
});

test("other topics are acknowledged with no events, whatever their body", () => {
  for (const topic of ["fulfillments/create", "products/update", "inventory_levels/update"]) {
    const outcome = decode("not even json", topic);
    assert.ok(outcome.ok, topic);
    assert.deepEqual(outcome.events, []);
  }
});

test("malformed JSON is refused with line and column", () => {
  const reason = refused(decode('{"id": 1, "line_items": [ {"sku": "A", }', "orders/create"));
  assert.match(reason, /orders\/create body line 1 column \d+: invalid JSON/);
});

test("no topic, not an object, no usable id: located refusals", () => {
  assert.match(refused(decode(FIXTURE, undefined)), /no X-Shopify-Topic/);
  assert.match(refused(decode("[1,2]", "orders/create")), /body \/: must be a JSON object/);
  assert.match(refused(decode('"order"', "orders/cancelled")), /must be a JSON object/);
  for (const id of ["null", "-5", "0", "1.5", '"12a"', '"1e3"', "{}", '"99999999999999999999999"']) {
    assert.equal(decode(`{"id": ${id}}`, "orders/create").ok, false, id);
    assert.match(
      refused(decode(`{"id": ${id}}`, "orders/cancelled")),
      /\/id: must be Shopify's order id/,
      id,
    );
  }
});

test("unmappable orders are refused with the path of each problem", () => {
  const order = JSON.parse(FIXTURE);
  order.line_items[0].sku = null;
  const noSku = refused(decode(JSON.stringify(order), "orders/create"));
  assert.match(noSku, /does not map to order\/v1 with shopify-order@1: \/line_items\/0\/sku/);
  const wrapped = refused(decode(JSON.stringify({ order: JSON.parse(FIXTURE) }), "orders/create"));
  assert.match(wrapped, /shopify-order@1/);
  const badMoney = JSON.parse(FIXTURE);
  badMoney.total_price = "12.3.4";
  assert.match(refused(decode(JSON.stringify(badMoney), "orders/create")), /total_price/);
});

test("hostile input: oversized, deep nesting, prototype keys, binary never throw", () => {
  const big = Buffer.alloc(2 * 1024 * 1024 + 1, 0x20);
  assert.match(refused(decode(big, "orders/create")), /above the 2097152/);
  assert.match(refused(decode(FIXTURE, "orders/create", { maxBodyBytes: 100 })), /above the 100/);
  const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
  assert.equal(decode(deep, "orders/create").ok, false);
  const proto = JSON.parse(FIXTURE);
  const hostile = JSON.stringify(proto).replace("{", '{"__proto__": {"polluted": true}, "constructor": 1,');
  const outcome = decode(hostile, "orders/create");
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.ok(outcome.ok || outcome.error.code === "CDK_DECODE_FAILED");
  assert.equal(decode(new Uint8Array([0xff, 0xfe, 0x00, 0x7b]), "orders/create").ok, false);
  const manyLines = JSON.parse(FIXTURE);
  manyLines.line_items = Array.from({ length: 20_000 }, () => manyLines.line_items[0]);
  assert.equal(decode(JSON.stringify(manyLines), "orders/create").ok, false);
});

test("corpus: Shopify's own order payloads decode or are refused cleanly", (t) => {
  if (!existsSync(CORPUS)) {
    t.skip(`corpus absent at ${CORPUS}`);
    return;
  }
  for (const file of ["shopify_python_api__order.json", "shopify-fulfillment-integration__order.json"]) {
    const path = join(CORPUS, file);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, "utf8");
    const parsed = JSON.parse(text) as Record<string, unknown>;
    // The REST fixtures wrap the order; the webhook body is the order itself.
    const body = "order" in parsed ? JSON.stringify(parsed.order) : text;
    const outcome = decode(body, "orders/create");
    if (outcome.ok) {
      assert.equal(outcome.events.length, 1, file);
      assert.match(outcome.events[0]?.stream ?? "", /^order:shop:[0-9]+$/, file);
    } else {
      assert.equal(outcome.error.code, "CDK_DECODE_FAILED", file);
      assert.match(outcome.error.message, /\//, file);
    }
  }
});

test("refunds/create: order.refunded on the order's stream with the canonical return and refund payment", () => {
  const refund = {
    id: "REFUND_ID",
    order_id: "ORDER_ID",
    created_at: "2026-03-02T10:00:00+01:00",
    note: "arrived broken",
    restock: true,
    refund_line_items: [
      {
        id: 1,
        line_item_id: 11,
        quantity: 1,
        restock_type: "return",
        line_item: { id: 11, sku: "FURN_0001" },
      },
      { id: 2, line_item_id: 12, quantity: 1, restock_type: "no_restock", line_item: { id: 12, sku: null } },
    ],
    transactions: [
      {
        id: 7,
        order_id: "ORDER_ID",
        kind: "refund",
        gateway: "bogus",
        status: "success",
        amount: "21.20",
        currency: "USD",
        created_at: "2026-03-02T10:00:00+01:00",
      },
    ],
    order_adjustments: [],
  };
  // Shopify writes ids above 2^53 as plain JSON numbers
  const body = JSON.stringify(refund)
    .replaceAll('"ORDER_ID"', "9007199254740993")
    .replaceAll('"REFUND_ID"', "9007199254740995");
  const outcome = decode(body, "refunds/create");
  assert.ok(outcome.ok);
  const [event] = outcome.events;
  assert.equal(event?.stream, "order:shop:9007199254740993");
  assert.equal(event?.type, "order.refunded");
  const data = event?.data as unknown as OrderRefunded;
  assert.equal(data.refundId, "9007199254740995");
  assert.deepEqual((data.return as { lines: unknown[] }).lines, [
    {
      orderLineId: "11",
      sku: "FURN_0001",
      quantity: "1",
      uom: "C62",
      reason: "other",
      reasonNote: "arrived broken",
      disposition: "restock",
    },
  ]);
  assert.equal((data.return as { refundAmount: string }).refundAmount, "21.20");
  assert.deepEqual(
    data.payments.map((p) => [(p as { kind: string }).kind, (p as { amount: string }).amount]),
    [["refund", "21.20"]],
  );
  assert.match(data.notes[0] ?? "", /has no SKU: not in the return/);
  const broken = refused(
    decode(
      '{"id": 1, "order_id": 2, "created_at": "2026-03-02T10:00:00Z", "refund_line_items": [{"quantity": 0, "line_item": {"sku": "A"}}]}',
      "refunds/create",
    ),
  );
  assert.match(broken, /\/refund_line_items\/0\/quantity expected a positive whole number/);
});
