/**
 * Partner files to events: X12 and EDIFACT orders become `order.received` like any channel's, a 945
 * becomes `shipment.dispatched` on the order the hub sent (complete or not from W12-01), an 846 is
 * merged into `stock.reported` events, and a bad file is refused whole with its location.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { InboxMessage } from "../../store/store.ts";
import { partnerFileConnector } from "./partner-file-connector.ts";

const fixture = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url));

function message(body: Uint8Array | string, file = "in.edi"): InboxMessage {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  return {
    id: "msg_1",
    source: "sftp",
    connection: "acme",
    dedupeKey: "sftp:acme:x",
    body: bytes,
    headers: { "x-sftp-file": file },
    contentType: undefined,
    receivedAt: 0,
    trace: undefined,
    size: bytes.length,
  };
}

const x12 = { type: "sftp", format: "x12", channel: "acme" };

test("an X12 850 is order.received on the order's stream, in the partner's channel", () => {
  const outcome = partnerFileConnector.decode(
    message(fixture("edi-x12/fixtures/850-two-lines.x12")),
    "acme",
    x12,
  );
  assert.ok(outcome.ok, outcome.ok ? "" : outcome.error.message);
  const [event] = outcome.events;
  assert.equal(event?.type, "order.received");
  assert.match(event?.stream ?? "", /^order:acme:.+/);
  const order = (event?.data as { order?: { channel: string; lines: unknown[] } } | undefined)?.order;
  assert.equal(order?.channel, "acme");
  assert.equal(order?.lines.length, 2);
  assert.equal(event?.causationId, "msg_1");
});

test("a 945 is shipment.dispatched; W12-01 CC/CP makes it complete, PR leaves the rest to come", () => {
  const text = fixture("edi-x12/fixtures/945-3pl-shipment.x12").toString("latin1");
  const keyed = text.replace("W06*F*SO-1001*", "W06*F*shop:1001*");
  const outcome = partnerFileConnector.decode(message(keyed), "wms", { type: "sftp", format: "x12" });
  assert.ok(outcome.ok, outcome.ok ? "" : outcome.error.message);
  const [event] = outcome.events;
  assert.equal(event?.type, "shipment.dispatched");
  assert.equal(event?.stream, "order:shop:1001", "the hub's key came back in W06-02");
  const data = event?.data as {
    complete: boolean;
    trackingNumber?: string;
    lines: { sku: string; quantity: string }[];
  };
  assert.equal(data.complete, true);
  assert.deepEqual(
    data.lines.map((l) => [l.sku, l.quantity]),
    [
      ["CHAIR-OAK-01", "2"],
      ["CUSHION-GREY", "3"],
    ],
  );
  const partial = partnerFileConnector.decode(message(keyed.replace("W12*CP*4*3*1", "W12*PR*4*3*1")), "wms", {
    type: "sftp",
    format: "x12",
  });
  assert.ok(partial.ok);
  assert.equal((partial.events[0]?.data as { complete?: boolean } | undefined)?.complete, false);
  const own = partnerFileConnector.decode(message(text), "wms", { type: "sftp", format: "x12" });
  assert.ok(own.ok);
  assert.equal(own.events[0]?.stream, "order:wms:SO-1001", "a partner's own number stays in its channel");
});

test("an 846 becomes stock.reported events, merged per warehouse", () => {
  const outcome = partnerFileConnector.decode(message(fixture("edi-x12/fixtures/846-3pl-stock.x12")), "wms", {
    type: "sftp",
    format: "x12",
    warehouse: "RENO",
  });
  assert.ok(outcome.ok, outcome.ok ? "" : outcome.error.message);
  assert.ok(outcome.events.length >= 1);
  assert.ok(outcome.events.every((e) => e.type === "stock.reported" && e.stream.startsWith("stock:wms:")));
  const levels = outcome.events.flatMap((e) => (e.data as { levels: unknown[] }).levels);
  assert.ok(levels.length >= 2, `${levels.length} levels`);
});

test("a bad file is refused whole with where and why; nothing of it becomes an event", () => {
  const text = fixture("edi-x12/fixtures/850-two-lines.x12").toString("latin1");
  const broken = text.replace(/SE\*(\d+)\*/, (_m, n: string) => `SE*${Number(n) + 5}*`);
  const outcome = partnerFileConnector.decode(message(broken, "po-7.x12"), "acme", x12);
  assert.equal(outcome.ok, false);
  if (outcome.ok) return;
  assert.equal(outcome.error.code, "CDK_EDI_CONTROL");
  assert.match(outcome.error.message, /acme\/po-7\.x12/);
  assert.match(outcome.error.message, /SE/);
  assert.equal((outcome.error.details?.location as { tag?: string } | undefined)?.tag, "SE");
  const garbage = partnerFileConnector.decode(message(Buffer.alloc(300, 0xc9)), "acme", x12);
  assert.equal(garbage.ok, false);
});

test("EDIFACT ORDERS become order.received; no format keeps the bytes without events", () => {
  const outcome = partnerFileConnector.decode(
    message(fixture("edifact/fixtures/orders-d96a-latin1.edi")),
    "muller",
    {
      type: "sftp",
      format: "edifact",
      defaultCurrency: "EUR",
    },
  );
  assert.ok(outcome.ok, outcome.ok ? "" : outcome.error.message);
  assert.equal(outcome.events[0]?.type, "order.received");
  assert.match(outcome.events[0]?.stream ?? "", /^order:muller:PO-4711$/);
  const plain = partnerFileConnector.decode(message("anything"), "drop", { type: "sftp" });
  assert.deepEqual(plain, { ok: true, events: [], jobs: [] });
});

test("a 3PL's CSV shipment file through its layout: each shipment on its order's stream; a bad line refuses the file", async () => {
  const { SHIPMENTS_HD } = await import("../flatfile/fixtures/test-layouts.ts");
  const settings = { type: "sftp", format: "flat-file", layout: SHIPMENTS_HD };
  const body = fixture("flatfile/fixtures/shipments-hd.csv");
  assert.equal(
    partnerFileConnector.decode(message(body), "wms", settings).ok,
    false,
    "flat files need decodeAsync",
  );
  const outcome = await partnerFileConnector.decodeAsync?.(message(body, "ship.csv"), "wms", settings);
  assert.ok(outcome?.ok, outcome && !outcome.ok ? outcome.error.message : "no outcome");
  assert.deepEqual(
    outcome.events.map((e) => [e.type, e.stream]),
    [
      ["shipment.dispatched", "order:shop:1001"],
      ["shipment.dispatched", "order:shop:1002"],
    ],
  );
  const broken = Buffer.from(body.toString("utf8").replace("CHAIR-OAK;2", "CHAIR-OAK;two"));
  const refused = await partnerFileConnector.decodeAsync?.(message(broken, "ship.csv"), "wms", settings);
  assert.equal(refused?.ok, false);
  if (refused && !refused.ok) {
    assert.equal(refused.error.code, "CDK_FILE_RECORD_INVALID");
    assert.match(refused.error.message, /wms\/ship\.csv line 2/);
  }
});

test("a partner we write to gets a 997 job per interchange it sends; a 997 is never acknowledged", () => {
  const settings = {
    type: "sftp",
    format: "x12",
    channel: "acme",
    outbound: { folder: "in" },
    x12: { senderId: "CROSSDOCK", receiverId: "ACME" },
  };
  const outcome = partnerFileConnector.decode(
    message(fixture("edi-x12/fixtures/850-two-lines.x12")),
    "acme",
    settings,
  );
  assert.ok(outcome.ok);
  assert.equal(outcome.jobs.length, 1);
  const job = outcome.jobs[0];
  assert.equal(job?.kind, "edi.send-997");
  assert.equal(job?.target, "acme");
  assert.equal(job?.idempotencyKey, "edi-997:msg_1:0");
  const payload = job?.payload as {
    groups: { functionalId: string; outcomes: unknown[] }[];
    sender?: { id: string };
  };
  assert.deepEqual(
    payload.groups.map((g) => [g.functionalId, g.outcomes.length]),
    [["PO", 1]],
  );
  assert.ok(payload.sender?.id, "addressed back to the interchange's sender");
  const without = partnerFileConnector.decode(
    message(fixture("edi-x12/fixtures/850-two-lines.x12")),
    "acme",
    {
      type: "sftp",
      format: "x12",
    },
  );
  assert.ok(without.ok);
  assert.equal(without.jobs.length, 0, "no envelope or folder of ours: no 997");
});

test("EDIFACT: a CONTRL is edi.acknowledged (never answered); UNB09 = 1 asks for a CONTRL job; odd CONTRLs lose nothing", () => {
  const settings = {
    type: "sftp",
    format: "edifact",
    outbound: { folder: "to-eu" },
    edifact: { sender: { id: "HUB" }, recipient: { id: "EU" } },
  };
  const contrl = (uci: string) =>
    `UNA:+.? '\nUNB+UNOC:3+EU:14+HUB:ZZZ+261202:1100+C1'\nUNH+1+CONTRL:D:3:UN'\n${uci}\nUNT+3+1'\nUNZ+1+C1'`;
  // An interchange the hub never sent (the tracker answers unknown-group) and a rejection with its code.
  const read = partnerFileConnector.decode(message(contrl("UCI+999999+HUB:ZZZ+EU:14+4+18'")), "eu", settings);
  assert.ok(read.ok, read.ok ? "" : read.error.message);
  assert.deepEqual(
    read.events.map((e) => [e.type, e.stream]),
    [["edi.acknowledged", "edi:eu"]],
  );
  const ack = read.events[0]?.data as { groupControlNumber: string; status: string };
  assert.deepEqual([ack.groupControlNumber, ack.status], ["999999", "R"]);
  assert.equal(read.jobs.length, 0, "a CONTRL is not answered with a CONTRL");
  // A CONTRL without UCI says nothing: accepted, no event, nothing lost.
  const empty = partnerFileConnector.decode(message(contrl("FTX+AAI+++no uci here'")), "eu", settings);
  assert.ok(empty.ok, empty.ok ? "" : empty.error.message);
  assert.deepEqual(empty.events, []);
  // An ORDERS asking for an acknowledgement (UNB09 = 1) gets one CONTRL job back to its sender.
  const orders = fixture("edifact/fixtures/orders-d96a-latin1.edi");
  const asked = partnerFileConnector.decode(message(orders), "eu", { ...settings, defaultCurrency: "EUR" });
  assert.ok(asked.ok, asked.ok ? "" : asked.error.message);
  assert.deepEqual(
    asked.jobs.map((j) => [j.kind, j.target, j.idempotencyKey]),
    [["edifact.send-contrl", "eu", "edifact-contrl:msg_1:0"]],
  );
  assert.equal((asked.jobs[0]?.payload as { controlRef: string } | undefined)?.controlRef, "IC0001");
});
