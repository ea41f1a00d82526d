import assert from "node:assert/strict";
import { test } from "node:test";
import type { InboxMessage } from "../../store/store.ts";
import { webhookJsonConnector } from "./webhook-json-connector.ts";

function message(body: string): InboxMessage {
  return {
    id: "msg_1",
    source: "webhook",
    connection: "shop",
    dedupeKey: "wh-1",
    body: Buffer.from(body),
    headers: {},
    contentType: "application/json",
    receivedAt: 0,
    trace: undefined,
    size: body.length,
  };
}

const settings = {
  type: "webhook-json",
  eventType: "order.received",
  keyPointer: "/order/name",
  deliverTo: ["odoo", "wms"],
};

test("a JSON order becomes one event on its business stream and one ordered job per target", () => {
  const outcome = webhookJsonConnector.decode(
    message('{"order":{"name":"#1001","total":"12.50"}}'),
    "shop",
    settings,
  );
  assert.ok(outcome.ok);
  assert.equal(outcome.events[0]?.stream, "shop:#1001");
  assert.equal(outcome.events[0]?.type, "order.received");
  assert.deepEqual(
    outcome.jobs.map((j) => [j.target, j.idempotencyKey, j.orderingKey]),
    [
      ["odoo", "shop:wh-1:odoo", "shop:#1001"],
      ["wms", "shop:wh-1:wms", "shop:#1001"],
    ],
  );
});

test("invalid JSON is rejected with the line and column of the fault", () => {
  const outcome = webhookJsonConnector.decode(
    message('{\n  "order": {\n    "name": "#1", oops\n}'),
    "shop",
    settings,
  );
  assert.equal(outcome.ok, false);
  assert.ok(!outcome.ok);
  assert.equal(outcome.error.code, "CDK_DECODE_FAILED");
  assert.match(outcome.error.message, /line 3 column 19: invalid JSON/);
  assert.match(outcome.error.message, /message msg_1 \(connection shop, key wh-1\)/);
});

test("a missing business key names the pointer and what was expected", () => {
  const outcome = webhookJsonConnector.decode(message('{"order":{}}'), "shop", settings);
  assert.ok(!outcome.ok);
  assert.match(
    outcome.error.message,
    /body at \/order\/name is missing \(expected a string or number business key\)/,
  );
});

test("hostile bodies are rejected, not crashed on", () => {
  for (const body of ["[1,2]", "null", '"x"', "\u0000\u0001binary", "{".repeat(100_000)]) {
    const outcome = webhookJsonConnector.decode(message(body), "shop", settings);
    assert.equal(outcome.ok, false, body.slice(0, 10));
  }
});
