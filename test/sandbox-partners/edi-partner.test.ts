import assert from "node:assert/strict";
import { readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readPartnerFile } from "../../sandbox/edi-partner/read-partner-file.ts";
import {
  type SandboxEdiPartnerOptions,
  startSandboxEdiPartner,
} from "../../sandbox/edi-partner/sandbox-edi-partner.ts";
import type { X12FunctionalAck } from "../../src/connectors/edi-x12/x12-997-ack.ts";
import { build810 } from "../../src/connectors/edi-x12/x12-build-810.ts";
import { build855 } from "../../src/connectors/edi-x12/x12-build-855.ts";
import { build856 } from "../../src/connectors/edi-x12/x12-build-856.ts";
import { X12_MAPPERS } from "../../src/connectors/edi-x12/x12-mappers.ts";
import type { X12Record } from "../../src/connectors/edi-x12/x12-mapping.ts";
import { readX12, x12Sets } from "../../src/connectors/edi-x12/x12-reader.ts";
import { createX12SetRunner, type X12SetOutcome } from "../../src/connectors/edi-x12/x12-set-runner.ts";
import { runX12 } from "../../src/connectors/edi-x12/x12-stream.ts";
import {
  writeX12Interchange,
  type X12PartnerEnvelope,
  type X12SetBody,
} from "../../src/connectors/edi-x12/x12-writer.ts";
import { createEdiSupplierPort } from "../../src/connectors/sftp/edi-supplier.ts";
import { recordEvents } from "../../src/connectors/sftp/partner-file-events.ts";
import { type SandboxSshd, startSandboxSshd } from "../../src/connectors/sftp/sandbox-sshd.ts";
import { createSftpClient, type SftpClient } from "../../src/connectors/sftp/sftp-client.ts";
import { openSftpTestStore } from "../../src/connectors/sftp/sftp-test-fixture.ts";
import { ManualClock } from "../../src/core/clock.ts";
import type { Invoice } from "../../src/core/model/invoice.ts";
import { MODEL_EXAMPLES } from "../../src/core/model/model-examples.ts";
import type { Order } from "../../src/core/model/order.ts";
import type { PurchaseOrder } from "../../src/core/model/purchase-order.ts";
import type { Shipment } from "../../src/core/model/shipment.ts";
import type { SupplierAcknowledgement } from "../../src/core/model/supplier-acknowledgement.ts";

const POLL = 10_000;
const ANSWER = 60_000;

/** The hub's envelope towards the sandbox partner. */
const hub: X12PartnerEnvelope = {
  senderQualifier: "ZZ",
  senderId: "CROSSDOCK",
  receiverQualifier: "ZZ",
  receiverId: "SBXPARTNER",
  version: "00401",
  elementSeparator: "*",
  segmentTerminator: "~",
  componentSeparator: ">",
  usageIndicator: "T",
  lineBreak: "\n",
};

const example = MODEL_EXAMPLES["purchase-order"] as PurchaseOrder;
const purchaseOf = (poNumber: string): PurchaseOrder => ({ ...example, poNumber });

interface ReadFile {
  name: string;
  type: string;
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

async function setup(t: import("node:test").TestContext, options: SandboxEdiPartnerOptions = {}) {
  const clock = new ManualClock(Date.parse("2026-03-02T08:00:00Z"));
  const n = ++folders;
  const partner = await startSandboxEdiPartner({
    clock,
    sshd,
    inbound: `p${n}/to-partner`,
    outbound: `p${n}/from-partner`,
    pollIntervalMs: POLL,
    answerDelayMs: ANSWER,
    ...options,
  });
  t.after(() => partner.close());
  const store = await openSftpTestStore(t, clock);
  const port = createEdiSupplierPort({
    name: "sbx-partner",
    store,
    clock,
    client: hubClient,
    outbound: partner.inbound,
    envelope: hub,
    buyer: { name: "Crossdock Trading", id: "CDK01" },
  });
  const step = async (ms: number) => {
    clock.advance(ms);
    await partner.runDue();
  };
  /** Every file in from-partner, read and mapped as the hub's `sftp` connector would. */
  const files = (): ReadFile[] =>
    readdirSync(partner.local.outbound, { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith("."))
      .map((e) => e.name)
      .sort()
      .map((name) => {
        const records: X12Record[] = [];
        const outcomes: X12SetOutcome[] = [];
        runX12(
          name,
          readFileSync(join(partner.local.outbound, name)),
          createX12SetRunner(name, { connection: "sbx-partner" }, X12_MAPPERS, {
            record: (r) => records.push(r),
            interchangeEnd: (o) => outcomes.push(...o),
            problem: (p) => assert.fail(p.message),
          }),
        );
        return { name, type: outcomes[0]?.type ?? "", records, outcomes };
      });
  const ofType = (type: string) => files().filter((f) => f.type === type);
  const acks = () => ofType("855").flatMap((f) => f.records.map((r) => r.value as SupplierAcknowledgement));
  const functionalAcks = () =>
    ofType("997").flatMap((f) => f.records.map((r) => r.value as X12FunctionalAck));
  const send = (poNumber: string, resend = 0) =>
    port.send(
      { key: `sbx-partner:${poNumber}`, purchase: purchaseOf(poNumber), odooName: poNumber, resend },
      `k-${poNumber}-${resend}`,
    );
  let control = 100;
  /** The hub's interchange to the partner (GS01 `functionalId`), dropped in `to-partner/` as `name`. */
  const drop = (name: string, functionalId: string, sets: X12SetBody[], envelope = hub) => {
    control++;
    const text = writeX12Interchange(envelope, {
      functionalId,
      sets,
      control: { interchange: control, group: control, sets: sets.map((_, i) => i + 1) },
      at: new Date(clock.now()),
    });
    dropText(name, text);
  };
  /** Written under a temporary name, then renamed: the partner never reads half a file. */
  const dropText = (name: string, text: string) => {
    const part = join(partner.local.inbound, `.${name}.part`);
    writeFileSync(part, text);
    renameSync(part, join(partner.local.inbound, name));
  };
  /** The 997s' verdicts: GS01 acknowledged, AK9, and per set [type, AK5, AK3 tag/position, AK4 position/copy]. */
  const verdicts = () =>
    functionalAcks().map((fa) => [
      fa.functionalId,
      fa.status,
      fa.sets.map((set) => [
        set.type,
        set.status,
        ...set.segmentErrors.map((e) => [e.tag, e.position, ...e.elements.map((x) => [x.position, x.copy])]),
      ]),
    ]);
  return { clock, partner, port, step, files, ofType, acks, functionalAcks, send, drop, dropText, verdicts };
}

/** The hub's side of a customer's 850: the order its 850 mapper read from the partner's file. */
const hubOrderOf = (h: Awaited<ReturnType<typeof setup>>, poNumber: string) => {
  const order = h
    .ofType("850")
    .flatMap((f) => f.records.map((r) => r.value as Order))
    .find((o) => o.channelOrderId === poNumber);
  assert.ok(order, `the partner's 850 for ${poNumber}`);
  return order;
};

const shipmentFor = (poNumber: string, shipmentId: string, lines: [string, string][]): Shipment => ({
  ...MODEL_EXAMPLES.shipment,
  shipmentId,
  order: { channel: "sbx-partner", channelOrderId: poNumber },
  carrier: "UPSN",
  service: "Ground",
  trackingNumber: `1Z${shipmentId}1`,
  lines: lines.map(([sku, quantity]) => ({ sku, quantity, uom: "C62" })),
  // One package per line: MAN*CP per pack, the first pack's number also in REF*BM.
  packages: lines.map(([sku, quantity], i) => ({
    trackingNumber: `1Z${shipmentId}${i + 1}`,
    contents: [{ sku, quantity }],
  })),
});

const invoiceFor = (poNumber: string, invoiceNumber: string): Invoice => ({
  ...MODEL_EXAMPLES.invoice,
  invoiceNumber,
  orders: [{ channel: "sbx-partner", channelOrderId: poNumber }],
});

/** The lines of MODEL_EXAMPLES' invoice (and so of its 810): 2 chairs at 129.00, 4 cushions at 19.90. */
const exampleOrderLines = [
  { sku: "CHAIR-OAK-01", quantity: 2, unitPrice: "129.00" },
  { sku: "CUSHION-GREY", quantity: 4, unitPrice: "19.90" },
];

const lineView = (ack: SupplierAcknowledgement | undefined) =>
  ack?.lines.map((l) => [l.lineId, l.status, l.quantity ?? null, l.expectedOn ?? null]);

describe("sandbox EDI trading partner (850 in, 997/855 out; its own 850s and 810s) over a real OpenSSH server", () => {
  test("the hub's 850 is answered with a 997 and, after the delay, an 855 the hub maps to the planned acknowledgement", async (t) => {
    const h = await setup(t);
    h.partner.plan("P00012", { kind: "change", lines: { "2": { quantity: 4, expectedOn: "2026-03-23" } } });
    await h.send("P00012");
    await h.step(POLL);
    assert.deepEqual(
      h.files().map((f) => f.type),
      ["997"],
    );
    const [fa] = h.functionalAcks();
    assert.equal(fa?.status, "A");
    assert.equal(fa?.functionalId, "PO");
    const marked = await h.port.acknowledge(fa!);
    assert.equal(marked.kind === "acknowledged" && marked.record.status, "accepted", "the 850's 997 came");
    assert.deepEqual(await h.port.overdue(), []);

    await h.step(ANSWER - 1);
    assert.equal(h.ofType("855").length, 0, "not before answerDelayMs");
    await h.step(1);
    const [ack] = h.acks();
    assert.equal(ack?.poNumber, "P00012");
    assert.equal(ack?.status, "accepted_with_changes");
    assert.equal(ack?.acknowledgementId, "SO-SBX-000001");
    assert.equal(ack?.currency, "SEK");
    assert.deepEqual(ack?.lines, [
      { lineId: "1", sku: "CHAIR-OAK-01", status: "accepted", quantity: "24" },
      {
        lineId: "2",
        sku: "TABLE-OAK-02",
        status: "changed",
        quantity: "4",
        expectedOn: "2026-03-23",
        reason: "IC item accepted with changes",
      },
    ]);
    // What the hub's sftp connector appends, where procure-to-pay waits for it.
    const [event] = recordEvents(
      { entity: "supplier-acknowledgement", value: ack },
      { connection: "sbx-partner", channel: "sbx-partner", causationId: "m", trace: undefined },
    );
    assert.equal(event?.stream, "purchase:sbx-partner:P00012");
    assert.deepEqual((event?.data as { acknowledgement?: unknown } | undefined)?.acknowledgement, ack);
    assert.deepEqual(
      h.partner.received.map((f) => [f.outcome, f.documents]),
      [["accepted", ["P00012"]]],
    );
  });

  test("plans: accept, a backorder split, a rejected line, a whole rejection", async (t) => {
    const h = await setup(t);
    h.partner.planNext(
      { kind: "accept" },
      {
        kind: "change",
        lines: { "CHAIR-OAK-01": { backorder: { quantity: 10, expectedOn: "2026-04-01" } } },
      },
      { kind: "reject", lines: ["2"] },
      { kind: "reject" },
    );
    for (const po of ["PA-1", "PA-2", "PA-3", "PA-4"]) await h.send(po);
    await h.step(POLL);
    await h.step(ANSWER);
    const byPo = new Map(h.acks().map((a) => [a.poNumber, a]));
    assert.equal(byPo.get("PA-1")?.status, "accepted");
    assert.deepEqual(lineView(byPo.get("PA-2")), [
      ["1", "changed", "24", "2026-04-01"],
      ["2", "accepted", "6", null],
    ]);
    assert.deepEqual(lineView(byPo.get("PA-3")), [
      ["1", "accepted", "24", null],
      ["2", "rejected", null, null],
    ]);
    assert.equal(byPo.get("PA-3")?.status, "accepted_with_changes");
    assert.equal(byPo.get("PA-4")?.status, "rejected");
    assert.deepEqual(lineView(byPo.get("PA-4")), [
      ["1", "rejected", null, null],
      ["2", "rejected", null, null],
    ]);
    const raw = readFileSync(
      join(
        h.partner.local.outbound,
        h
          .ofType("855")
          .find((f) => f.records.some((r) => (r.value as SupplierAcknowledgement).poNumber === "PA-2"))!.name,
      ),
      "utf8",
    );
    assert.match(raw, /ACK\*IA\*14\*EA~\nACK\*IB\*10\*EA\*067\*20260401~/);
  });

  test("a silent partner answers the hub's resend (BEG01 07); a second resend gets the same answer again", async (t) => {
    const h = await setup(t);
    h.partner.plan("PS-1", { kind: "silent", afterResends: 1 });
    await h.send("PS-1");
    await h.step(POLL);
    await h.step(ANSWER);
    assert.equal(h.acks().length, 0, "no 855 while silent");
    await h.send("PS-1", 1);
    await h.step(POLL);
    assert.equal(h.partner.purchases.get("PS-1")?.resends, 1);
    await h.step(ANSWER);
    assert.deepEqual(
      h.acks().map((a) => [a.poNumber, a.status]),
      [["PS-1", "accepted"]],
    );
    await h.send("PS-1", 2);
    await h.step(POLL);
    await h.step(ANSWER);
    const answers = h.acks();
    assert.equal(answers.length, 2);
    assert.equal(answers[1]?.acknowledgementId, answers[0]?.acknowledgementId, "the same sales order again");
    assert.equal(h.functionalAcks().length, 3, "every interchange gets its 997");
  });

  test("as a customer: its 850 maps to an order with the hub's SKUs; an 810 invoices what its 855 accepted", async (t) => {
    const h = await setup(t);
    await h.partner.sendOrder({
      poNumber: "SBX-PO-1",
      lines: [
        { sku: "CHAIR-OAK-01", quantity: 2, unitPrice: "49.50", buyerSku: "C-100", name: "Oak chair" },
        { sku: "CUSHION-GREY", quantity: 4, unitPrice: "9.99" },
      ],
    });
    const [order] = h.ofType("850").flatMap((f) => f.records.map((r) => r.value as Order));
    assert.equal(order?.channel, "sbx-partner");
    assert.equal(order?.channelOrderId, "SBX-PO-1");
    assert.equal(order?.customer.name, "Sandbox Supplier Inc");
    assert.equal(order?.shipTo?.city, "Columbus");
    assert.deepEqual(
      order?.lines.map((l) => [l.sku, l.quantity, l.unitPrice]),
      [
        ["CHAIR-OAK-01", "2", "49.5"],
        ["CUSHION-GREY", "4", "9.99"],
      ],
    );

    h.partner.plan("PI-1", { kind: "change", lines: { "2": { quantity: 4, unitPrice: "2400.00" } } });
    await h.send("PI-1");
    await h.step(POLL);
    await h.step(ANSWER);
    assert.deepEqual(
      h.acks()[0]?.lines.map((l) => [l.lineId, l.status, l.quantity, l.unitPrice ?? null]),
      [
        ["1", "accepted", "24", null],
        ["2", "changed", "4", "2400"],
      ],
    );
    await assert.rejects(h.partner.sendInvoice("NOPE"), /not acknowledged/);
    const file = await h.partner.sendInvoice("PI-1");
    assert.ok(file.writtenAt !== undefined);
    const doc = readX12(file.name, readFileSync(join(h.partner.local.outbound, file.name)));
    assert.deepEqual(doc.problems, []);
    const [set] = [...x12Sets(doc)];
    assert.equal(set?.set.type, "810");
    assert.equal(doc.interchanges[0]?.groups[0]?.header?.elements[0], "IN");
    assert.deepEqual(
      set?.set.segments.filter((s) => s.tag === "IT1").map((s) => s.elements.slice(0, 4)),
      [
        ["1", "24", "EA", "610"],
        ["2", "4", "EA", "2400.00"],
      ],
    );
    assert.equal(set?.set.segments.find((s) => s.tag === "BIG")?.elements[3], "PI-1");
  });

  test("unplanned purchase orders are answered by seeded dice: the same seed, the same answers", async (t) => {
    const run = async (seed: number) => {
      const h = await setup(t, { seed, changeRate: 0.5, rejectRate: 0.2 });
      for (const po of ["PR-1", "PR-2", "PR-3", "PR-4", "PR-5", "PR-6"]) await h.send(po);
      await h.step(POLL);
      await h.step(ANSWER);
      return h
        .acks()
        .sort((a, b) => (a.poNumber < b.poNumber ? -1 : 1))
        .map((a) => [a.poNumber, a.status]);
    };
    const first = await run(7);
    assert.deepEqual(await run(7), first);
    assert.equal(first.length, 6);
    assert.ok(new Set(first.map(([, s]) => s)).size > 1, `a mix of answers: ${JSON.stringify(first)}`);
  });
  test("as a customer: the hub's 855, 856 and 810 for its 850 get 997s and are recorded by PO number", async (t) => {
    const h = await setup(t);
    const sent = await h.partner.sendOrder({ poNumber: "SBX-PO-2", lines: exampleOrderLines });
    const entry = h.partner.customerOrders.get("SBX-PO-2");
    assert.equal(entry?.order?.file, sent, "sendOrder makes the entry");
    assert.equal(entry?.order?.input.poNumber, "SBX-PO-2");
    assert.equal(entry?.unsolicited, undefined);
    assert.deepEqual([entry?.acknowledgements, entry?.shipNotices, entry?.invoices], [[], [], []]);

    const order = hubOrderOf(h, "SBX-PO-2");
    const ack = build855(
      {
        schemaVersion: 1,
        poNumber: "SBX-PO-2",
        acknowledgementId: "S00042",
        status: "accepted_with_changes",
        acknowledgedAt: "2026-03-02T08:05:00Z",
        lines: [
          { lineId: "1", status: "accepted", quantity: "2" },
          { lineId: "2", status: "changed", quantity: "3" },
        ],
      },
      order,
    );
    const notice = shipmentFor("SBX-PO-2", "WH-OUT-00017", [
      ["CHAIR-OAK-01", "2"],
      ["CUSHION-GREY", "3"],
    ]);
    h.drop("a-855.x12", "PR", [ack]);
    h.drop("b-856.x12", "SH", [build856(notice)]);
    h.drop("c-810.x12", "IN", [build810(invoiceFor("SBX-PO-2", "INV/2026/00031"))]);
    await h.step(POLL);

    assert.deepEqual(h.verdicts(), [
      ["PR", "A", [["855", "A"]]],
      ["SH", "A", [["856", "A"]]],
      ["IN", "A", [["810", "A"]]],
    ]);
    assert.ok(
      h.functionalAcks().every((fa) => fa.interchange?.senderId === "SBXPARTNER"),
      "the partner's 997s",
    );
    const raw997 = h
      .ofType("997")
      .map((f) => readFileSync(join(h.partner.local.outbound, f.name), "utf8"))
      .join("");
    assert.equal(raw997.match(/AK5\*A~/g)?.length, 3);
    assert.deepEqual(
      h.partner.received.map((f) => [f.name, f.outcome, f.documents]),
      [
        ["a-855.x12", "accepted", ["855:SBX-PO-2"]],
        ["b-856.x12", "accepted", ["856:SBX-PO-2"]],
        ["c-810.x12", "accepted", ["810:SBX-PO-2"]],
      ],
    );
    const record = h.partner.customerOrders.get("SBX-PO-2");
    assert.deepEqual(record?.acknowledgements, [
      {
        status: "AC",
        salesOrder: "S00042",
        lines: [
          { lineId: "1", code: "IA", quantity: "2" },
          { lineId: "2", code: "IQ", quantity: "3" },
        ],
        file: "a-855.x12",
      },
    ]);
    assert.deepEqual(record?.shipNotices, [
      {
        shipmentId: "WH-OUT-00017",
        carrier: "UPSN",
        trackingNumbers: ["1ZWH-OUT-000171", "1ZWH-OUT-000172"],
        lines: [
          { sku: "CHAIR-OAK-01", quantity: "2" },
          { sku: "CUSHION-GREY", quantity: "3" },
        ],
        file: "b-856.x12",
      },
    ]);
    assert.deepEqual(record?.invoices, [
      {
        invoiceNumber: "INV/2026/00031",
        total: "398.17",
        freight: "9.9",
        lines: [
          { sku: "CHAIR-OAK-01", quantity: "2", unitPrice: "129" },
          { sku: "CUSHION-GREY", quantity: "4", unitPrice: "19.9" },
        ],
        file: "c-810.x12",
      },
    ]);
    assert.deepEqual(record?.problems, []);
    assert.deepEqual([...h.partner.customerOrders.keys()], ["SBX-PO-2"]);
    assert.equal(h.partner.purchases.size, 0, "nothing taken for a purchase from the hub");

    // The hub's resend of the same ship notice replaces it: not counted twice, no over-shipment.
    h.drop("d-856.x12", "SH", [build856(notice)]);
    await h.step(POLL);
    assert.equal(h.partner.customerOrders.get("SBX-PO-2")?.shipNotices.length, 1);
    assert.deepEqual(h.partner.customerOrders.get("SBX-PO-2")?.problems, []);
    assert.equal(h.verdicts().length, 4);
  });

  test("hostile customer documents: wrong group, bad SE count, bad SN1, wrong ISA08 are rejected and not recorded; what it did not order is noted", async (t) => {
    const h = await setup(t);
    await h.partner.sendOrder({
      poNumber: "SBX-PO-3",
      lines: [{ sku: "CHAIR-OAK-01", quantity: 2, unitPrice: "129.00" }],
    });
    const ship = (id: string, lines: [string, string][]) => build856(shipmentFor("SBX-PO-3", id, lines));

    h.drop("a-856-in-pr.x12", "PR", [ship("SH-WRONG-GROUP", [["CHAIR-OAK-01", "1"]])]);
    const counted = writeX12Interchange(hub, {
      functionalId: "IN",
      sets: [build810(invoiceFor("SBX-PO-3", "INV-BAD-SE"))],
      control: { interchange: 900, group: 900, sets: [1] },
      at: new Date(h.clock.now()),
    });
    assert.match(counted, /SE\*\d+\*0001~/);
    h.dropText("b-810-bad-se.x12", counted.replace(/SE\*\d+\*0001~/, "SE*99*0001~"));
    const badSn1 = ship("SH-BAD-SN1", [["CHAIR-OAK-01", "1"]]);
    h.drop("c-856-bad-sn1.x12", "SH", [
      { ...badSn1, segments: badSn1.segments.map((s) => (s[0] === "SN1" ? ["SN1", "", "two", "EA"] : s)) },
    ]);
    h.drop(
      "d-855-other-isa08.x12",
      "PR",
      [
        build855(
          {
            schemaVersion: 1,
            poNumber: "SBX-PO-3",
            status: "accepted",
            acknowledgedAt: "2026-03-02T08:05:00Z",
            lines: [{ lineId: "1", status: "accepted", quantity: "2" }],
          },
          hubOrderOf(h, "SBX-PO-3"),
        ),
      ],
      { ...hub, receiverId: "SOMEONEELSE" },
    );
    h.drop("e-856-extra.x12", "SH", [
      ship("SH-EXTRA", [
        ["CHAIR-OAK-01", "3"],
        ["TABLE-OAK-02", "1"],
      ]),
    ]);
    h.drop("f-810-unsolicited.x12", "IN", [build810(invoiceFor("NEVER-SENT", "INV-X"))]);
    await h.step(POLL);

    assert.deepEqual(h.verdicts(), [
      ["PR", "R", [["856", "R"]]],
      ["IN", "R", [["810", "R"]]],
      // AK3: SN1 is the set's 17th segment (ST, BSN, HL S with TD1 TD5 REF DTM N1 N3 N4, HL O, PRF,
      // HL P, MAN, HL I, LIN, SN1); AK4: its element 2 and the text found.
      ["SH", "R", [["856", "R", ["SN1", "17", ["2", "two"]]]]],
      ["PR", "R", [["855", "R"]]],
      ["SH", "A", [["856", "A"]]],
      ["IN", "A", [["810", "A"]]],
    ]);
    const sets = h.functionalAcks().flatMap((fa) => fa.sets);
    assert.deepEqual(sets[1]?.errors, ["4"], "AK5*R*4: the SE count");
    assert.deepEqual(
      h.partner.received.map((f) => [f.name, f.outcome, f.documents]),
      [
        ["a-856-in-pr.x12", "rejected", []],
        ["b-810-bad-se.x12", "rejected", []],
        ["c-856-bad-sn1.x12", "rejected", []],
        ["d-855-other-isa08.x12", "rejected", []],
        ["e-856-extra.x12", "accepted", ["856:SBX-PO-3"]],
        ["f-810-unsolicited.x12", "accepted", ["810:NEVER-SENT"]],
      ],
    );
    const problems = h.partner.received.map((f) => f.problems.join(" | "));
    assert.match(problems[0]!, /the 856 set is in group "PR"; expected GS01 SH/);
    assert.match(
      problems[2]!,
      /segment 19 \(SN1-02, line 19\): SN102 \(units shipped\) is "two"; expected a number/,
    );
    assert.match(problems[3]!, /ISA08 is "SOMEONEELSE"/);

    const record = h.partner.customerOrders.get("SBX-PO-3");
    assert.deepEqual(record?.acknowledgements, [], "the 855 to another ISA08 is not recorded");
    assert.deepEqual(record?.invoices, [], "the 810 with the bad SE is not recorded");
    assert.deepEqual(
      record?.shipNotices.map((n) => [n.shipmentId, n.lines]),
      [
        [
          "SH-EXTRA",
          [
            { sku: "CHAIR-OAK-01", quantity: "3" },
            { sku: "TABLE-OAK-02", quantity: "1" },
          ],
        ],
      ],
    );
    assert.deepEqual(record?.problems, [
      "856 SH-EXTRA (e-856-extra.x12): SKU TABLE-OAK-02 was not ordered",
      "856s ship 3 of CHAIR-OAK-01 in all; 2 ordered (856 SH-EXTRA, e-856-extra.x12)",
    ]);
    const stranger = h.partner.customerOrders.get("NEVER-SENT");
    assert.equal(stranger?.unsolicited, true);
    assert.equal(stranger?.order, undefined);
    assert.deepEqual(
      stranger?.invoices.map((i) => [i.invoiceNumber, i.total]),
      [["INV-X", "398.17"]],
    );
    assert.deepEqual(stranger?.problems, [], "nothing to compare an unsolicited invoice with");
  });
  test("the customer documents' readers refuse what is missing or unreadable, located (no SFTP)", () => {
    const shipment = build856(shipmentFor("PO-R", "SH-R", [["CHAIR-OAK-01", "2"]]));
    const invoice = build810(invoiceFor("PO-R", "INV-R"));
    const ack = build855(
      {
        schemaVersion: 1,
        poNumber: "PO-R",
        status: "accepted",
        acknowledgedAt: "2026-03-02T08:05:00Z",
        lines: [{ lineId: "1", status: "accepted", quantity: "2" }],
      },
      { ...(MODEL_EXAMPLES.order as Order), lines: [{ ...MODEL_EXAMPLES.order.lines[0]!, lineId: "1" }] },
    );
    const edit = (body: X12SetBody, change: (s: readonly string[]) => (readonly string[])[]) => ({
      ...body,
      segments: body.segments.flatMap(change),
    });
    const read = (functionalId: string, body: X12SetBody) => {
      const text = writeX12Interchange(hub, {
        functionalId,
        sets: [body],
        control: { interchange: 1, group: 1, sets: [1] },
        at: new Date("2026-03-02T08:00:00Z"),
      });
      const [interchange] = readPartnerFile("t.x12", Buffer.from(text), "SBXPARTNER").interchanges;
      const [outcome] = interchange?.outcomes ?? [];
      return { interchange, outcome };
    };
    for (const [functionalId, body] of [
      ["PR", ack],
      ["SH", shipment],
      ["IN", invoice],
    ] as const) {
      const { interchange, outcome } = read(functionalId, body);
      assert.equal(outcome?.accepted, true, `the unedited ${body.type} is accepted`);
      assert.equal(interchange?.documents[0]?.poNumber, "PO-R");
    }
    const cases: [string, string, X12SetBody, string, RegExp][] = [
      [
        "856 without PRF",
        "SH",
        edit(shipment, (s) => (s[0] === "PRF" ? [] : [s])),
        "ST",
        /has no PRF segment/,
      ],
      [
        "856 LIN without SN1",
        "SH",
        edit(shipment, (s) => (s[0] === "SN1" ? [] : [s])),
        "LIN",
        /LIN without an SN1/,
      ],
      [
        "856 SN1 before any LIN",
        "SH",
        edit(shipment, (s) => (s[0] === "LIN" ? [] : [s])),
        "SN1",
        /an SN1 without a LIN/,
      ],
      [
        "810 without BIG04",
        "IN",
        edit(invoice, (s) => (s[0] === "BIG" ? [s.map((e, i) => (i === 4 ? "" : e))] : [s])),
        "BIG-04",
        /BIG04 \(purchase order number\) is empty/,
      ],
      [
        "810 IT102 not a number",
        "IN",
        edit(invoice, (s) => (s[0] === "IT1" ? [s.map((e, i) => (i === 2 ? "2x" : e))] : [s])),
        "IT1-02",
        /IT102 is "2x"/,
      ],
      [
        "810 without TDS",
        "IN",
        edit(invoice, (s) => (s[0] === "TDS" ? [] : [s])),
        "ST",
        /has no TDS segment/,
      ],
      [
        "855 unknown ACK01 (the project's mapper)",
        "PR",
        edit(ack, (s) => (s[0] === "ACK" ? [["ACK", "ZZ", "2", "EA"]] : [s])),
        "ACK-01",
        /ACK01 \(line item status\) is "ZZ"/,
      ],
      ["855 in a PO group", "PO", ack, "ISA", /the 855 set is in group "PO"; expected GS01 PR/],
      ["810 in an SH group", "SH", invoice, "ISA", /the 810 set is in group "SH"; expected GS01 IN/],
    ];
    for (const [what, functionalId, body, where, message] of cases) {
      const { interchange, outcome } = read(functionalId, body);
      assert.equal(outcome?.accepted, false, what);
      assert.equal(outcome?.problem?.location.element ?? outcome?.problem?.location.tag, where, what);
      assert.match(outcome?.problem?.message ?? "", message, what);
      assert.deepEqual(interchange?.documents, [], `${what}: nothing kept`);
    }
  });
});
