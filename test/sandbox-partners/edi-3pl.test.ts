import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type SandboxEdi3pl,
  type SandboxEdi3plOptions,
  startSandboxEdi3pl,
} from "../../sandbox/edi-3pl/sandbox-edi-3pl.ts";
import type { X12FunctionalAck } from "../../src/connectors/edi-x12/x12-997-ack.ts";
import { build940 } from "../../src/connectors/edi-x12/x12-build-940.ts";
import { build943, type StockTransfer } from "../../src/connectors/edi-x12/x12-build-943.ts";
import { X12_MAPPERS } from "../../src/connectors/edi-x12/x12-mappers.ts";
import type { X12Record } from "../../src/connectors/edi-x12/x12-mapping.ts";
import { readX12, x12Sets } from "../../src/connectors/edi-x12/x12-reader.ts";
import { createX12SetRunner, type X12SetOutcome } from "../../src/connectors/edi-x12/x12-set-runner.ts";
import { runX12 } from "../../src/connectors/edi-x12/x12-stream.ts";
import { writeX12Interchange, type X12PartnerEnvelope } from "../../src/connectors/edi-x12/x12-writer.ts";
import { type SandboxSshd, startSandboxSshd } from "../../src/connectors/sftp/sandbox-sshd.ts";
import { createSftpClient, type SftpClient } from "../../src/connectors/sftp/sftp-client.ts";
import { createSftpPublisher } from "../../src/connectors/sftp/sftp-publisher.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { MODEL_EXAMPLES } from "../../src/core/model/model-examples.ts";
import type { Order } from "../../src/core/model/order.ts";
import type { Receipt } from "../../src/core/model/receipt.ts";
import type { Shipment } from "../../src/core/model/shipment.ts";
import type { StockLevel } from "../../src/core/model/stock.ts";

const POLL = 10_000;
const SHIP = 60_000;

/** The hub's envelope towards the sandbox 3PL. */
const hub: X12PartnerEnvelope = {
  senderQualifier: "ZZ",
  senderId: "CROSSDOCK",
  receiverQualifier: "ZZ",
  receiverId: "SBX3PL",
  version: "00401",
  elementSeparator: "*",
  segmentTerminator: "~",
  componentSeparator: ">",
  usageIndicator: "T",
  lineBreak: "\n",
};

let hubControl = 100;
/** A 940 interchange for `reference` with `lines` (SKU, quantity), from the project's 940 builder. */
function edi940(reference: string, lines: [string, string][], envelope = hub): string {
  const example = MODEL_EXAMPLES.order as Order;
  const order: Order = {
    ...example,
    channelOrderId: reference,
    orderNumber: `PO-${reference}`,
    lines: lines.map(([sku, quantity], i) => ({
      ...example.lines[0]!,
      lineId: String(i + 1),
      sku,
      quantity,
    })),
  };
  const n = ++hubControl;
  return writeX12Interchange(envelope, {
    functionalId: "OW",
    sets: [build940(order)],
    control: { interchange: n, group: n, sets: [n] },
    at: new Date("2026-01-01T00:00:00Z"),
  });
}

/** A file from the 3PL as the hub reads it: the project's reader and mappers. */
interface Read3plFile {
  name: string;
  type: string;
  isa13: string;
  records: X12Record[];
  outcomes: X12SetOutcome[];
}

let sshd: SandboxSshd;
let hubClient: SftpClient;
let folders = 0;

before(async () => {
  sshd = await startSandboxSshd();
  hubClient = createSftpClient({ connection: "hub", ...sshd.connection });
});
after(async () => {
  await hubClient.close();
  await sshd.close();
});

async function setup(options: SandboxEdi3plOptions = {}) {
  const clock = new ManualClock();
  const n = ++folders;
  const edi = await startSandboxEdi3pl({
    clock,
    sshd,
    inbound: `t${n}/to-3pl`,
    outbound: `t${n}/from-3pl`,
    pollIntervalMs: POLL,
    shipDelayMs: SHIP,
    stockReportEveryMs: false,
    ...options,
  });
  const publisher = createSftpPublisher({ client: hubClient, connection: "hub", outbound: edi.inbound });
  const step = async (ms: number) => {
    clock.advance(ms);
    await edi.runDue();
  };
  return {
    clock,
    edi,
    step,
    /** The hub drops a file into to-3pl the way Crossdock does (temp name, then rename). */
    drop: (name: string, text: string) => publisher.publish(name, Buffer.from(text)),
    /** Every file in from-3pl, read and mapped as the hub would. */
    files: () => read3pl(edi),
    close: () => edi.close(),
  };
}

function read3pl(edi: SandboxEdi3pl): Read3plFile[] {
  const names = readdirSync(edi.local.outbound, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort();
  return names.map((name) => {
    const bytes = readFileSync(join(edi.local.outbound, name));
    const records: X12Record[] = [];
    const outcomes: X12SetOutcome[] = [];
    let isa13 = "";
    const runner = createX12SetRunner(name, { connection: "sbx-3pl" }, X12_MAPPERS, {
      record: (r) => records.push(r),
      interchangeEnd: (o, isa) => {
        outcomes.push(...o);
        isa13 = isa?.elements[12] ?? "";
      },
      problem: (p) => assert.fail(p.message),
    });
    runX12(name, bytes, runner);
    return { name, type: outcomes[0]?.type ?? "", isa13, records, outcomes };
  });
}

const ofType = (files: Read3plFile[], type: string) => files.filter((f) => f.type === type);
const shipments = (files: Read3plFile[]) =>
  ofType(files, "945").flatMap((f) => f.records.map((r) => r.value as Shipment));
const acks = (files: Read3plFile[]) =>
  ofType(files, "997").flatMap((f) => f.records.map((r) => r.value as X12FunctionalAck));
const lineQty = (s: Shipment) => s.lines.map((l) => [l.sku, l.quantity]);

describe("sandbox EDI 3PL (940 in, 997/945/846 out over a real OpenSSH server)", () => {
  test("a 940 is read, acknowledged with a 997, and shipped after shipDelayMs as a 945 that maps to a shipment", async () => {
    const t = await setup({ stock: { "CHAIR-OAK-01": 10, "CUSHION-GREY": 10 } });
    try {
      await t.drop(
        "SO-1.edi",
        edi940("SO-1", [
          ["CHAIR-OAK-01", "2"],
          ["CUSHION-GREY", "4"],
        ]),
      );
      writeFileSync(join(t.edi.local.inbound, ".SO-9.edi.part"), "ISA*half a file");
      writeFileSync(join(t.edi.local.inbound, "SO-9.tmp"), "ISA*half a file");
      await t.step(POLL);
      const afterPoll = t.files();
      assert.deepEqual(
        afterPoll.map((f) => f.type),
        ["997"],
      );
      const [ack] = acks(afterPoll);
      assert.equal(ack?.status, "A");
      assert.equal(ack?.functionalId, "OW");
      assert.equal(ack?.groupControlNumber, String(hubControl));
      assert.deepEqual(
        ack?.sets.map((s) => [s.type, s.status]),
        [["940", "A"]],
      );
      assert.deepEqual(
        readdirSync(t.edi.local.inbound).sort(),
        [".SO-9.edi.part", "SO-9.tmp", "archive", "rejected"],
        "the 940 was taken (moved to archive/); temp names were left alone",
      );
      assert.equal(t.edi.warehouse.byReference("SO-1")?.status, "received");

      await t.step(SHIP - 1);
      assert.equal(ofType(t.files(), "945").length, 0, "not before shipDelayMs");
      await t.step(1);
      const files = t.files();
      const [shipment] = shipments(files);
      const order = t.edi.warehouse.byReference("SO-1")!;
      const confirmation = order.shipments[0]!;
      assert.equal(order.status, "shipped");
      assert.deepEqual(shipment?.order, { channel: "sbx-3pl", channelOrderId: "SO-1" });
      assert.equal(shipment?.shipmentId, confirmation.shipment_id);
      assert.equal(shipment?.trackingNumber, confirmation.tracking_number);
      assert.equal(shipment?.shippedAt, "2026-01-01T00:01:10Z");
      assert.equal(shipment?.warehouse, "SBX1");
      assert.deepEqual(lineQty(shipment!), [
        ["CHAIR-OAK-01", "2"],
        ["CUSHION-GREY", "4"],
      ]);
      // 6 units at 5 a package: the cushions span both packages; the 945 names both after their W12.
      const trackings = confirmation.packages.map((p) => p.tracking_number);
      assert.equal(trackings.length, 2);
      const raw = readFileSync(join(t.edi.local.outbound, ofType(files, "945")[0]!.name), "utf8");
      assert.ok(
        raw.includes(`W12*CC*4*4*0*EA**VP*CUSHION-GREY~\nN9*2I*${trackings[0]}~\nN9*2I*${trackings[1]}~`),
      );
      // The hub's mapper files a line under its first package only (see README, "Not simulated").
      for (const p of shipment?.packages ?? []) assert.ok(trackings.includes(p.trackingNumber ?? ""));
      const extension = shipment!.extensions!["sbx-3pl"] as { references: Record<string, string> };
      const refs = extension.references;
      assert.equal(refs.CN, "PRO000001");
      assert.equal(refs.BM, "BOL-SBX1-000001");
      assert.equal(refs["2I"], confirmation.tracking_number);
      // The 3PL's own control numbers increase across its files; its envelope addresses the hub.
      assert.deepEqual(
        files.map((f) => [f.type, f.isa13]),
        [
          ["945", "000000002"],
          ["997", "000000001"],
        ],
      );
      const doc = readX12("945", readFileSync(join(t.edi.local.outbound, files[0]!.name)));
      const isa = doc.interchanges[0]!.header!;
      assert.deepEqual([isa.elements[5]?.trim(), isa.elements[7]?.trim()], ["SBX3PL", "CROSSDOCK"]);
      assert.equal(doc.interchanges[0]!.groups[0]!.header!.elements[0], "SW");
      assert.deepEqual(
        t.edi.stockRows().map((r) => [r.sku, r.onHand]),
        [
          ["CHAIR-OAK-01", 8],
          ["CUSHION-GREY", 6],
        ],
      );
    } finally {
      await t.close();
    }
  });

  test("a partial shipment (half now, the rest later) gives two 945s that add up to the order", async () => {
    const t = await setup();
    try {
      t.edi.warehouse.plan("SO-2", { kind: "partial", ship: "half", rest: "later", restAfterMs: 3_600_000 });
      await t.drop(
        "SO-2.edi",
        edi940("SO-2", [
          ["CHAIR-OAK-01", "2"],
          ["CUSHION-GREY", "5"],
        ]),
      );
      await t.step(POLL);
      await t.step(SHIP);
      assert.deepEqual(shipments(t.files()).map(lineQty), [
        [
          ["CHAIR-OAK-01", "1"],
          ["CUSHION-GREY", "2"],
        ],
      ]);
      const first945 = readX12(
        "945",
        readFileSync(join(t.edi.local.outbound, ofType(t.files(), "945")[0]!.name)),
      );
      const w12 = [...x12Sets(first945)][0]!.set.segments.filter((s) => s.tag === "W12");
      assert.deepEqual(
        w12.map((s) => s.elements.slice(0, 4)),
        [
          ["BP", "2", "1", "1"],
          ["BP", "5", "2", "3"],
        ],
        "status BP (backorder to follow), ordered, shipped, still to ship",
      );
      await t.step(3_600_000);
      const all = shipments(t.files());
      assert.equal(all.length, 2);
      assert.deepEqual(lineQty(all[1]!), [
        ["CHAIR-OAK-01", "1"],
        ["CUSHION-GREY", "3"],
      ]);
      assert.notEqual(all[0]!.shipmentId, all[1]!.shipmentId);
      assert.equal(t.edi.warehouse.byReference("SO-2")?.status, "shipped");
    } finally {
      await t.close();
    }
  });

  test("a stock discrepancy ships what is there, with the W12 quantity difference and the reason", async () => {
    const t = await setup({ stock: { "CHAIR-OAK-01": 1 } });
    try {
      await t.drop(
        "SO-3.edi",
        edi940("SO-3", [
          ["CHAIR-OAK-01", "3"],
          ["CUSHION-GREY", "1"],
        ]),
      );
      await t.step(POLL);
      await t.step(SHIP);
      const files = t.files();
      assert.deepEqual(lineQty(shipments(files)[0]!), [
        ["CHAIR-OAK-01", "1"],
        ["CUSHION-GREY", "1"],
      ]);
      const doc = readX12("945", readFileSync(join(t.edi.local.outbound, ofType(files, "945")[0]!.name)));
      const segments = [...x12Sets(doc)][0]!.set.segments;
      const w12 = segments.find((s) => s.tag === "W12")!;
      assert.deepEqual(w12.elements.slice(0, 4), ["CP", "3", "1", "2"]);
      const next = segments[segments.indexOf(w12) + 2]!;
      assert.deepEqual([next.tag, ...next.elements], ["N9", "ZZ", "STOCK_DISCREPANCY"]);
      assert.equal(t.edi.warehouse.stock.get("CHAIR-OAK-01"), 0);
    } finally {
      await t.close();
    }
  });

  test("an outage delays reading and writing, and loses nothing", async () => {
    const t = await setup();
    try {
      await t.drop("SO-A.edi", edi940("SO-A", [["CHAIR-OAK-01", "1"]]));
      await t.step(POLL); // t = 10 s: SO-A read, 997 written
      t.edi.outage(200_000); // down until t = 210 s
      await t.drop("SO-B.edi", edi940("SO-B", [["CUSHION-GREY", "2"]]));
      await t.step(SHIP); // t = 70 s: SO-A ships in the warehouse; its 945 waits
      assert.equal(t.edi.warehouse.byReference("SO-A")?.status, "shipped");
      assert.equal(t.edi.warehouse.byReference("SO-B"), undefined, "not read during the outage");
      assert.deepEqual(
        t.files().map((f) => f.type),
        ["997"],
      );
      assert.ok(readdirSync(t.edi.local.inbound).includes("SO-B.edi"));
      for (let i = 0; i < 14; i++) await t.step(POLL); // t = 210 s: back
      assert.deepEqual(
        shipments(t.files()).map((s) => s.order.channelOrderId),
        ["SO-A"],
      );
      assert.equal(acks(t.files()).length, 2, "SO-B read and acknowledged once the system is back");
      await t.step(SHIP);
      assert.deepEqual(
        shipments(t.files())
          .map((s) => s.order.channelOrderId)
          .sort(),
        ["SO-A", "SO-B"],
      );
    } finally {
      await t.close();
    }
  });

  test("when the SFTP server is down, writes are retried at the next polls and nothing is lost", async () => {
    const t = await setup({ sftpTimeoutMs: 2_000 });
    try {
      await t.drop("SO-S.edi", edi940("SO-S", [["CHAIR-OAK-01", "1"]]));
      await t.step(POLL);
      await sshd.stop();
      try {
        await t.step(SHIP); // ships; the 945 cannot be written
        assert.equal(t.edi.warehouse.byReference("SO-S")?.status, "shipped");
        assert.ok(t.edi.errors.length > 0);
        assert.equal(t.edi.sent.filter((f) => f.type === "945" && f.writtenAt === undefined).length, 1);
      } finally {
        await sshd.start();
      }
      await t.step(POLL);
      assert.deepEqual(
        shipments(t.files()).map((s) => s.order.channelOrderId),
        ["SO-S"],
      );
    } finally {
      await t.close();
    }
  });

  test("a malformed 940 gets a rejecting 997 (AK3/AK4/AK5) and no shipment", async () => {
    const t = await setup();
    try {
      const badCount = edi940("SO-X", [["CHAIR-OAK-01", "1"]]).replace(/SE\*(\d+)\*/, "SE*99*");
      const badQty = edi940("SO-Y", [
        ["CHAIR-OAK-01", "1"],
        ["CUSHION-GREY", "2.5"],
      ]);
      const wrongPartner = edi940("SO-Z", [["CHAIR-OAK-01", "1"]], { ...hub, receiverId: "OTHER3PL" });
      await t.drop("a-count.edi", badCount);
      await t.drop("b-qty.edi", badQty);
      await t.drop("c-partner.edi", wrongPartner);
      writeFileSync(join(t.edi.local.inbound, "d-garbage.edi"), "hello, this is not X12");
      await t.step(POLL);
      await t.step(SHIP);
      const files = t.files();
      assert.equal(ofType(files, "945").length, 0);
      assert.equal(t.edi.warehouse.orders.size, 0);
      const found = acks(files);
      assert.equal(found.length, 3, "no 997 for a file without an interchange");
      for (const ack of found) assert.equal(ack.status, "R");
      const [count, qty, partner] = found;
      assert.deepEqual(count?.sets[0]?.errors, ["4"], "AK5 R 4: SE01 count wrong");
      assert.deepEqual(qty?.sets[0]?.errors, ["5"]);
      const w01 = qty?.sets[0]?.segmentErrors[0];
      assert.equal(w01?.tag, "W01");
      // ST W05 N1 N3 N4 G62 W66 LX W01 G69 LX W01: line 2's W01 is the set's 12th segment.
      assert.equal(w01?.position, "12");
      assert.deepEqual(w01?.elements, [{ position: "1", code: "7", copy: "2.5" }]);
      assert.deepEqual(partner?.sets[0]?.segmentErrors, []);
      assert.deepEqual(
        t.edi.received.map((f) => [f.name, f.outcome]),
        [
          ["a-count.edi", "rejected"],
          ["b-qty.edi", "rejected"],
          ["c-partner.edi", "rejected"],
          ["d-garbage.edi", "unreadable"],
        ],
      );
      assert.match(t.edi.received[1]!.problems.join("\n"), /W01-01 \(quantity\) is "2\.5"/);
    } finally {
      await t.close();
    }
  });

  test("duplicate files: a 945 sent twice under a new name with the same bytes; a repeated 940 makes one order", async () => {
    const t = await setup();
    try {
      t.edi.duplicateNext945();
      const text = edi940("SO-D", [["CHAIR-OAK-01", "1"]]);
      await t.drop("SO-D.edi", text);
      await t.step(POLL);
      await t.drop("SO-D-again.edi", text);
      await t.step(POLL);
      assert.equal(t.edi.warehouse.orders.size, 1);
      assert.equal(acks(t.files()).length, 2, "each interchange is acknowledged");
      await t.step(SHIP);
      const files = ofType(t.files(), "945");
      assert.equal(files.length, 2);
      assert.deepEqual(files.map((f) => f.name.replace(/^945_\w+_/, "")).sort(), [
        "000000003.resend1.x12",
        "000000003.x12",
      ]);
      const bytes = files.map((f) => readFileSync(join(t.edi.local.outbound, f.name)).toString());
      assert.equal(bytes[0], bytes[1]);
      assert.deepEqual(shipments(t.files())[0], shipments(t.files())[1]);
    } finally {
      await t.close();
    }
  });

  test("846 stock reports, on demand and on schedule, map to the warehouse model's stock", async () => {
    const t = await setup({ stock: { "CHAIR-OAK-01": 7, "CUSHION-GREY": 3 }, stockReportEveryMs: 3_600_000 });
    try {
      await t.drop("SO-R.edi", edi940("SO-R", [["CHAIR-OAK-01", "2"]]));
      await t.step(POLL); // received, not shipped: 2 chairs committed
      const file = await t.edi.reportStock();
      assert.ok(file?.writtenAt !== undefined);
      const levels = () => ofType(t.files(), "846").map((f) => f.records.map((r) => r.value as StockLevel));
      assert.deepEqual(
        levels()[0]!.map((l) => [l.sku, l.warehouse, l.onHand, l.reserved, l.available]),
        [
          ["CHAIR-OAK-01", "SBX1", "7", "2", "5"],
          ["CUSHION-GREY", "SBX1", "3", "0", "3"],
        ],
      );
      await t.step(3_600_000 - POLL); // shipped meanwhile; the scheduled report is due
      const latest = levels().at(-1)!;
      assert.equal(levels().length, 2);
      assert.deepEqual(
        latest.map((l) => [l.sku, l.onHand, l.available]),
        [...t.edi.warehouse.stock].map(([sku, q]) => [sku, String(q), String(q)]),
      );
      assert.equal(t.edi.warehouse.stock.get("CHAIR-OAK-01"), 5);
    } finally {
      await t.close();
    }
  });
});

// 943 in, 944 out: the hub announces a supplier delivery, the 3PL receives it as planned.
const RECEIVE = 120_000;

/** A 943 interchange from the project's 943 builder: a delivery for `reference` with `lines`. */
function edi943(reference: string, lines: Shipment["lines"], envelope = hub): string {
  const example = MODEL_EXAMPLES.shipment as Shipment;
  const transfer: StockTransfer = {
    shipment: {
      ...example,
      shipmentId: `ASN-${reference}`,
      order: { channel: "nordic-oak", channelOrderId: reference },
      lines,
    },
    to: { code: "SBX1", name: "Sandbox 3PL" },
    from: { name: "Nordic Oak AB", code: "NORDIC-OAK" },
    expectedOn: "2026-01-02",
  };
  const n = ++hubControl;
  return writeX12Interchange(envelope, {
    functionalId: "AR",
    sets: [build943(transfer, { depositor: { name: "Crossdock", id: "CROSSDOCK" } })],
    control: { interchange: n, group: n, sets: [n] },
    at: new Date("2026-01-01T00:00:00Z"),
  });
}

const receipts = (files: Read3plFile[]) =>
  ofType(files, "944").flatMap((f) => f.records.map((r) => r.value as Receipt));

describe("sandbox EDI 3PL (943 in, 944 out)", () => {
  test("the hub's 943 is acknowledged and, after receiveDelayMs, received as planned: a 944 the 944 mapper reads to the receipt", async () => {
    const t = await setup({ stock: { "CHAIR-OAK-01": 5 }, receiveDelayMs: RECEIVE });
    try {
      t.edi.planReceipt("P00077", { short: { "CHAIR-OAK-01": 2 }, damaged: { "TABLE-OAK-02": 1 } });
      await t.drop(
        "ASN-P00077.edi",
        edi943("P00077", [
          {
            orderLineId: "1",
            sku: "CHAIR-OAK-01",
            quantity: "24",
            uom: "C62",
            lots: [
              { lot: "L-A", quantity: "20" },
              { lot: "L-B", quantity: "4" },
            ],
          },
          { orderLineId: "2", sku: "TABLE-OAK-02", quantity: "6", uom: "C62" },
        ]),
      );
      await t.step(POLL);
      const [ack] = acks(t.files());
      assert.equal(ack?.status, "A");
      assert.equal(ack?.functionalId, "AR");
      assert.deepEqual(
        ack?.sets.map((s) => [s.type, s.status]),
        [["943", "A"]],
      );
      assert.equal(t.edi.transfers.get("P00077")?.status, "expected");
      assert.deepEqual(
        t.edi.received.map((f) => [f.name, f.outcome, f.documents.length]),
        [["ASN-P00077.edi", "accepted", 0]],
      );

      await t.step(RECEIVE - 1);
      assert.equal(ofType(t.files(), "944").length, 0, "not before receiveDelayMs");
      await t.step(1);
      const files = t.files();
      assert.deepEqual(receipts(files), [
        {
          schemaVersion: 1,
          receiptId: "RCV-000001",
          poNumber: "P00077",
          warehouse: "SBX1",
          receivedAt: "2026-01-01T00:00:00Z",
          lines: [
            {
              lineId: "1",
              sku: "CHAIR-OAK-01",
              quantity: "18",
              uom: "EA",
              condition: "good",
              lots: [{ lot: "L-A", quantity: "18" }],
            },
            {
              lineId: "1",
              sku: "CHAIR-OAK-01",
              quantity: "4",
              uom: "EA",
              condition: "good",
              lots: [{ lot: "L-B", quantity: "4" }],
            },
            { lineId: "2", sku: "TABLE-OAK-02", quantity: "5", uom: "EA", condition: "good" },
            // The damaged table is a W13 exception: a line of its own, damaged.
            { lineId: "2", sku: "TABLE-OAK-02", quantity: "1", uom: "EA", condition: "damaged" },
          ],
        },
      ]);
      const doc = readX12("944", readFileSync(join(t.edi.local.outbound, ofType(files, "944")[0]!.name)));
      assert.equal(doc.interchanges[0]!.groups[0]!.header!.elements[0], "RE");
      const segments = [...x12Sets(doc)][0]!.set.segments.map((s) => [s.tag, ...s.elements].join("*"));
      assert.deepEqual(segments, [
        "W17*F*20260101*RCV-000001*P00077*ASN-P00077",
        "N1*WH*Sandbox 3PL*92*SBX1",
        "W07*18*EA**VN*CHAIR-OAK-01*L-A",
        "N9*LI*1",
        "W07*4*EA**VN*CHAIR-OAK-01*L-B",
        "N9*LI*1",
        "W07*5*EA**VN*TABLE-OAK-02",
        "N9*LI*2",
        "W13*1*EA*01**ZZ",
        "W14*27",
      ]);
      assert.equal(t.edi.transfers.get("P00077")?.status, "received");
      assert.equal(t.edi.warehouse.stock.get("CHAIR-OAK-01"), 27, "5 on hand + 22 good chairs");
      assert.equal(t.edi.warehouse.stock.has("TABLE-OAK-02"), false, "an untracked SKU stays unlimited");
    } finally {
      await t.close();
    }
  });

  test("a repeated 943 is received once; a 943 whose W03 does not add up is rejected by its 997", async () => {
    const t = await setup({ receiveDelayMs: RECEIVE });
    try {
      const text = edi943("P00078", [{ sku: "CUSHION-GREY", quantity: "3", uom: "C62" }]);
      await t.drop("a-asn.edi", text);
      await t.step(POLL);
      await t.drop("b-asn-again.edi", text);
      await t.drop(
        "c-bad-total.edi",
        edi943("P00079", [{ sku: "CUSHION-GREY", quantity: "3", uom: "C62" }]).replace("W03*3*", "W03*4*"),
      );
      await t.step(POLL);
      const found = acks(t.files());
      assert.deepEqual(
        found.map((a) => a.status),
        ["A", "A", "R"],
      );
      assert.deepEqual(
        found[2]?.sets[0]?.segmentErrors.map((e) => [e.tag, e.elements]),
        [["W03", [{ position: "1", code: "7", copy: "4" }]]],
      );
      assert.match(
        t.edi.received[2]!.problems.join("\n"),
        /W03-01 \(total units\) is "4"; the W04 lines add up to 3/,
      );
      await t.step(RECEIVE);
      assert.deepEqual(
        receipts(t.files()).map((r) => [r.poNumber, r.lines.map((l) => [l.sku, l.quantity])]),
        [["P00078", [["CUSHION-GREY", "3"]]]],
      );
      assert.deepEqual([...t.edi.transfers.keys()], ["P00078"]);
    } finally {
      await t.close();
    }
  });
});
