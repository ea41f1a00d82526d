import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { InboxMessage } from "../../store/store.ts";
import {
  EASYPOST_TYPE,
  easypostConnector,
  SHIPMENT_DELIVERED,
  SHIPMENT_TRACKING_UPDATED,
} from "./easypost-connector.ts";

const DELIVERED = readFileSync(new URL("./fixtures/tracker-delivered.json", import.meta.url), "utf8");
const settings = { type: EASYPOST_TYPE };

function message(body: string): InboxMessage {
  return {
    id: "msg_1",
    source: "webhook",
    connection: "carrier",
    dedupeKey: "evt_test_1",
    body: Buffer.from(body),
    headers: {},
    contentType: "application/json",
    receivedAt: 0,
    trace: undefined,
    size: body.length,
  };
}
// biome-ignore lint/suspicious/noExplicitAny: tests edit arbitrary JSON
const edit = (change: (body: Record<string, any>) => void) => {
  const body = JSON.parse(DELIVERED);
  change(body);
  return JSON.stringify(body);
};

describe("easypost connector", () => {
  test("a delivered update gives tracking_updated and delivered on the parcel's stream", () => {
    const outcome = easypostConnector.decode(message(DELIVERED), "carrier", settings);
    assert.ok(outcome.ok);
    assert.deepEqual(
      outcome.events.map((e) => [e.stream, e.type, e.causationId]),
      [
        ["shipment:ups:1ZTEST0000000001", SHIPMENT_TRACKING_UPDATED, "msg_1"],
        ["shipment:ups:1ZTEST0000000001", SHIPMENT_DELIVERED, "msg_1"],
      ],
    );
    const data = outcome.events[0]?.data as Record<string, unknown>;
    assert.equal(data.status, "delivered");
    assert.equal(data.shipmentStatus, "delivered");
    assert.equal(data.previousStatus, "out_for_delivery");
    assert.equal(data.carrierName, "UPS");
    assert.equal(data.service, "Ground");
    assert.equal(data.estDeliveryDate, "2026-03-03T00:00:00Z");
    assert.equal(data.eventId, "evt_test_1");
    assert.equal((data.details as unknown[]).length, 2);
    assert.deepEqual(outcome.events[1]?.data, {
      carrier: "ups",
      trackingCode: "1ZTEST0000000001",
      trackerId: "trk_test_1",
      deliveredAt: "2026-03-03T14:01:00Z",
      signedBy: "J. DOE",
      eventId: "evt_test_1",
      receivedVia: "easypost",
      messageId: "msg_1",
    });
  });

  test("an update of an already delivered tracker, and an in-transit one, give no delivered event", () => {
    for (const body of [
      edit((b) => {
        b.previous_attributes = { est_delivery_date: null };
      }),
      edit((b) => {
        b.result.status = "in_transit";
      }),
    ]) {
      const outcome = easypostConnector.decode(message(body), "carrier", settings);
      assert.ok(outcome.ok);
      assert.deepEqual(
        outcome.events.map((e) => e.type),
        [SHIPMENT_TRACKING_UPDATED],
      );
    }
    const created = easypostConnector.decode(
      message(
        edit((b) => {
          b.description = "tracker.created";
          b.previous_attributes = {};
        }),
      ),
      "carrier",
      settings,
    );
    assert.ok(created.ok && created.events.length === 2, "a tracker created already delivered");
  });

  test("statuses are normalised: error is failure, return_to_sender returns the shipment", () => {
    const read = (status: string) => {
      const outcome = easypostConnector.decode(
        message(
          edit((b) => {
            b.result.status = status;
          }),
        ),
        "carrier",
        settings,
      );
      assert.ok(outcome.ok);
      const data = outcome.events[0]?.data as Record<string, unknown>;
      return [data.status, data.shipmentStatus, data.carrierStatus];
    };
    assert.deepEqual(read("error"), ["failure", null, "error"]);
    assert.deepEqual(read("return_to_sender"), ["return_to_sender", "returned", "return_to_sender"]);
    assert.deepEqual(read("pre_transit"), ["pre_transit", "shipped", "pre_transit"]);
  });

  test("other Events, and Events of another mode, are acknowledged with no events", () => {
    for (const [body, s] of [
      [
        edit((b) => {
          b.description = "batch.updated";
          b.result = { object: "Batch" };
        }),
        settings,
      ],
      [DELIVERED, { ...settings, mode: "production" }],
    ] as const) {
      const outcome = easypostConnector.decode(message(body), "carrier", s);
      assert.deepEqual(outcome, { ok: true, events: [], jobs: [] });
    }
  });

  test("an invalid body is refused with JSON pointers; hostile bodies never throw", () => {
    const outcome = easypostConnector.decode(
      message(
        edit((b) => {
          b.result.status = "teleported";
          b.result.tracking_details[1].datetime = "yesterday";
          delete b.result.tracking_code;
        }),
      ),
      "carrier",
      settings,
    );
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.code, "CDK_DECODE_FAILED");
    assert.match(outcome.error.message, /\/result\/tracking_code must be a tracking code/);
    assert.match(outcome.error.message, /\/result\/status must be one of unknown, pre_transit/);
    assert.match(
      outcome.error.message,
      /\/result\/tracking_details\/1\/datetime must be an RFC 3339 timestamp/,
    );
    for (const body of [
      "",
      "[]",
      "null",
      '{"object":"Event"}',
      "\u0000\u0001",
      "{".repeat(50_000),
      '{"object":"Event","id":"evt_1","description":"tracker.updated","result":[]}',
    ]) {
      const result = easypostConnector.decode(message(body), "carrier", settings);
      assert.equal(result.ok, false, body.slice(0, 20));
    }
    const big = easypostConnector.decode(message("x".repeat(2_000_000)), "carrier", settings);
    assert.ok(!big.ok && /above the 1048576/.test(big.error.message));
  });
});
