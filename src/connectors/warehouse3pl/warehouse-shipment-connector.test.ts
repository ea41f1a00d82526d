/**
 * The `warehouse-3pl` connector: a 3PL shipment confirmation becomes one `shipment.dispatched` event
 * the workflow can read and that holds a valid canonical shipment; malformed, hostile and oversized
 * bodies are refused with located reasons and never throw; the shared corpus's JSON is refused cleanly.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { ShipmentConfirmation } from "../../../sandbox/warehouse3pl/sandbox-warehouse3pl.ts";
import { checkModel } from "../../core/model/model-checks.ts";
import type { InboxMessage } from "../../store/store.ts";
import {
  canonicalShipment,
  type ShipmentDispatched,
  WAREHOUSE_3PL_TYPE,
  warehouseShipmentConnector,
} from "./warehouse-shipment-connector.ts";

const CORPUS = join(import.meta.dirname, "../../../../shared/corpus");

function confirmation(extra: Partial<ShipmentConfirmation> = {}): ShipmentConfirmation {
  return {
    event: "shipment.confirmed",
    shipment_id: "SH-000001",
    order_id: "FO-000001",
    reference: "shop:9007199254740993",
    status: "partially_shipped",
    complete: false,
    shipped_at: "2026-01-01T00:01:00.000Z",
    carrier: "UPS",
    service: "Ground",
    tracking_number: "1ZSBX00000000001",
    packages: [
      {
        package_id: "PK-000001",
        tracking_number: "1ZSBX00000000001",
        weight_grams: 2500,
        lines: [
          { sku: "FURN_0001", quantity: 2 },
          { sku: "FURN_0002", quantity: 3 },
        ],
      },
    ],
    lines: [
      { sku: "FURN_0001", ordered: 4, shipped: 2, shipped_total: 2, cancelled: 0, remaining: 2 },
      { sku: "FURN_0002", ordered: 3, shipped: 3, shipped_total: 3, cancelled: 0, remaining: 0 },
      { sku: "FURN_0003", ordered: 1, shipped: 0, shipped_total: 0, cancelled: 0, remaining: 1 },
    ],
    ...extra,
  };
}

function message(body: string | Uint8Array): InboxMessage {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  return {
    id: "msg-1",
    source: "webhook",
    connection: "3pl",
    dedupeKey: "msg_abc",
    body: bytes,
    headers: {},
    contentType: "application/json",
    receivedAt: 0,
    trace: undefined,
    size: bytes.byteLength,
  };
}

function decode(body: unknown, settings: Record<string, unknown> = {}) {
  const raw = typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
  return warehouseShipmentConnector.decode(message(raw), "3pl", { type: WAREHOUSE_3PL_TYPE, ...settings });
}

function refused(body: unknown, settings: Record<string, unknown> = {}): string {
  const outcome = decode(body, settings);
  assert.equal(outcome.ok, false, "refused");
  if (outcome.ok) return "";
  assert.equal(outcome.error.code, "CDK_DECODE_FAILED");
  return outcome.error.message;
}

describe("warehouse-3pl connector", () => {
  test("a partial shipment: one event on the order's stream, the notice the workflow reads, a valid shipment/v1", () => {
    const outcome = decode(confirmation(), { warehouse: "3PL-EAST" });
    assert.ok(outcome.ok);
    assert.equal(outcome.events.length, 1);
    assert.equal(outcome.jobs.length, 0);
    const [event] = outcome.events;
    assert.equal(event?.type, "shipment.dispatched");
    assert.equal(event?.stream, "order:shop:9007199254740993");
    assert.equal(event?.causationId, "msg-1");
    const data = event?.data as unknown as ShipmentDispatched;
    assert.equal(data.shipmentId, "SH-000001");
    assert.equal(data.complete, false);
    assert.equal(data.trackingNumber, "1ZSBX00000000001");
    assert.equal(data.carrier, "UPS");
    assert.deepEqual(
      data.lines.map((l) => [l.sku, l.quantity]),
      [
        ["FURN_0001", "2"],
        ["FURN_0002", "3"],
      ],
      "shipped quantities as decimal strings; a line with nothing shipped is left out",
    );
    assert.deepEqual(data.order, { channel: "shop", channelOrderId: "9007199254740993" });
    const checked = checkModel("shipment", canonicalShipment(data));
    assert.ok(checked.ok, JSON.stringify(!checked.ok && checked.problems));
    assert.equal(checked.value.warehouse, "3PL-EAST");
    assert.deepEqual(checked.value.packages?.[0]?.weight, { value: "2500", unit: "g" });
  });

  test("a confirmation that ships nothing still tells the workflow the order is complete", () => {
    const outcome = decode(
      confirmation({
        status: "shipped",
        complete: true,
        tracking_number: "",
        packages: [],
        lines: [
          {
            sku: "FURN_0001",
            ordered: 4,
            shipped: 0,
            shipped_total: 2,
            cancelled: 2,
            remaining: 0,
            reason: "stock_discrepancy",
          },
        ],
      }),
    );
    assert.ok(outcome.ok);
    const data = outcome.events[0]?.data as unknown as ShipmentDispatched;
    assert.equal(data.complete, true);
    assert.deepEqual(data.lines, []);
    assert.equal(data.trackingNumber, undefined);
    assert.equal(checkModel("shipment", canonicalShipment(data)).ok, false, "no lines: not a shipment");
  });

  test("malformed JSON is located by line and column", () => {
    const text = '{\n  "event": "shipment.confirmed",\n  "lines": [ {"sku": "A", } ]\n}';
    assert.match(refused(text), /line 3 column \d+/);
    assert.match(refused(""), /invalid JSON/);
    assert.match(refused(Buffer.from(JSON.stringify(confirmation())).subarray(0, 100)), /invalid JSON/);
  });

  test("wrong shapes are refused with every problem's pointer", () => {
    assert.match(refused([confirmation()]), /\/ must be a JSON object/);
    assert.match(refused("42"), /must be a JSON object/);
    const reason = refused({
      ...confirmation(),
      event: "shipment.created",
      shipment_id: "",
      reference: "no-channel",
      complete: "yes",
      shipped_at: "yesterday",
      lines: [{ sku: "A", shipped: -1 }, { sku: "B", shipped: 1.5 }, "x", { shipped: 1 }],
      packages: [{ lines: [{ sku: "A", quantity: "2" }] }],
      carrier: "C".repeat(65),
    });
    for (const pointer of [
      "/event",
      "/shipment_id",
      "/reference",
      "/complete",
      "/shipped_at",
      "/lines/0/shipped",
      "/lines/1/shipped",
      "/lines/2 ",
      "/lines/3/sku",
    ]) {
      assert.ok(reason.includes(pointer), `${pointer} in ${reason}`);
    }
    assert.match(reason, /and 1 more/, "capped at ten, the rest counted");
    assert.match(refused({ ...confirmation(), lines: [] }), /\/lines must be a list of 1/);
    assert.match(refused({ ...confirmation(), shipped_at: "2026-02-30T00:00:00Z" }), /\/shipped_at/);
  });

  test("hostile input: ids beyond 2^53, control characters, prototype keys, deep nesting, oversized bodies", () => {
    const huge = refused(
      `{"event":"shipment.confirmed","shipment_id":"S","reference":"shop:1","complete":true,"shipped_at":"2026-01-01T00:00:00Z","lines":[{"sku":"A","shipped":123456789012345678901}]}`,
    );
    assert.match(huge, /\/lines\/0\/shipped/);
    assert.match(refused({ ...confirmation(), reference: "shop:1\u0000; DROP" }), /\/reference/);
    assert.match(refused({ ...confirmation(), reference: `shop:${"9".repeat(400)}` }), /\/reference/);
    assert.match(refused({ ...confirmation(), tracking_number: "1Z\n2" }), /\/tracking_number/);
    const proto = decode(`{"__proto__":{"complete":true},${JSON.stringify(confirmation()).slice(1)}`);
    assert.ok(proto.ok);
    assert.equal(({} as { complete?: unknown }).complete, undefined, "no prototype pollution");
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    assert.match(refused(deep), /must be a JSON object|too deeply/);
    const big = JSON.stringify({ ...confirmation(), padding: "x".repeat(300 * 1024) });
    assert.match(refused(big), /above the 262144/);
    assert.ok(decode(big, { maxBodyBytes: 1_048_576 }).ok, "the limit is a setting");
    const many = {
      ...confirmation(),
      lines: Array.from({ length: 10_001 }, (_, i) => ({ sku: `S${i}`, shipped: 1 })),
    };
    assert.match(refused(many, { maxBodyBytes: 4_194_304 }), /\/lines must be a list of 1 to 10000/);
    const started = performance.now();
    refused(
      { ...confirmation(), lines: Array.from({ length: 10_000 }, () => "x") },
      { maxBodyBytes: 4_194_304 },
    );
    assert.ok(performance.now() - started < 1_000, "ten thousand bad lines are cheap to refuse");
  });

  test("every JSON payload of the shared corpus is refused with a reason, none throws", async (t) => {
    const dirs = ["3pl", "shopify", "woocommerce", "carriers"];
    let seen = 0;
    for (const dir of dirs) {
      let names: string[];
      try {
        names = await readdir(join(CORPUS, dir));
      } catch {
        continue;
      }
      for (const name of names.filter((n) => n.endsWith(".json"))) {
        const bytes = await readFile(join(CORPUS, dir, name));
        const outcome = decode(new Uint8Array(bytes), { maxBodyBytes: 16 * 1_048_576 });
        assert.equal(outcome.ok, false, `${dir}/${name} is not a shipment confirmation`);
        if (!outcome.ok) assert.match(outcome.error.message, /not a shipment confirmation|invalid JSON/);
        seen++;
      }
    }
    if (seen === 0) t.skip(`no corpus at ${CORPUS}`);
  });
});
