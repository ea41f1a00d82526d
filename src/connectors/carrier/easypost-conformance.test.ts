import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { createEasyPostVerifier } from "../../gateway/signatures/easypost-verifier.ts";
import type { InboxMessage } from "../../store/store.ts";
import type { ConformanceResult } from "../conformance.ts";
import { easypostConformanceDecoder as decoder } from "./easypost-conformance.ts";
import { easypostConnector } from "./easypost-connector.ts";

const CORPUS = new URL("../../../../shared/corpus/carriers/", import.meta.url);
const present = existsSync(CORPUS);
const skip = present ? false : "corpus folder ../shared/corpus/carriers is absent";
const bytes = (name: string) => new Uint8Array(readFileSync(new URL(name, CORPUS)));

describe("easypost-json conformance over the carriers corpus", { skip }, () => {
  const results = new Map<string, ConformanceResult>();
  test("every file is sniffed, decoded without throwing, parsed or located", async () => {
    for (const file of readdirSync(CORPUS).filter((f) => f.endsWith(".json"))) {
      assert.ok(decoder.sniff(file, bytes(file)), file);
      const result = await decoder.decode(file, bytes(file));
      results.set(file, result);
      assert.ok(result.outcome === "parsed" || (result.error?.location.line ?? 0) >= 1, file);
    }
  });

  test("expected counts", () => {
    const summary = (f: string) => {
      const r = results.get(f);
      return [r?.outcome, r?.documents, r?.records];
    };
    assert.deepEqual(summary("easypost__event-body_tracker.updated.json"), [
      "parsed",
      [{ type: "tracker.updated", count: 1 }],
      { tracking: 1 },
    ]);
    assert.deepEqual(summary("easypost__trackers-list.json"), [
      "parsed",
      [{ type: "Tracker", count: 1 }],
      { tracking: 1 },
    ]);
    assert.deepEqual(summary("easypost__trackers-create.json"), [
      "parsed",
      [{ type: "Tracker", count: 1 }],
      { tracking: 1 },
    ]);
    assert.deepEqual(summary("easypost__shipments-buy.json"), [
      "parsed",
      [{ type: "Shipment", count: 1 }],
      { tracking: 1 },
    ]);
    assert.deepEqual(summary("easypost__events-list.json"), [
      "parsed",
      [{ type: "tracker.created", count: 1 }],
      {},
    ]);
    assert.deepEqual(summary("easypost__events-retrieve.json"), [
      "parsed",
      [{ type: "tracker.created", count: 1 }],
      {},
    ]);
    const fixtures = results.get("easypost__client-library-fixtures.json");
    assert.equal(fixtures?.outcome, "error");
    assert.equal(fixtures?.error?.location.line, 1);
    assert.match(
      fixtures?.error?.message ?? "",
      /is not an EasyPost Event, Tracker, Shipment or list of them \(keys: addresses, billing/,
    );
  });

  test("the signed corpus body verifies with the gateway's EasyPost verifier, then decodes", () => {
    const fixtures = JSON.parse(
      readFileSync(new URL("easypost__client-library-fixtures.json", CORPUS), "utf8"),
    );
    const body = readFileSync(new URL("easypost__event-body_tracker.updated.json", CORPUS)).subarray(0, -1); // newline not signed
    const verifier = createEasyPostVerifier([{ reveal: () => fixtures.webhooks.secret }]);
    const verification = verifier.verify(body, { "x-hmac-signature": fixtures.webhooks.hmac_signature });
    assert.deepEqual(verification, { outcome: "verified", senderId: "evt_1" });
    const message: InboxMessage = {
      id: "m",
      source: "webhook",
      connection: "carrier",
      dedupeKey: "evt_1",
      body,
      headers: {},
      contentType: "application/json",
      receivedAt: 0,
      trace: undefined,
      size: body.length,
    };
    const outcome = easypostConnector.decode(message, "carrier", { type: "easypost" });
    assert.ok(outcome.ok);
    assert.deepEqual(
      outcome.events.map((e) => [e.stream, e.type]),
      [["shipment:fedex:1", "shipment.tracking_updated"]],
    );
  });
});

test("unknown shapes and broken JSON are located errors", async () => {
  const broken = await decoder.decode("x.json", Buffer.from('{\n "object": "Tracker",\n oops }'));
  assert.equal(broken.outcome, "error");
  assert.equal(broken.error?.location.line, 3);
  const bad = await decoder.decode(
    "t.json",
    Buffer.from(
      '{"trackers": [\n{"object": "Tracker", "id": "trk_1",\n "tracking_code": "1", "carrier": "UPS",\n "status": "lost"}]}',
    ),
  );
  assert.equal(bad.error?.location.field, "/trackers/0/status");
  assert.equal(bad.error?.location.line, 4);
  assert.equal(decoder.sniff("a.csv", Buffer.from("a,b\n")), false);
});
